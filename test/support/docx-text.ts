/** Reads a DOCX back as text, paragraph by paragraph (body and footnotes), the way a reader of the document sees it. */
import JSZip from 'jszip';

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function paragraphs(xml: string): string[] {
  const out: string[] = [];
  for (const p of xml.match(/<w:p[ >][\s\S]*?<\/w:p>/g) ?? []) {
    const text = [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => decode(m[1]!)).join('');
    if (text.trim()) out.push(text);
  }
  return out;
}

export async function docxText(bytes: Uint8Array): Promise<{ body: string[]; footnotes: string[]; xml: string; media: string[] }> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = (await zip.file('word/document.xml')?.async('string')) ?? '';
  const footnotesXml = (await zip.file('word/footnotes.xml')?.async('string')) ?? '';
  return {
    body: paragraphs(xml),
    footnotes: paragraphs(footnotesXml),
    xml,
    media: Object.keys(zip.files).filter((f) => f.startsWith('word/media/')),
  };
}
