/** The console says the engine-busy lines of the audit log in Vietnamese (domain/words.ts auditMessageVi). */
import { describe, expect, it } from 'vitest';

describe('auditMessageVi', () => {
  it('says the engine-busy lines in Vietnamese on the console, and leaves other messages as written', async () => {
    const { auditMessageVi } = await import('../../domain/words.js');
    const { engineBusyLine } = await import('../../client/unit-actions.js');
    expect(auditMessageVi(engineBusyLine(3_000))).toBe(
      'Temporal không trả lời trong 3 giây (hệ thống bận hoặc không có worker nhận việc); chưa có gì thay đổi trừ khi hồ sơ của đơn vị cho thấy; hãy thử lại',
    );
    expect(auditMessageVi(engineBusyLine(2_500))).toContain('trong 2,5 giây');
    expect(
      auditMessageVi(
        'busy, not confirmed: Temporal did not answer in time; not applied unless the unit’s record shows it — retry with the same requestId (applied once)',
      ),
    ).toMatch(/^Hệ thống bận, chưa được xác nhận/);
    expect(auditMessageVi('Hạn mới phải sau hạn hiện tại')).toBe('Hạn mới phải sau hạn hiện tại');
  });
});
