/**
 * Maps the cycle's calendar onto real time. In production the map is the identity: a reminder planned for
 * 08:00 on 8 February fires then. For rehearsals and integration tests a cycle can run "compressed": a calendar
 * day lasts `secondsPerDay` real seconds, counted from `calendarOrigin` (a calendar instant, usually the plan's
 * issue date) which is pinned to `realOrigin` (when the cycle was launched). Workflows wait on real instants;
 * emails and records speak in calendar dates. Pure: safe inside workflows.
 */

export type ClockMap = { kind: 'real' } | { kind: 'compressed'; calendarOrigin: number; realOrigin: number; secondsPerDay: number };

const DAY_MS = 86_400_000;

export const REAL_CLOCK: ClockMap = { kind: 'real' };

export function calendarToReal(clock: ClockMap, calendarMs: number): number {
  if (clock.kind === 'real') return calendarMs;
  return clock.realOrigin + ((calendarMs - clock.calendarOrigin) / DAY_MS) * clock.secondsPerDay * 1000;
}

export function realToCalendar(clock: ClockMap, realMs: number): number {
  if (clock.kind === 'real') return realMs;
  return clock.calendarOrigin + ((realMs - clock.realOrigin) / (clock.secondsPerDay * 1000)) * DAY_MS;
}
