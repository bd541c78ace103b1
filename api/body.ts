/**
 * What a request may carry through the API's doors, checked before any route reads it: a size (a body too large
 * is refused with 413 before it is buffered whole, so it can neither exhaust memory nor reach a workflow: an
 * update argument over Temporal's 2 MB payload limit fails the unit workflow's task until the server drops it),
 * UTF-8 that decodes (invalid bytes are refused, not stored as U+FFFD), and no NUL character or unpaired
 * surrogate in any text (PostgreSQL cannot store them). Refusals name the field; the operator API answers JSON,
 * the units' forms and the console a Vietnamese page.
 */
import { fieldLabel } from '../domain/words.js';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_FILE_BYTES } from '../db/files.js';
import { isUnsafeText, unsafeTextMessage, unsafeTextPath } from '../domain/text-safety.js';
import { messagePage } from './pages.js';

/** An operator API body (JSON). The largest real one, a year-end report with its narratives, is about 300 kB. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
/** A units CSV sent to /units/import (its route checks the same bound). */
export const MAX_CSV_BODY_BYTES = 10 * 1024 * 1024;
/** A unit's form post: one uploaded file of at most MAX_FILE_BYTES and the form's fields. */
export const MAX_FORM_BODY_BYTES = MAX_FILE_BYTES + 1024 * 1024;

const mb = (bytes: number) => `${Math.round(bytes / 1_048_576)} MB`;
const wantsJson = (c: Context) => c.req.path.startsWith('/api/');

function refuse(c: Context, status: 400 | 413, vi: string, en: string): Response | Promise<Response> {
  // The rest of a refused body is not read: the connection is not reused for another request.
  if (status === 413) c.header('Connection', 'close');
  if (wantsJson(c)) return c.json({ error: `${vi} (${en})` }, status);
  return c.html(messagePage(status === 413 ? 'Nội dung quá lớn' : 'Nội dung không hợp lệ', vi), status);
}

/** Percent-escapes decoded to bytes, then read as strict UTF-8; undefined when the bytes are not UTF-8. */
function decodeStrict(component: string): string | undefined {
  try {
    return decodeURIComponent(component);
  } catch {
    return undefined;
  }
}

/**
 * Every request: an address (path or query) whose escapes are not UTF-8 or that holds a NUL or a broken
 * surrogate is refused before a route looks it up in the database.
 */
export function addressGuard(): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const parts = [
      ...url.pathname.split('/'),
      ...url.search
        .slice(1)
        .split(/[&=]/)
        .map((s) => s.replace(/\+/g, ' ')),
    ];
    for (const part of parts) {
      const decoded = decodeStrict(part);
      if (decoded === undefined)
        return refuse(c, 400, 'Địa chỉ có ký tự không đọc được (không phải UTF-8)', 'the address is not valid UTF-8');
      if (isUnsafeText(decoded)) return refuse(c, 400, 'Địa chỉ có ký tự không hợp lệ (ký tự NUL)', 'the address holds a NUL character');
    }
    await next();
  };
}

const HAS_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The console's repair fields by the labels its forms show (console/repair-forms.ts); a unit's fields: domain/words.ts. */
const CONSOLE_FIELD_LABELS: Record<string, string> = { reason: 'Lý do', until: 'Hạn mới' };

/**
 * The operator API's bodies: at most MAX_JSON_BODY_BYTES, strict UTF-8, and a JSON body without a NUL or a broken
 * surrogate in any string or key. A units import: at most MAX_CSV_BODY_BYTES (its route checks the text).
 */
export function apiBodyGuard(): MiddlewareHandler {
  const tooLarge = (max: number) => (c: Context) =>
    refuse(c, 413, `Nội dung yêu cầu quá lớn (tối đa ${mb(max)})`, `the request body is too large: at most ${max} bytes`);
  const jsonLimit = bodyLimit({ maxSize: MAX_JSON_BODY_BYTES, onError: tooLarge(MAX_JSON_BODY_BYTES) });
  const csvLimit = bodyLimit({ maxSize: MAX_CSV_BODY_BYTES, onError: tooLarge(MAX_CSV_BODY_BYTES) });
  const check: MiddlewareHandler = async (c, next) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return refuse(c, 400, 'Nội dung yêu cầu không phải văn bản UTF-8 hợp lệ', 'the request body is not valid UTF-8');
    }
    if (isUnsafeText(text)) return refuse(c, 400, unsafeTextMessage(''), 'the request body holds a NUL character');
    let json: unknown;
    try {
      json = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined; // not JSON: the route says what it expects
    }
    const path = unsafeTextPath(json);
    if (path !== undefined) return refuse(c, 400, unsafeTextMessage(path), `"${path}" holds a NUL character or a broken surrogate`);
    await next();
  };
  return async (c, next) => {
    if (!HAS_BODY.has(c.req.method) || !c.req.raw.body) return next();
    // A units file is decoded and checked by its route, which names the file, line and column of a problem.
    if (c.req.path.endsWith('/units/import')) return csvLimit(c, next);
    return jsonLimit(c, () => inner(c, check, next));
  };
}

/** Runs `check` as the next step of another middleware, keeping its refusal as the response. */
async function inner(c: Context, check: MiddlewareHandler, next: () => Promise<void>): Promise<void> {
  const refused = await check(c, next);
  if (refused) c.res = refused;
}

/** A form post's fields as the guard read them, by request: the route reads the same object, not a second parse. */
const FORM_BODIES = new WeakMap<Request, Record<string, string | File>>();

/**
 * A form post's fields (the last value of a repeated field counts): read once per request, by formBodyGuard, and
 * handed to the route as they were read. Throws when the body is not a readable form.
 */
export async function formBody(c: Context): Promise<Record<string, string | File>> {
  const known = FORM_BODIES.get(c.req.raw);
  if (known) return known;
  const parsed = await c.req.parseBody();
  // Hono gathers a field whose name ends with "[]" into an array (hono/utils/body): as for any repeated field, its
  // last value counts. Left as an array, it reached the guard as a value with no text and the post answered 500
  // (the property test api-properties found it, CI of 7 December 2026).
  const body: Record<string, string | File> = {};
  for (const [name, value] of Object.entries(parsed as Record<string, string | File | (string | File)[]>)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last !== undefined) body[name] = last;
  }
  FORM_BODIES.set(c.req.raw, body);
  return body;
}

/**
 * A unit's form post (/f/:token): at most MAX_FORM_BODY_BYTES, and no field whose text is broken: bytes that were
 * not UTF-8 (decoded as U+FFFD), a NUL, a broken surrogate, in a value or an uploaded file's name.
 */
export function formBodyGuard(): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: MAX_FORM_BODY_BYTES,
    onError: (c) =>
      refuse(
        c,
        413,
        `Nội dung gửi lên quá lớn (tối đa ${mb(MAX_FORM_BODY_BYTES)}; mỗi tệp tối ` +
          `đa ${mb(MAX_FILE_BYTES)}). Xin chọn tệp nhỏ hơn rồi gửi lại.`,
        'too large',
      ),
  });
  const check: MiddlewareHandler = async (c, next) => {
    // Read once for the request: the route takes these same fields (formBody).
    let body: Record<string, string | File>;
    try {
      body = await formBody(c);
    } catch {
      return refuse(c, 400, 'Không đọc được nội dung biểu mẫu gửi lên; xin tải lại trang rồi gửi lại.', 'unreadable form body');
    }
    for (const [name, value] of Object.entries(body)) {
      const text = typeof value === 'string' ? value : value.name;
      if (isUnsafeText(name) || isUnsafeText(text) || text.includes('\ufffd')) {
        // eslint-disable-next-line no-control-regex -- U+0000 is one of the characters to replace
        const field = name.replace(/[\u0000\ud800-\udfff]/g, '\ufffd');
        const label =
          c.req.path.startsWith('/console/') && Object.hasOwn(CONSOLE_FIELD_LABELS, field)
            ? CONSOLE_FIELD_LABELS[field]
            : fieldLabel(undefined, field);
        return refuse(
          c,
          400,
          `Ô “${label}” có ký tự không hợp lệ hoặc bị lỗi mã hóa (không phải UTF-8); xin gõ lại nội dung ô này rồi gửi lại.`,
          'bad text',
        );
      }
    }
    await next();
  };
  return async (c, next) => {
    if (c.req.method !== 'POST' || !c.req.raw.body) return next();
    return limit(c, () => inner(c, check, next));
  };
}
