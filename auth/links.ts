/**
 * Signed links in emails: each names one cycle, one unit and one obligation, and expires. The token is a JWT
 * (HS256, signed with CHUKY_SIGNING_SECRET), so the form page trusts the scope it carries and nothing else:
 * a link never lets one unit see or submit for another.
 */
import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';

export interface LinkScope {
  cycleId: string;
  unitCode: string;
  phase: string;
}

const ISSUER = 'chuky';

/**
 * The HMAC key of a secret, imported once: importing it for every link signed (each email carries one) or
 * checked cost as much as the signature itself. A process sees one secret (two during a rotation).
 */
const keys = new Map<string, Promise<webcrypto.CryptoKey>>();

function key(secret: string): Promise<webcrypto.CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    if (keys.size >= 8) keys.clear();
    keys.set(secret, k);
  }
  return k;
}

/**
 * Signs a link. It carries its issue time (`iat`, whole seconds), so links issued before a revocation of the
 * unit's links can be refused while links signed afterwards (every email sent later) work.
 */
export async function signLink(scope: LinkScope, secret: string, expiresAtMs: number, issuedAtMs: number = Date.now()): Promise<string> {
  return new SignJWT({ c: scope.cycleId, u: scope.unitCode, p: scope.phase })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setIssuedAt(Math.floor(issuedAtMs / 1000))
    .setExpirationTime(Math.floor(expiresAtMs / 1000))
    .sign(await key(secret));
}

export class LinkError extends Error {
  override name = 'LinkError';
}

/**
 * Three base64url segments, each exactly as an encoder writes it. Base64 decoders ignore the unused low bits of
 * a segment's last character, so without this check a signature's last character could be changed (to one of
 * three others) and the link still verify: a link is accepted only in the one spelling it was signed in.
 */
function isCanonical(token: string): boolean {
  const parts = token.split('.');
  return parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p) && Buffer.from(p, 'base64url').toString('base64url') === p);
}

/** The signature, issuer and expiry checked; the scope and the issue time (ms, 0 for a link signed without one). */
async function verifyToken(token: string, secret: string): Promise<{ scope: LinkScope; issuedAtMs: number }> {
  try {
    if (!isCanonical(token)) throw new LinkError('Đường dẫn không hợp lệ hoặc đã bị sửa đổi.');
    // Every link chuky signs expires: one without `exp` is not chuky's and would never expire.
    const { payload } = await jwtVerify(token, await key(secret), { issuer: ISSUER, algorithms: ['HS256'], requiredClaims: ['exp'] });
    const { c, u, p } = payload as { c?: unknown; u?: unknown; p?: unknown };
    if (typeof c !== 'string' || typeof u !== 'string' || typeof p !== 'string') throw new LinkError('Đường dẫn không hợp lệ');
    return { scope: { cycleId: c, unitCode: u, phase: p }, issuedAtMs: typeof payload.iat === 'number' ? payload.iat * 1000 : 0 };
  } catch (err) {
    if (err instanceof LinkError) throw err;
    if (err instanceof errors.JWTExpired) throw new LinkError('Đường dẫn đã hết hạn. Xin liên hệ Ban Tuyên giáo để nhận đường dẫn mới.');
    throw new LinkError('Đường dẫn không hợp lệ hoặc đã bị sửa đổi.');
  }
}

/** Signature, issuer and expiry only; see `checkLink` for links that may have been revoked. */
export async function verifyLink(token: string, secret: string): Promise<LinkScope> {
  return (await verifyToken(token, secret)).scope;
}

export const REVOKED_LINK_MESSAGE = 'Đường dẫn này đã bị thu hồi. Xin liên hệ Ban Tuyên giáo để nhận đường dẫn mới.';

/**
 * `verifyLink`, then asks `isRevoked` whether the unit's links issued at `issuedAtMs` (the token's `iat` in ms;
 * 0 for links signed before links carried one) have been revoked. A failing `isRevoked` (the database is down)
 * is not a LinkError: the caller answers with a server error, not "invalid link".
 */
export async function checkLink(
  token: string,
  secret: string,
  isRevoked: (scope: LinkScope, issuedAtMs: number) => Promise<boolean>,
): Promise<LinkScope> {
  const { scope, issuedAtMs } = await verifyToken(token, secret);
  if (await isRevoked(scope, issuedAtMs)) throw new LinkError(REVOKED_LINK_MESSAGE);
  return scope;
}

export function formUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/f/${token}`;
}
