/**
 * A manual reminder (nhắc thủ công): an operator asks the unit's workflow to remind a unit of one obligation now.
 * The workflow's ladder decides what it is (a reminder before the deadline, an overdue notice after it) and
 * records it; the same request id sends it once. Checked by the same schema in ops/, the client and the
 * workflow's validator, with Vietnamese messages.
 */
import { z } from 'zod';
import { actorSchema, messageVersionSchema, requestIdSchema } from './submissions.js';

/** The shape's version (domain/submissions.ts): absent means 1. */
export { messageVersionSchema };

export const remindSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    phase: z
      .string({ message: 'Giai đoạn: cần ghi giai đoạn cần nhắc' })
      .min(1, { message: 'Giai đoạn: cần ghi giai đoạn cần nhắc' })
      .max(50),
    /** Caller-chosen id: a repeated request is the same reminder, sent and recorded once. */
    requestId: requestIdSchema,
    actor: actorSchema,
    reason: z
      .string({ message: 'Lý do: cần là chuỗi ký tự' })
      .transform((s) => s.normalize('NFC').trim())
      .pipe(z.string().min(3, { message: 'Lý do: cần ghi rõ lý do nhắc' }).max(1000, { message: 'Lý do: quá dài (tối đa 1000 ký tự)' })),
  }),
);
export type Remind = z.infer<typeof remindSchema>;

/** What a manual reminder did: which email, to whom, and how the mail server took it. */
export interface ReminderResult {
  phase: string;
  /** 'reminder' before the deadline passes, 'overdue' from then on. */
  kind: 'reminder' | 'overdue';
  /** Days left before the deadline (reminder), or days past it (overdue, at least 1). */
  days: number;
  deadline: string;
  emailKey: string;
  messageId: string;
  to: string[];
  status: 'sent' | 'already_sent' | 'bounced';
}
