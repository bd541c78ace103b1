#!/usr/bin/env node
// `npm run audit`: `npm audit --audit-level=high --omit=dev` (the production dependencies; a high or critical
// advisory fails), with one difference: when the registry's audit endpoint cannot be reached or refuses the
// request (no network, a proxy, a mirror without the endpoint: "405 Method Not Allowed"), it says so plainly and
// exits 2 instead of npm's bare "audit endpoint returned an error", so that an unreachable endpoint is never
// read as "no advisories". Exit codes: 0 nothing high or critical, 1 advisories found, 2 no answer.
// Extra arguments go to npm audit (e.g. `npm run audit -- --json`).
import { spawn } from 'node:child_process';

const args = ['audit', '--audit-level=high', '--omit=dev', ...process.argv.slice(2)];
const npm =
  process.env.npm_execpath && /\.c?js$/.test(process.env.npm_execpath)
    ? [process.execPath, [process.env.npm_execpath, ...args]]
    : ['npm', args];

const child = spawn(npm[0], npm[1], { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (d) => {
  output += d;
  process.stdout.write(d);
});
child.stderr.on('data', (d) => {
  output += d;
  process.stderr.write(d);
});
child.on('error', (err) => {
  process.stderr.write(`\nnpm run audit: could not run npm (${err.message}).\n`);
  process.exit(2);
});
child.on('close', (code) => {
  const unreachable =
    /audit endpoint returned an error|advisories\/bulk|quick\/audit|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|UNABLE_TO_GET_ISSUER_CERT|SELF_SIGNED_CERT|40[0-9] [A-Z][a-z]+|50[0-9] [A-Z][a-z]+/.test(
      output,
    ) &&
    !/npm audit report|found \d+ vulnerabilit|\d+ (low|moderate|high|critical) severity vulnerabilit|"vulnerabilities"\s*:\s*\{\s*"/.test(
      output,
    );
  if (code !== 0 && unreachable) {
    const why = /(\d{3} [A-Za-z ]+ - \S+ \S+|E[A-Z_]{4,}[^\n]*)/.exec(output)?.[1] ?? 'no answer';
    process.stderr.write(
      [
        '',
        "npm run audit: NO RESULT. The registry's audit endpoint could not be used from this machine",
        `  (${why.trim()}).`,
        '  This says nothing about the dependencies, either way: no advisory was checked.',
        '  - Run it where https://registry.npmjs.org/-/npm/v1/security/advisories/bulk answers POST requests',
        '    (a mirror or proxy may refuse it with 405: try `npm run audit -- --registry=https://registry.npmjs.org/`);',
        '  - or review the production dependencies by hand: docs/SECURITY.md ("Dependency audit") lists them',
        '    with the advisories known at its last review.',
        '',
      ].join('\n'),
    );
    process.exit(2);
  }
  process.exit(code ?? 1);
});
