/**
 * The compiled report as a Word document, laid out as Hướng dẫn 36-HD/VPTW asks of a Party document: A4, Times New
 * Roman, the two-column header (issuing body left, "ĐẢNG CỘNG SẢN VIỆT NAM" right), the title and subject, the body
 * with real Word footnotes, then "Nơi nhận:" and the signature block, then the appendices on new pages.
 *
 * The output is reproducible: the same ReportDocument gives the same bytes, so a stored report can be checked
 * against a re-render and re-running an activity does not produce a "changed" file. docx stamps the package with
 * the clock (core.xml dates, zip entry times); `reproducible` below takes both from `meta.date` instead.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  FootnoteReferenceRun,
  HighlightColor,
  ImageRun,
  LineRuleType,
  Packer,
  PageBreak,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IParagraphOptions,
  type ITableCellBorders,
  type ParagraphChild,
} from 'docx';
import JSZip from 'jszip';
import type { Block, ChartBlock, ParagraphBlock, ReportDocument, Run, TableBlock } from './model.js';

// ---------------------------------------------------------------------------------------------------------------
// Page and type measures. Word measures in twips (1/20 pt) and font sizes in half-points.

const MM = 1440 / 25.4;
const twipsOfMm = (mm: number): number => Math.round(mm * MM);

const PAGE = { width: 11906, height: 16838 } as const; // A4
const MARGIN = { top: twipsOfMm(20), bottom: twipsOfMm(20), left: twipsOfMm(30), right: twipsOfMm(15) } as const;
/** The width text can take between the margins: tables are laid out on it. */
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

const FONT = 'Times New Roman';
const pt = (points: number): number => points * 2;
const BODY_SIZE = pt(14);
const SMALL_SIZE = pt(12);
const TABLE_SIZE = pt(13);
/** First-line indent of body paragraphs and headings: 1 cm. */
const FIRST_LINE = twipsOfMm(10);
/** Line spacing 1.2 (Word's "multiple" lines are 240ths). */
const LINE = 288;
const AFTER = 120; // 6 pt
/**
 * Every `line` is written with its rule. Without `w:lineRule` Word takes "auto" (a multiple of single spacing),
 * but LibreOffice takes the default paragraph spacing in styles.xml as an exact height: a chart's paragraph was
 * then 14.4 pt high, and the chart was drawn upwards over the paragraph above it.
 */
const AUTO = LineRuleType.AUTO;

/** A paragraph inside a header, table or signature cell: no space around it, single spacing. */
const TIGHT = { before: 0, after: 0, line: 240, lineRule: AUTO } as const;

// ---------------------------------------------------------------------------------------------------------------
// Text

/** Every string written goes through here: Word shows decomposed Vietnamese badly, and the tests compare NFC. */
const nfc = (text: string): string => text.normalize('NFC');

interface RunLook {
  bold?: boolean;
  italics?: boolean;
  underline?: boolean;
  size?: number;
  highlight?: boolean;
}

function textRun(text: string, look: RunLook = {}): TextRun {
  return new TextRun({
    text: nfc(text),
    bold: look.bold,
    italics: look.italics,
    underline: look.underline ? {} : undefined,
    size: look.size,
    highlight: look.highlight ? HighlightColor.YELLOW : undefined,
  });
}

/**
 * The model's runs as Word runs. `base` is the block style's look (a heading is bold); a run's own bold or italic
 * adds to it. A footnote reference becomes a real Word footnote reference, numbered as in the model.
 */
function runs(model: Run[], base: RunLook): ParagraphChild[] {
  return model.map((run) => {
    if ('footnote' in run) return new FootnoteReferenceRun(run.footnote);
    return textRun(run.text, {
      ...base,
      bold: base.bold || run.bold,
      italics: base.italics || run.italic,
      underline: run.underline,
    });
  });
}

/** Footnote text cannot hold a footnote; a stray reference is kept visible as its number rather than dropped. */
function footnoteRuns(model: Run[]): ParagraphChild[] {
  return model.map((run) =>
    'footnote' in run
      ? new TextRun({ text: String(run.footnote), superScript: true })
      : textRun(run.text, { bold: run.bold, italics: run.italic, underline: run.underline }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Body blocks

const STYLE_LOOK: Record<ParagraphBlock['style'], RunLook> = {
  part: { bold: true },
  section: { bold: true },
  subsection: { bold: true, italics: true },
  body: {},
  dash: {},
};

const HEADINGS = new Set<ParagraphBlock['style']>(['part', 'section', 'subsection']);

/** Extra paragraph options for the first paragraph of a block, e.g. a page break carried over from before it. */
type Lead = Pick<IParagraphOptions, 'pageBreakBefore'>;

function paragraphBlock(block: ParagraphBlock, lead: Lead): Paragraph {
  return new Paragraph({
    ...lead,
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: FIRST_LINE },
    // A heading left alone at the foot of a page reads as a mistake.
    keepNext: HEADINGS.has(block.style) || undefined,
    children: runs(block.runs, { ...STYLE_LOOK[block.style], highlight: block.draft }),
  });
}

function caption(text: string, lead: Lead): Paragraph {
  return new Paragraph({
    ...lead,
    alignment: AlignmentType.CENTER,
    keepNext: true,
    spacing: { before: AFTER, after: AFTER, line: LINE, lineRule: AUTO },
    children: [textRun(text, { bold: true })],
  });
}

const LINE_BORDER = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;

/** Relative widths (or equal ones) as twips summing to the text width, so Word lays the table out as given. */
function columnWidths(count: number, relative: number[] | undefined): number[] {
  const weights = relative && relative.length === count ? relative : Array.from({ length: count }, () => 1);
  const total = weights.reduce((sum, w) => sum + w, 0) || count;
  const widths = weights.map((w) => Math.floor((CONTENT_WIDTH * w) / total));
  // Give the rounding remainder to the last column, so the table is exactly as wide as the text.
  widths[widths.length - 1]! += CONTENT_WIDTH - widths.reduce((sum, w) => sum + w, 0);
  return widths;
}

function tableCell(text: string, width: number, opts: { bold?: boolean; numeric?: boolean }): TableCell {
  const alignment = opts.bold ? AlignmentType.CENTER : opts.numeric ? AlignmentType.RIGHT : AlignmentType.LEFT;
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { left: 80, right: 80, top: 40, bottom: 40 },
    children: [new Paragraph({ alignment, spacing: TIGHT, children: [textRun(text, { bold: opts.bold, size: TABLE_SIZE })] })],
  });
}

function tableBlock(block: TableBlock, lead: Lead): (Paragraph | Table)[] {
  const widths = columnWidths(block.header.length, block.widths);
  const numeric = new Set(block.numeric ?? []);
  const row = (cells: string[], header: boolean) =>
    new TableRow({
      // The header row is repeated at the top of every page the table runs onto.
      tableHeader: header || undefined,
      cantSplit: true,
      children: widths.map((w, i) => tableCell(cells[i] ?? '', w, { bold: header, numeric: !header && numeric.has(i) })),
    });
  const table = new Table({
    width: { size: CONTENT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: {
      top: LINE_BORDER,
      bottom: LINE_BORDER,
      left: LINE_BORDER,
      right: LINE_BORDER,
      insideHorizontal: LINE_BORDER,
      insideVertical: LINE_BORDER,
    },
    rows: [row(block.header, true), ...block.rows.map((cells) => row(cells, false))],
  });
  // An empty paragraph after the table keeps the next block from touching its bottom border.
  return [caption(block.caption, lead), table, new Paragraph({ spacing: TIGHT, children: [] })];
}

/**
 * Drawing ids (wp:docPr) must be unique in the document. docx numbers them from a counter that lives as long as the
 * process, so the second render of the same report would get other ids; we number them per render instead.
 */
class DrawingIds {
  private last = 0;
  next(): string {
    return String(++this.last);
  }
}

/** Pixels at 96 dpi are 15 twips: the widest picture the text width holds. */
const CONTENT_WIDTH_PX = Math.floor(CONTENT_WIDTH / 15);

/** A picture's size on the page: as given, or scaled down (keeping its proportions) to the text width. */
export function fitWidth(width: number, height: number): { width: number; height: number } {
  if (width <= CONTENT_WIDTH_PX) return { width, height };
  return { width: CONTENT_WIDTH_PX, height: Math.round((height * CONTENT_WIDTH_PX) / width) };
}

/**
 * A chart is an inline picture alone in its own paragraph, after its caption. The paragraph is single-spaced with
 * the "auto" rule, so its line grows to the picture's height (an exact or "at least" rule would clip it or draw it
 * over the text above), and it is kept whole and with the caption.
 */
function chartBlock(block: ChartBlock, lead: Lead, ids: DrawingIds): Paragraph[] {
  return [
    caption(block.caption, lead),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      keepLines: true,
      spacing: { before: 0, after: AFTER, line: 240, lineRule: AUTO },
      children: [
        new ImageRun({
          type: 'png',
          data: block.png,
          transformation: fitWidth(block.width, block.height),
          altText: { id: ids.next(), name: nfc(block.id), title: nfc(block.caption), description: nfc(block.caption) },
        }),
      ],
    }),
  ];
}

/**
 * Blocks in order. A page break does not get a paragraph of its own (that would leave an empty line at the top of
 * the next page): it becomes "page break before" on the next block's first paragraph, or a break at the very end.
 */
function blocks(list: Block[], ids: DrawingIds, breakFirst = false): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [];
  let pendingBreak = breakFirst;
  for (const block of list) {
    if (block.kind === 'page-break') {
      pendingBreak = true;
      continue;
    }
    const lead: Lead = pendingBreak ? { pageBreakBefore: true } : {};
    pendingBreak = false;
    if (block.kind === 'paragraph') out.push(paragraphBlock(block, lead));
    else if (block.kind === 'table') out.push(...tableBlock(block, lead));
    else out.push(...chartBlock(block, lead, ids));
  }
  if (pendingBreak) out.push(new Paragraph({ children: [new PageBreak()] }));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Header, title, signature

const NO_BORDERS: ITableCellBorders = {
  top: { style: BorderStyle.NONE, size: 0, color: 'auto' },
  bottom: { style: BorderStyle.NONE, size: 0, color: 'auto' },
  left: { style: BorderStyle.NONE, size: 0, color: 'auto' },
  right: { style: BorderStyle.NONE, size: 0, color: 'auto' },
};

/** A borderless two-column table, as the header and the signature block are laid out. */
function layoutTable(leftShare: number, left: Paragraph[], right: Paragraph[]): Table {
  const leftWidth = Math.round(CONTENT_WIDTH * leftShare);
  const widths = [leftWidth, CONTENT_WIDTH - leftWidth];
  const cell = (width: number, children: Paragraph[]) =>
    new TableCell({ width: { size: width, type: WidthType.DXA }, borders: NO_BORDERS, children });
  return new Table({
    width: { size: CONTENT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [new TableRow({ children: [cell(widths[0]!, left), cell(widths[1]!, right)] })],
  });
}

function centred(children: TextRun[], spacing: IParagraphOptions['spacing'] = TIGHT): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing, children });
}

/** Capitals as the format asks, whatever case the configuration gave. */
const caps = (text: string): string => nfc(text).toLocaleUpperCase('vi');

function headerBlock(doc: ReportDocument): Table {
  const { superior, issuer, number, placeAndDate } = doc.header;
  // Capitals with stacked diacritics (Ả, Ủ, Ễ) overflow single spacing in Times-metric fonts: 1.15 keeps them apart.
  const header = { ...TIGHT, line: 276 };
  return layoutTable(
    0.5,
    [
      centred([textRun(caps(superior), { size: pt(13) })], header),
      centred([textRun(caps(issuer), { bold: true, size: pt(13) })], header),
      centred([textRun('*')], header),
      centred([textRun(number)], header),
    ],
    [
      centred([textRun('ĐẢNG CỘNG SẢN VIỆT NAM', { bold: true, underline: true, size: pt(15) })]),
      centred([textRun(placeAndDate, { italics: true })], { ...TIGHT, before: 240 }),
    ],
  );
}

function titleBlock(doc: ReportDocument): Paragraph[] {
  return [
    centred([textRun(caps(doc.title), { bold: true, size: pt(16) })], { before: 480, after: 0, line: LINE, lineRule: AUTO }),
    centred([textRun(doc.subject, { bold: true })], { before: 0, after: 0, line: LINE, lineRule: AUTO }),
    // Party documents underline the subject with a short rule of dashes.
    centred([textRun('-----')], { before: 0, after: 240, line: LINE, lineRule: AUTO }),
  ];
}

function signatureBlock(doc: ReportDocument): Table {
  const { onBehalf, title, name } = doc.signature;
  const small = (text: string, look: RunLook = {}) =>
    new Paragraph({ spacing: TIGHT, children: [textRun(text, { size: SMALL_SIZE, ...look })] });
  return layoutTable(
    0.5,
    [small('Nơi nhận:', { bold: true, italics: true }), ...doc.recipients.map((line) => small(line))],
    [
      centred([textRun(onBehalf, { bold: true })]),
      centred([textRun(title, { bold: true })]),
      // Room for the signature and the seal.
      centred([textRun(name, { bold: true })], { ...TIGHT, before: 1600 }),
    ],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The document

function footnotes(doc: ReportDocument): Record<string, { children: Paragraph[] }> {
  return Object.fromEntries(
    doc.footnotes.map((note, i) => [
      String(i + 1),
      {
        children: [
          new Paragraph({
            // Without the style the note would be in Normal, 14 pt with space after, like the body.
            style: 'FootnoteText',
            alignment: AlignmentType.JUSTIFIED,
            // docx puts the note's number first; Word separates it from the text with a space, as the seed does.
            children: [new TextRun(' '), ...footnoteRuns(note)],
          }),
        ],
      },
    ]),
  );
}

function buildDocument(doc: ReportDocument): Document {
  const ids = new DrawingIds();
  return new Document({
    title: nfc(doc.meta.title),
    creator: nfc(doc.meta.author),
    lastModifiedBy: nfc(doc.meta.author),
    revision: 1,
    styles: {
      default: {
        document: {
          run: { font: FONT, size: BODY_SIZE },
          paragraph: { spacing: { after: AFTER, line: LINE, lineRule: AUTO } },
        },
        footnoteText: {
          run: { font: FONT, size: SMALL_SIZE },
          paragraph: { spacing: { after: 0, line: 240, lineRule: AUTO } },
        },
        footnoteTextChar: { run: { font: FONT, size: SMALL_SIZE } },
      },
    },
    footnotes: footnotes(doc),
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { ...MARGIN, header: twipsOfMm(10), footer: twipsOfMm(10) },
          },
        },
        children: [
          headerBlock(doc),
          ...titleBlock(doc),
          ...blocks(doc.body, ids),
          new Paragraph({ spacing: TIGHT, children: [] }),
          signatureBlock(doc),
          // The appendices start on a new page, whether or not the model begins them with a page break.
          ...blocks(doc.appendices, ids, doc.appendices.length > 0),
        ],
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Reproducible packaging

/** The report's date as the instant docx would otherwise take from the clock. */
function reportInstant(date: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`meta.date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const instant = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(instant.getTime())) throw new Error(`meta.date is not a date: ${date}`);
  return instant;
}

/** docx 9.15 always writes `new Date()` into dcterms:created/modified; put the report's date there instead. */
function fixCoreDates(coreXml: string, instant: Date): string {
  const stamp = instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return coreXml.replace(
    /<(dcterms:(?:created|modified))([^>]*)>[^<]*<\/\1>/g,
    (_match, name: string, attrs: string) => `<${name}${attrs}>${stamp}</${name}>`,
  );
}

/**
 * docx's entry order, but with [Content_Types].xml first, where Office writes it and where tools that sniff a file's
 * type (`file`, some mail scanners) look for it. Folders are left out: Word's packages have no folder entries.
 */
function packageOrder(entries: JSZip.JSZipObject[]): JSZip.JSZipObject[] {
  const files = entries.filter((entry) => !entry.dir);
  const first = files.filter((entry) => entry.name === '[Content_Types].xml');
  return [...first, ...files.filter((entry) => entry.name !== '[Content_Types].xml')];
}

/**
 * Re-zips docx's package deterministically: its entries in a fixed order, core.xml dated from the report, every
 * entry's time set to the report's date. JSZip writes DOS times from the UTC fields of the date, so the bytes do not
 * depend on the machine's time zone either (fflate, which docx zips with, uses local time and the clock).
 */
async function reproducible(packed: Uint8Array, instant: Date): Promise<Uint8Array> {
  const source = await JSZip.loadAsync(packed);
  const out = new JSZip();
  const options = { date: instant, createFolders: false, compression: 'DEFLATE' as const, compressionOptions: { level: 9 } };
  for (const entry of packageOrder(Object.values(source.files))) {
    if (entry.name === 'docProps/core.xml') out.file(entry.name, fixCoreDates(await entry.async('string'), instant), options);
    else out.file(entry.name, await entry.async('uint8array'), options);
  }
  return out.generateAsync({ type: 'uint8array', platform: 'DOS', streamFiles: false });
}

/** A reference to a footnote the model does not have would make Word refuse the file: fail here instead. */
function checkFootnoteRefs(doc: ReportDocument): void {
  const paragraphs = [...doc.body, ...doc.appendices].filter((b): b is ParagraphBlock => b.kind === 'paragraph');
  for (const run of paragraphs.flatMap((p) => p.runs)) {
    if ('footnote' in run && !(Number.isInteger(run.footnote) && run.footnote >= 1 && run.footnote <= doc.footnotes.length)) {
      throw new Error(`footnote ${run.footnote} is referenced but the report has ${doc.footnotes.length} footnotes`);
    }
  }
}

/** The report as DOCX bytes: identical for identical input. */
export async function renderDocx(doc: ReportDocument): Promise<Uint8Array> {
  const instant = reportInstant(doc.meta.date);
  checkFootnoteRefs(doc);
  const packed = await Packer.toBuffer(buildDocument(doc));
  return reproducible(new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength), instant);
}
