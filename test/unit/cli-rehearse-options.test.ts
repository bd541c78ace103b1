// `chuky cycle rehearse --stall-minutes`: a whole number of minutes, 10 by default, 0 for no limit; anything else
// is refused by name before a service starts.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STALL_MINUTES, registerRehearseCommand, stallMinutes } from '../../cli/commands/rehearse.js';

function program(): { root: Command; errors: string[] } {
  const errors: string[] = [];
  const root = new Command('chuky').exitOverride();
  root.command('cycle').exitOverride();
  registerRehearseCommand(root);
  for (const c of [root, ...root.commands, ...root.commands.flatMap((c) => c.commands)])
    c.exitOverride().configureOutput({ writeErr: (s) => errors.push(s), writeOut: () => undefined });
  return { root, errors };
}

describe('cycle rehearse --stall-minutes', () => {
  it('takes whole minutes, 0 included', () => {
    expect(stallMinutes('0')).toBe(0);
    expect(stallMinutes(' 15 ')).toBe(15);
  });

  it('refuses anything else, naming the option and the value', () => {
    for (const bad of ['-1', '1.5', 'ten', ''])
      expect(() => stallMinutes(bad)).toThrow(`--stall-minutes must be a whole number of minutes (0: no limit), got "${bad}"`);
  });

  it('is refused by the command before anything runs, and defaults to 10 minutes', () => {
    expect(DEFAULT_STALL_MINUTES).toBe(10);
    const { root, errors } = program();
    expect(() => root.parse(['cycle', 'rehearse', '--config', 'x.yaml', '--stall-minutes', 'soon'], { from: 'user' })).toThrow();
    expect(errors.join('')).toContain('--stall-minutes must be a whole number of minutes (0: no limit), got "soon"');
    const rehearse = root.commands.find((c) => c.name() === 'cycle')!.commands.find((c) => c.name() === 'rehearse')!;
    const option = rehearse.options.find((o) => o.long === '--stall-minutes')!;
    expect(option.defaultValue).toBe(10);
    expect(rehearse.helpInformation().replace(/\s+/g, ' ')).toContain('(0: wait as long as it takes) (default: 10)');
  });
});
