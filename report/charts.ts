/**
 * Charts for the review report, drawn on the server: ECharts lays the chart out as SVG, resvg rasterises it to PNG
 * with the bundled DejaVu fonts only, so the same spec gives the same bytes on every machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { LabelLayout } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';

export interface ChartSeries {
  name: string;
  values: Array<number | null>;
}

export interface ChartSpec {
  /** File-name safe id, e.g. 'attendance-by-year'. */
  id: string;
  title: string;
  kind: 'bar' | 'line';
  /** X-axis labels (or y-axis when horizontal): years, or unit names that may be long. */
  categories: string[];
  /** A legend is shown when there is more than one. */
  series: ChartSeries[];
  /** Values are percentages: the value axis ends at 100 and labels carry '%'. */
  percent?: boolean;
  /** Start of the value axis, e.g. 90 for rates that are all near 100. */
  yMin?: number;
  /** Bars along y, for many units with long names. */
  horizontal?: boolean;
}

export interface RenderedChart {
  svg: string;
  png: Uint8Array;
  /** Display size in CSS pixels (96 dpi); the PNG is `scale` times larger. */
  width: number;
  height: number;
}

echarts.use([BarChart, LineChart, GraphicComponent, GridComponent, LegendComponent, TitleComponent, LabelLayout, SVGRenderer]);

const FONT_FAMILY = 'DejaVu Sans';
/** What the SVG declares; the fallback is for a browser showing the SVG without DejaVu installed. */
const CSS_FONT = `'${FONT_FAMILY}', sans-serif`;
const fontDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = { regular: path.join(fontDir, 'DejaVuSans.ttf'), bold: path.join(fontDir, 'DejaVuSans-Bold.ttf') };

/** Dark red first, then colours that stay distinguishable as greys when the report is printed in black and white. */
const PALETTE = ['#a50e0e', '#8faecf', '#1f3b63', '#b0b0b0', '#4f7cac', '#595959'];
const LINE_TYPES = ['solid', 'dashed', 'dotted'] as const;
const SYMBOLS = ['circle', 'rect', 'triangle', 'diamond'] as const;
const TEXT = '#222222';
const NO_DATA = 'Không có số liệu';

// ---- text measurement -------------------------------------------------------------------------------------------

/** Advance widths in em, by code point, read from the font's cmap (format 4) and hmtx tables. */
function readAdvances(file: string): Map<number, number> {
  const b = fs.readFileSync(file);
  const tables = new Map<string, number>();
  for (let i = 0, n = b.readUInt16BE(4); i < n; i++)
    tables.set(b.toString('latin1', 12 + i * 16, 16 + i * 16), b.readUInt32BE(20 + i * 16));
  const table = (tag: string) => {
    const at = tables.get(tag);
    if (at === undefined) throw new Error(`${path.basename(file)}: no '${tag}' table`);
    return at;
  };
  const unitsPerEm = b.readUInt16BE(table('head') + 18);
  const hMetrics = b.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => b.readUInt16BE(hmtx + 4 * Math.min(glyph, hMetrics - 1)) / unitsPerEm;

  const cmap = table('cmap');
  let sub: number | undefined;
  for (let i = 0, n = b.readUInt16BE(cmap + 2); i < n; i++) {
    const rec = cmap + 4 + i * 8;
    const offset = cmap + b.readUInt32BE(rec + 4);
    if (b.readUInt16BE(rec) === 3 && b.readUInt16BE(rec + 2) === 1 && b.readUInt16BE(offset) === 4) sub = offset;
  }
  if (sub === undefined) throw new Error(`${path.basename(file)}: no Unicode BMP cmap`);
  const segs = b.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14,
    starts = ends + 2 * segs + 2,
    deltas = starts + 2 * segs,
    ranges = deltas + 2 * segs;
  const widths = new Map<number, number>();
  for (let s = 0; s < segs; s++) {
    const start = b.readUInt16BE(starts + 2 * s),
      end = b.readUInt16BE(ends + 2 * s);
    const delta = b.readUInt16BE(deltas + 2 * s),
      range = b.readUInt16BE(ranges + 2 * s);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph = range === 0 ? c : b.readUInt16BE(ranges + 2 * s + range + 2 * (c - start));
      if (range !== 0 && glyph === 0) continue;
      glyph = (glyph + delta) & 0xffff;
      if (glyph !== 0) widths.set(c, advance(glyph));
    }
  }
  return widths;
}

let advances: { regular: Map<number, number>; bold: Map<number, number> } | undefined;

/**
 * Without a canvas, zrender guesses text widths, counting every non-ASCII letter (most Vietnamese syllables have one)
 * as a full em; titles, truncation and label room then come out wrong. Measure with the very fonts resvg draws with.
 * The hook is process-wide, which is fine: ECharts is used here only to draw these charts.
 */
function measure(text: string, font?: string): { width: number } {
  advances ??= { regular: readAdvances(FONT_FILES.regular), bold: readAdvances(FONT_FILES.bold) };
  const f = font ?? '';
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(f)?.[1] ?? 12);
  const table = /\bbold(er)?\b|\b[6-9]00\b/.test(f) ? advances.bold : advances.regular;
  let em = 0;
  // A character DejaVu lacks is counted as 1 em; zrender also takes the width of '国' as the line height.
  for (const ch of text) em += table.get(ch.codePointAt(0)!) ?? 1;
  return { width: em * size };
}
echarts.setPlatformAPI({ measureText: measure });

// ---- formatting -------------------------------------------------------------------------------------------------

/** Vietnamese number format, independent of the ICU data Node was built with: 1.234,5 */
function formatNumber(value: number, maxDecimals: number): string {
  const [int = '0', frac] = Math.abs(value).toFixed(maxDecimals).split('.');
  const decimals = frac?.replace(/0+$/, '');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const sign = value < 0 && (Number(int) !== 0 || decimals) ? '-' : '';
  return sign + grouped + (decimals ? ',' + decimals : '');
}

/** NFC so the SVG carries the precomposed letters DejaVu has glyphs for; control characters would break the XML. */
function clean(text: string): string {
  return (
    text
      .normalize('NFC')
      // eslint-disable-next-line no-control-regex -- matching the control characters is the point
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim()
  );
}

/** Greedy word wrap, so the plot can be placed below however many lines the title takes. */
function wrap(text: string, font: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && measure(candidate, font).width > maxWidth) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Cuts a label to a width with an ellipsis. Done here rather than by ECharts' `overflow: 'truncate'`, which counts
 * each non-ASCII letter as a full em and so cuts Vietnamese names far shorter than needed.
 */
function fit(text: string, font: string, maxWidth: number): string {
  if (measure(text, font).width <= maxWidth) return text;
  const chars = [...text];
  let cut: string;
  do {
    chars.pop();
    cut = chars.join('').trimEnd() + '…';
  } while (chars.length > 0 && measure(cut, font).width > maxWidth);
  return cut;
}

// ---- chart ------------------------------------------------------------------------------------------------------

const TITLE_SIZE = 15,
  TITLE_LINE = 20,
  LABEL_SIZE = 11,
  AXIS_SIZE = 11,
  PAD = 12;

function buildOption(spec: ChartSpec, width: number, height: number): Record<string, unknown> {
  const titleLines = wrap(clean(spec.title), `bold ${TITLE_SIZE}px ${CSS_FONT}`, width - 2 * PAD);
  const title = {
    text: titleLines.join('\n'),
    left: 'center',
    top: PAD,
    textStyle: { fontSize: TITLE_SIZE, lineHeight: TITLE_LINE, fontWeight: 'bold', color: TEXT },
  };
  const titleBottom = PAD + titleLines.length * TITLE_LINE;
  const base = { animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: CSS_FONT, color: TEXT }, title };

  const categories = spec.categories.map(clean);
  const series = spec.series.map((s) => ({
    name: clean(s.name),
    values: s.values.map((v) => (v === null || !Number.isFinite(v) ? null : v)),
  }));
  if (categories.length === 0 || series.every((s) => s.values.every((v) => v === null))) {
    return {
      ...base,
      graphic: [
        {
          type: 'text',
          left: 'center',
          top: (titleBottom + height) / 2 - 8,
          style: { text: NO_DATA, fontSize: 14, fontFamily: CSS_FONT, fill: '#666666' },
        },
      ],
    };
  }

  const format = (v: number) => (spec.percent ? `${formatNumber(v, 1)}%` : formatNumber(v, 2));
  const labelFont = `${LABEL_SIZE}px ${CSS_FONT}`;
  const axisFont = `${AXIS_SIZE}px ${CSS_FONT}`;
  const band = (width - 2 * PAD - 50) / categories.length; // a little less than ECharts will give each category
  const widestValue = Math.max(...series.flatMap((s) => s.values.map((v) => (v === null ? 0 : measure(format(v), labelFont).width))));
  // Value labels wider than their bar would run into the neighbours' labels: stand them up on end instead.
  const uprightValues = spec.kind === 'bar' && !spec.horizontal && widestValue + 4 > (band * 0.8) / series.length;
  const legend = series.length > 1;
  const top = titleBottom + (legend ? 30 : 8) + (uprightValues ? widestValue + 8 : 14); // room for labels over the tallest bar
  const valueAxis = {
    type: 'value',
    min: spec.yMin ?? (spec.percent ? 0 : undefined),
    max: spec.percent ? 100 : undefined,
    axisLabel: { fontSize: AXIS_SIZE, color: TEXT, formatter: format },
    splitLine: { lineStyle: { color: '#e0e0e0' } },
  };

  const widest = Math.max(...categories.map((c) => measure(c, axisFont).width));
  let rotate = 0;
  let labelWidth = Math.round(width * 0.38);
  if (!spec.horizontal) {
    // Every unit must be named, so labels are never skipped: they turn, then get cut, as the bands narrow.
    rotate = widest <= band - 6 ? 0 : band >= 26 ? 35 : 90;
    labelWidth = rotate ? Math.round(Math.min(160, height * 0.4)) : Infinity;
  }
  const categoryAxis = {
    type: 'category',
    data: categories,
    inverse: spec.horizontal, // first unit at the top, as in the tables
    axisTick: { alignWithLabel: true },
    axisLabel: { fontSize: AXIS_SIZE, color: TEXT, interval: 0, rotate, formatter: (c: string) => fit(c, axisFont, labelWidth) },
  };

  return {
    ...base,
    color: PALETTE,
    legend: legend ? { top: titleBottom + 6, itemWidth: 18, itemHeight: 10, textStyle: { fontSize: AXIS_SIZE, color: TEXT } } : undefined,
    grid: {
      left: PAD,
      right: PAD + (spec.horizontal ? 40 : 8),
      top,
      bottom: PAD,
      outerBoundsMode: 'same',
      outerBoundsContain: 'axisLabel',
    },
    xAxis: spec.horizontal ? valueAxis : categoryAxis,
    yAxis: spec.horizontal ? categoryAxis : valueAxis,
    labelLayout: { hideOverlap: true },
    series: series.map((s, i) => ({
      type: spec.kind,
      name: s.name,
      data: s.values,
      barMaxWidth: 48,
      barGap: '10%',
      // In black and white, lines are told apart by dash and marker rather than colour.
      lineStyle: { width: 2, type: LINE_TYPES[i % LINE_TYPES.length] },
      symbol: SYMBOLS[i % SYMBOLS.length],
      symbolSize: 7,
      label: {
        show: true,
        position: spec.kind === 'bar' && spec.horizontal ? 'right' : 'top',
        ...(uprightValues ? { rotate: 90, align: 'left', verticalAlign: 'middle' } : {}),
        fontSize: LABEL_SIZE,
        color: TEXT,
        formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? format(p.value) : ''),
      },
    })),
  };
}

/**
 * zrender numbers painters and hover classes from process-wide counters, so two renders of one spec would differ.
 * Hover styles mean nothing on paper: drop them, and give the remaining ids (clip paths, …) a fixed prefix.
 * Text is escaped (`"` and `<` included), so these patterns cannot match anything taken from a label.
 */
function normalise(svg: string): string {
  return svg
    .replace(/<style\b[^>]*><!\[CDATA\[[\s\S]*?\]\]>\s*<\/style>\s*/g, '')
    .replace(/ class="zr\d+-cls-\d+(?: zr\d+-cls-\d+)*"/g, '')
    .replace(/(id="|="url\(#|href="#)zr\d+-/g, '$1chart-');
}

export function renderChart(spec: ChartSpec, size: { width?: number; height?: number; scale?: number } = {}): RenderedChart {
  const width = size.width ?? 640;
  const rows = spec.horizontal ? spec.categories.length * Math.max(1, spec.series.length) : 0;
  // Many units on horizontal bars get the height they need to stay legible, unless the caller fixes it.
  const height = size.height ?? Math.max(360, 110 + rows * 18);
  const scale = size.scale ?? 2;

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption(buildOption(spec, width, height));
    svg = normalise(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }

  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles: [FONT_FILES.regular, FONT_FILES.bold],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  })
    .render()
    .asPng();
  return { svg, png: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width, height };
}
