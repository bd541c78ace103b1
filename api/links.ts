/**
 * Signed links in emails: each names one cycle, one unit and one obligation, and expires. The token is a JWT
 * (HS256, signed with CHUKY_SIGNING_SECRET), so the form page trusts the scope it carries and nothing else:
 * a link never lets one unit see or submit for another.
 */
import { SignJWT, jwtVerify, errors } from 'jose';

export interface LinkScope {
  cycleId: string;
  unitCode: string;
  phase: string;
}

const ISSUER = 'chuky';

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signLink(scope: LinkScope, secret: string, expiresAtMs: number): Promise<string> {
  return new SignJWT({ c: scope.cycleId, u: scope.unitCode, p: scope.phase })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setExpirationTime(Math.floor(expiresAtMs / 1000))
    .sign(key(secret));
}

export class LinkError extends Error {
  override name = 'LinkError';
}

export async function verifyLink(token: string, secret: string): Promise<LinkScope> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    const { c, u, p } = payload as { c?: unknown; u?: unknown; p?: unknown };
    if (typeof c !== 'string' || typeof u !== 'string' || typeof p !== 'string') throw new LinkError('Đường dẫn không hợp lệ');
    return { cycleId: c, unitCode: u, phase: p };
  } catch (err) {
    if (err instanceof LinkError) throw err;
    if (err instanceof errors.JWTExpired) throw new LinkError('Đường dẫn đã hết hạn. Xin liên hệ Ban Tuyên giáo để nhận đường dẫn mới.');
    throw new LinkError('Đường dẫn không hợp lệ hoặc đã bị sửa đổi.');
  }
}

export function formUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/f/${token}`;
}
