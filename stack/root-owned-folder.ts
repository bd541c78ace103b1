// A folder of chuky's own inside a system temporary folder (/tmp, /var/tmp), for what root must share with the
// unprivileged "postgres" account. Those parents are writable by everyone (sticky), so a folder of the name we
// want may already be someone else's, or a symlink planted to redirect us: we use it only when it is a real
// directory, owned by root and writable by nobody else.
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function isSafeParent(dir: string): boolean {
  try {
    const s = lstatSync(dir);
    if (!s.isDirectory()) return false;
    const sticky = (s.mode & 0o1000) !== 0;
    const writableByOthers = (s.mode & 0o022) !== 0;
    return s.uid === 0 && (!writableByOthers || sticky);
  } catch {
    return false;
  }
}

/** `<parent>/<name>`, created with `mode` when missing; undefined when it is not safely ours. */
export function rootOwnedFolder(parent: string, name: string, mode: number): string | undefined {
  if (!isSafeParent(parent)) return undefined;
  const dir = join(parent, name);
  try {
    mkdirSync(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const s = lstatSync(dir);
    if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return dir;
}

/** System temporary folders, most durable first (/var/tmp survives a reboot; /tmp may not). */
export function systemTempFolders(): string[] {
  return [...new Set(['/var/tmp', tmpdir(), '/tmp'])];
}
