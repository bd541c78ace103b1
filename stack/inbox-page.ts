// HTML for the sink's browser inbox: a list of messages (newest first) and a
// page per message. Labels are Vietnamese, for the people who use chuky.
import { html } from 'hono/html';
import type { StoredMail } from './stored-mail.js';

/** Text for an element or a quoted attribute: hono's escaping (& < > " '), the one every chuky page uses. */
export function escapeHtml(s: string): string {
  const out = html`${s}`;
  // A string in gives the escaped string out at once; only an interpolated Promise would give a Promise back.
  if (out instanceof Promise) throw new Error('escapeHtml: hono escaped asynchronously');
  return String(out); // hono's result is a String object: a primitive string compares and serialises as one
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
  dt { font-weight: 600; }
  iframe { width: 100%; height: 60vh; border: 1px solid #ccc; }
  pre { white-space: pre-wrap; background: #f8f8f8; padding: .8rem; }
  .empty { color: #777; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** Messages per page of the inbox. */
export const INBOX_PAGE_SIZE = 100;

/** The inbox's list, newest first, one page of it (`page` from 1); every message is on some page. */
export function renderInboxPage(messages: StoredMail[], mode: string, opts: { page?: number; pageSize?: number } = {}): string {
  const size = Math.max(1, opts.pageSize ?? INBOX_PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(messages.length / size));
  const page = Math.min(pages, Math.max(1, Math.floor(opts.page ?? 1)));
  const newestFirst = [...messages].sort((a, b) => b.id - a.id).slice((page - 1) * size, page * size);
  const first = (page - 1) * size + 1;
  const pager =
    pages > 1
      ? `<nav class="pager">Trang ${page}/${pages} (thư ${first}–${first + newestFirst.length - 1} ` +
        `trên ${messages.length})${page > 1 ? ` · <a href="/?page=${page - 1}">← Mới hơn</a>` : ''}${page < pages ? ` · <a href="/?page=${page + 1}">Cũ hơn →</a>` : ''}</nav>`
      : '';
  const rows = newestFirst
    .map(
      (m) => `<tr>
  <td>${m.id}</td>
  <td>${escapeHtml(new Date(m.receivedAt).toLocaleString('vi-VN'))}</td>
  <td>${escapeHtml(m.from || m.envelopeFrom)}</td>
  <td>${escapeHtml(m.envelopeTo.join(', '))}</td>
  <td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(không có tiêu đề)')}</a></td>
  <td>${m.attachments.length}</td>
</tr>`,
    )
    .join('\n');
  const table = messages.length
    ? `<table>
<thead><tr><th>#</th><th>Thời gian nhận</th><th>Người gửi</th><th>Người nhận</th><th>Tiêu đề</th><th>Tệp đính kèm</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
    : '<p class="empty">Chưa có thư nào.</p>';
  return layout(
    'Hộp thư thử nghiệm',
    `<h1>Hộp thư thử nghiệm</h1>
<p>${messages.length} thư · chế độ máy chủ SMTP: <strong>${escapeHtml(mode)}</strong></p>
${pager}
${table}
${pager}`,
  );
}

export function renderMessagePage(m: StoredMail): string {
  const attachments = m.attachments.length
    ? `<ul>${m.attachments.map((a) => `<li>${escapeHtml(a.filename || '(không tên)')} — ${escapeHtml(a.contentType)}</li>`).join('')}</ul>`
    : '<p class="empty">Không có.</p>';
  // The HTML body goes into a sandboxed iframe: its styles cannot leak into
  // the inbox and any script in it cannot run.
  const htmlBody = m.html
    ? `<iframe sandbox srcdoc="${escapeHtml(m.html)}" title="Nội dung HTML"></iframe>`
    : '<p class="empty">Thư không có phần HTML.</p>';
  return layout(
    m.subject || `Thư #${m.id}`,
    `<p><a href="/">← Hộp thư</a> · <a href="/messages/${m.id}/raw">Xem thư gốc (.eml)</a></p>
<h1>${escapeHtml(m.subject || '(không có tiêu đề)')}</h1>
<dl>
  <dt>Người gửi</dt><dd>${escapeHtml(m.from)}</dd>
  <dt>Gửi đến</dt><dd>${escapeHtml(m.to.join(', '))}</dd>
  <dt>Đồng gửi (Cc)</dt><dd>${escapeHtml(m.cc.join(', ') || '—')}</dd>
  <dt>Phong bì SMTP</dt><dd>${escapeHtml(m.envelopeFrom)} → ${escapeHtml(m.envelopeTo.join(', '))}</dd>
  <dt>Message-ID</dt><dd>${escapeHtml(m.messageId)}</dd>
  <dt>Thời gian nhận</dt><dd>${escapeHtml(new Date(m.receivedAt).toLocaleString('vi-VN'))}</dd>
</dl>
<h2>Nội dung HTML</h2>
${htmlBody}
<h2>Nội dung văn bản</h2>
<pre>${escapeHtml(m.text) || '<span class="empty">Không có.</span>'}</pre>
<h2>Tệp đính kèm</h2>
${attachments}`,
  );
}
