/**
 * What each command does when `chuky` runs as a committee's operator (CHUKY_API_URL and CHUKY_COMMITTEE_TOKEN set,
 * cli/committee-api.ts). Every command that runs is in this table, so none can be added without a decision
 * (test/unit/committee-mode.test.ts walks the command tree):
 * - 'api': it reads and acts through the operator API, within the token's committee (and subtree, if granted);
 * - 'local': it touches no deployment data (a file checked, a template written, a rehearsal on a stack of its own);
 * - 'deployment': it needs the deployment's own keys (running services, migrating, users and tokens of every
 *   committee, launching a cycle or loading a past year): refused, saying who does it instead.
 */
import type { Command } from 'commander';
import { committeeApiFromEnv, type CommitteeApi } from './committee-api.js';

export type CommandMode = 'api' | 'local' | 'deployment';

export const COMMAND_MODES: Readonly<Record<string, CommandMode>> = {
  // Running the deployment: its services, its schema, its development stack.
  dev: 'deployment',
  'dev status': 'deployment',
  'stack up': 'deployment',
  worker: 'deployment',
  api: 'deployment',
  migrate: 'deployment',
  doctor: 'deployment',
  // Who may use it: users and tokens, of any committee.
  'console user add': 'deployment',
  'console user list': 'deployment',
  'console user disable': 'deployment',
  'console user enable': 'deployment',
  'console user password': 'deployment',
  'api-token create': 'deployment',
  'api-token list': 'deployment',
  'api-token revoke': 'deployment',
  // Launching a cycle and loading past years: the deployment's operator, who registers the committee's cycle.
  'cycle start': 'deployment',
  'cycle import-year': 'deployment',
  // Files and rehearsals: nothing of the deployment is read or written.
  'config check': 'local',
  'cycle rehearse': 'local',
  'report template': 'local',
  'report example-data': 'local',
  // The committee's own year, through the operator API.
  'cycle status': 'api',
  'cycle list': 'api',
  'cycle export': 'api',
  'cycle close': 'api',
  'unit ack': 'api',
  'unit extend': 'api',
  'unit exempt': 'api',
  'unit show': 'api',
  'inspection proposals': 'api',
  'inspection start': 'api',
  'inspection schedule': 'api',
  'inspection findings': 'api',
  'inspection conclude': 'api',
  'inspection close': 'api',
  'inspection list': 'api',
  'units import': 'api',
  'units list': 'api',
  'units remove': 'api',
  'link revoke': 'api',
  'link issue': 'api',
  'records add': 'api',
  'records list': 'api',
  'records delete': 'api',
  'report compile': 'api',
  'report explain': 'api',
  'report figures': 'api',
  'report upward draft': 'api',
  'report upward submit': 'api',
  overdue: 'api',
  stalled: 'api',
  // The repairs, as the console offers them to a committee's users: refused unless every cycle named is its own.
  extend: 'api',
  exempt: 'api',
  remind: 'api',
  record: 'api',
  retry: 'api',
  reset: 'api',
  cancel: 'api',
};

/** "cycle status" for the `status` command under `cycle`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

let cached: CommitteeApi | null | undefined;

/** The committee's API when `chuky` runs as a committee's operator, else undefined (read once per process). */
export function committeeApi(): CommitteeApi | undefined {
  if (cached === undefined) cached = committeeApiFromEnv() ?? null;
  return cached ?? undefined;
}

/**
 * Before a command runs as a committee's operator: a 'deployment' command is refused (an unknown one too, which
 * the unit test keeps from happening), the others run; an 'api' command reaches the API through committeeApi().
 */
export function checkCommitteeMode(cmd: Command): void {
  if (!committeeApi()) return;
  const path = commandPath(cmd);
  const mode = COMMAND_MODES[path] ?? 'deployment';
  if (mode === 'deployment')
    throw new Error(
      `\`chuky ${path}\` needs the deployment's own keys, and this command line holds a committee's token ` +
        `(CHUKY_COMMITTEE_TOKEN): ask the deployment's operator, or use the console where it offers it. ` +
        `Unset CHUKY_API_URL and CHUKY_COMMITTEE_TOKEN to run it as the deployment's operator.`,
    );
}
