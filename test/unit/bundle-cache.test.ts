import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleKey, readCachedBundle, sourceClosure, writeCachedBundle } from '../../workers/bundle-cache.js';
import { workflowsPath } from '../../workers/bundle.js';

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-bundle-cache-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('the workflow bundle cache key', () => {
  it('follows value imports (.js naming .ts) and skips type-only imports', () => {
    const dir = tree({
      'wf/index.ts': "export * from './unit.js';\nimport type { T } from '../act/index.js';\n",
      'wf/unit.ts': "import { x } from '../domain/a.js';\nexport const y = x;\n",
      'domain/a.ts': 'export const x = 1;\n',
      'act/index.ts': 'export type T = number;\n',
    });
    const closure = sourceClosure(path.join(dir, 'wf/index.ts')).map((f) => path.relative(dir, f));
    expect(closure).toEqual(['domain/a.ts', 'wf/index.ts', 'wf/unit.ts']);
  });

  it('changes when any file the workflows import changes, not when an unrelated one does', () => {
    const dir = tree({
      'wf/index.ts': "import { x } from '../domain/a.js';\nexport const y = x;\n",
      'domain/a.ts': 'export const x = 1;\n',
      'other.ts': 'export const z = 1;\n',
    });
    const entry = path.join(dir, 'wf/index.ts');
    const before = bundleKey(entry, 's');
    fs.writeFileSync(path.join(dir, 'other.ts'), 'export const z = 2;\n');
    expect(bundleKey(entry, 's')).toBe(before);
    fs.writeFileSync(path.join(dir, 'domain/a.ts'), 'export const x = 2;\n');
    expect(bundleKey(entry, 's')).not.toBe(before);
    expect(bundleKey(entry, 'other salt')).not.toBe(bundleKey(entry, 's'));
  });

  it("covers chuky's workflows and the domain code they run", () => {
    const closure = sourceClosure(workflowsPath()).map((f) => path.basename(path.dirname(f)) + '/' + path.basename(f));
    expect(closure).toEqual(
      expect.arrayContaining(['workflows/unit.ts', 'workflows/cycle.ts', 'domain/schedule.ts', 'domain/submissions.ts']),
    );
  });

  it('stores and reads a bundle under its key, keeping only the newest few', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-bundle-store-'));
    expect(readCachedBundle(dir, 'k0')).toBeUndefined();
    for (let i = 0; i < 9; i++) writeCachedBundle(dir, `k${i}`, `code ${i}`);
    expect(readCachedBundle(dir, 'k8')).toBe('code 8');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.js')).length).toBeLessThanOrEqual(6);
    expect(fs.readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
