/**
 * Why an email is sent, in one Vietnamese line, from what the workflow asked the email activity to send: its kind,
 * the deadline it speaks of, the days left or overdue, the version received, the operator and reason of a repair,
 * the inspection. The activity writes it on the email's outbox row when it creates it, so the unit's timeline
 * reads every email and its reason from that one table instead of rebuilding the reason from the email's key and
 * the events around it.
 */
import { BODY_LABEL_VI, KIND_LABEL_VI, type InspectionBody, type InspectionKind } from '../domain/inspections.js';
import { actorVi, viDate } from '../domain/words.js';
import type { SendUnitEmailInput } from '../domain/workflow-io.js';

/**
 * The email's input, with the operator who asked for it when a person did (an extension, an exemption, a
 * manual reminder). `actor` is optional: a workflow that does not pass it still gets the operator's reason.
 */
export type EmailReasonInput = Pick<SendUnitEmailInput, 'kind' | 'deadline' | 'days' | 'version' | 'reason' | 'late' | 'inspection'> & {
  actor?: string | undefined;
  /** A reminder a person asked for (the `remind` Update), not one of the ladder's. */
  manual?: boolean | undefined;
};

/** "kiểm tra (Ủy ban Kiểm tra)": which inspection, in words. */
function inspectionVi(i: NonNullable<SendUnitEmailInput['inspection']>): string {
  return `${KIND_LABEL_VI[i.kind as InspectionKind] ?? i.kind} (${BODY_LABEL_VI[i.body as InspectionBody] ?? i.body})`;
}

export function emailReasonVi(input: EmailReasonInput): string {
  const deadline = viDate(input.deadline);
  const reason = input.reason?.normalize('NFC').trim();
  // Who asked and why, for the emails a person's act sends.
  const by = input.actor ? ` — ${actorVi(input.actor)}${reason ? `: ${reason}` : ''}` : reason ? `: ${reason}` : '';
  const days = input.days;
  const inspection = input.inspection;
  // The remedy report after an inspection has its own reminders, overdue notices and receipts.
  const remedy =
    inspection && (input.kind === 'reminder' || input.kind === 'overdue' || input.kind === 'receipt')
      ? `báo cáo khắc phục sau ${inspectionVi(inspection)}: `
      : '';
  // Only a person's reminder carries a reason: the ladder's own reminders and notices never do. An inspection's
  // remedy reminder is a person's only by its key (`manual`, the remindRemedy Update), since an inspection
  // email's reason field is never the ladder's.
  const manual =
    (input.kind === 'reminder' || input.kind === 'overdue') &&
    (input.manual === true || (!inspection && reason !== undefined && reason !== ''));
  switch (input.kind) {
    case 'notice':
      return `giai đoạn mở, báo hạn ${deadline}`;
    case 'reminder':
      if (manual) return `${remedy}nhắc hạn thủ công (chuky remind)${by}`;
      return `${remedy}nhắc hạn tự động ${days ?? '?'} ngày trước hạn ${deadline}`;
    case 'overdue':
      if (manual) return `${remedy}nhắc hạn thủ công (chuky remind)${by}`;
      if (remedy) return `${remedy}quá hạn ${deadline}${days !== undefined ? ` ${days} ngày` : ''}`;
      return `quá hạn ${deadline}: báo bí thư, đồng gửi Ban Tuyên giáo (mức 1)`;
    case 'escalation2':
      return `quá hạn ${deadline}${days !== undefined ? ` đã ${days} ngày` : ' đã lâu'}: báo lãnh đạo (mức 2)`;
    case 'escalation3':
      return `quá hạn ${deadline}${days !== undefined ? ` ${days} ngày` : ''}, đến mức 3: ghi nhận không nộp, đề nghị kiểm tra`;
    case 'receipt':
      return (
        `${remedy}xác nhận đã nhận bản ` +
        `nộp${input.version !== undefined ? ` lần ${input.version}` : ''}${input.late ? ' (nộp chậm)' : ''}`
      );
    case 'extension':
      return `gia hạn đến ${deadline}${by}`;
    case 'exemption':
      return `miễn nghĩa vụ${by}`;
    case 'bounce':
      // The workflow passes the addresses that refused the earlier email as its reason.
      return `thư trước đó không gửi được${reason ? ` tới ${reason}` : ''}; báo Ban Tuyên giáo để sửa địa chỉ`;
    case 'inspection-notice':
      return inspection
        ? `thông báo ${inspectionVi(inspection)}${inspection.reason ? `: ${inspection.reason}` : ''}`
        : 'thông báo kiểm tra, giám sát';
    case 'inspection-scheduled':
      return (
        `lịch làm việc của đoàn ${inspection ? inspectionVi(inspection) : 'kiểm tra, giám sát'} ` +
        `ngày ${viDate(inspection?.date ?? input.deadline)}`
      );
    case 'inspection-conclusion':
      return (
        `kết luận ${inspection ? inspectionVi(inspection) : 'kiểm tra, giám sát'} và yêu cầu khắc ` +
        `phục${inspection?.remedyDeadline ? `, hạn báo cáo ${viDate(inspection.remedyDeadline)}` : ''}`
      );
    default: {
      const unknown: never = input.kind;
      return String(unknown);
    }
  }
}
