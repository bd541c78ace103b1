/**
 * Where an email is sent. Renders the template for the unit and kind, attaches the deadline as iCalendar,
 * and sends it through the outbox so that a retried activity never sends the same email twice.
 */
import { committeeSender } from '../mail/sender.js';
import { childDelayOf } from '../db/cycle-tree.js';
import { childDelaySentence } from '../mail/child-delay.js';
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/pool.js';
import { getCycleAndUnit, type CycleRow, type UnitRow } from '../db/cycles.js';
import {
  claimEmail,
  inOutboxTransaction,
  markEmail,
  recordOutcomeAfterLostClaim,
  type OutboxEmail,
  type OutboxOutcome,
  type SmtpOutcome,
} from '../db/outbox.js';
import type pg from 'pg';
import { emailReasonVi, type EmailReasonInput } from './email-reason.js';
import { messageIdFor } from '../domain/ids.js';
import { formatVietnameseDate } from '../domain/calendar.js';
import { phasePolicy, phaseTitle } from '../config/phase-lookup.js';
import { BODY_LABEL_VI, KIND_LABEL_VI, type InspectionBody, type InspectionKind } from '../domain/inspections.js';
import { renderEmail } from '../mail/render.js';
import { deadlineIcs } from '../mail/ics.js';
import { isPermanentSmtpFailure, type Mailer } from '../mail/transport.js';
import { formUrl, signLink } from '../auth/links.js';
import type { EmailKind, SendUnitEmailInput, SendUnitEmailResult } from '../domain/workflow-io.js';

export interface EmailDeps {
  db: Db;
  mailer: Mailer;
  mailFrom: string;
  publicBaseUrl: string;
  signingSecret: string;
  templatesDir?: string | undefined;
}

function unique(addresses: (string | null | undefined)[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses) {
    if (!a) continue;
    const k = a.toLowerCase();
    if (!seen.has(k)) {
      seen.add(k);
      out.push(a);
    }
  }
  return out;
}

/** `addresses` without those in `exclude`, compared case-insensitively as `unique` does. */
function except(addresses: string[], exclude: string[]): string[] {
  const excluded = new Set(exclude.map((a) => a.toLowerCase()));
  return addresses.filter((a) => !excluded.has(a.toLowerCase()));
}

/** Who receives each kind of email (DOMAIN.md, "Reminders and escalation"). Nobody is both in To and in Cc. */
export function recipientsFor(kind: EmailKind, cycle: CycleRow, unit: UnitRow): { to: string[]; cc: string[]; greeting: string } {
  const committee = cycle.definition.committee;
  const unitPeople = unique([unit.contactEmail, unit.secretaryEmail]);
  const leaders = unique(committee.leaders.map((l) => l.email));
  const standing = committee.standingBody.email;
  switch (kind) {
    case 'overdue':
      return {
        to: [unit.secretaryEmail],
        cc: except(unique([unit.contactEmail, standing]), [unit.secretaryEmail]),
        greeting: `đồng chí ${unit.secretaryName}`,
      };
    case 'escalation2':
      return { to: leaders, cc: except([standing], leaders), greeting: `Thường trực ${committee.shortName ?? committee.name}` };
    case 'inspection-notice':
    case 'inspection-scheduled':
    case 'inspection-conclusion':
      return {
        to: [unit.secretaryEmail],
        cc: except(unique([unit.contactEmail, standing]), [unit.secretaryEmail]),
        greeting: `đồng chí ${unit.secretaryName}`,
      };
    case 'bounce':
      return { to: [standing], cc: except([unit.secretaryEmail], [standing]), greeting: committee.standingBody.name };
    case 'escalation3':
      return { to: [standing], cc: except(leaders, [standing]), greeting: committee.standingBody.name };
    default:
      return { to: unitPeople, cc: [], greeting: unit.contactName ? `đồng chí ${unit.contactName}` : `đồng chí ${unit.secretaryName}` };
  }
}

const WITH_CALENDAR: ReadonlySet<EmailKind> = new Set(['notice', 'reminder', 'extension', 'inspection-scheduled', 'inspection-conclusion']);
/** The emails of a unit's ladder after its deadline: they name where the delay sits when the unit runs a child cycle. */
const ESCALATION_KINDS: ReadonlySet<EmailKind> = new Set(['overdue', 'escalation2', 'escalation3']);

export function createEmailActivities(deps: EmailDeps) {
  const domain = /@([^>\s]+)>?\s*$/.exec(deps.mailFrom)?.[1] ?? 'chuky.local';

  /**
   * `actor`: the operator whose act sends this email (an extension, an exemption, a manual reminder), when the
   * workflow names one; it goes into the email's reason.
   */
  async function sendUnitEmail(input: SendUnitEmailInput & Pick<EmailReasonInput, 'actor'>): Promise<SendUnitEmailResult> {
    const { cycle, unit } = await getCycleAndUnit(deps.db, input.cycleId, input.unitCode);
    if (!cycle) throw ApplicationFailure.nonRetryable(`cycle ${input.cycleId} is not registered`, 'UnknownCycle');
    if (!unit) throw ApplicationFailure.nonRetryable(`unit ${input.unitCode} is not in cycle ${input.cycleId}`, 'UnknownUnit');
    const def = cycle.definition;
    const policy = phasePolicy(def, input.phase);
    const { to, cc, greeting } = recipientsFor(input.kind, cycle, unit);
    // The link lives until well after the last escalation, so a late unit can still submit from any email.
    const linkExpiry = Date.now() + (policy.escalation.level3AfterDays + 60) * 86_400_000 + Math.max(0, input.calendarAt - Date.now());
    const link = formUrl(
      deps.publicBaseUrl,
      await signLink({ cycleId: input.cycleId, unitCode: input.unitCode, phase: input.phase }, deps.signingSecret, linkExpiry),
    );
    const vars = {
      recipientGreeting: greeting,
      committeeName: def.committee.name,
      committeeShortName: def.committee.shortName ?? def.committee.name,
      standingBodyName: def.committee.standingBody.name,
      standingBodyEmail: def.committee.standingBody.email,
      planNumber: def.plan.number,
      planTitle: def.plan.title,
      planUrl: def.plan.url ?? '',
      phaseTitle: phaseTitle(def, input.phase),
      summary: input.summary ?? '',
      inspectionKind: input.inspection ? (KIND_LABEL_VI[input.inspection.kind as InspectionKind] ?? input.inspection.kind) : '',
      inspectionBody: input.inspection ? (BODY_LABEL_VI[input.inspection.body as InspectionBody] ?? input.inspection.body) : '',
      inspectionReason: input.inspection?.reason ?? '',
      inspectionDateVi: input.inspection?.date ? formatVietnameseDate(input.inspection.date) : '',
      conclusion: input.inspection?.conclusion ?? '',
      remedies: input.inspection?.remedies ?? [],
      hasRemedies: (input.inspection?.remedies?.length ?? 0) > 0,
      remedyDeadlineVi: input.inspection?.remedyDeadline ? formatVietnameseDate(input.inspection.remedyDeadline) : '',
      unitName: unit.name,
      secretaryName: unit.secretaryName,
      deadline: input.deadline,
      deadlineVi: formatVietnameseDate(input.deadline),
      days: input.days ?? '',
      version: input.version ?? '',
      late: input.late ?? false,
      reason: input.reason ?? '',
      level2Days: policy.escalation.level2AfterDays,
      level3Days: policy.escalation.level3AfterDays,
      link,
      // A remedy report ends its inspection: the receipt has no form left to revise.
      final: input.kind === 'receipt' && input.phase.startsWith('inspection-'),
    };
    // A late unit that runs its own cycle: say where in its tree the delay sits (only escalations ask the database).
    const childDelay = ESCALATION_KINDS.has(input.kind)
      ? childDelaySentence(await childDelayOf(deps.db, input.cycleId, input.unitCode, input.phase))
      : '';
    const rendered = renderEmail(input.kind, { ...vars, childDelay }, deps.templatesDir);
    const messageId = messageIdFor(input.key, domain);
    const attachments =
      WITH_CALENDAR.has(input.kind) && (input.kind !== 'inspection-conclusion' || input.inspection?.remedyDeadline)
        ? [
            {
              filename: 'han-nop.ics',
              contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
              content: deadlineIcs({
                // The inspection visit is its own calendar event; every other deadline of an obligation updates one event.
                uid: `${input.cycleId}/${input.unitCode}/${input.phase}${input.kind === 'inspection-scheduled' ? '/visit' : ''}@${domain}`,
                deadline: input.deadline,
                summary:
                  input.kind === 'inspection-scheduled'
                    ? `Làm việc ${vars.inspectionKind}: ${vars.inspectionBody} (${unit.name})`
                    : `Hạn: ${vars.phaseTitle} (${unit.name})`,
                description: `${def.plan.number}. Nộp tại: ${link}`,
                url: link,
                timeZone: def.timezone,
                // Later deadlines (extensions) must replace the event in the calendar, so the sequence grows with the date.
                sequence: Number(input.deadline.replaceAll('-', '')) - 20_000_000,
              }),
            },
          ]
        : [];

    // The outbox row is written with why the email is sent, so the unit's timeline reads both from one table.
    // A manual reminder is sent under its own purpose, `reminder-manual@<request>` (domain/ids.ts emailKey).
    const reason = emailReasonVi({ ...input, manual: input.key.includes('/reminder-manual@') });
    const email: OutboxEmail = {
      key: input.key,
      messageId,
      cycleId: input.cycleId,
      unitCode: input.unitCode,
      phase: input.phase,
      kind: input.kind,
      to,
      cc,
      subject: rendered.subject,
      calendarAt: input.calendarAt,
      reason,
    };
    // What the SMTP server answered, once it has: from then on the outcome must be recorded, whatever the
    // claim's transaction does (below).
    let answered: { outcome: SmtpOutcome; value: SendUnitEmailResult } | undefined;
    const settle = async (client: pg.PoolClient, outcome: SmtpOutcome, value: SendUnitEmailResult) => {
      answered = { outcome, value };
      await markEmail(client, input.key, outcome);
      return { value };
    };
    try {
      return await inOutboxTransaction(deps.db, async (client): Promise<OutboxOutcome<SendUnitEmailResult>> => {
        const claim = await claimEmail(client, email);
        if (claim.status !== 'pending')
          return { value: { status: claim.status === 'sent' ? 'already_sent' : 'bounced', messageId: claim.messageId, to } };
        let refused: string[];
        try {
          const sender = committeeSender(deps.mailFrom, def.committee.standingBody);
          const result = await deps.mailer.send({
            from: sender.from,
            replyTo: sender.replyTo,
            sender: sender.sender,
            envelopeFrom: sender.envelopeFrom,
            to,
            cc,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            messageId: claim.messageId,
            attachments,
            headers: { 'X-Chuky-Key': input.key, 'X-Chuky-Kind': input.kind },
          });
          refused = result.rejected;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (isPermanentSmtpFailure(err))
            return settle(client, { status: 'bounced', error: message }, { status: 'bounced', messageId: claim.messageId, to });
          await markEmail(client, input.key, { status: 'pending', error: message });
          return { fail: err }; // temporary (4xx, refused connection): recorded, then the activity retries with backoff
        }
        // Delivered to the others; the refused addresses are a bounce the workflow escalates.
        if (refused.length)
          return settle(
            client,
            { status: 'partial', error: `refused: ${refused.join(', ')}` },
            { status: 'bounced', messageId: claim.messageId, to: refused },
          );
        return settle(client, { status: 'sent' }, { status: 'sent', messageId: claim.messageId, to });
      });
    } catch (err) {
      if (!answered) throw err;
      // The server has its answer but the transaction that claimed the row is gone (the database restarted in the
      // middle of the send): record the answer anew, so the retry finds the row settled instead of sending again.
      await recordOutcomeAfterLostClaim(deps.db, email, answered.outcome);
      return answered.value;
    }
  }

  return { sendUnitEmail };
}
