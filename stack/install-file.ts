// Puts an executable into the tools cache so that readers never see half a file:
// copy under a private temporary name next to the target, then rename (atomic
// within one filesystem).
import { chmod, copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function installExecutable(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  try {
    await copyFile(source, partial);
    await chmod(partial, 0o755);
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}
