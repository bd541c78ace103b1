/**
 * The checker of test/integration/no-raw-ids.test.ts catches what the issue saw on Vietnamese screens (phase ids,
 * field ids, ISO dates, English causes and actors), and ignores what a person does not read as words: tags,
 * attributes, URLs, email addresses, workflow ids, and what the user typed.
 */
import { describe, expect, it } from 'vitest';
import { fieldIds, leaks, visibleText } from '../support/visible-text.js';

const found = (s: string, typed: string[] = []) => leaks(visibleText(s, typed)).map((l) => `${l.what}: ${l.found}`);

describe('the no-raw-ids checker', () => {
  it('knows the fields of every phase from its schema', () => {
    const ids = fieldIds();
    for (const id of ['confirmedBy', 'studied', 'members', 'withPersonalPlan', 'keptPledge', 'inspectedOrgs', 'makeupDate', 'completedOn'])
      expect(ids).toContain(id);
  });

  it('flags what the issue found', () => {
    expect(found('Mở nghĩa vụ plan, hạn 15/02/2027')).toEqual(['phase id: plan']);
    expect(found('Nộp plan lần 1, bởi system qua web')).toEqual(['phase id: plan', 'English word: system']);
    expect(found('Ô “confirmedBy” có ký tự không hợp lệ')).toEqual(['field id: confirmedBy']);
    expect(found('Số đảng viên đã học tập (studied) không được lớn hơn tổng số đảng viên (members)')).toEqual([
      'field id: studied',
      'field id: members',
    ]);
    expect(found('Đã quá hạn (2027-02-15)')).toEqual(['ISO date: 2027-02-15']);
    expect(found('plan not submitted: 49 days past the deadline')).toEqual([
      'phase id: plan',
      'English word: not submitted',
      'English word: days past',
      'English word: deadline',
    ]);
  });

  it('reads only what a person reads', () => {
    expect(
      found('<a href="https://x.vn/f/plan?d=2027-02-15" data-phase="study">Kế hoạch</a> <time datetime="2027-02-15">15/02/2027</time>'),
    ).toEqual([]);
    expect(found('<script>const plan = "2027-02-15"</script><style>.late{}</style>Học tập · UBKT · bithu.u001@itnoraw.example.vn')).toEqual(
      [],
    );
    expect(found('chuky/inspection/DUK-2027/U004/kiem-tra-ubkt · Workflow')).toEqual([]);
    expect(found('<textarea>Kế hoạch members 2027-01-02</textarea>', ['Kế hoạch members 2027-01-02'])).toEqual([]);
  });
});
