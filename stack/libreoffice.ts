/**
 * LibreOffice, for turning the DOCX files chuky writes into PDF (to send and archive) and PNG (to look at a page
 * in tests and previews). Found or provisioned like every other part: LIBREOFFICE_PATH, else `soffice` or
 * `libreoffice` on PATH, else Debian's /usr/bin/soffice, else Debian's `libreoffice-writer` (with
 * `libreoffice-draw` and a font, see LIBREOFFICE_PACKAGES) installed with apt-get (as root, or with
 * password-less sudo). There is no registry download of LibreOffice that works headless on a plain server, so
 * Debian's packages are the provisioned route, as for Chromium.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { installDebianPackages } from './debian-package.js';
import { findOnPath } from './find-executable.js';
import { defaultLog, OutputTail, type StackLog } from './log.js';

export const DEFAULT_SOFFICE = '/usr/bin/soffice';

/**
 * What is installed when LibreOffice is missing, without recommends (desktop integration a headless converter
 * never uses): Writer, as chuky converts text documents; Draw, which holds LibreOffice's graphic export filters
 * (without it, Writer's `--convert-to png` fails with "no export filter"); and a font. The documents are set in
 * Times New Roman, which Debian cannot ship; Liberation Serif has the same metrics, so lines and pages break
 * where they do in Word, and LibreOffice and fontconfig substitute it for Times New Roman on their own.
 * `fonts-liberation2` (Liberation 2.x) rather than `fonts-liberation` (1.07): only 2.x has the Vietnamese
 * letters with stacked diacritics (ậ, ở, ễ…); with 1.07 they would fall back, glyph by glyph, to another font.
 */
export const LIBREOFFICE_PACKAGES = ['libreoffice-writer', 'libreoffice-draw', 'fonts-liberation2'];

let installing: Promise<string> | undefined;

export function ensureLibreOffice(log: StackLog = defaultLog, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const named = env.LIBREOFFICE_PATH?.trim();
  if (named) {
    if (!fs.existsSync(named)) {
      return Promise.reject(
        new Error(`LIBREOFFICE_PATH=${named} does not exist: point it at LibreOffice's soffice executable, or unset it`),
      );
    }
    return Promise.resolve(named);
  }
  const found = findInstalled(env);
  if (found) return Promise.resolve(found);
  // Two callers in one process share one installation.
  installing ??= install(log, env).finally(() => {
    installing = undefined;
  });
  return installing;
}

function findInstalled(env: NodeJS.ProcessEnv): string | undefined {
  const pathVar = env.PATH ?? '';
  return (
    findOnPath('soffice', pathVar) ?? findOnPath('libreoffice', pathVar) ?? (fs.existsSync(DEFAULT_SOFFICE) ? DEFAULT_SOFFICE : undefined)
  );
}

async function install(log: StackLog, env: NodeJS.ProcessEnv): Promise<string> {
  await installDebianPackages(LIBREOFFICE_PACKAGES, 'converting documents to PDF and PNG', log, {
    noInstallRecommends: true,
    alternative: 'or set LIBREOFFICE_PATH',
  });
  const found = findInstalled(env);
  if (!found) throw new Error(`apt-get installed LibreOffice but neither soffice nor ${DEFAULT_SOFFICE} is found; set LIBREOFFICE_PATH`);
  return found;
}

export type ConvertFormat = 'pdf' | 'png';

export interface ConvertOptions {
  /** The soffice to run; found or provisioned with ensureLibreOffice when not given. */
  soffice?: string;
  /** Default 120 s. A first run in a fresh profile spends a few seconds creating it. */
  timeoutMs?: number;
  log?: StackLog;
  env?: NodeJS.ProcessEnv;
}

/**
 * Converts `input` (DOCX, ODT…) to PDF, or to PNG of its first page (LibreOffice's PNG export renders only the
 * first page), into `outDir`, and returns the written file's path: `<outDir>/<input's base name>.<format>`.
 */
export async function convertDocument(input: string, format: ConvertFormat, outDir: string, opts: ConvertOptions = {}): Promise<string> {
  const log = opts.log ?? defaultLog;
  const env = opts.env ?? process.env;
  const soffice = opts.soffice ?? (await ensureLibreOffice(log, env));
  const source = path.resolve(input);
  if (!fs.existsSync(source)) throw new Error(`cannot convert ${source}: no such file`);
  const targetDir = path.resolve(outDir);
  fs.mkdirSync(targetDir, { recursive: true });
  const output = path.join(targetDir, `${path.parse(source).name}.${format}`);
  // An earlier conversion's file would otherwise pass for this one's when LibreOffice fails quietly.
  fs.rmSync(output, { force: true });

  // A private user profile for every conversion. LibreOffice keeps one profile per user and lets one process
  // at a time use it: a second concurrent `soffice --headless` hands its job to the first instance (or fails
  // on the profile's lock) instead of converting. A fresh profile also means no stale settings or recovery
  // state from a desktop session, and it works as root, whose HOME may be read-only or shared.
  const profile = await mkdtemp(path.join(os.tmpdir(), 'chuky-soffice-'));
  const args = [
    `-env:UserInstallation=${pathToFileURL(profile).href}`,
    '--headless',
    '--invisible',
    '--nologo',
    '--nodefault',
    '--nolockcheck',
    '--norestore',
    '--convert-to',
    format,
    '--outdir',
    targetDir,
    source,
  ];
  try {
    const run = await runSoffice(soffice, args, opts.timeoutMs ?? 120_000, env);
    // soffice exits 0 even when it could not load or export the document, so the output file is the only
    // reliable sign of success.
    if (!fs.existsSync(output) || fs.statSync(output).size === 0) {
      const status = run.timedOut ? `timed out after ${run.timeoutMs} ms (process tree killed)` : run.status;
      const hint =
        format === 'png' && /no export filter/i.test(run.stderr)
          ? "\nPNG export needs LibreOffice Draw's graphic filters: on Debian, apt-get install --no-install-recommends libreoffice-draw"
          : '';
      throw new Error(
        `LibreOffice did not write ${output} (${status})\n$ ${soffice} ${args.join(' ')}\n` +
          `stderr:\n${run.stderr || '(empty)'}\nstdout:\n${run.stdout || '(empty)'}${hint}`,
      );
    }
    return output;
  } finally {
    await rm(profile, { recursive: true, force: true }).catch(() => undefined);
  }
}

interface SofficeRun {
  status: string;
  timedOut: boolean;
  timeoutMs: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs soffice in a process group of its own. Debian's `soffice` is a shell script that starts `oosplash`,
 * which starts `soffice.bin`: killing only the child we spawned would leave soffice.bin running, holding the
 * profile and the CPU. On timeout, or if this Node process exits first, the whole group is killed. ('close'
 * comes only once every holder of soffice's stdout and stderr, soffice.bin included, has exited.)
 */
function runSoffice(cmd: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<SofficeRun> {
  return new Promise((resolve) => {
    const stdout = new OutputTail(40);
    const stderr = new OutputTail(40);
    let timedOut = false;
    let done = false;
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killTree = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // No such group: already gone, or the child has not reached setsid() yet; kill it alone.
        child.kill('SIGKILL');
      }
    };
    const onExit = () => {
      if (!done) killTree();
    };
    process.once('exit', onExit);
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, timeoutMs);
    const finish = (status: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      process.removeListener('exit', onExit);
      resolve({ status, timedOut, timeoutMs, stdout: stdout.text(), stderr: stderr.text() });
    };
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.once('error', (err) => finish(`could not start: ${err.message}`));
    child.once('close', (code, signal) => finish(signal ? `killed by ${signal}` : `exit code ${String(code)}`));
  });
}
