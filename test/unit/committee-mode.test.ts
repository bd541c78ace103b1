/**
 * The command line as a committee's operator (cli/committee-mode.ts): every command that runs has a decision —
 * through the operator API, local, or the deployment's only — so a command added later without one fails here;
 * and the environment that makes a committee's command line is checked before anything is sent.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { committeeApiFromEnv } from '../../cli/committee-api.js';
import { COMMAND_MODES, commandPath } from '../../cli/committee-mode.js';
import { buildProgram } from '../../cli/program.js';
import { isConfigError } from '../../config/errors.js';

/** Every command with an action of its own (commander keeps it as _actionHandler). */
function runnable(c: Command): Command[] {
  const own = c.parent && (c as unknown as { _actionHandler: unknown })._actionHandler ? [c] : [];
  return [...own, ...c.commands.flatMap(runnable)];
}

const TOKEN = `chuky_${'a'.repeat(43)}`;

describe('the command line of a committee', () => {
  it('has a decision for every command that runs, and none for a command that does not exist', () => {
    const paths = runnable(buildProgram()).map(commandPath).sort();
    expect(paths.length).toBeGreaterThan(50);
    expect(Object.keys(COMMAND_MODES).sort()).toEqual(paths);
  });

  it("keeps the deployment's keys for running, users, tokens and Temporal's repairs", () => {
    for (const path of ['worker', 'api', 'migrate', 'api-token create', 'console user add', 'cycle import-year', 'cycle start'])
      expect(COMMAND_MODES[path], path).toBe('deployment');
    for (const path of [
      'cycle status',
      'unit show',
      'report compile',
      'report upward submit',
      'overdue',
      'stalled',
      'reset',
      'link revoke',
      'units remove',
    ])
      expect(COMMAND_MODES[path], path).toBe('api');
  });

  it('is off without either variable, and says which one is missing or wrong', () => {
    expect(committeeApiFromEnv({})).toBeUndefined();
    const problems = (env: NodeJS.ProcessEnv): string => {
      try {
        committeeApiFromEnv(env);
      } catch (err) {
        if (isConfigError(err)) return err.message;
        throw err;
      }
      return 'accepted';
    };
    expect(problems({ CHUKY_COMMITTEE_TOKEN: TOKEN })).toMatch(/^CHUKY_API_URL: /);
    expect(problems({ CHUKY_API_URL: 'https://chuky.example.vn' })).toMatch(/^CHUKY_COMMITTEE_TOKEN: /);
    expect(problems({ CHUKY_API_URL: 'https://chuky.example.vn', CHUKY_COMMITTEE_TOKEN: 'deployment-secret' })).toMatch(
      /CHUKY_COMMITTEE_TOKEN: not a committee token/,
    );
    expect(problems({ CHUKY_API_URL: 'ftp://chuky.example.vn', CHUKY_COMMITTEE_TOKEN: TOKEN })).toMatch(/not an http\(s\) address/);
    // The token never crosses a network in clear; a machine's own loopback is not a network.
    expect(problems({ CHUKY_API_URL: 'http://chuky.example.vn', CHUKY_COMMITTEE_TOKEN: TOKEN })).toMatch(/use https/);
    expect(problems({ CHUKY_API_URL: 'http://127.0.0.1:8080/', CHUKY_COMMITTEE_TOKEN: TOKEN })).toBe('accepted');
    expect(committeeApiFromEnv({ CHUKY_API_URL: ' https://chuky.example.vn/ ', CHUKY_COMMITTEE_TOKEN: TOKEN })?.url).toBe(
      'https://chuky.example.vn',
    );
  });
});
