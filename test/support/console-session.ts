/**
 * A console user signed in over HTTP, as a browser does it: the sign-in page's CSRF token and cookie, the POST, and
 * the session cookie it sets. For tests that read console pages or post its forms.
 */
import { randomUUID } from 'node:crypto';
import { addUser } from '../../console/users.js';
import type { Db } from '../../db/pool.js';

export interface ConsoleSession {
  username: string;
  /** The session's cookie header. */
  cookie: string;
  /** GET a console path with the session. */
  get: (path: string) => Promise<Response>;
  /** POST a console form with the session, its CSRF token and the console's origin; no redirect followed. */
  post: (path: string, form: Record<string, string>) => Promise<Response>;
}

const TOKEN = /name="_csrf" value="([^"]+)"/;

export async function signInToConsole(
  base: string,
  db: Db,
  o: { role: 'admin' | 'clerk' | 'leader'; password?: string; prefix?: string; committeeCode?: string; subtree?: boolean },
): Promise<ConsoleSession> {
  const password = o.password ?? 'mat-khau-du-dai-2027';
  const username = `${o.prefix ?? o.role}-${randomUUID().slice(0, 6)}`;
  await addUser(db, {
    username,
    name: 'Cán bộ Thử Nghiệm',
    role: o.role,
    password,
    ...(o.committeeCode ? { committeeCode: o.committeeCode, subtree: o.subtree ?? false } : {}),
  });
  const page = await fetch(`${base}/console/dang-nhap`);
  const pre = page.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const token = TOKEN.exec(await page.text())?.[1] ?? '';
  const signed = await fetch(`${base}/console/dang-nhap`, {
    method: 'POST',
    headers: { cookie: pre.join('; '), origin: base },
    body: new URLSearchParams({ _csrf: token, username, password, tiep: '/console/' }),
    redirect: 'manual',
  });
  if (signed.status !== 303) throw new Error(`sign-in as ${username} answered ${signed.status}`);
  const cookie = signed.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ');
  const get = (path: string) => fetch(base + path, { headers: { cookie } });
  const post = async (path: string, form: Record<string, string>) => {
    // Every console page carries the session's token (in the sign-out form at least).
    const csrf = TOKEN.exec(await (await get('/console/')).text())?.[1] ?? '';
    return fetch(base + path, {
      method: 'POST',
      headers: { cookie, origin: base },
      body: new URLSearchParams({ _csrf: csrf, ...form }),
      redirect: 'manual',
    });
  };
  return { username, cookie, get, post };
}
