/**
 * The console's page frame: header, navigation for the user's role, one stylesheet (in a <style> carrying the
 * request's CSP nonce), and small building blocks. Every value goes through Hono's `html`, which escapes it; the
 * only `raw` inputs are the stylesheet, the client script and chart SVGs made on the server (console/charts.ts).
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Ctx } from './context.js';
import { allowed, ROLE_LABEL_VI, type Action } from './permissions.js';
import { statusView } from './format.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const BASE = '/console';

const STYLE = `
*{box-sizing:border-box}
body{font-family:Arial,Helvetica,sans-serif;margin:0;background:#f3f3f1;color:#1f1f1f;font-size:15px;line-height:1.4}
a{color:#0b4f8a}
header.top{background:#8d1010;color:#fff;padding:8px 12px;display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px}
header.top a{color:#fff;text-decoration:none}
header.top .brand{font-weight:bold;font-size:16px;margin-right:auto}
header.top nav{display:flex;flex-wrap:wrap;gap:4px 12px;font-size:14px}
header.top nav a[aria-current=page]{text-decoration:underline}
header.top form{margin:0;display:flex;align-items:center;gap:8px;font-size:13px}
header.top button{background:transparent;color:#fff;border:1px solid #fff;border-radius:3px;padding:3px 8px;font-size:13px;margin:0;width:auto}
main{max-width:1100px;margin:0 auto;padding:12px 12px 40px}
h1{font-size:21px;margin:6px 0 8px}h2{font-size:17px;margin:22px 0 8px}
.muted{color:#666;font-size:13px}
.card{background:#fff;border:1px solid #ddd;border-radius:5px;padding:10px 12px;margin:10px 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e2e2e2;padding:6px 7px;text-align:left;vertical-align:top;font-size:14px}
th{background:#f0eeea;font-size:13px;white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
.chip{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;white-space:nowrap;border:1px solid transparent}
.st-ontime{background:#d8f0dc;color:#14532d;border-color:#9ed3a8}
.st-late{background:#fff1c2;color:#6b4e00;border-color:#e8cf7a}
.st-overdue{background:#ffd9c7;color:#8a2c00;border-color:#f0a27e}
.st-missing{background:#8d1010;color:#fff}
.st-exempt{background:#dbe8f7;color:#173f6b;border-color:#a9c4e6}
.st-pending{background:#efefef;color:#444;border-color:#d5d5d5}
.st-none{background:transparent;color:#999;border-color:transparent}
.st-removed{background:#fff;color:#777;border-color:#bbb;text-decoration:line-through}
.lvl{display:inline-block;margin-left:4px;font-size:11px;font-weight:bold;color:#8a2c00}
.lvl:empty{display:none}
.cell small{display:block;color:#666;font-size:11px}
tr.flash td{animation:flash 3s ease-out}
@keyframes flash{from{background:#fff3a8}to{background:transparent}}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#444;gap:2px}
input,select,textarea{font:inherit;font-size:16px;padding:7px 8px;border:1px solid #aaa;border-radius:4px;background:#fff;max-width:100%}
textarea{width:100%;min-height:70px}
button,.button{font:inherit;font-size:15px;padding:8px 14px;background:#8d1010;color:#fff;border:none;border-radius:4px;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#8d1010;border:1px solid #8d1010}
.repair{border:1px solid #ddd;border-radius:5px;padding:8px 10px;margin:8px 0;background:#fcfcfb}
.repair summary{cursor:pointer;font-weight:bold;color:#8d1010}
.repairs{display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start;margin-top:8px}
.repairs .repair{margin:0;padding:6px 10px}
.repairs .repair[open]{flex:1 1 100%}
.repairs .button{padding:6px 10px;font-size:14px}
.repair label{display:block;font-size:13px;margin:8px 0 3px}
.repair input[type=text],.repair input[type=date],.repair textarea{width:100%}
.box{padding:10px 12px;border-radius:5px;margin:10px 0}
.ok{background:#e6f4ea;border:1px solid #a5d6a7}.bad{background:#fdecea;border:1px solid #f5c2c0}.info{background:#eef4fb;border:1px solid #b9d0ea}
#live-banner[hidden]{display:none}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:10px}
.bar{display:flex;height:12px;border-radius:3px;overflow:hidden;background:#eee;margin:6px 0}
.bar span{display:block;height:100%}
.bar .st-ontime{background:#4caf50}.bar .st-late{background:#e0b400}.bar .st-overdue{background:#f07a3c}.bar .st-missing{background:#8d1010}.bar .st-exempt{background:#6d9bd1}.bar .st-pending{background:#cfcfcf}.bar .st-none{background:transparent;color:#999;border-color:transparent}
.st-removed{background:#999}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 12px;margin:6px 0}
dl.facts dt{color:#555}dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}
td,.cause,ol.timeline li{overflow-wrap:anywhere}
.depth-1{padding-left:1.2em}.depth-2{padding-left:2.4em}.depth-3{padding-left:3.6em}.depth-4{padding-left:4.8em}.depth-5{padding-left:6em}
h3{margin:0 0 4px;font-size:17px}
@media (max-width:640px){
table.cards thead{display:none}
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{border:1px solid #ddd;border-radius:5px;margin:0 0 8px;background:#fff;padding:4px 0}
table.cards td{border:none;padding:3px 10px}
table.cards td.num{text-align:left}
table.cards td::before{content:attr(data-label);display:inline-block;min-width:7.5em;color:#666;font-size:12px}
table.cards td[data-label=""]::before{content:none}
}
.chart svg{width:100%;height:auto;display:block}
.pager{display:flex;gap:12px;margin:12px 0}
.signin{max-width:380px;margin:40px auto}
.signin label{display:block;margin:12px 0 4px;font-weight:bold}
.signin input{width:100%}
.signin button{width:100%;margin-top:18px;font-size:17px;padding:11px}
ol.timeline{list-style:none;padding:0;margin:0}
ol.timeline li{border-left:3px solid #ccc;padding:4px 0 8px 10px;margin-left:4px}
ol.timeline li.k-repair{border-color:#8d1010}ol.timeline li.k-submission{border-color:#4caf50}ol.timeline li.k-email{border-color:#6d9bd1}
`;

export interface NavItem {
  href: string;
  label: string;
  action: Action;
}

const NAV: NavItem[] = [
  { href: `${BASE}/`, label: 'Chu kỳ', action: 'cycle.view' },
  { href: `${BASE}/qua-han`, label: 'Quá hạn', action: 'overdue.view' },
  { href: `${BASE}/bi-ket`, label: 'Bị kẹt', action: 'stalls.view' },
  { href: `${BASE}/nhat-ky`, label: 'Nhật ký', action: 'audit.view' },
  { href: `${BASE}/nguoi-dung`, label: 'Người dùng', action: 'users.view' },
];

export interface PageOptions {
  /** Which navigation entry is current. */
  current?: string;
  /** Scripts (their text) to run, each given the request's nonce. */
  scripts?: string[];
}

export function layout(c: Ctx, title: string, body: Html, opts: PageOptions = {}): Html {
  const nonce = c.get('nonce');
  const session = c.get('session');
  const nav = session
    ? html`<nav aria-label="Mục chính">${NAV.filter((n) => allowed(session.role, n.action)).map(
        (n) => html`<a href="${n.href}"${opts.current === n.href ? html` aria-current="page"` : ''}>${n.label}</a>`,
      )}</nav>
<form method="post" action="${BASE}/dang-xuat">${csrfField(c)}<span>${session.name} · ${ROLE_LABEL_VI[session.role]}${session.committeeCode ? ` · ${session.committeeCode}${session.subtree ? ' và cấp dưới' : ''}` : ''}</span><button type="submit">Đăng xuất</button></form>`
    : '';
  return html`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · chuky</title><style nonce="${nonce}">${raw(STYLE)}</style></head>
<body><header class="top"><a class="brand" href="${BASE}/">chuky · Bảng điều hành</a>${nav}</header>
<main>${body}</main>
${(opts.scripts ?? []).map((s) => html`<script nonce="${nonce}">${raw(s)}</script>`)}
</body></html>`;
}

/** The hidden field every console form carries (checked by the guard on POST). */
export function csrfField(c: Ctx): Html {
  const session = c.get('session');
  return session ? html`<input type="hidden" name="_csrf" value="${session.csrfToken}">` : html``;
}

export function chip(status: string): Html {
  const v = statusView(status);
  return html`<span class="chip ${v.css}">${v.label}</span>`;
}

/** A link to Temporal's Web UI, or nothing when its address is not known. */
export function temporalAnchor(url: string | undefined, label = 'Xem trong Temporal'): Html {
  return url ? html`<a href="${url}" target="_blank" rel="noopener noreferrer" class="temporal">${label} ↗</a>` : html``;
}

export function messageBox(kind: 'ok' | 'bad' | 'info', text: string, id?: string): Html {
  return html`<div class="box ${kind}"${id ? html` id="${id}"` : ''} role="${kind === 'bad' ? 'alert' : 'status'}">${text}</div>`;
}

/** Builds a console URL with query parameters (empty values left out). */
export function consoleUrl(path: string, params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `${BASE}${path}${s ? `?${s}` : ''}`;
}

/** A path-safe segment (cycle ids and unit codes are plain, but never trust them in a URL). */
export const seg = (s: string): string => encodeURIComponent(s);
