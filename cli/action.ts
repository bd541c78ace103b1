/**
 * How a command ends on an error. Light on purpose: every command registers its action through here when the
 * command tree is built (`chuky --help` too), so what tells a busy engine apart (the Temporal SDK's errors) is
 * loaded only when an error is there to tell.
 */
import { Command } from 'commander';
import { isConfigError } from '../config/errors.js';
import { CommitteeApiError } from './committee-api.js';

/** sysexits' EX_TEMPFAIL: "try again later", which a script can tell from a real error (1) or a bad configuration (2). */
export const EXIT_ENGINE_BUSY = 75;

/**
 * Runs a command body; a ConfigError exits 2 with one line per issue, an Update Temporal did not confirm exits
 * EXIT_ENGINE_BUSY with one line that says what to do, any other error exits 1. Never a stack trace.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      // As a committee's operator (CHUKY_COMMITTEE_TOKEN), a command needing the deployment's keys is refused
      // here (cli/committee-mode.ts); commander passes the command last.
      if (process.env.CHUKY_COMMITTEE_TOKEN || process.env.CHUKY_API_URL) {
        const cmd = args[args.length - 1];
        // Fail closed: a command that cannot be named cannot be classified.
        if (!(cmd instanceof Command)) throw new Error("this command cannot run with a committee's token (CHUKY_COMMITTEE_TOKEN)");
        const { checkCommitteeMode } = await import('./committee-mode.js');
        checkCommitteeMode(cmd);
      }
      await fn(...args);
    } catch (err) {
      if (isConfigError(err)) {
        process.stderr.write(`Configuration error:\n${err.message}\n`);
        process.exitCode = 2;
      } else if (err instanceof CommitteeApiError) {
        // An answer of the operator API to a committee's operator: its message, and its exit code (75 when busy).
        process.stderr.write(`Error: ${err.message}\n`);
        process.exitCode = err.exitCode;
      } else if (err instanceof Error && (await import('../api/busy.js')).isEngineBusy(err)) {
        const { engineBusyCliLine } = await import('./output.js');
        process.stderr.write(`${engineBusyCliLine(err)}\n`);
        process.exitCode = EXIT_ENGINE_BUSY;
      } else {
        process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
      }
    }
  };
}
