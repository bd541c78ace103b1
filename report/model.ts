/**
 * The compiled report as a document model: what the DOCX and the HTML are both rendered from, so the two cannot
 * disagree. Pure data, no I/O. Footnotes are numbered in the order they are referenced, as Word numbers them.
 */

/** A run of text, or a reference to a footnote (by its number). */
export type Run = TextRun | FootnoteRef;
export interface TextRun {
  text: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}
export interface FootnoteRef {
  footnote: number;
}

export type BlockStyle =
  /** "I. CÔNG TÁC LÃNH ĐẠO…": bold capitals. */
  | 'part'
  /** "1. Tổ chức nghiên cứu…": bold. */
  | 'section'
  /** "2.1. Về hạn chế…": bold italic. */
  | 'subsection'
  /** Body text: justified, first line indented. */
  | 'body'
  /** "- …" items, as the seed writes its lists. */
  | 'dash';

export interface ParagraphBlock {
  kind: 'paragraph';
  style: BlockStyle;
  runs: Run[];
  /**
   * Drafted from unit narratives or a template, for the clerk to rewrite: highlighted in the HTML preview and
   * the DOCX so it cannot be signed unread. Figures are never drafts.
   */
  draft?: boolean;
}

export interface TableBlock {
  kind: 'table';
  caption: string;
  header: string[];
  rows: string[][];
  /** Relative column widths (any unit); equal when absent. */
  widths?: number[];
  /** Columns whose cells are numbers (right-aligned). */
  numeric?: number[];
}

export interface ChartBlock {
  kind: 'chart';
  id: string;
  caption: string;
  /** For the HTML: inline SVG. */
  svg: string;
  /** For the DOCX: the same chart as PNG. */
  png: Uint8Array;
  /** Size on the page, in pixels at 96 dpi (the PNG may be rendered larger for sharpness). */
  width: number;
  height: number;
}

/** A page break before the appendices. */
export interface PageBreakBlock {
  kind: 'page-break';
}

export type Block = ParagraphBlock | TableBlock | ChartBlock | PageBreakBlock;

export interface ReportHeader {
  /** Top left, capitals: "ĐẢNG BỘ TỈNH HÀ TĨNH". */
  superior: string;
  /** Top left, bold capitals: "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH". */
  issuer: string;
  /** "Số 12-BC/ĐUK". */
  number: string;
  /** Top right, italics: "Hà Tĩnh, ngày 15 tháng 12 năm 2024". */
  placeAndDate: string;
}

export interface ReportSignature {
  /** "T/M BAN THƯỜNG VỤ". */
  onBehalf: string;
  /** "PHÓ BÍ THƯ". */
  title: string;
  /** "Hà Thị Sâm". */
  name: string;
}

export interface ReportDocument {
  header: ReportHeader;
  /** "BÁO CÁO". */
  title: string;
  /** The subject line under the title, bold. */
  subject: string;
  body: Block[];
  /** Footnote n is footnotes[n - 1]. */
  footnotes: Run[][];
  /** "Nơi nhận:" lines, each starting with "- ". */
  recipients: string[];
  signature: ReportSignature;
  /** After the signature, on new pages: late and missing units per phase, tables behind the figures. */
  appendices: Block[];
  /** Document properties; `date` (YYYY-MM-DD) is the report's date, used for created/modified so output is reproducible. */
  meta: { title: string; author: string; date: string };
}
