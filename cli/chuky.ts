#!/usr/bin/env node
/**
 * The `chuky` command line: one program, a subcommand per task, `--help` on each, `--json` where scripts read.
 * Building the command tree loads only commander and the commands' declarations: each command loads what it does
 * when it runs (cli/commands/*-run.ts, or `await import` in its action), so `--help` answers at once and a command
 * that reads PostgreSQL never loads Temporal's SDK (test/unit/cli-startup.test.ts).
 */
import { buildProgram } from './program.js';

await buildProgram().parseAsync(process.argv);
