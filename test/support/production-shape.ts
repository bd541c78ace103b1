/**
 * Helpers of test/integration/production-shape.test.ts: the production shape (workers/topology.ts) is run by the
 * test itself; these read what it did — the doctor's report, the emails' kinds and the moments they fell due, the
 * console's filtered tables — the way an operator would.
 */
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import { chuky } from './processes.js';
import { addDays, localTimeToInstant, type IsoDate } from '../../domain/calendar.js';
import { calendarToReal, type ClockMap } from '../../domain/clock.js';
import { SEND_HOUR } from '../../domain/schedule.js';
import type { DoctorCheck } from '../../ops/types.js';

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  code: number;
  stderr: string;
}

/** `chuky doctor --json` as its own process, configured only through the stack's environment. */
export async function doctor(env: Record<string, string>, args: string[] = []): Promise<DoctorReport> {
  const r = await chuky(['doctor', '--json', ...args], env);
  let parsed: { ok: boolean; checks: DoctorCheck[] };
  try {
    parsed = JSON.parse(r.stdout) as { ok: boolean; checks: DoctorCheck[] };
  } catch {
    throw new Error(`chuky doctor printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { ...parsed, code: r.code, stderr: r.stderr };
}

export const check = (report: DoctorReport, name: DoctorCheck['name']): DoctorCheck => {
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} check in ${JSON.stringify(report.checks)}`);
  return c;
};

/** An outbox key is cycle/unit/phase/kind[@deadline][#seq] (domain/ids.ts): its kind and deadline. */
export function keyParts(key: string): { unit: string; kind: string; deadline?: IsoDate } {
  const [, unit, , rest] = key.split('/') as [string, string, string, string];
  const [kindAndDeadline] = rest.split('#') as [string];
  const [kind, deadline] = kindAndDeadline.split('@') as [string, string | undefined];
  return { unit, kind, ...(deadline ? { deadline } : {}) };
}

/**
 * When a scheduled email (reminder, overdue notice, escalation) fell due in real time: its calendar day counted
 * from the deadline its key carries, at SEND_HOUR (domain/schedule.ts), mapped through the cycle's compressed
 * clock. Undefined for the emails an action sends (notice at launch, receipts, extension and exemption notes).
 */
export function dueAtReal(
  clock: ClockMap,
  key: string,
  policy: { level2AfterDays: number; level3AfterDays: number },
  timeZone = 'Asia/Ho_Chi_Minh',
): number | undefined {
  const { kind, deadline } = keyParts(key);
  if (!deadline) return undefined;
  const reminder = /^reminder-(\d+)d$/.exec(kind);
  const offset = reminder
    ? -Number(reminder[1])
    : kind === 'overdue'
      ? 1
      : kind === 'escalation-2'
        ? policy.level2AfterDays
        : kind === 'escalation-3'
          ? policy.level3AfterDays
          : undefined;
  if (offset === undefined) return undefined;
  return calendarToReal(clock, localTimeToInstant(addDays(deadline, offset), SEND_HOUR, timeZone));
}

/** A browser-like client of the console: keeps its cookies, follows no redirect, sends its Origin on POST. */
export class ConsoleClient {
  private readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method === 'POST') headers.origin = this.base;
    const res = await fetch(this.base + path, {
      method,
      headers,
      redirect: 'manual',
      ...(form ? { body: new URLSearchParams(form) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return res;
  }

  async signIn(username: string, password: string): Promise<void> {
    const page = await (await this.request('GET', '/console/dang-nhap')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await this.request('POST', '/console/dang-nhap', { _csrf: token, username, password, tiep: '/console/' });
    if (res.status !== 302 && res.status !== 303)
      throw new Error(`console sign-in answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  }

  async page(path: string): Promise<string> {
    const res = await this.request('GET', path);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    return res.text();
  }
}

/** The unit codes of a console table's rows (`<tr data-unit="…">`), in page order. */
export function rowUnits(html: string, tableId: string): string[] {
  const start = html.indexOf(`id="${tableId}"`);
  if (start < 0) throw new Error(`no table #${tableId} on the page`);
  const table = html.slice(start, html.indexOf('</table>', start));
  return [...table.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1]!);
}

/** Who did a workflow's work, by its history: each workflow task completed and activity started, with when. */
export async function workDoneBy(client: Client, workflowId: string): Promise<Array<{ at: number; identity: string; what: string }>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const out: Array<{ at: number; identity: string; what: string }> = [];
  for (const e of history.events ?? []) {
    const task = e.workflowTaskCompletedEventAttributes?.identity;
    const activity = e.activityTaskStartedEventAttributes?.identity;
    const identity = task ?? activity;
    if (!identity) continue;
    out.push({ at: optionalTsToMs(e.eventTime) ?? 0, identity, what: task ? 'workflow task' : 'activity' });
  }
  return out;
}
