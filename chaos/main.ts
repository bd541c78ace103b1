/**
 * `npm run chaos [-- --quick] [--engine dev|server] [--seed N] [--units N]`: the fault suite's full form, on the
 * Temporal CLI's dev server (default) or on the production shape (`--engine server`: the real server split into
 * its services on PostgreSQL, two workers, two APIs). Writes its figures between the engine's markers of
 * docs/RELIABILITY.md (a quick run writes chaos/RESULTS-partial.md instead), keeps every run's logs and outcomes
 * under .data/chaos/, and exits 1 when the faulty year differs from the fault-free one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot, dataDir } from '../config/paths.js';
import { FULL, FULL_SERVER, SHORT, SHORT_SERVER, runSuite, summaryMarkdown } from './suite.js';

const MARKERS = {
  dev: { begin: '<!-- chaos:begin (written by npm run chaos) -->', end: '<!-- chaos:end -->' },
  server: { begin: '<!-- chaos-server:begin (written by npm run chaos -- --engine server) -->', end: '<!-- chaos-server:end -->' },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      engine: { type: 'string', default: 'dev' },
      seed: { type: 'string' },
      units: { type: 'string' },
    },
  });
  const engine = values.engine;
  if (engine !== 'dev' && engine !== 'server') throw new Error(`--engine ${engine}: expected dev or server`);
  const base = engine === 'server' ? (values.quick ? SHORT_SERVER : FULL_SERVER) : values.quick ? SHORT : FULL;
  const options = {
    ...base,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.units ? { units: Number(values.units) } : {}),
  };
  const dir = path.join(dataDir(), 'chaos', `${new Date().toISOString().replace(/[:.]/g, '-')}${engine === 'server' ? '-server' : ''}`);
  const result = await runSuite(options, dir, (m) => console.log(m));
  fs.writeFileSync(path.join(dir, 'comparison.json'), JSON.stringify(result.comparison, null, 1));
  const flags = [...(values.quick ? ['--quick'] : []), ...(engine === 'server' ? ['--engine', 'server'] : [])];
  const extra = [...(values.seed ? ['--seed', values.seed] : []), ...(values.units ? ['--units', values.units] : [])];
  const command = `npm run chaos${flags.length + extra.length ? ` -- ${[...flags, ...extra].join(' ')}` : ''}`;
  const summary = summaryMarkdown(result, command);
  console.log(`\n${summary}\n\nruns kept in ${dir}`);
  const full = !values.quick && !values.seed && !values.units;
  if (full) {
    const doc = path.join(projectRoot(), 'docs', 'RELIABILITY.md');
    const text = fs.readFileSync(doc, 'utf8');
    const { begin, end } = MARKERS[engine];
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${doc}: the markers ${begin} … ${end} are missing`);
    fs.writeFileSync(doc, `${text.slice(0, from + begin.length)}\n${summary}\n${text.slice(to)}`);
    console.log(`figures written to ${doc}`);
  } else {
    fs.writeFileSync(path.join(projectRoot(), 'chaos', 'RESULTS-partial.md'), `# Fault suite (partial run)\n\n${summary}\n`);
  }
  process.exitCode = result.comparison.ok ? 0 : 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 2;
});
