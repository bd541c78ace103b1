/**
 * The calendar attachment of a deadline: an all-day event on the deadline date with an alarm the day before,
 * so the unit's phone calendar holds the deadline too. Its UID is stable per obligation, so an extension's
 * attachment updates the same event instead of adding a second one.
 *
 * Written out here, line by line as ical-generator wrote it (the same properties in the same order, folded the
 * same way): that library measured each character's UTF-8 length with a new TextEncoder while folding, a
 * millisecond per attachment, and every notice, reminder and extension carries one (bench/README.md).
 */
import { addDays, type IsoDate } from '../domain/calendar.js';

/** RFC 5545 TEXT: backslash, semicolon and comma escaped; line breaks as \n. */
function escapeText(s: string): string {
  return s.replace(/[\\;,]/g, (m) => `\\${m}`).replace(/\r\n|\r|\n/g, '\\n');
}

/** UTF-8 octets of one code point (a lone surrogate is written as U+FFFD: three). */
function octets(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** A content line folded so that no physical line exceeds 75 octets (74 of content after the fold's space). */
function fold(line: string): string {
  if (line.length <= 24 || Buffer.byteLength(line, 'utf8') <= 74) return line;
  let out = '';
  let used = 0;
  for (const ch of line) {
    const size = octets(ch.codePointAt(0) ?? 0);
    used += size;
    if (used > 74) {
      out += '\r\n ';
      used = size;
    }
    out += ch;
  }
  return out;
}

const compact = (date: IsoDate): string => date.replaceAll('-', '');

/** 'YYYYMMDDTHHMMSSZ' (UTC) */
function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}T${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

export function deadlineIcs(params: {
  uid: string;
  deadline: IsoDate;
  summary: string;
  description: string;
  url?: string;
  timeZone: string;
  sequence: number;
}): string {
  const summary = escapeText(params.summary);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//chuky//chuky//VI',
    'METHOD:PUBLISH',
    'NAME:chuky',
    'X-WR-CALNAME:chuky',
    'BEGIN:VEVENT',
    `UID:${params.uid}`,
    `SEQUENCE:${params.sequence}`,
    `DTSTAMP:${stamp(new Date())}`,
    // All-day events are floating dates: the deadline itself, ending the next day.
    `DTSTART;VALUE=DATE:${compact(params.deadline)}`,
    `DTEND;VALUE=DATE:${compact(addDays(params.deadline, 1))}`,
    'X-MICROSOFT-CDO-ALLDAYEVENT:TRUE',
    'X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT:TRUE',
    `SUMMARY:${summary}`,
    `DESCRIPTION:${escapeText(params.description)}`,
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    // The day before.
    'TRIGGER:-P1D',
    `DESCRIPTION:${summary}`,
    'END:VALARM',
    ...(params.url ? [`URL;VALUE=URI:${escapeText(params.url)}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  // RFC 5545 ends every content line with CRLF, the last one (END:VCALENDAR) included.
  return `${lines.map(fold).join('\r\n')}\r\n`;
}
