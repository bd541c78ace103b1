/**
 * A unit's whole year in one list, in time order: every email (with why it was sent and what became of it),
 * every submission, every transition and escalation, every repair an operator made, every inspection. Each
 * entry has one line that answers "why did this unit get this email?" or "what happened here?".
 *
 * Times are real instants (`at`); on a compressed calendar `details.calendarAt` is the calendar day the entry
 * speaks for. Summaries are Vietnamese: Ban Tuyên giáo reads them.
 */
import { labelIssuePaths } from '../domain/submissions.js';
import type { Db } from '../db/pool.js';
import { unitRecordRows, type EventRecordRow } from '../db/timeline.js';
import {
  EMAIL_KIND_VI,
  EMAIL_STATUS_VI,
  EVENT_KIND_VI,
  ROLE_VI,
  INSPECTION_ORIGIN_VI,
  INSPECTION_STATUS_VI,
  REPAIR_LABEL,
  actorVi,
  phaseShort,
  statusLong,
  viDate,
  viaVi,
} from '../domain/words.js';
import type { TimelineEntry } from './types.js';

const iso = (v: unknown): string => new Date(v as string).toISOString();

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** An email's name in its key ("reminder-7d", "overdue") in words. */
function emailNameVi(name: string): string {
  const m = /^reminder-(\d+)d$/.exec(name);
  if (m) return `nhắc hạn ${m[1]} ngày trước hạn`;
  if (name === 'escalation-2') return EMAIL_KIND_VI.escalation2!;
  if (name === 'escalation-3') return EMAIL_KIND_VI.escalation3!;
  return EMAIL_KIND_VI[name] ?? name;
}

/** The parts of an email key (domain/ids.ts emailKey): `<cycle>/<unit>/<phase>/<name>[@<deadline or request>][#<seq>]`. */
export function parseEmailKey(
  key: string,
  cycleId: string,
  unitCode: string,
): { phase: string; name: string; at?: string; seq?: number } | undefined {
  const prefix = `${cycleId}/${unitCode}/`;
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const phase = rest.slice(0, slash);
  let tail = rest.slice(slash + 1);
  let seq: number | undefined;
  const hash = /#(\d+)$/.exec(tail);
  if (hash) {
    seq = Number(hash[1]);
    tail = tail.slice(0, hash.index);
  }
  const atIndex = tail.indexOf('@');
  const name = atIndex < 0 ? tail : tail.slice(0, atIndex);
  const at = atIndex < 0 ? undefined : tail.slice(atIndex + 1);
  return { phase, name, ...(at !== undefined ? { at } : {}), ...(seq !== undefined ? { seq } : {}) };
}

/** Why an email was sent, from the purpose its key names (and, for operators' acts, who asked and why). */
function emailWhy(
  keyPhase: string,
  name: string,
  atPart: string | undefined,
  seq: number | undefined,
  act: { actor: string; reason: string | null } | undefined,
): string {
  const by = act ? ` — ${actorVi(act.actor)}${act.reason ? `: ${act.reason}` : ''}` : '';
  const at = atPart?.split('@')[0];
  let m: RegExpExecArray | null;
  // An inspection's emails are keyed under `inspection-<kind>-<body>` rather than a phase.
  if ((m = /^inspection-(kiem-tra|giam-sat)-(.+)$/.exec(keyPhase))) {
    const what = `${m[1] === 'giam-sat' ? 'giám sát' : 'kiểm tra'} (${m[2] === 'ubkt' ? 'Ủy ban Kiểm tra' : 'Ban Thường vụ'})`;
    if (name === 'notice') return `thông báo ${what}`;
    if (name === 'scheduled') return `lịch làm việc của đoàn ${what} ngày ${viDate(at)}`;
    if (name === 'conclusion') return `kết luận ${what} và yêu cầu khắc phục`;
  }
  if (name === 'reminder-manual') return `nhắc hạn thủ công (chuky remind)${by}`;
  if ((m = /^reminder-(\d+)d$/.exec(name))) return `nhắc hạn tự động ${m[1]} ngày trước hạn ${viDate(at)}`;
  if (name === 'notice') return `giai đoạn mở, báo hạn ${viDate(at)}`;
  if (name === 'overdue') return `quá hạn ${viDate(at)}: báo bí thư, đồng gửi Ban Tuyên giáo (mức 1)`;
  if (name === 'escalation-2') return `quá hạn ${viDate(at)} đã lâu: báo lãnh đạo (mức 2)`;
  if (name === 'escalation-3') return `quá hạn ${viDate(at)} đến mức 3: ghi nhận không nộp, đề nghị kiểm tra`;
  if (name === 'receipt') return `xác nhận đã nhận bản nộp${seq !== undefined ? ` lần ${seq}` : ''}`;
  if (name === 'extension') return `gia hạn đến ${viDate(at)}${by}`;
  if (name === 'exemption') return `miễn nghĩa vụ${by}`;
  if (name.startsWith('bounce-'))
    return `thư “${emailNameVi(name.slice('bounce-'.length))}” trước đó không gửi được; báo Ban Tuyên giáo để sửa địa chỉ`;
  if (name.startsWith('remedy-')) return `báo cáo khắc phục sau kiểm tra: ${emailWhy('', name.slice('remedy-'.length), atPart, seq, act)}`;
  return `${emailNameVi(name)}${at ? ` (${viDate(at)})` : ''}`;
}

/** The fields of an event's data the timeline reads (each transition writes its own; all are optional). */
interface EventData {
  newDeadline?: string;
  kind?: string;
  to?: string[];
  emailKind?: string;
  emailKey?: string;
  summary?: string;
}

const dataOf = (e: EventRecordRow): EventData => e.data ?? {};

function eventSummary(e: EventRecordRow): string {
  const reason = e.reason ? `: ${e.reason}` : '';
  const data = dataOf(e);
  switch (e.kind) {
    case 'opened':
      return `Mở giai đoạn ${phaseShort(e.phase)}, hạn ${viDate(e.deadline)}`;
    case 'overdue':
      return `Quá hạn ${viDate(e.deadline)} (mức 1)`;
    case 'escalation2':
      return `Mức 2${reason}`;
    case 'escalation3':
      return `Mức 3${reason}`;
    case 'inspection_proposed':
      return `Đề nghị kiểm tra${reason}`;
    case 'under_target':
      return `Chưa đạt chỉ tiêu${reason}`;
    case 'extended':
      return `Gia hạn đến ${viDate(data.newDeadline ?? e.deadline)}, bởi ${actorVi(e.actor)}${reason}`;
    case 'exempted':
      return `Miễn, bởi ${actorVi(e.actor)}${reason}`;
    case 'unit_removed':
      return `Đơn vị rời chu kỳ, bởi ${actorVi(e.actor)}${reason}`;
    case 'email_bounced':
      return `Thư “${(data.kind && EMAIL_KIND_VI[data.kind]) ?? data.kind ?? ''}” không gửi được tới ${(data.to ?? []).join(', ')}`;
    case 'manual_reminder':
      return (
        `Nhắc hạn thủ công (${data.emailKind === 'overdue' ? 'thông báo quá hạn' : 'nhắc hạn'}) ` +
        `tới ${(data.to ?? []).join(', ')}, bởi ${actorVi(e.actor)}${reason}`
      );
    default:
      if (String(e.kind).startsWith('inspection_')) {
        const what = String(e.kind).slice('inspection_'.length);
        return `Kiểm tra, giám sát: ${EVENT_KIND_VI[e.kind] ?? what.replace(/_/g, ' ')}${reason}`;
      }
      return (
        `${capitalise(EVENT_KIND_VI[e.kind] ?? 'thay đổi')}: ${statusLong(e.status).toLowerCase()}, ` + `mức ${e.escalation_level}${reason}`
      );
  }
}

export async function unitTimeline(db: Db, cycleId: string, unitCode: string): Promise<TimelineEntry[]> {
  const { emails, submissions, events, audits, inspections } = await unitRecordRows(db, cycleId, unitCode);

  // Operators' acts that explain an email: a manual reminder (its event carries the email key), an extension
  // or an exemption (their events carry phase and deadline).
  const actsByEmailKey = new Map<string, { actor: string; reason: string | null }>();
  const extensions = new Map<string, { actor: string; reason: string | null }>();
  const exemptions = new Map<string, { actor: string; reason: string | null }>();
  const submissionSummaries = new Map<string, string>();
  for (const e of events) {
    const act = { actor: e.actor, reason: e.reason ?? null };
    const data = dataOf(e);
    if (e.kind === 'manual_reminder' && data.emailKey) actsByEmailKey.set(data.emailKey, act);
    if (e.kind === 'extended') extensions.set(`${e.phase}@${data.newDeadline ?? e.deadline}`, act);
    if (e.kind === 'exempted') exemptions.set(e.phase, act);
    if ((e.kind === 'submitted' || e.kind === 'revised') && data.summary) submissionSummaries.set(e.event_key, data.summary);
  }

  // Entries keep their source order for equal instants: [instant, source rank, id].
  const out: Array<TimelineEntry & { sort: [number, number, number] }> = [];

  for (const m of emails) {
    const key = parseEmailKey(m.email_key, cycleId, unitCode);
    const act =
      actsByEmailKey.get(m.email_key) ??
      (key?.name === 'extension'
        ? extensions.get(`${m.phase}@${key.at}`)
        : key?.name === 'exemption'
          ? exemptions.get(m.phase)
          : undefined);
    // Why it was sent: written on the email's own row when it was created. Rows written before that column
    // existed have none; their reason is rebuilt from the key and the operator's act, as it was before.
    const why = m.reason ?? (key ? emailWhy(key.phase, key.name, key.at, key.seq, act) : m.email_key);
    const kindVi = EMAIL_KIND_VI[m.kind] ?? emailNameVi(m.kind);
    const recipients = `${m.to_addrs.join(', ')}${m.cc_addrs?.length ? ` (cc ${m.cc_addrs.join(', ')})` : ''}`;
    const status = `${EMAIL_STATUS_VI[m.status] ?? m.status}${m.status !== 'sent' && m.last_error ? ` (${m.last_error})` : ''}`;
    const at = m.sent_at ?? m.created_at;
    out.push({
      at: iso(at),
      kind: 'email',
      phase: m.phase,
      summary: `Thư ${kindVi} tới ${recipients} — vì ${why}; ${status}`,
      actor: act?.actor ?? 'system',
      reason: act?.reason ?? null,
      details: {
        emailKey: m.email_key,
        emailKind: m.kind,
        subject: m.subject,
        to: m.to_addrs,
        cc: m.cc_addrs,
        status: m.status,
        attempts: m.attempts,
        lastError: m.last_error,
        bounced: m.status === 'bounced' || m.status === 'partial',
        reason: why,
        messageId: m.message_id,
        calendarAt: iso(m.calendar_at),
      },
      sort: [new Date(at).getTime(), 2, Number(m.id)],
    });
  }

  for (const s of submissions) {
    const payload = s.payload ?? {};
    const outcome = submissionSummaries.get(s.submission_key);
    const note = typeof payload.note === 'string' && payload.note ? ` — ghi chú: ${payload.note}` : '';
    out.push({
      at: iso(s.submitted_at),
      kind: 'submission',
      phase: s.phase,
      summary:
        `${s.version === 1 ? 'Nộp' : 'Sửa'} ${phaseShort(s.phase)} ` +
        `lần ${s.version}${s.late ? ' (nộp chậm)' : ''}, bởi ${actorVi(s.actor)} ` +
        `qua ${viaVi(s.via)}${outcome ? `: ${outcome}` : ''}${note}`,
      actor: s.actor,
      reason: null,
      details: { version: s.version, late: s.late, via: s.via, submissionKey: s.submission_key, payload, calendarAt: iso(s.calendar_at) },
      sort: [new Date(s.submitted_at).getTime(), 1, Number(s.id)],
    });
  }

  for (const e of events) {
    // Submissions have their own entries (with version, lateness and payload).
    if (e.kind === 'submitted' || e.kind === 'revised') continue;
    const inspection = String(e.kind).startsWith('inspection_') && e.kind !== 'inspection_proposed';
    out.push({
      at: iso(e.at),
      kind: inspection ? 'inspection' : 'transition',
      phase: e.phase,
      summary: eventSummary(e),
      actor: e.actor,
      reason: e.reason ?? null,
      details: {
        event: e.kind,
        status: e.status,
        escalationLevel: e.escalation_level,
        deadline: e.deadline,
        ...(e.data ? { data: e.data } : {}),
        calendarAt: iso(e.calendar_at),
      },
      sort: [new Date(e.at).getTime(), 0, Number(e.id)],
    });
  }

  for (const a of audits) {
    const outcome = a.outcome === 'ok' ? 'xong' : a.outcome === 'refused' ? 'bị từ chối' : 'thất bại';
    out.push({
      at: iso(a.at),
      kind: 'repair',
      phase: a.phase ?? null,
      summary:
        `Sửa chữa “${REPAIR_LABEL[a.action] ?? a.action}” bởi ${actorVi(a.actor)} ` +
        `(${ROLE_VI[a.role] ?? a.role}), ${outcome}${a.message ? `: ${labelIssuePaths(a.message, a.phase ?? undefined)}` : ''} ` +
        `— lý do: ${a.reason}`,
      actor: a.actor,
      reason: a.reason,
      details: {
        auditId: Number(a.id),
        action: a.action,
        outcome: a.outcome,
        message: a.message,
        workflowId: a.workflow_id,
        requestId: a.request_id,
        ...(a.details ?? {}),
      },
      sort: [new Date(a.at).getTime(), 3, Number(a.id)],
    });
  }

  for (const i of inspections) {
    out.push({
      at: iso(i.created_at),
      kind: 'inspection',
      phase: 'inspection-remedy',
      summary:
        `${i.kind === 'giam-sat' ? 'Giám sát' : 'Kiểm tra'} ` +
        `(${i.body === 'ubkt' ? 'Ủy ban Kiểm tra' : 'Ban Thường vụ'}, ${INSPECTION_ORIGIN_VI[i.origin] ?? i.origin})${i.reason ? `: ${i.reason}` : ''} ` +
        `— hiện: ${(INSPECTION_STATUS_VI[i.status] ?? i.status).toLowerCase()}${i.remedy_deadline ? `, hạn khắc phục ${viDate(i.remedy_deadline)}` : ''}`,
      actor: null,
      reason: i.reason ?? null,
      details: {
        inspectionId: i.id,
        status: i.status,
        scheduledOn: i.scheduled_on,
        remedyDeadline: i.remedy_deadline,
        escalationLevel: i.escalation_level,
        updatedAt: iso(i.updated_at),
      },
      sort: [new Date(i.created_at).getTime(), 4, 0],
    });
  }

  out.sort((x, y) => x.sort[0] - y.sort[0] || x.sort[1] - y.sort[1] || x.sort[2] - y.sort[2]);
  return out.map(({ sort: _sort, ...entry }) => entry);
}
