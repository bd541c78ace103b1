/**
 * LibreOffice found or provisioned (stack/libreoffice.ts), then a Vietnamese DOCX set in Times New Roman
 * converted to PDF and to a PNG of its first page. The PDF and PNG are kept in test/artifacts/libreoffice/ so a
 * person can look at the diacritics (Liberation Serif stands in for Times New Roman).
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlignmentType, Document, Packer, Paragraph, TextRun } from 'docx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertDocument, ensureLibreOffice } from '../../stack/libreoffice.js';
import { projectRoot } from '../../config/paths.js';

const ARTIFACTS = join(projectRoot(), 'test', 'artifacts', 'libreoffice');
const FONT = 'Times New Roman';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let soffice: string;
let scratch: string;
let docx: string;

function line(text: string, opts: { bold?: boolean; size?: number; center?: boolean } = {}): Paragraph {
  return new Paragraph({
    alignment: opts.center ? AlignmentType.CENTER : AlignmentType.LEFT,
    spacing: { after: 120 },
    children: [new TextRun({ text, font: FONT, bold: opts.bold, size: (opts.size ?? 14) * 2 })],
  });
}

beforeAll(async () => {
  // On a fresh Debian machine this installs libreoffice-writer with apt-get: minutes, not seconds.
  const t0 = Date.now();
  soffice = await ensureLibreOffice((m) => console.log(`[libreoffice] ${m}`));
  console.log(`[libreoffice] ${soffice} ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  scratch = await mkdtemp(join(tmpdir(), 'chuky-libreoffice-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const doc = new Document({
    sections: [
      {
        children: [
          line('ĐẢNG CỘNG SẢN VIỆT NAM', { bold: true, size: 15, center: true }),
          line('Báo cáo sơ kết 03 năm', { bold: true, size: 16, center: true }),
          line('thực hiện Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh', { center: true }),
          line('Kính gửi: Ban Thường vụ Huyện ủy. Đảng bộ đã quán triệt đến 98% đảng viên; các chi bộ đều xây dựng kế hoạch.'),
          line('Ưu điểm, hạn chế, nguyên nhân và đề xuất: ấ ầ ẩ ẫ ậ ắ ằ ẳ ẵ ặ ế ề ể ễ ệ ố ồ ổ ỗ ộ ớ ờ ở ỡ ợ ứ ừ ử ữ ự ỳ ỷ ỹ ỵ đ Đ'),
        ],
      },
    ],
  });
  docx = join(scratch, 'bao-cao-so-ket.docx');
  await writeFile(docx, await Packer.toBuffer(doc));
}, 20 * 60_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('LibreOffice conversion', () => {
  it('converts a Vietnamese DOCX to PDF and to PNG, two conversions at once', async () => {
    // Concurrently on purpose: each conversion has its own LibreOffice profile, so neither waits for nor
    // hands its job to the other.
    const [pdf, png] = await Promise.all([
      convertDocument(docx, 'pdf', ARTIFACTS, { soffice }),
      convertDocument(docx, 'png', ARTIFACTS, { soffice }),
    ]);
    expect(pdf).toBe(join(ARTIFACTS, 'bao-cao-so-ket.pdf'));
    expect(png).toBe(join(ARTIFACTS, 'bao-cao-so-ket.png'));

    const pdfBytes = await readFile(pdf);
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfBytes.length).toBeGreaterThan(1024);
    // Times New Roman is replaced by its metric twin, and every letter, diacritics included, comes from it:
    // a second font here means Vietnamese glyphs fell back (Liberation 1.x has none; fonts-liberation2 does).
    const fonts = new Set([...pdfBytes.toString('latin1').matchAll(/\/BaseFont\s*\/(?:[A-Z]{6}\+)?([\w-]+)/g)].map((m) => m[1]));
    expect([...fonts].sort(), 'fonts embedded in the PDF').toEqual(['LiberationSerif', 'LiberationSerif-Bold']);

    const pngBytes = await readFile(png);
    expect(pngBytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngBytes.length).toBeGreaterThan(1024);
  }, 180_000);

  it('kills the conversion at its timeout and says so', async () => {
    const out = join(scratch, 'timeout');
    await expect(convertDocument(docx, 'pdf', out, { soffice, timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
  }, 60_000);

  it('names the file it could not convert', async () => {
    await expect(convertDocument(join(scratch, 'missing.docx'), 'pdf', scratch, { soffice })).rejects.toThrow(
      /missing\.docx: no such file/,
    );
  });
});
