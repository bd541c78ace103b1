/** The report's two renderings, DOCX and HTML preview, from one small ReportDocument. */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDocx } from '../../report/docx.js';
import { DRAFT_LEGEND, renderHtml } from '../../report/html.js';
import type { ReportDocument } from '../../report/model.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../artifacts/report-render');

/** A valid 1×1 PNG. */
const PNG = Uint8Array.from(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'),
);
const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60"><rect ' +
  'id="bar-2021" x="10" y="20" width="30" height="40" fill="#c00"/></svg>';

/** A unit name as a user might type it, to prove neither output lets it through as markup. */
const HOSTILE = '<script>alert(1)</script> & "x"';

/** Decomposed (NFD) text, as some keyboards and PDFs give it: the outputs must carry it composed. */
const DECOMPOSED = 'Đảng bộ Khối tổ chức học tập'.normalize('NFD');

function fixture(): ReportDocument {
  return {
    header: {
      superior: 'ĐẢNG BỘ TỈNH HÀ TĨNH',
      issuer: 'ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH',
      number: 'Số 12-BC/ĐUK',
      placeAndDate: 'Hà Tĩnh, ngày 15 tháng 12 năm 2024',
    },
    title: 'BÁO CÁO',
    subject: 'sơ kết 03 năm triển khai Kết luận số 01-KL/TW của Bộ Chính trị',
    body: [
      { kind: 'paragraph', style: 'part', runs: [{ text: 'I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO' }] },
      {
        kind: 'paragraph',
        style: 'body',
        runs: [
          { text: 'Ban Thường vụ Đảng ủy Khối đã ban hành 22 văn bản chỉ đạo, hướng dẫn thực hiện' },
          { footnote: 1 },
          { text: '; ' },
          { text: 'đúng hạn', italic: true },
          { text: '.' },
        ],
      },
      { kind: 'paragraph', style: 'section', runs: [{ text: '1. Tổ chức nghiên cứu, học tập, quán triệt' }] },
      {
        kind: 'paragraph',
        style: 'body',
        draft: true,
        runs: [{ text: `${DECOMPOSED} trực tuyến cho cán bộ, đảng viên` }, { footnote: 2 }, { text: '.' }],
      },
      { kind: 'paragraph', style: 'subsection', runs: [{ text: '2.1. Về hạn chế, khuyết điểm' }] },
      { kind: 'paragraph', style: 'dash', runs: [{ text: `- Đơn vị ${HOSTILE} nộp báo cáo chậm.` }] },
      {
        kind: 'table',
        caption: 'Bảng 1. Hội nghị quán triệt theo năm',
        header: ['Năm', 'Đơn vị', 'Điểm cầu', 'Đảng viên'],
        rows: [
          ['2022', 'Đảng bộ Khối', '132', '4.686'],
          ['2023', HOSTILE, '150', '6.124'],
        ],
        widths: [1, 3, 1, 1],
        numeric: [2, 3],
      },
      {
        kind: 'chart',
        id: 'hoi-nghi',
        caption: 'Biểu đồ 1. Đảng viên được học tập',
        svg: SVG,
        png: PNG,
        width: 320,
        height: 160,
      },
      { kind: 'paragraph', style: 'part', runs: [{ text: 'II. ĐÁNH GIÁ CHUNG' }] },
    ],
    footnotes: [
      [{ text: 'Gồm 5 kế hoạch, 2 chương trình, 4 giấy mời, 7 công văn, 4 báo cáo.' }],
      [{ text: 'Tại Hội nghị quán triệt Chủ đề năm 2023, kết nối 150 điểm cầu với 6.124 đảng viên.' }],
    ],
    recipients: ['- Ban Tuyên giáo Tỉnh ủy, (để báo cáo)', '- Ban Thường vụ Đảng ủy Khối, (để biết)', '- Lưu Văn phòng Đảng ủy Khối.'],
    signature: { onBehalf: 'T/M BAN THƯỜNG VỤ', title: 'PHÓ BÍ THƯ', name: 'Hà Thị Sâm' },
    appendices: [
      { kind: 'page-break' },
      { kind: 'paragraph', style: 'part', runs: [{ text: 'PHỤ LỤC 1. ĐƠN VỊ NỘP CHẬM' }] },
      { kind: 'table', caption: 'Đơn vị nộp chậm', header: ['STT', 'Đơn vị'], rows: [['1', 'Chi bộ Sở Tư pháp']], numeric: [0] },
      { kind: 'chart', id: 'nop-cham', caption: 'Biểu đồ 2. Đơn vị nộp chậm', svg: SVG, png: PNG, width: 200, height: 100 },
    ],
    meta: { title: 'Báo cáo sơ kết 03 năm Kết luận 01-KL/TW', author: 'Đảng ủy Khối', date: '2024-12-15' },
  };
}

describe('report rendering', () => {
  let docx: Uint8Array;
  let zip: JSZip;
  let documentXml: string;
  let footnotesXml: string;
  let html: string;

  beforeAll(async () => {
    docx = await renderDocx(fixture());
    html = renderHtml(fixture());
    zip = await JSZip.loadAsync(docx);
    documentXml = await zip.file('word/document.xml')!.async('string');
    footnotesXml = (await zip.file('word/footnotes.xml')?.async('string')) ?? '';
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'report.docx'), docx);
    fs.writeFileSync(path.join(ARTIFACTS, 'report.html'), html);
  });

  describe('DOCX', () => {
    it('is a Word package with a document and footnotes', () => {
      expect(zip.file('word/document.xml')).not.toBeNull();
      expect(zip.file('word/footnotes.xml')).not.toBeNull();
      // First, as Office writes it and as type sniffers look for it.
      expect(Object.keys(zip.files)[0]).toBe('[Content_Types].xml');
    });

    it('has the header, title, subject and headings', () => {
      for (const text of [
        'ĐẢNG BỘ TỈNH HÀ TĨNH',
        'ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH',
        'Số 12-BC/ĐUK',
        'ĐẢNG CỘNG SẢN VIỆT NAM',
        'Hà Tĩnh, ngày 15 tháng 12 năm 2024',
        'BÁO CÁO',
        'sơ kết 03 năm triển khai Kết luận số 01-KL/TW của Bộ Chính trị',
        'I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO',
        'II. ĐÁNH GIÁ CHUNG',
        'PHỤ LỤC 1. ĐƠN VỊ NỘP CHẬM',
        'Nơi nhận:',
        'T/M BAN THƯỜNG VỤ',
        'Hà Thị Sâm',
      ]) {
        expect(documentXml, text).toContain(`>${text}</w:t>`);
      }
    });

    it('is A4 with the format’s margins, in Times New Roman', async () => {
      expect(documentXml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
      expect(documentXml).toMatch(/<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"/);
      // The font is the document default, which lives in styles.xml.
      const styles = await zip.file('word/styles.xml')!.async('string');
      expect(styles).toMatch(/<w:docDefaults>.*<w:rFonts w:ascii="Times New Roman"/s);
    });

    it('makes footnotes real Word footnotes, numbered as in the model', () => {
      expect(documentXml).toMatch(/<w:footnoteReference w:id="1"\/>/);
      expect(documentXml).toMatch(/<w:footnoteReference w:id="2"\/>/);
      expect(documentXml.indexOf('w:footnoteReference w:id="1"')).toBeLessThan(documentXml.indexOf('w:footnoteReference w:id="2"'));
      expect(footnotesXml).toMatch(/<w:footnote w:id="1">.*Gồm 5 kế hoạch, 2 chương trình/s);
      expect(footnotesXml).toMatch(/<w:footnote w:id="2">.*kết nối 150 điểm cầu với 6.124 đảng viên/s);
    });

    it('highlights draft paragraphs and repeats table headers', () => {
      expect(documentXml).toContain('<w:highlight w:val="yellow"/>');
      expect(documentXml).toContain('<w:tblHeader/>');
      expect(documentXml).toMatch(/<w:pageBreakBefore\/>/);
      expect(Object.keys(zip.files).some((name) => /^word\/media\/.+\.png$/.test(name))).toBe(true);
    });

    it('numbers its drawings per document', () => {
      // docx's own counter runs on across renders in one process; the ids must not depend on what ran before.
      expect([...documentXml.matchAll(/<wp:docPr id="(\d+)"/g)].map((m) => m[1])).toEqual(['1', '2']);
    });

    it('refuses a reference to a footnote the report does not have', async () => {
      const doc = fixture();
      doc.body.push({ kind: 'paragraph', style: 'body', runs: [{ text: 'x' }, { footnote: 3 }] });
      await expect(renderDocx(doc)).rejects.toThrow(/footnote 3 is referenced but the report has 2 footnotes/);
    });

    it('writes composed (NFC) text', () => {
      expect(documentXml).toContain(DECOMPOSED.normalize('NFC'));
      expect(documentXml).not.toContain(DECOMPOSED);
      expect(documentXml.normalize('NFC')).toBe(documentXml);
    });

    it('escapes a hostile unit name', () => {
      expect(documentXml).not.toContain('<script>');
      expect(documentXml).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; ');
    });

    it('takes its dates from meta.date and gives the same bytes on every render', async () => {
      const core = await zip.file('docProps/core.xml')!.async('string');
      expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2024-12-15T00:00:00Z</dcterms:created>');
      expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2024-12-15T00:00:00Z</dcterms:modified>');
      expect(core).toContain('<dc:creator>Đảng ủy Khối</dc:creator>');
      expect(core).toContain('<dc:title>Báo cáo sơ kết 03 năm Kết luận 01-KL/TW</dc:title>');
      for (const entry of Object.values(zip.files)) expect(entry.date.toISOString(), entry.name).toBe('2024-12-15T00:00:00.000Z');
      // Zip times have 2-second steps and core.xml dates 1-second steps: wait past both.
      await sleep(2100);
      const again = await renderDocx(fixture());
      expect(Buffer.from(again).equals(Buffer.from(docx))).toBe(true);
    });
  });

  describe('HTML', () => {
    it('is a standalone Vietnamese A4 page', () => {
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<html lang="vi">');
      expect(html).toContain('<meta charset="utf-8">');
      expect(html).toContain('@page { size: A4;');
      expect(html).toContain('Times New Roman');
      for (const text of [
        'ĐẢNG BỘ TỈNH HÀ TĨNH',
        'Số 12-BC/ĐUK',
        'ĐẢNG CỘNG SẢN VIỆT NAM',
        'BÁO CÁO',
        'I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO',
        'Nơi nhận:',
        'Hà Thị Sâm',
        'PHỤ LỤC 1. ĐƠN VỊ NỘP CHẬM',
      ]) {
        expect(html, text).toContain(text);
      }
    });

    it('links footnote references to a numbered list', () => {
      expect(html).toContain('<a href="#fn-1" id="fnref-1-1"');
      expect(html).toContain('<a href="#fn-2" id="fnref-2-1"');
      expect(html).toMatch(/<li id="fn-1" value="1">Gồm 5 kế hoạch/);
      expect(html).toMatch(/<li id="fn-2" value="2">Tại Hội nghị quán triệt/);
    });

    it('inlines the chart SVG, highlights drafts with a legend, and marks numeric cells', () => {
      expect(html).toContain(SVG);
      expect(html).toContain(DRAFT_LEGEND);
      expect(html).toMatch(/<p class="body draft"[^>]*>Đảng bộ Khối tổ chức học tập/);
      expect(html).toContain('<td class="num">6.124</td>');
    });

    it('writes composed (NFC) text', () => {
      expect(html).not.toContain(DECOMPOSED);
      expect(html.normalize('NFC')).toBe(html);
    });

    it('escapes a hostile unit name', () => {
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
    });
  });
});
