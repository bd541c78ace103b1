/** Reading configuration files as UTF-8 text, with errors an operator can act on. Internal to `config/`. */
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

export function readConfigText(path: string, field = '(file)'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError([
      { file: path, field, message: code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})` },
    ]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError([{ file: path, field, message: 'the file is not UTF-8 text; save it as UTF-8 (in Excel: "CSV UTF-8")' }]);
  }
}
