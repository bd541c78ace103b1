/**
 * Why an email is sent, as the email activity writes it on the outbox row (activities/email-reason.ts): every
 * kind in Vietnamese (NFC), the operator and reason of a person's act, a manual reminder told from the ladder's.
 */
import { describe, expect, it } from 'vitest';
import { emailReasonVi, type EmailReasonInput } from '../../activities/email-reason.js';

const base = { deadline: '2027-03-08' } as const;
const inspection = { kind: 'kiem-tra', body: 'ubkt', reason: 'Chậm nộp kế hoạch', date: '2027-05-05', remedyDeadline: '2027-06-30' };

describe('emailReasonVi', () => {
  it('says why each of the ladder’s emails is sent, with its dates and days', () => {
    const cases: Array<[EmailReasonInput, string]> = [
      [{ ...base, kind: 'notice' }, 'giai đoạn mở, báo hạn 08/03/2027'],
      [{ ...base, kind: 'reminder', days: 7 }, 'nhắc hạn tự động 7 ngày trước hạn 08/03/2027'],
      [{ ...base, kind: 'overdue', days: 1 }, 'quá hạn 08/03/2027: báo bí thư, đồng gửi Ban Tuyên giáo (mức 1)'],
      [{ ...base, kind: 'escalation2', days: 7 }, 'quá hạn 08/03/2027 đã 7 ngày: báo lãnh đạo (mức 2)'],
      [{ ...base, kind: 'escalation3', days: 30 }, 'quá hạn 08/03/2027 30 ngày, đến mức 3: ghi nhận không nộp, đề nghị kiểm tra'],
      [{ ...base, kind: 'receipt', version: 1 }, 'xác nhận đã nhận bản nộp lần 1'],
      [
        { ...base, kind: 'bounce', reason: 'bi-thu@u1.example' },
        'thư trước đó không gửi được tới bi-thu@u1.example; báo Ban Tuyên giáo để sửa địa chỉ',
      ],
    ];
    for (const [input, reason] of cases) expect(emailReasonVi(input), input.kind).toBe(reason);
  });

  it('names the operator and the reason of an extension, an exemption and a manual reminder', () => {
    expect(emailReasonVi({ ...base, kind: 'extension', reason: 'Kiện toàn cấp ủy', actor: 'operator:an' })).toBe(
      'gia hạn đến 08/03/2027 — an: Kiện toàn cấp ủy',
    );
    // Without the operator (a workflow that does not name them), the reason alone.
    expect(emailReasonVi({ ...base, kind: 'exemption', reason: 'Sáp nhập' })).toBe('miễn nghĩa vụ: Sáp nhập');
    expect(emailReasonVi({ ...base, kind: 'reminder', days: 3, reason: 'Chưa nhận được thư', actor: 'console:lan' })).toBe(
      'nhắc hạn thủ công (chuky remind) — lan: Chưa nhận được thư',
    );
    // Past the deadline the ladder sends the overdue notice; it is still the operator's reminder.
    expect(emailReasonVi({ ...base, kind: 'overdue', days: 2, reason: 'Gọi điện không được', actor: 'operator:an' })).toBe(
      'nhắc hạn thủ công (chuky remind) — an: Gọi điện không được',
    );
    // Told by its purpose alone when the workflow passed neither.
    expect(emailReasonVi({ ...base, kind: 'reminder', days: 3, manual: true })).toBe('nhắc hạn thủ công (chuky remind)');
  });

  it('says which inspection an inspection’s email is about, and marks the remedy report’s reminders', () => {
    expect(emailReasonVi({ ...base, kind: 'inspection-notice', inspection })).toBe(
      'thông báo kiểm tra (Ủy ban Kiểm tra): Chậm nộp kế hoạch',
    );
    expect(emailReasonVi({ ...base, kind: 'inspection-scheduled', inspection })).toBe(
      'lịch làm việc của đoàn kiểm tra (Ủy ban Kiểm tra) ngày 05/05/2027',
    );
    expect(
      emailReasonVi({ ...base, kind: 'inspection-conclusion', inspection: { ...inspection, kind: 'giam-sat', body: 'ban-thuong-vu' } }),
    ).toBe('kết luận giám sát (Ban Thường vụ) và yêu cầu khắc phục, hạn báo cáo 30/06/2027');
    expect(emailReasonVi({ ...base, kind: 'reminder', days: 3, inspection, manual: false })).toBe(
      'báo cáo khắc phục sau kiểm tra (Ủy ban Kiểm tra): nhắc hạn tự động 3 ngày trước hạn 08/03/2027',
    );
    expect(emailReasonVi({ ...base, kind: 'receipt', version: 1, late: true, inspection })).toBe(
      'báo cáo khắc phục sau kiểm tra (Ủy ban Kiểm tra): xác nhận đã nhận bản nộp lần 1 (nộp chậm)',
    );
  });

  it('writes NFC whatever form the operator typed', () => {
    const decomposed = 'Kiện toàn'.normalize('NFD');
    const reason = emailReasonVi({ ...base, kind: 'extension', reason: decomposed, actor: 'operator:an' });
    expect(reason).toBe(reason.normalize('NFC'));
    expect(reason).toContain('Kiện toàn'.normalize('NFC'));
  });
});
