/**
 * The operator API's token on a local run (`chuky dev`, what `npm start` runs). Without CHUKY_API_TOKEN the API
 * would answer anyone who can reach it, and a page in the same browser can: a random token is made on the first
 * run, kept in the data folder readable by its owner only (mode 0600, like console-admin.txt), and reused at the
 * next start. Where it is, not what it is, is printed: terminal output ends up in shared logs.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '../config/paths.js';

export const DEV_API_TOKEN_FILE = 'api-token.txt';

/** The token file of a data folder (default: CHUKY_DATA_DIR or .data/). */
export function devApiTokenFile(dir = dataDir()): string {
  return path.join(dir, DEV_API_TOKEN_FILE);
}

/**
 * The API token a local run uses: CHUKY_API_TOKEN when set, else the one kept in the data folder (made on the first
 * run). Says where it is through `say`, and returns `env` with the token in it.
 */
export function devApiToken<E extends { apiToken: string | undefined }>(env: E, say: (line: string) => void, dir = dataDir()): E {
  if (env.apiToken) {
    say('chuky: the operator API (/api/v1) takes the token in CHUKY_API_TOKEN');
    return env;
  }
  const file = devApiTokenFile(dir);
  let token = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  if (!token) {
    token = randomBytes(32).toString('base64url');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  }
  // A file left readable by others (copied, restored from a backup) is made the owner's again.
  fs.chmodSync(file, 0o600);
  say(
    `chuky: the operator API (/api/v1) takes a token, kept in ${file}: send "Authorization: Bearer ` +
      `$(cat ${file})" (or set CHUKY_API_TOKEN)`,
  );
  return { ...env, apiToken: token };
}
