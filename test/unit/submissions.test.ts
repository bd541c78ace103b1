import { describe, expect, it } from 'vitest';
import {
  acknowledgePlanSchema,
  extendDeadlineSchema,
  describeIssues,
  issuesFromText,
  labelIssuePaths,
  parseOrThrow,
  InvalidSubmissionError,
  safeParsePayload,
} from '../../domain/submissions.js';
import { studyPhase } from '../../domain/phases/index.js';

const actor = { id: 'unit:SO-TC', via: 'web' as const };

describe('submission schemas', () => {
  it('accepts a good acknowledgement and normalises Vietnamese text to NFC', () => {
    const decomposed = 'Nguye\u0302\u0303n Va\u0306n A, Bi\u0301 thu\u031b';
    const parsed = parseOrThrow(acknowledgePlanSchema, { phase: 'plan', actor, confirmedBy: decomposed, requestId: 'req-12345678' });
    expect(parsed.confirmedBy).toBe('Nguyễn Văn A, Bí thư');
    expect(parsed.confirmedBy).toBe(parsed.confirmedBy.normalize('NFC'));
  });

  it('refuses an empty confirmer, a wrong type and oversized text, field by field in Vietnamese', () => {
    const r = acknowledgePlanSchema.safeParse({
      phase: 'plan',
      actor,
      confirmedBy: '   ',
      note: 'x'.repeat(5001),
      requestId: 'req-12345678',
    });
    expect(r.success).toBe(false);
    const text = describeIssues(r.error!);
    expect(text).toContain('confirmedBy: Người xác nhận: không được để trống');
    expect(text).toContain('note: Ghi chú: quá dài (tối đa 5000 ký tự)');
    expect(() => parseOrThrow(acknowledgePlanSchema, { phase: 'plan', actor, confirmedBy: 42, requestId: 'req-12345678' })).toThrow(
      InvalidSubmissionError,
    );
  });

  it("says zod's own messages in Vietnamese, and for a clerk names each field by its label, never its id", () => {
    let caught: unknown;
    try {
      parseOrThrow(extendDeadlineSchema, {
        phase: 'plan',
        newDeadline: '2027-03-01',
        reason: 'Đơn vị đang tổ chức đại hội',
        actor: { id: 'x', via: 'system2' },
        requestId: ['a'],
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidSubmissionError);
    const text = (caught as Error).message;
    // Operators and scripts fix a request by its field's name.
    expect(text).toMatch(/^actor\.via: Kênh gửi: không hợp lệ/);
    expect(text).toMatch(/requestId: Đầu vào không hợp lệ/);
    expect(text).not.toMatch(/Invalid input|expected/);
    const forClerk = labelIssuePaths(text, 'plan');
    expect(forClerk).toMatch(/^Kênh gửi: không hợp lệ/);
    expect(forClerk).toMatch(/Mã lần gửi: Đầu vào không hợp lệ/);
    expect(forClerk).not.toMatch(/requestId|actor|\bvia\b/);
    expect(labelIssuePaths('confirmedBy: Người xác nhận: không được để trống; studied: Quá nhỏ: mong đợi số >=0', 'study')).not.toMatch(
      /confirmedBy|studied/,
    );
  });

  it('refuses an impossible new deadline', () => {
    const r = extendDeadlineSchema.safeParse({
      phase: 'plan',
      newDeadline: '2027-02-30',
      reason: 'Đơn vị đang tổ chức đại hội',
      actor,
      requestId: 'req-12345678',
    });
    expect(r.success).toBe(false);
    expect(describeIssues(r.error!)).toMatch(/^newDeadline: Ngày không hợp lệ/);
    expect(labelIssuePaths(describeIssues(r.error!))).toMatch(/^Hạn mới: Ngày không hợp lệ/);
  });
});

describe('issuesFromText', () => {
  it('reads describeIssues back, path by path, even where a message holds "; "', () => {
    const r = safeParsePayload(studyPhase.schema({ members: 95, membersMarginPercent: 10 }), {
      members: 5,
      studied: 6,
      sessionDate: '2027-02-30',
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues;
    expect(issues.some((i) => i.message.includes('; '))).toBe(true);
    expect(issuesFromText(describeIssues(r.error!))).toEqual(issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    expect(issuesFromText('Đã quá hạn (20/03/2027); bản đã nộp không thể sửa.')).toEqual([
      { path: '', message: 'Đã quá hạn (20/03/2027); bản đã nộp không thể sửa.' },
    ]);
  });

  it("writes zod's own messages in Vietnamese at the edge, as parseOrThrow does", () => {
    const r = safeParsePayload(studyPhase.schema({ members: 95 }), 'không phải đối tượng');
    expect(r.error!.issues[0]!.message).not.toMatch(/Invalid|expected/);
    expect(describeIssues(r.error!)).toMatch(/^Đầu vào không hợp lệ/);
  });
});
