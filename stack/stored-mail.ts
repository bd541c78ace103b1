// The shape in which the SMTP sink keeps and serves a received message, and
// its construction from raw bytes with mailparser.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type AddressObject, type Attachment } from 'mailparser';

export interface StoredAttachment {
  filename: string;
  contentType: string;
  /** UTF-8 text for text/* parts, base64 for everything else. */
  content: string;
}

export interface StoredMail {
  id: number;
  receivedAt: string;
  /** SMTP envelope (MAIL FROM / RCPT TO): who the message was really sent to, Bcc included. */
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string;
  subject: string;
  /** Header From as written, e.g. `"Văn phòng" <vp@example.vn>`. */
  from: string;
  /** Bare addresses from the To and Cc headers. */
  to: string[];
  cc: string[];
  text: string;
  html: string;
  attachments: StoredAttachment[];
  /** The message exactly as received, decoded as UTF-8. */
  raw: string;
}

export interface Envelope {
  from: string;
  to: string[];
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  const groups = Array.isArray(field) ? field : [field];
  const out: string[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const entry of entries) {
      if (entry.address) out.push(entry.address);
      if (entry.group) walk(entry.group);
    }
  };
  for (const group of groups) walk(group.value);
  return out;
}

function isTextual(contentType: string): boolean {
  return contentType.startsWith('text/') || /\b(json|xml|calendar)\b/.test(contentType);
}

function storeAttachment(a: Attachment): StoredAttachment {
  const contentType = a.contentType || 'application/octet-stream';
  return {
    filename: a.filename ?? '',
    contentType,
    content: isTextual(contentType) ? a.content.toString('utf8') : a.content.toString('base64'),
  };
}

export async function parseStoredMail(id: number, raw: Buffer, envelope: Envelope, receivedAt = new Date()): Promise<StoredMail> {
  const parsed = await simpleParser(raw);
  return {
    id,
    receivedAt: receivedAt.toISOString(),
    envelopeFrom: envelope.from,
    envelopeTo: envelope.to,
    messageId: parsed.messageId ?? '',
    subject: parsed.subject ?? '',
    from: parsed.from?.text ?? '',
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    text: parsed.text ?? '',
    html: parsed.html === false ? '' : (parsed.html ?? ''),
    attachments: parsed.attachments.map(storeAttachment),
    raw: raw.toString('utf8'),
  };
}

/** True when addr is among the envelope or header recipients (case-insensitive). */
export function isAddressedTo(mail: StoredMail, addr: string): boolean {
  const wanted = addr.trim().toLowerCase();
  return [...mail.envelopeTo, ...mail.to, ...mail.cc].some((a) => a.toLowerCase() === wanted);
}

/** What the sink writes next to <id>.eml: the SMTP envelope and the moment it arrived (not in the message itself). */
export interface StoredEnvelope extends Envelope {
  receivedAt: string;
}

/** The ids of the messages kept in storeDir (<id>.eml), in order. */
export async function storedIds(storeDir: string): Promise<number[]> {
  const names = await readdir(storeDir).catch(() => [] as string[]);
  return names
    .map((n) => /^(\d+)\.eml$/.exec(n)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Every message kept in storeDir, parsed again: what an inbox restarted on the same folder shows. The envelope
 * and arrival time come from <id>.json when it is there; for messages stored before it was written, from the
 * headers (From, To, Cc) and the file's time.
 */
export async function loadStoredMail(storeDir: string, log: (m: string) => void = () => undefined): Promise<StoredMail[]> {
  const out: StoredMail[] = [];
  for (const id of await storedIds(storeDir)) {
    const file = join(storeDir, `${id}.eml`);
    try {
      const raw = await readFile(file);
      const side = await readFile(join(storeDir, `${id}.json`), 'utf8')
        .then((t) => JSON.parse(t) as StoredEnvelope)
        .catch(() => undefined);
      const receivedAt = side?.receivedAt ? new Date(side.receivedAt) : (await stat(file)).mtime;
      const mail = await parseStoredMail(id, raw, side ?? { from: '', to: [] }, receivedAt);
      if (!side) {
        mail.envelopeFrom = /<([^>]+)>/.exec(mail.from)?.[1] ?? mail.from;
        mail.envelopeTo = [...mail.to, ...mail.cc];
      }
      out.push(mail);
    } catch (err) {
      log(`smtp sink: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}
