/** An escalation names where in a late committee's own tree the delay sits (mail/child-delay.ts). */
import { describe, expect, it } from 'vitest';
import { childDelaySentence, NAMED_LATE_UNITS } from '../../mail/child-delay.js';
import { renderEmail } from '../../mail/render.js';

const delay = (notDone: number, total = 12) => ({
  cycleId: 'DU-XA-2027',
  committeeName: 'Đảng ủy xã Thử Nghiệm',
  total,
  done: total - notDone,
  notDone: Array.from({ length: notDone }, (_, i) => ({
    code: `CB${i + 1}`,
    name: `Chi bộ thôn ${i + 1}`,
    status: i === 0 ? 'not_submitted' : i === 1 ? 'overdue' : 'pending',
    level: i === 0 ? 3 : i === 1 ? 1 : 0,
  })),
});

describe('childDelaySentence', () => {
  it('says nothing for a unit that runs no cycle of its own', () => {
    expect(childDelaySentence(undefined)).toBe('');
  });

  it('counts the units done and names those that are not, with their state and level', () => {
    expect(childDelaySentence(delay(3))).toBe(
      'Trong chu kỳ riêng của Đảng ủy xã Thử Nghiệm (DU-XA-2027): 9/12 đơn vị trực thuộc đã hoàn thành; chưa hoàn thành: ' +
        'Chi bộ thôn 1 (không nộp, mức 3), Chi bộ thôn 2 (quá hạn, mức 1), Chi bộ thôn 3 (chưa đến hạn).',
    );
  });

  it(`names at most ${NAMED_LATE_UNITS} and counts the rest`, () => {
    const s = childDelaySentence(delay(11));
    expect(s).toContain(`Chi bộ thôn ${NAMED_LATE_UNITS} (`);
    expect(s).not.toContain(`Chi bộ thôn ${NAMED_LATE_UNITS + 1} (`);
    expect(s).toMatch(/ và 3 đơn vị khác\.$/);
  });

  it('places the delay in the committee’s own compiling when all its units are done', () => {
    expect(childDelaySentence(delay(0))).toBe(
      'Trong chu kỳ riêng của Đảng ủy xã Thử Nghiệm (DU-XA-2027): 12/12 đơn vị trực thuộc đã hoàn thành; việc chậm nằm ở khâu tổng hợp của cấp ủy.',
    );
  });

  it('appears in the overdue and escalation emails when there is one, and leaves them as they were otherwise', () => {
    const vars = {
      recipientGreeting: 'đồng chí Lê Văn A',
      secretaryName: 'Lê Văn A',
      unitName: 'Đảng ủy xã Thử Nghiệm',
      standingBodyName: 'Ban Tuyên giáo Tỉnh ủy',
      committeeShortName: 'Tỉnh ủy',
      phaseTitle: 'Báo cáo năm',
      planNumber: '12-KH/TU',
      deadlineVi: '30/11/2027',
      days: 3,
      level2Days: 7,
      level3Days: 14,
      link: 'https://chuky.example.vn/f/x',
    };
    const sentence = childDelaySentence(delay(2));
    for (const kind of ['overdue', 'escalation2', 'escalation3']) {
      const withDelay = renderEmail(kind, { ...vars, childDelay: sentence });
      const without = renderEmail(kind, { ...vars, childDelay: '' });
      expect(withDelay.text).toContain(sentence);
      // Escaped as HTML (mustache writes "/" as &#x2F;), in a paragraph of its own.
      expect(withDelay.html).toMatch(/<p>Trong chu kỳ riêng của Đảng ủy xã Thử Nghiệm \(DU-XA-2027\): 10(\/|&#x2F;)12 đơn vị [^<]*\.<\/p>/);
      expect(without.text).not.toContain('Trong chu kỳ riêng');
      expect(without.text).not.toMatch(/\n\n\n/);
    }
  });
});
