/**
 * Renders an email from the template files in mail/templates (or the folder CHUKY_TEMPLATES_DIR names, so an
 * operator can reword messages without a release). Each kind has `<kind>.subject.txt`, `<kind>.html` (placed
 * inside `_layout.html`) and `<kind>.txt`. Mustache escapes HTML in `{{value}}`; plain text is rendered unescaped.
 */
import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { projectRoot } from '../config/paths.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function defaultTemplatesDir(): string {
  return path.join(projectRoot(), 'mail', 'templates');
}

function readTemplate(dir: string, name: string): string {
  const own = path.join(dir, name);
  // An operator's folder may override only some templates; the rest come from the shipped set.
  const file = fs.existsSync(own) ? own : path.join(defaultTemplatesDir(), name);
  return fs.readFileSync(file, 'utf8').normalize('NFC');
}

const noEscape = (value: unknown): string => String(value);

export function renderEmail(kind: string, vars: Record<string, unknown>, templatesDir = defaultTemplatesDir()): RenderedEmail {
  const subjectTemplate = readTemplate(templatesDir, `${kind}.subject.txt`);
  const subject = Mustache.render(subjectTemplate, vars, undefined, { escape: noEscape }).replace(/\s+/g, ' ').trim();
  const body = Mustache.render(readTemplate(templatesDir, `${kind}.html`), vars);
  const html = Mustache.render(readTemplate(templatesDir, '_layout.html'), { ...vars, subject, body });
  const text = Mustache.render(readTemplate(templatesDir, `${kind}.txt`), vars, undefined, { escape: noEscape });
  return { subject: subject.normalize('NFC'), html: html.normalize('NFC'), text: text.normalize('NFC') };
}
