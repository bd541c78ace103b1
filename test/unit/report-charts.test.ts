/** Report charts: SVG from ECharts, PNG from resvg with the bundled DejaVu fonts — same bytes on every machine. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderChart, type ChartSpec } from '../../report/charts.js';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts/charts');

const byYear: ChartSpec = {
  id: 'attendance-by-year',
  title: 'Tỷ lệ đảng viên học tập chuyên đề theo năm',
  kind: 'bar',
  categories: ['2021', '2022', '2023', '2024', '2025'],
  series: [{ name: 'Tỷ lệ', values: [97.2, 98.5, 99.14, null, 100] }],
  percent: true,
  yMin: 90,
};

const byUnit: ChartSpec = {
  id: 'attendance-by-unit',
  title: 'Tỷ lệ đảng viên tham gia học tập, quán triệt nghị quyết theo đơn vị, năm 2024 và năm 2025',
  kind: 'bar',
  horizontal: true,
  percent: true,
  categories: [
    'Đảng bộ Sở Tài chính',
    'Chi bộ Sở Tư pháp',
    'Đảng bộ Trường Đại học Sư phạm Kỹ thuật Thành phố Hồ Chí Minh',
    'Đảng bộ Bệnh viện Đa khoa tỉnh',
    'Chi bộ Văn phòng Ủy ban nhân dân tỉnh',
    'Đảng bộ Công an tỉnh',
    'Đảng bộ Quân sự tỉnh',
    'Chi bộ Sở Ngoại vụ',
  ],
  series: [
    { name: 'Năm 2024', values: [98.5, 100, 95.25, 99, 97, 100, 100, 88] },
    { name: 'Năm 2025', values: [99, 100, 96, 99.5, 98, 100, null, 91.5] },
  ],
};

/** Width and height from the IHDR chunk, which a valid PNG has first, right after the signature. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const b = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(b.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('renderChart', () => {
  it('renders a PNG at twice the display size by default, and at any size and scale asked for', () => {
    const chart = renderChart(byYear);
    expect([chart.width, chart.height]).toEqual([640, 360]);
    expect(pngSize(chart.png)).toEqual({ width: 1280, height: 720 });
    expect(chart.svg).toMatch(/^<svg width="640" height="360"/);

    const small = renderChart(byYear, { width: 500, height: 300, scale: 3 });
    expect([small.width, small.height]).toEqual([500, 300]);
    expect(pngSize(small.png)).toEqual({ width: 1500, height: 900 });
  });

  it('writes the title in NFC, the category labels and the font the PNG is drawn with into the SVG', () => {
    const decomposed = byYear.title.normalize('NFD');
    expect(decomposed).not.toBe(byYear.title);
    const { svg } = renderChart({ ...byYear, title: decomposed, categories: byYear.categories.map((c) => c.normalize('NFD')) });
    expect(svg).toContain('>Tỷ lệ đảng viên học tập chuyên đề theo năm</text>');
    expect(svg).not.toContain(decomposed);
    for (const year of byYear.categories) expect(svg).toContain(`>${year}</text>`);
    expect(svg).toContain("font-family:'DejaVu Sans', sans-serif");
    expect(svg).not.toMatch(/font-family:sans-serif/);
  });

  it('formats values the Vietnamese way', () => {
    expect(renderChart(byYear).svg).toContain('>98,5%</text>');
    expect(renderChart(byYear).svg).toContain('>99,1%</text>');
    const counts = renderChart({
      id: 'members',
      title: 'Số đảng viên',
      kind: 'line',
      categories: ['2024', '2025'],
      series: [{ name: 'Đảng viên', values: [1234, 12345.6] }],
    });
    expect(counts.svg).toContain('>1.234</text>');
    expect(counts.svg).toContain('>12.345,6</text>');
  });

  it('gives the same bytes for the same spec, however many charts were drawn before', () => {
    const first = renderChart(byUnit);
    renderChart(byYear);
    renderChart({ ...byYear, kind: 'line' });
    const again = renderChart(byUnit);
    expect(again.svg).toBe(first.svg);
    expect(Buffer.from(again.png).equals(Buffer.from(first.png))).toBe(true);
    expect(first.svg).not.toMatch(/zr\d+-/);
  });

  it('escapes hostile text from titles, categories and series names', () => {
    const { svg, png } = renderChart({
      id: 'hostile',
      title: 'Báo cáo <script>alert("x")</script> & Co',
      kind: 'bar',
      categories: ['"><img src=x onerror=alert(1)>', 'A & B'],
      series: [
        { name: '</text><script>', values: [1, 2] },
        { name: 'Ổn', values: [2, 3] },
      ],
    });
    expect(svg).not.toMatch(/<script|<img|<\/text><script/i);
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('&amp; Co');
    expect(svg).toContain('A &amp; B');
    expect(pngSize(png).width).toBe(1280);
  });

  it('draws the title and "Không có số liệu" when there is nothing to plot', () => {
    for (const spec of [
      { ...byYear, categories: [], series: [] },
      { ...byYear, series: [{ name: 'Tỷ lệ', values: [null, null, null, null, null] }] },
    ]) {
      const chart = renderChart(spec);
      expect(chart.svg).toContain('>Tỷ lệ đảng viên học tập chuyên đề theo năm</text>');
      expect(chart.svg).toContain('>Không có số liệu</text>');
      expect(pngSize(chart.png)).toEqual({ width: 1280, height: 720 });
    }
  });

  it('gives many units on horizontal bars the height they need, unless the caller fixes it', () => {
    const units = Array.from({ length: 30 }, (_, i) => `Chi bộ ${i + 1}`);
    const spec: ChartSpec = { ...byUnit, categories: units, series: [{ name: 'Tỷ lệ', values: units.map(() => 95) }] };
    expect(renderChart(spec).height).toBeGreaterThan(360);
    expect(renderChart(spec, { height: 400 }).height).toBe(400);
    expect(renderChart(byYear).height).toBe(360);
  });

  it('leaves a chart for a person to look at', () => {
    const chart = renderChart(byUnit);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, `${byUnit.id}.png`), chart.png);
    expect(chart.svg).toContain('>Chi bộ Sở Tư pháp</text>');
    // The longest name is cut to fit, with an ellipsis.
    expect(chart.svg).toMatch(/>Đảng bộ Trường Đại học Sư phạm [^<]*…<\/text>/);
    expect(chart.svg).not.toContain('Hồ Chí Minh');
  });
});
