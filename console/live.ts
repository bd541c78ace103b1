/**
 * The cycle's live updates, as server-sent events: the events table is polled by id (every ~2 s) for the cycle,
 * and each new transition is sent as the obligation's new state. The stream starts after the id the page was
 * built at (or the browser's Last-Event-ID on a reconnect), so nothing is missed or repeated. The session is
 * checked at every poll without counting as activity, and a stream ends after `liveMaxMs` so the browser
 * reconnects through the guard again.
 */
import { streamSSE } from 'hono/streaming';
import { getCycle } from '../db/cycles.js';
import { param, type ConsoleDeps } from './context.js';
import { phaseShort, statusView, viDate } from './format.js';
import { EVENT_KIND_VI, eventsAfter, lastEventId, type LiveEvent } from './queries.js';
import { refusal, type ConsoleRouter } from './router.js';
import { loadSession, type SessionPolicy } from './sessions.js';

export const LIVE_PATH = /\/truc-tiep$/;

export function liveData(e: LiveEvent) {
  const v = statusView(e.status);
  return {
    unit: e.unitCode,
    unitName: e.unitName,
    phase: e.phase,
    phaseShort: phaseShort(e.phase),
    kind: e.kind,
    what: EVENT_KIND_VI[e.kind] ?? e.kind,
    status: e.status,
    label: v.label,
    css: v.css,
    level: e.level,
    deadline: viDate(e.deadline),
    at: e.at,
  };
}

/** Set when the server shuts down: every stream ends at its next poll, so closing the server does not wait for them. */
export interface LiveSwitch {
  stopped: boolean;
}

export function registerLive(
  router: ConsoleRouter,
  deps: ConsoleDeps,
  policy: SessionPolicy,
  pollMs: number,
  maxMs: number,
  live: LiveSwitch,
): void {
  router.get('/chu-ky/:cycle/truc-tiep', 'cycle.view', async (c) => {
    const cycle = await getCycle(deps.db, param(c, 'cycle'));
    if (!cycle) return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ này.');
    const fromHeader = Number(c.req.header('last-event-id'));
    const fromQuery = Number(c.req.query('sau'));
    let after =
      Number.isSafeInteger(fromHeader) && fromHeader > 0
        ? fromHeader
        : Number.isSafeInteger(fromQuery) && fromQuery >= 0 && c.req.query('sau')
          ? fromQuery
          : await lastEventId(deps.db, cycle.id);
    const rawSession = c.get('rawSessionId');
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      const started = Date.now();
      let quietSince = Date.now();
      await stream.writeSSE({ event: 'ready', data: String(after), retry: 3000 });
      while (open && !live.stopped && Date.now() - started < maxMs) {
        if (!(await loadSession(deps.db, rawSession, policy, false))) {
          await stream.writeSSE({ event: 'signed-out', data: '' });
          break;
        }
        const events = await eventsAfter(deps.db, cycle.id, after);
        for (const e of events) {
          await stream.writeSSE({ id: String(e.id), event: 'obligation', data: JSON.stringify(liveData(e)) });
          after = e.id;
        }
        if (events.length) quietSince = Date.now();
        else if (Date.now() - quietSince > 15_000) {
          // A comment line keeps proxies from closing a quiet stream.
          await stream.write(': ping\n\n');
          quietSince = Date.now();
        }
        await stream.sleep(pollMs);
      }
    });
  });
}
