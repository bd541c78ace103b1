/**
 * The unit's form, in Vietnamese, for a phone: one obligation, its deadline and status, three fields and one
 * button. Hono's `html` escapes every interpolated value.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = `body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f4f4f4;color:#222}
main{max-width:560px;margin:0 auto;background:#fff;padding:16px 18px 28px;min-height:100vh;box-sizing:border-box}
h1{font-size:20px;margin:8px 0 4px}p.muted{color:#666;font-size:14px;margin:2px 0}
.deadline{font-size:18px;margin:14px 0}.status{display:inline-block;padding:3px 8px;border-radius:4px;background:#eee;font-size:14px}
label{display:block;font-weight:bold;margin:16px 0 6px}input,textarea{font-family:inherit;width:100%;box-sizing:border-box;font-size:16px;padding:10px;border:1px solid #bbb;border-radius:4px}
textarea{min-height:110px}.err{color:#b00000;font-size:14px;margin-top:4px}.box{padding:12px;border-radius:4px;margin:14px 0}
.ok{background:#e8f5e9;border:1px solid #a5d6a7}.bad{background:#fdecea;border:1px solid #f5c2c0}
button{margin-top:22px;width:100%;font-size:18px;padding:14px;background:#b00000;color:#fff;border:none;border-radius:4px}`;

export function page(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${raw(STYLE)}</style></head>
<body><main>${body}</main></body></html>`;
}

export function messagePage(title: string, text: string): Html {
  return page(title, html`<h1>${title}</h1><div class="box bad" role="alert">${text}</div>`);
}
