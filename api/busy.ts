/**
 * "The engine is busy": a request to Temporal (an Update or a Signal to a workflow) that timed out or that the
 * service turned away for load, as opposed to a refusal (ActionRefused) or a bug. It is answered 503 with a
 * Retry-After, never 500: the caller did nothing wrong, and the same request sent again (same request id, so the
 * Update's id) is applied at most once (the unit workflow answers a request id it has seen with its receipt, and
 * Temporal dedupes the Update id).
 *
 * What is known after such an error: not whether the request reached the workflow. A timed-out Update may have been
 * admitted and be applied when a worker takes it; one refused for load was not. Both are safe to repeat.
 *
 * The unit's form answers with its own page (api/routes/unit-forms.ts: the form's data, resent by itself); every
 * other route lets the error reach the server's onError, which answers with `busyResponse`.
 */
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { messagePage, page } from './pages.js';
import { formPolicyWithScriptNonce } from './security-headers.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** gRPC status codes that mean "not now" (grpc-js' `status`; numbers here, @grpc/grpc-js is not a direct dependency). */
export const BUSY_GRPC_CODES = { DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;
const BUSY_CODES = new Set<number>(Object.values(BUSY_GRPC_CODES));

/** The first wait, in seconds, before sending again (the Retry-After of a first refusal). */
export const RETRY_AFTER_SECONDS = 5;
/** The longest wait between the form's own resends: they also count against the link's posts (api/form-throttle.ts). */
export const MAX_RETRY_AFTER_SECONDS = 60;

/** Whether `err`, or an error it wraps (the SDK's ServiceError and Update timeout wrap the gRPC error), means the engine is busy. */
export function isEngineBusy(err: unknown): boolean {
  let e: unknown = err;
  // A short walk down `cause`: the SDK wraps one or two levels deep; a cycle cannot hold us.
  for (let depth = 0; depth < 8 && e instanceof Error; depth++) {
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && BUSY_CODES.has(e.code)) return true;
    e = e.cause;
  }
  return false;
}

/** The wait before the `attempt`-th resend (0: the first): doubling from RETRY_AFTER_SECONDS, at most MAX_RETRY_AFTER_SECONDS. */
export function retryAfterSeconds(attempt = 0): number {
  const n = Number.isInteger(attempt) && attempt > 0 ? Math.min(attempt, 10) : 0;
  return Math.min(RETRY_AFTER_SECONDS * 2 ** n, MAX_RETRY_AFTER_SECONDS);
}

/** What the operator API says (JSON, English as its other errors are). */
export const BUSY_API_MESSAGE =
  'the workflow engine is busy and did not confirm this request in time; it is not known whether it was applied. ' +
  'Send the same request again (same requestId) after retryAfterSeconds: it is applied once.';

/** The unit's words when no form data is at hand to resend (Vietnamese, NFC). */
export const BUSY_PAGE_TITLE = 'Hệ thống đang bận'.normalize('NFC');
export const BUSY_PAGE_TEXT = (
  'Hệ thống đang bận nên chưa trả lời được yêu cầu này. Xin thử lại sau ít phút; ' +
  'nếu là lần nộp báo cáo, hãy mở lại đường dẫn trong thư và gửi lại.'
).normalize('NFC');

/**
 * The one answer to a busy engine outside the unit's form: 503 and Retry-After; JSON under /api/v1 (and anything
 * not a page), a short Vietnamese page under /f/ (the form's own route answers with its data; this is for the rest).
 */
export function busyResponse(c: Context): Response | Promise<Response> {
  const seconds = retryAfterSeconds(0);
  c.header('Retry-After', String(seconds));
  if (c.req.path.startsWith('/f/')) return c.html(messagePage(BUSY_PAGE_TITLE, BUSY_PAGE_TEXT), 503);
  return c.json({ error: BUSY_API_MESSAGE, retryAfterSeconds: seconds }, 503);
}

/** The hidden field that counts the form's own resends, so that each waits longer (retryAfterSeconds). */
export const RESEND_ATTEMPT_FIELD = 'resendAttempt';

/** The resend count a post carries (0 for a post from the form itself). */
export function resendAttempt(fields: Record<string, string>): number {
  const n = Number(fields[RESEND_ATTEMPT_FIELD]);
  return Number.isInteger(n) && n >= 0 && n <= 1000 ? n : 0;
}

export interface BusyFormPage {
  /** The page's title. */
  title: string;
  /** The form page's heading (unit, phase, deadline), as the form shows it. */
  top: Html;
  /** What the post carried, to send again as it was: the request id among it, a stored file as "<field>:current". */
  fields: Record<string, string>;
  /** The resend count of the post that got this answer. */
  attempt: number;
}

/**
 * The unit's form answered "busy": 503, Retry-After, and a page that holds the same fields and the same request id
 * in a form sent again by itself after Retry-After seconds (the page's one script, allowed by a nonce; a
 * <meta refresh> cannot POST) or at once by its button. Said exactly: whether this send was recorded is not known;
 * sending it again with the same id records it once either way.
 */
export function busyFormResponse(c: Context, p: BusyFormPage): Response | Promise<Response> {
  const seconds = retryAfterSeconds(p.attempt);
  const nonce = randomBytes(16).toString('base64');
  const fields = { ...p.fields, [RESEND_ATTEMPT_FIELD]: String(p.attempt + 1) };
  const text = (
    'Hệ thống đang bận nên chưa xác nhận được lần nộp này. Chưa biết lần gửi vừa rồi đã được ghi nhận hay chưa: ' +
    'nếu đã được ghi nhận thì báo cáo không bị mất; nếu chưa, lần gửi lại sẽ nộp báo cáo.'
  ).normalize('NFC');
  const again = (
    'Trang này vẫn giữ nội dung đã điền và sẽ tự gửi lại sau ' +
    `${seconds} giây, với cùng mã yêu cầu như lần gửi trước, nên báo cáo chỉ được tính một lần dù lần trước đã được ghi nhận. ` +
    'Xin đừng đóng trang cho đến khi thấy thông báo “Đã nhận”; thư xác nhận sẽ được gửi tới email của đơn vị khi nộp xong.'
  ).normalize('NFC');
  // The countdown and the resend: the only script of the forms; it reads nothing and sends only to this URL.
  const script = `(function(){var s=${seconds},el=document.getElementById('busy-countdown'),f=document.getElementById('busy-resend');var t=setInterval(function(){s-=1;if(el)el.textContent=String(Math.max(s,0));if(s<=0){clearInterval(t);f.submit();}},1000);})();`;
  c.header('Retry-After', String(seconds));
  c.header('Content-Security-Policy', formPolicyWithScriptNonce(nonce));
  return c.html(
    page(
      p.title,
      html`${p.top}<div class="box bad" id="busy" role="alert"><b>${BUSY_PAGE_TITLE}.</b> ${text}</div>
<p id="busy-again">${again}</p>
<form method="post" id="busy-resend">
${Object.entries(fields).map(
  ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">
`,
)}<button type="submit">Gửi lại ngay</button>
</form>
<p class="muted">Tự gửi lại sau <span id="busy-countdown">${seconds}</span> giây.</p>
<script nonce="${nonce}">${raw(script)}</script>`,
    ),
    503,
  );
}
