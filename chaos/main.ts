/**
 * `npm run chaos [-- --quick] [--seed N] [--units N]`: the fault suite's full form. Writes its figures between
 * the markers of docs/RELIABILITY.md (a quick run writes chaos/RESULTS-partial.md instead), keeps every run's
 * logs and outcomes under .data/chaos/, and exits 1 when the faulty year differs from the fault-free one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot, dataDir } from '../config/paths.js';
import { FULL, SHORT, runSuite, summaryMarkdown } from './suite.js';

const BEGIN = '<!-- chaos:begin (written by npm run chaos) -->';
const END = '<!-- chaos:end -->';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, seed: { type: 'string' }, units: { type: 'string' } } });
  const base = values.quick ? SHORT : FULL;
  const options = {
    ...base,
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.units ? { units: Number(values.units) } : {}),
  };
  const dir = path.join(dataDir(), 'chaos', new Date().toISOString().replace(/[:.]/g, '-'));
  const result = await runSuite(options, dir, (m) => console.log(m));
  fs.writeFileSync(path.join(dir, 'comparison.json'), JSON.stringify(result.comparison, null, 1));
  const command = `npm run chaos${values.quick ? ' -- --quick' : ''}`;
  const summary = summaryMarkdown(result, command);
  console.log(`\n${summary}\n\nruns kept in ${dir}`);
  const full = !values.quick && !values.seed && !values.units;
  if (full) {
    const doc = path.join(projectRoot(), 'docs', 'RELIABILITY.md');
    const text = fs.readFileSync(doc, 'utf8');
    const from = text.indexOf(BEGIN);
    const to = text.indexOf(END);
    if (from < 0 || to < from) throw new Error(`${doc}: the markers ${BEGIN} … ${END} are missing`);
    fs.writeFileSync(doc, `${text.slice(0, from + BEGIN.length)}\n${summary}\n${text.slice(to)}`);
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
