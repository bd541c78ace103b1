/**
 * A PDF read back the way a reader sees it, with poppler-utils (Debian's, installed the way the stack installs
 * Debian packages when missing): its text (pdftotext) and, per page, where each line of text and each picture is
 * drawn (pdftohtml -xml, which gives both in the same page coordinates). Text hidden under a picture is still
 * extracted, so an overlap is found even when nobody could read the covered words.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installDebianPackages } from '../../stack/debian-package.js';
import { findOnPath } from '../../stack/find-executable.js';

const run = promisify(execFile);

export async function ensurePoppler(log: (m: string) => void = console.log): Promise<void> {
  if (findOnPath('pdftotext') && findOnPath('pdftohtml') && findOnPath('pdftoppm')) return;
  await installDebianPackages(['poppler-utils'], 'reading rendered PDFs in tests', log);
}

export interface Box {
  page: number;
  top: number;
  left: number;
  width: number;
  height: number;
}
export interface TextBox extends Box {
  text: string;
  /** Font size in the same units (a 14 pt body line is 21, a 12 pt footnote 18, a footnote mark smaller). */
  size: number;
}

export interface PdfLayout {
  pages: number;
  texts: TextBox[];
  images: Box[];
}

const decode = (s: string) =>
  s
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');

const num = (attrs: string, name: string): number => {
  const m = new RegExp(`\\b${name}="(-?[\\d.]+)"`).exec(attrs);
  if (!m) throw new Error(`pdftohtml -xml: no ${name} in <${attrs}>`);
  return Number(m[1]);
};

/** The PDF's text as one string, lines joined with spaces, whitespace collapsed, NFC. */
export async function pdfText(pdf: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.normalize('NFC').replace(/\s+/g, ' ');
}

/** Every text line and picture with its page and box, in the order pdftohtml reads them (its units: the page at 1.5 × 72 dpi). */
export async function pdfLayout(pdf: string): Promise<PdfLayout> {
  const dir = await mkdtemp(join(tmpdir(), 'chuky-pdf-layout-'));
  try {
    // -xml writes the pictures out too (their files are not needed, only their boxes).
    await run('pdftohtml', ['-xml', '-q', '-nodrm', pdf, join(dir, 'layout')], { maxBuffer: 64 * 1024 * 1024 });
    const xml = await readFile(join(dir, 'layout.xml'), 'utf8');
    const texts: TextBox[] = [];
    const images: Box[] = [];
    let pages = 0;
    const sizes = new Map([...xml.matchAll(/<fontspec ([^>]*)\/>/g)].map((m) => [num(m[1]!, 'id'), num(m[1]!, 'size')]));
    for (const page of xml.matchAll(/<page ([^>]*)>([\s\S]*?)<\/page>/g)) {
      const n = num(page[1]!, 'number');
      pages = Math.max(pages, n);
      for (const m of page[2]!.matchAll(/<image ([^>]*)\/>/g)) {
        images.push({
          page: n,
          top: num(m[1]!, 'top'),
          left: num(m[1]!, 'left'),
          width: num(m[1]!, 'width'),
          height: num(m[1]!, 'height'),
        });
      }
      for (const m of page[2]!.matchAll(/<text ([^>]*)>([\s\S]*?)<\/text>/g)) {
        const text = decode(m[2]!).normalize('NFC');
        if (!text.trim()) continue;
        const size = sizes.get(num(m[1]!, 'font'));
        if (size === undefined) throw new Error(`pdftohtml -xml: no fontspec for <text ${m[1]}>`);
        texts.push({
          page: n,
          top: num(m[1]!, 'top'),
          left: num(m[1]!, 'left'),
          width: num(m[1]!, 'width'),
          height: num(m[1]!, 'height'),
          size,
          text,
        });
      }
    }
    return { pages, texts, images };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How far two boxes on the same page overlap vertically and horizontally (0 when they do not). */
export function overlap(a: Box, b: Box): { x: number; y: number } {
  if (a.page !== b.page) return { x: 0, y: 0 };
  const x = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const y = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  return { x: Math.max(0, x), y: Math.max(0, y) };
}

/** Renders one page to PNG (pdftoppm), for a person to look at. Returns the PNG's path. */
export async function renderPage(pdf: string, page: number, outBase: string, dpi = 80): Promise<string> {
  await run('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', pdf, outBase]);
  return `${outBase}.png`;
}
