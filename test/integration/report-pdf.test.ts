/**
 * The three-year review as it prints: the example data (`chuky report example-data`, years 2021–2023) compiled,
 * the DOCX rendered to PDF by LibreOffice (chuky's own PDF route), and the PDF read back with poppler-utils.
 * Every paragraph and footnote of the report (each figure's sentence among them) is in the PDF's text; no picture is drawn
 * over any text (LibreOffice used to take the default line spacing as exact and draw Biểu đồ 1 over the sentence
 * with "80 lượt đơn vị" above it); each chart sits under its caption on the same page. The page with Biểu đồ 1 is
 * kept as a PNG in test/artifacts/report-pdf/ for a person to look at. Also: the number is written "01", and the
 * report's date is the one given (`--date`, `date:`), kept on recompiling unless another is given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadReportConfig, type ReportConfig } from '../../config/report.js';
import { createPool, type Db } from '../../db/pool.js';
import { count } from '../../report/build.js';
import { compileReport, type CompileResult } from '../../report/compile.js';
import { writeSeedHistory } from '../../demo-data/seed-history.js';
import { convertDocument, ensureLibreOffice } from '../../stack/libreoffice.js';
import { projectRoot } from '../../config/paths.js';
import { docxText } from '../support/docx-text.js';
import { ensurePoppler, overlap, pdfLayout, pdfText, renderPage, type PdfLayout } from '../support/pdf-layout.js';
import { chuky } from '../support/processes.js';

const COMMITTEE = 'PDFR';
const ARTIFACTS = path.join(projectRoot(), 'test', 'artifacts', 'report-pdf');

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The document's paragraphs outside tables (headings, body, captions), as a reader sees them. */
async function paragraphsOutsideTables(docx: string): Promise<string[]> {
  const zip = await JSZip.loadAsync(fs.readFileSync(docx));
  const xml = (await zip.file('word/document.xml')!.async('string')).replace(/<w:tbl>[\s\S]*?<\/w:tbl>/g, '');
  return (xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? [])
    .map((p) => [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decode(m[1]!)).join(''))
    .filter((t) => t.trim());
}

/** Words and numbers, lower case, letters and digits apart (a footnote mark "nghiệp3" is "nghiệp", "3"). */
const tokens = (text: string): string[] =>
  text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u)
    .filter(Boolean);

/**
 * Whether the paragraph's words are in the PDF's text in order. Gaps are allowed (footnote marks, and a page's
 * footnotes when the paragraph runs onto the next page), but no word may be missing.
 */
function findsInOrder(pdf: string[], paragraph: string, maxGap = 120): boolean {
  const want = tokens(paragraph);
  if (want.length === 0) return true;
  for (let start = pdf.indexOf(want[0]!); start >= 0; start = pdf.indexOf(want[0]!, start + 1)) {
    let at = start;
    let ok = true;
    for (const w of want.slice(1)) {
      const next = pdf.indexOf(w, at + 1);
      if (next < 0 || next - at > maxGap) {
        ok = false;
        break;
      }
      at = next;
    }
    if (ok) return true;
  }
  return false;
}

describe('the three-year review printed through LibreOffice', () => {
  const services = inject('services');
  let db: Db;
  let config: ReportConfig;
  let first: CompileResult;
  let pdf: string;
  let text: string;
  let layout: PdfLayout;
  let paragraphs: string[];
  let footnotes: string[];
  let today: string;

  const compile = (extra: { date?: string; config?: ReportConfig } = {}) =>
    compileReport(db, {
      selection: { committeeCode: COMMITTEE, years: [2021, 2022, 2023] },
      config: extra.config ?? config,
      outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-pdf-')),
      actor: 'test',
      today,
      ...(extra.date ? { date: extra.date } : {}),
    });

  beforeAll(async () => {
    const [soffice] = await Promise.all([
      ensureLibreOffice((m) => console.log(`[libreoffice] ${m}`)),
      ensurePoppler((m) => console.log(`[poppler] ${m}`)),
    ]);
    db = createPool(services.databaseUrl);
    // The demo's settings, with a register that starts at 1 and no date: the first compilation is dated today.
    const { date: _date, ...demo } = loadReportConfig(path.join(projectRoot(), 'config', 'demo', 'report.yaml'));
    config = { ...demo, firstNumber: 1 };
    today = '2024-01-10';
    expect((await writeSeedHistory(db, { committeeCode: COMMITTEE })).cycleIds).toEqual(['PDFR-2021', 'PDFR-2022', 'PDFR-2023']);
    first = await compile();
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    pdf = await convertDocument(first.files.docx, 'pdf', ARTIFACTS, { soffice });
    [text, layout, paragraphs, footnotes] = await Promise.all([
      pdfText(pdf),
      pdfLayout(pdf),
      paragraphsOutsideTables(first.files.docx),
      docxText(fs.readFileSync(first.files.docx)).then((d) => d.footnotes),
    ]);
  }, 20 * 60_000);

  afterAll(async () => {
    await db?.end();
  });

  it('numbers the report "01" and dates it the day of its first compilation', () => {
    expect(first.number).toBe('Số 01-BC/ĐUK');
    expect(first.date).toBe(today);
    expect(text).toContain('Số 01-BC/ĐUK');
    expect(text).toContain('Hà Tĩnh, ngày 10 tháng 01 năm 2024');
  });

  it('prints every paragraph, each figure’s sentence among them, and every chart’s caption', () => {
    // Every paragraph of the document, against the lines set in the text's sizes (13–16 pt): footnotes (12 pt),
    // which fall between the two halves of a paragraph that runs onto the next page, and footnote marks are left out.
    const body = tokens(
      layout.texts
        .filter((t) => t.size >= 19)
        .map((t) => t.text)
        .join(' '),
    );
    expect(paragraphs.length).toBeGreaterThan(40);
    const missing = paragraphs.filter((p) => !findsInOrder(body, p, 3));
    expect(missing, 'paragraphs of the DOCX not found in the PDF').toEqual([]);
    // And each figure's sentence in pdftotext's reading of the whole PDF: the footnotes, which state most of them.
    const words = tokens(text);
    expect(footnotes.length).toBeGreaterThan(5);
    expect(
      footnotes.filter((f) => !findsInOrder(words, f, 3)),
      'footnotes of the DOCX not found in the PDF',
    ).toEqual([]);
    // The sentence Biểu đồ 1 used to hide, with the count of units the figures give.
    const data = JSON.parse(fs.readFileSync(first.files.json, 'utf8')) as { figures: { id: string; value: number }[] };
    const units = data.figures.find((f) => f.id === 'discussion.units')!.value;
    const sentence = paragraphs.find((p) => p.includes(`${count(units)} lượt đơn vị đã tổ chức sinh hoạt`));
    expect(sentence, `the sentence with "${count(units)} lượt đơn vị"`).toBeDefined();
    expect(findsInOrder(words, sentence!)).toBe(true);
    const captions = paragraphs.filter((p) => /^Biểu đồ \d\./.test(p));
    expect(captions.map((c) => c.slice(0, 11))).toEqual(['Biểu đồ 1. ', 'Biểu đồ 3. ', 'Biểu đồ 2. ']);
    for (const c of captions) expect(text).toContain(c);
    // Phụ lục 2 names its figures in Vietnamese: no internal code or figure id is printed.
    expect(text).toContain('Tập thể được Ban Thường vụ');
    expect(text.match(/[a-z]+(?:-[a-z]+)+|\b(?:commendation|documents|unit|inspection|charity)\.[\w.-]+/g) ?? []).toEqual([]);
  });

  it('draws no picture over text, and each chart under its caption on the same page', async () => {
    expect(layout.images.length).toBe(3);
    const covered = layout.images.flatMap((img) =>
      layout.texts
        .filter((t) => {
          const o = overlap(img, t);
          // A point or two of rounding at an edge is not an overlap; a line of text is 20–30 units high.
          return o.x > 2 && o.y > 2;
        })
        .map((t) => `page ${t.page}: image at ${img.top}–${img.top + img.height} covers "${t.text}" at ${t.top}–${t.top + t.height}`),
    );
    expect(covered).toEqual([]);
    for (const img of layout.images) {
      // Its caption (one to three lines, bold) starts just above it, on the same page.
      const caption = layout.texts
        .filter((t) => t.page === img.page && t.top + t.height <= img.top + 2)
        .sort((a, b) => b.top - a.top)
        .find((t) => t.text.startsWith('Biểu đồ'));
      expect(caption, `the caption above the image on page ${img.page}`).toBeDefined();
      expect(img.top - caption!.top, `from "${caption!.text}" to its chart`).toBeLessThan(4 * caption!.height);
      expect(img.left + img.width).toBeLessThanOrEqual(layout.texts.reduce((m, t) => Math.max(m, t.left + t.width), 0) + 2);
    }
    const chart1 = layout.texts.find((t) => t.text.startsWith('Biểu đồ 1.'))!;
    const png = await renderPage(pdf, chart1.page, path.join(ARTIFACTS, `page-${chart1.page}-bieu-do-1`));
    expect(fs.statSync(png).size).toBeGreaterThan(10_000);
    console.log(`[report-pdf] Biểu đồ 1 is on page ${chart1.page} of ${layout.pages}: ${png}`);
  });

  it('takes the date given, keeps it on recompiling, and keeps the number', async () => {
    const redated = await compile({ date: '2024-01-15' });
    expect(redated).toMatchObject({ number: 'Số 01-BC/ĐUK', numberCreated: false, date: '2024-01-15', previousDate: today });
    const again = await compile();
    expect(again.date).toBe('2024-01-15');
    expect(again.previousDate).toBeUndefined();
    const html = fs.readFileSync(again.files.html, 'utf8');
    expect(html).toContain('Hà Tĩnh, ngày 15 tháng 01 năm 2024');
    // The settings' date: is a date given, too.
    const fromSettings = await compile({ config: { ...config, date: '2024-01-16' } });
    expect(fromSettings).toMatchObject({ date: '2024-01-16', previousDate: '2024-01-15', number: 'Số 01-BC/ĐUK' });
    // From the command line, as a clerk writes it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-pdf-cli-'));
    const env = { DATABASE_URL: services.databaseUrl };
    const cli = await chuky(
      ['report', 'compile', '--years', '2021-2023', '--committee', COMMITTEE, '--out', dir, '--date', '20/01/2024'],
      env,
    );
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toMatch(/^Số 01-BC\/ĐUK \(number kept from the first compilation\), dated 2024-01-20 \(was 2024-01-16\)/);
    const bad = await chuky(
      ['report', 'compile', '--years', '2021-2023', '--committee', COMMITTEE, '--out', dir, '--date', '30/02/2024'],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--date: 30/02/2024 is not a day of the calendar');
  });
});
