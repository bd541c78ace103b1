/**
 * The calendar attachment of a deadline: an all-day event on the deadline date with an alarm the day before,
 * so the unit's phone calendar holds the deadline too. Its UID is stable per obligation, so an extension's
 * attachment updates the same event instead of adding a second one.
 */
import ical, { ICalAlarmType, ICalCalendarMethod } from 'ical-generator';
import { addDays, parseIsoDate, type IsoDate } from '../domain/calendar.js';

export function deadlineIcs(params: {
  uid: string;
  deadline: IsoDate;
  summary: string;
  description: string;
  url?: string;
  timeZone: string;
  sequence: number;
}): string {
  const calendar = ical({
    name: 'chuky',
    method: ICalCalendarMethod.PUBLISH,
    prodId: { company: 'chuky', product: 'chuky', language: 'VI' },
  });
  const start = parseIsoDate(params.deadline);
  const end = parseIsoDate(addDays(params.deadline, 1));
  calendar.createEvent({
    id: params.uid,
    sequence: params.sequence,
    allDay: true,
    // All-day events are floating dates; month is 0-based in Date.
    start: new Date(Date.UTC(start.y, start.m - 1, start.d)),
    end: new Date(Date.UTC(end.y, end.m - 1, end.d)),
    summary: params.summary,
    description: params.description,
    ...(params.url ? { url: params.url } : {}),
    alarms: [{ type: ICalAlarmType.display, trigger: 86_400, description: params.summary }],
  });
  // RFC 5545 ends every content line with CRLF, the last one (END:VCALENDAR) included; ical-generator omits it.
  const text = calendar.toString();
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}
