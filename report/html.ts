/**
 * The compiled report as a standalone HTML page: a preview of the DOCX for the browser (the clerk reads it before
 * downloading the Word file). Same model, same content, an imitation of the A4 page in CSS.
 *
 * Unit names and narratives come from users, so every string from the model is escaped. The one exception is a
 * chart's SVG, which comes from our own chart renderer and is inserted as it is.
 */
import { html as escaped } from 'hono/html';
import type { Block, ChartBlock, ParagraphBlock, ReportDocument, Run, TableBlock } from './model.js';

/** Shown above the page when some paragraphs are drafts, explaining the highlight. */
export const DRAFT_LEGEND = 'Đoạn cần Ban Tuyên giáo biên tập lại';

/**
 * Text for an element or a quoted attribute, NFC like the DOCX. The escaping is hono's (its `html` tag escapes every
 * interpolated string: & < > " '), the one the API's and the console's pages use; a string in gives a string out
 * at once (only a Promise in would give one out).
 */
export function escapeHtml(text: string): string {
  const out = escaped`${text.normalize('NFC')}`;
  if (out instanceof Promise) throw new Error('hono/html gave a Promise for a string');
  // A String object (hono marks its escaped strings on one), hence String() for the primitive.
  return String(out);
}

/** Capitals as the format asks, whatever case the configuration gave (as in the DOCX). */
const caps = (text: string): string => text.normalize('NFC').toLocaleUpperCase('vi');

// ---------------------------------------------------------------------------------------------------------------
// Runs and footnote references

/**
 * Footnote references are links to the list at the end of the body, and the list links back. A footnote referred
 * to more than once gets one back link per reference, so every reference needs an id of its own.
 */
class FootnoteLinks {
  private readonly seen = new Map<number, number>();
  /** The ids of the references to each footnote, in document order. */
  readonly refs = new Map<number, string[]>();

  reference(n: number): string {
    const count = (this.seen.get(n) ?? 0) + 1;
    this.seen.set(n, count);
    const id = `fnref-${n}-${count}`;
    this.refs.set(n, [...(this.refs.get(n) ?? []), id]);
    return `<sup class="fn-ref"><a href="#fn-${n}" id="${id}" aria-label="Chú thích ${n}">${n}</a></sup>`;
  }
}

function textRun(run: { text: string; bold?: boolean; italic?: boolean; underline?: boolean }): string {
  let html = escapeHtml(run.text);
  if (run.underline) html = `<u>${html}</u>`;
  if (run.italic) html = `<em>${html}</em>`;
  if (run.bold) html = `<strong>${html}</strong>`;
  return html;
}

function runs(model: Run[], links: FootnoteLinks | null): string {
  return model
    .map((run) => {
      if (!('footnote' in run)) return textRun(run);
      // Inside a footnote a reference cannot link anywhere sensible; keep its number visible.
      return links ? links.reference(run.footnote) : `<sup>${run.footnote}</sup>`;
    })
    .join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Blocks

function paragraph(block: ParagraphBlock, links: FootnoteLinks): string {
  const classes = [block.style, ...(block.draft ? ['draft'] : [])].join(' ');
  const title = block.draft ? ` title="${escapeHtml(DRAFT_LEGEND)}"` : '';
  return `<p class="${classes}"${title}>${runs(block.runs, links)}</p>`;
}

/** Relative widths as percentages of the table; none when absent or not one per column (the browser shares). */
function colgroup(block: TableBlock): string {
  const widths = block.widths;
  if (!widths || widths.length !== block.header.length) return '';
  const total = widths.reduce((sum, w) => sum + w, 0);
  if (total <= 0) return '';
  return `<colgroup>${widths.map((w) => `<col style="width:${((100 * w) / total).toFixed(2)}%">`).join('')}</colgroup>`;
}

function table(block: TableBlock): string {
  const numeric = new Set(block.numeric ?? []);
  const head = block.header.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  const body = block.rows
    .map((row) => {
      const cells = block.header.map((_, i) => {
        const cls = numeric.has(i) ? ' class="num"' : '';
        return `<td${cls}>${escapeHtml(row[i] ?? '')}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return [
    `<figure class="table">`,
    `<figcaption>${escapeHtml(block.caption)}</figcaption>`,
    `<table>${colgroup(block)}<thead><tr>${head}</tr></thead>`,
    `<tbody>${body}</tbody></table>`,
    `</figure>`,
  ].join('\n');
}

function chart(block: ChartBlock): string {
  // The SVG is trusted output of our chart renderer: inserted as is, sized as on the Word page.
  return [
    `<figure class="chart" id="chart-${escapeHtml(block.id)}">`,
    `<figcaption>${escapeHtml(block.caption)}</figcaption>`,
    `<div class="chart-svg" style="width:${block.width}px;height:${block.height}px">${block.svg}</div>`,
    `</figure>`,
  ].join('\n');
}

const PAGE_BREAK = '<div class="page-break" aria-hidden="true"></div>';

function blocks(list: Block[], links: FootnoteLinks): string {
  return list
    .map((block) => {
      switch (block.kind) {
        case 'paragraph':
          return paragraph(block, links);
        case 'table':
          return table(block);
        case 'chart':
          return chart(block);
        case 'page-break':
          return PAGE_BREAK;
      }
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Header, title, footnotes, signature

function header(doc: ReportDocument): string {
  const h = doc.header;
  return `<header class="doc-header">
<div class="issuer">
<div>${escapeHtml(caps(h.superior))}</div>
<div class="issuer-name">${escapeHtml(caps(h.issuer))}</div>
<div>*</div>
<div>${escapeHtml(h.number)}</div>
</div>
<div class="party">
<div class="party-name">ĐẢNG CỘNG SẢN VIỆT NAM</div>
<div class="place-date">${escapeHtml(h.placeAndDate)}</div>
</div>
</header>`;
}

function title(doc: ReportDocument): string {
  return `<h1 class="title">${escapeHtml(caps(doc.title))}</h1>
<p class="subject">${escapeHtml(doc.subject)}</p>
<p class="rule">-----</p>`;
}

function footnoteList(doc: ReportDocument, links: FootnoteLinks): string {
  if (doc.footnotes.length === 0) return '';
  const items = doc.footnotes.map((note, i) => {
    const n = i + 1;
    const back = (links.refs.get(n) ?? []).map((id) => ` <a class="fn-back" href="#${id}" aria-label="Quay lại">↩</a>`).join('');
    return `<li id="fn-${n}" value="${n}">${runs(note, null)}${back}</li>`;
  });
  return `<section class="footnotes" aria-label="Chú thích">\n<ol>\n${items.join('\n')}\n</ol>\n</section>`;
}

function signature(doc: ReportDocument): string {
  const recipients = doc.recipients.map((line) => `<div>${escapeHtml(line)}</div>`).join('\n');
  const s = doc.signature;
  return `<div class="closing">
<div class="recipients">
<div class="recipients-label">Nơi nhận:</div>
${recipients}
</div>
<div class="signature">
<div>${escapeHtml(s.onBehalf)}</div>
<div>${escapeHtml(s.title)}</div>
<div class="signature-space"></div>
<div>${escapeHtml(s.name)}</div>
</div>
</div>`;
}

function appendices(doc: ReportDocument, links: FootnoteLinks): string {
  if (doc.appendices.length === 0) return '';
  // The appendices start on a new page, as in the DOCX; a leading page break in the model would only double it.
  const list = doc.appendices[0]?.kind === 'page-break' ? doc.appendices.slice(1) : doc.appendices;
  return `${PAGE_BREAK}\n<section class="appendices">\n${blocks(list, links)}\n</section>`;
}

const hasDrafts = (doc: ReportDocument): boolean =>
  [...doc.body, ...doc.appendices].some((b) => b.kind === 'paragraph' && b.draft === true);

function legend(doc: ReportDocument): string {
  if (!hasDrafts(doc)) return '';
  return `<p class="legend"><span class="swatch"></span> ${escapeHtml(DRAFT_LEGEND)}</p>`;
}

// ---------------------------------------------------------------------------------------------------------------
// The page

/** The A4 page of the DOCX: margins 20/15/20/30 mm, Times New Roman 14 pt, 1.2 lines, 6 pt after paragraphs. */
const CSS = `
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
html { background: #e8e8e8; }
body { margin: 0; padding: 16px 0; font-family: "Times New Roman", Times, serif; font-size: 14pt; line-height: 1.2; color: #000; }
.legend { width: 210mm; margin: 0 auto 8px; font-size: 12pt; font-style: italic; }
.legend .swatch { display: inline-block; width: 2em; height: 1em; vertical-align: middle; background: #ffeb3b; border: 1px solid #c9a800; }
.page { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 0 auto; padding: 20mm 15mm 20mm 30mm; background: #fff; box-shadow: 0 1px 6px rgba(0,0,0,.3); }
.doc-header { display: flex; justify-content: space-between; text-align: center; line-height: 1.15; }
.doc-header .issuer { width: 45%; }
.doc-header .issuer-name { font-weight: bold; }
.doc-header .party { width: 55%; }
.doc-header .party-name { font-weight: bold; font-size: 15pt; text-decoration: underline; }
.doc-header .place-date { font-style: italic; margin-top: 12pt; }
h1.title { margin: 24pt 0 0; font-size: 16pt; text-align: center; font-weight: bold; }
p.subject { margin: 0; text-align: center; font-weight: bold; }
p.rule { margin: 0 0 12pt; text-align: center; }
p { margin: 0 0 6pt; text-align: justify; text-indent: 1cm; }
p.part, p.section { font-weight: bold; }
p.subsection { font-weight: bold; font-style: italic; }
p.draft { background: #fff59d; box-shadow: 0 0 0 2px #fff59d; }
sup.fn-ref a { text-decoration: none; color: inherit; }
figure { margin: 6pt 0 12pt; }
figcaption { text-align: center; font-weight: bold; margin-bottom: 6pt; }
table { width: 100%; border-collapse: collapse; font-size: 13pt; line-height: 1.15; }
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: middle; }
th { font-weight: bold; text-align: center; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.chart-svg { margin: 0 auto; }
.chart-svg svg { width: 100%; height: 100%; }
.footnotes { margin-top: 12pt; border-top: 1px solid #000; width: 100%; font-size: 12pt; line-height: 1.15; }
.footnotes ol { margin: 6pt 0 0; padding-left: 1.5em; }
.footnotes li { text-align: justify; margin-bottom: 3pt; }
.fn-back { text-decoration: none; }
.closing { display: flex; justify-content: space-between; margin-top: 12pt; line-height: 1.15; }
.recipients { width: 50%; font-size: 12pt; }
.recipients-label { font-weight: bold; font-style: italic; }
.signature { width: 50%; text-align: center; font-weight: bold; }
.signature-space { height: 28mm; }
.page-break { break-after: page; margin: 16mm -15mm 16mm -30mm; border-top: 2px dashed #999; }
@media print {
  html, body { background: none; padding: 0; }
  .page { width: auto; min-height: 0; padding: 0; box-shadow: none; }
  .legend { width: auto; }
  .page-break { margin: 0; border: 0; }
  .fn-back { display: none; }
  p.draft, .legend .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

/** The report as a standalone HTML5 page (no external resources). */
export function renderHtml(doc: ReportDocument): string {
  const links = new FootnoteLinks();
  // Order matters: the body and appendices register their footnote references before the list is written.
  const body = blocks(doc.body, links);
  const tail = appendices(doc, links);
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="${escapeHtml(doc.meta.author)}">
<meta name="date" content="${escapeHtml(doc.meta.date)}">
<title>${escapeHtml(doc.meta.title)}</title>
<style>${CSS}</style>
</head>
<body>
${legend(doc)}
<main class="page">
${header(doc)}
${title(doc)}
<div class="body">
${body}
</div>
${footnoteList(doc, links)}
${signature(doc)}
${tail}
</main>
</body>
</html>
`;
}
