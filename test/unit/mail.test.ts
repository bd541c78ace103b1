/**
 * The pure parts of sending an email: templates rendered in NFC Vietnamese with HTML escaped only in HTML, the
 * operator's template override, the deadline as an RFC 5545 calendar, signed links, SMTP timeouts, and who
 * receives each kind of email. No services.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { renderEmail } from '../../mail/render.js';
import { deadlineIcs } from '../../mail/ics.js';
import { isPermanentSmtpFailure, withTimeouts } from '../../mail/transport.js';
import { formUrl, LinkError, signLink, verifyLink } from '../../auth/links.js';
import { recipientsFor } from '../../activities/email.js';
import { CycleDefinitionSchema } from '../../config/cycle.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import type { CycleRow, UnitRow } from '../../db/cycles.js';
import type { EmailKind } from '../../domain/workflow-io.js';

const isNfc = (s: string) => s === s.normalize('NFC');

/** Decodes the character references Mustache writes, to compare HTML text with plain text. */
function decodeEntities(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const LINK = 'https://chuky.example.vn/f/eyJhbGciOiJIUzI1NiJ9.eyJjIjoiREVNTy0yMDI3In0.sig_-x';

/** The variables sendUnitEmail passes, with Vietnamese values. */
function vars(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipientGreeting: 'đồng chí Trần Thị Liên Hệ',
    committeeName: 'ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH',
    committeeShortName: 'Đảng ủy Khối',
    standingBodyName: 'Ban Tuyên giáo và Dân vận Đảng ủy Khối',
    standingBodyEmail: 'btg@example.vn',
    planNumber: '64-KH/ĐUK',
    planTitle: 'Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2027',
    planUrl: '',
    phaseTitle: 'Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị',
    unitName: 'Đảng bộ Sở Tài chính',
    secretaryName: 'Nguyễn Văn Bí Thư',
    deadline: '2027-02-15',
    deadlineVi: '15/02/2027',
    days: 3,
    version: 2,
    late: false,
    reason: 'Đơn vị đang kiện toàn cấp ủy',
    level2Days: 7,
    level3Days: 14,
    link: LINK,
    ...overrides,
  };
}

/** Per kind: words each of subject and text must contain besides the unit name. */
const KINDS: Record<EmailKind, { subject: string[]; text: string[] }> = {
  notice: {
    subject: ['[64-KH/ĐUK]', 'hạn 15/02/2027', 'Tiếp nhận kế hoạch'],
    text: ['Kính gửi đồng chí Trần Thị Liên Hệ', 'đã ban hành Kế hoạch học tập', 'Hạn nộp: 15/02/2027', `Xác nhận và nộp tại: ${LINK}`],
  },
  reminder: {
    subject: ['Nhắc hạn: còn 3 ngày', 'hạn 15/02/2027'],
    text: ['chưa hoàn thành', 'Còn 3 ngày — hạn 15/02/2027', `Xác nhận và nộp tại: ${LINK}`],
  },
  overdue: {
    subject: ['QUÁ HẠN:', 'chưa Tiếp nhận kế hoạch', '(hạn 15/02/2027)'],
    text: [
      'Kính gửi đồng chí Nguyễn Văn Bí Thư, Bí thư',
      'Quá hạn 7 ngày sẽ báo cáo Thường trực Đảng ủy Khối',
      'quá hạn 14 ngày',
      `Nộp tại: ${LINK}`,
    ],
  },
  escalation2: {
    subject: ['Báo cáo:', 'quá hạn 3 ngày'],
    text: ['bí thư: đồng chí Nguyễn Văn Bí Thư', 'Đề nghị Thường trực chỉ đạo', 'hạn 15/02/2027'],
  },
  escalation3: { subject: ['Ghi nhận không nộp:', '(quá hạn 3 ngày)'], text: ['KHÔNG NỘP', 'nộp chậm'] },
  receipt: { subject: ['Đã nhận:', '(lần 2)'], text: ['lần nộp thứ 2', 'Bản nộp đúng hạn (15/02/2027)', `Xem lại hoặc bổ sung: ${LINK}`] },
  extension: {
    subject: ['Gia hạn:', 'hạn mới 15/02/2027'],
    text: ['đồng ý gia hạn', 'Hạn mới: 15/02/2027', 'Lý do: Đơn vị đang kiện toàn cấp ủy', `Xác nhận và nộp tại: ${LINK}`],
  },
  exemption: { subject: ['Miễn:'], text: ['được miễn', 'Lý do: Đơn vị đang kiện toàn cấp ủy'] },
  'inspection-notice': { subject: ['Thông báo'], text: ['Bí thư', 'Lịch làm việc cụ thể sẽ được thông báo sau'] },
  'inspection-scheduled': { subject: ['Lịch'], text: ['sẽ làm việc với đơn vị'] },
  'inspection-conclusion': { subject: ['Kết luận'], text: ['kết luận'] },
  bounce: {
    subject: ['Thư không gửi được:'],
    text: ['không gửi được tới địa chỉ: Đơn vị đang kiện toàn cấp ủy', 'Bí thư đơn vị', `Đường dẫn nộp của đơn vị: ${LINK}`],
  },
};

describe('renderEmail', () => {
  it('has templates for every kind of email, and nothing else', () => {
    const dir = path.resolve(import.meta.dirname, '../../mail/templates');
    const kinds = new Set(
      fs
        .readdirSync(dir)
        .filter((f) => !f.startsWith('_'))
        .map((f) => f.split('.')[0]),
    );
    expect([...kinds].sort()).toEqual(Object.keys(KINDS).sort());
    for (const kind of kinds)
      for (const suffix of ['.subject.txt', '.html', '.txt'])
        expect(fs.existsSync(path.join(dir, `${kind}${suffix}`)), `${kind}${suffix}`).toBe(true);
  });

  for (const [kind, expected] of Object.entries(KINDS)) {
    it(`renders ${kind} in NFC Vietnamese with every variable filled`, () => {
      // The unit name arrives decomposed (NFD), as some Excel exports write it; the email must still be NFC.
      const r = renderEmail(kind, vars({ unitName: 'Đảng bộ Sở Tài chính'.normalize('NFD') }));
      for (const [part, s] of Object.entries(r)) {
        expect(isNfc(s), `${kind} ${part} is NFC`).toBe(true);
        expect(s, `${kind} ${part} has no leftover tag`).not.toMatch(/\{\{|\}\}/);
        expect(s).toContain('Đảng bộ Sở Tài chính');
      }
      expect(r.subject).not.toMatch(/\n|\s{2}/);
      for (const w of expected.subject) expect(r.subject).toContain(w);
      for (const w of expected.text) expect(r.text).toContain(w);
      // The HTML says the same, inside the layout.
      expect(r.html).toMatch(/^<!doctype html>\s*<html lang="vi">/);
      expect(r.html).toContain('<meta charset="utf-8">');
      const html = decodeEntities(r.html);
      expect(html).toContain(`<title>${r.subject}</title>`);
      expect(html).toContain('ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH');
      expect(html).toContain('Ban Tuyên giáo và Dân vận Đảng ủy Khối');
      if (r.text.includes(LINK)) expect(html).toContain(`href="${LINK}"`);
    });
  }

  it('renders a late receipt as late, and an on-time one as on time', () => {
    const late = renderEmail('receipt', vars({ late: true }));
    expect(late.subject).toContain('(lần 2, nộp chậm)');
    expect(late.text).toContain('Bản nộp được ghi nhận là nộp chậm so với hạn 15/02/2027.');
    expect(late.text).not.toContain('đúng hạn');
    const onTime = renderEmail('receipt', vars({ late: false }));
    expect(onTime.subject).not.toContain('nộp chậm');
    expect(decodeEntities(onTime.html)).toContain('Bản nộp đúng hạn (15/02/2027)');
  });

  it("gives a remedy report's receipt no link to revise: the inspection has ended", () => {
    const remedy = renderEmail('receipt', vars({ final: true }));
    expect(remedy.text).not.toContain(LINK);
    expect(remedy.html).not.toContain(LINK);
    expect(remedy.text).toContain('không cần nộp thêm');
    expect(renderEmail('receipt', vars()).text).not.toContain('không cần nộp thêm');
  });

  it('shows the plan link in a notice only when the plan has one', () => {
    expect(renderEmail('notice', vars()).html).not.toContain('Văn bản kế hoạch');
    const withUrl = decodeEntities(renderEmail('notice', vars({ planUrl: 'https://example.vn/64-kh.pdf' })).html);
    expect(withUrl).toContain('Văn bản kế hoạch: <a href="https://example.vn/64-kh.pdf">');
  });

  it('escapes a unit name holding markup in the HTML part only', () => {
    const evil = 'Chi bộ <script>alert("x")</script> & Cộng sự';
    for (const kind of Object.keys(KINDS)) {
      const r = renderEmail(kind, vars({ unitName: evil }));
      expect(r.html, kind).not.toMatch(/<script/i);
      expect(r.html, kind).toContain('Chi bộ &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; Cộng sự');
      expect(r.text, kind).toContain(evil);
      expect(r.subject, kind).toContain(evil);
    }
  });

  describe('with an operator templates folder', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('overrides the files it has and falls back to the shipped ones for the rest', () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-templates-'));
      // Written decomposed on purpose: the rendered subject is NFC all the same.
      fs.writeFileSync(path.join(dir, 'reminder.subject.txt'), 'NHẮC LẦN CUỐI: {{unitName}} còn {{days}} ngày\n'.normalize('NFD'));
      const own = renderEmail('reminder', vars(), dir);
      const shipped = renderEmail('reminder', vars());
      expect(own.subject).toBe('NHẮC LẦN CUỐI: Đảng bộ Sở Tài chính còn 3 ngày');
      expect(isNfc(own.subject)).toBe(true);
      expect(own.text).toBe(shipped.text);
      // The layout shows the subject in <title>; the rest of the HTML is the shipped template's.
      expect(own.html).toContain('<title>NHẮC LẦN CUỐI: Đảng bộ Sở Tài chính còn 3 ngày</title>');
      expect(own.html.replace(/<title>.*<\/title>/, '')).toBe(shipped.html.replace(/<title>.*<\/title>/, ''));
      // Other kinds are untouched.
      expect(renderEmail('notice', vars(), dir)).toEqual(renderEmail('notice', vars()));
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// iCalendar

interface IcsProperty {
  name: string;
  params: Record<string, string>;
  value: string;
}
interface IcsComponent {
  type: string;
  props: IcsProperty[];
  children: IcsComponent[];
}

/** A small RFC 5545 reader: unfolds lines, splits name;params:value and nests BEGIN/END components. */
function parseIcs(text: string): IcsComponent {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const root: IcsComponent = { type: '', props: [], children: [] };
  const stack: IcsComponent[] = [root];
  for (const line of lines) {
    const m = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$/.exec(line);
    if (!m) throw new Error(`not a content line: ${JSON.stringify(line)}`);
    const [, name, rawParams, value] = m as unknown as [string, string, string, string];
    const params: Record<string, string> = {};
    for (const p of rawParams.split(';').slice(1)) {
      const [k, v] = p.split('=') as [string, string];
      params[k.toUpperCase()] = v;
    }
    const top = stack.at(-1)!;
    if (name.toUpperCase() === 'BEGIN') {
      const child: IcsComponent = { type: value, props: [], children: [] };
      top.children.push(child);
      stack.push(child);
    } else if (name.toUpperCase() === 'END') {
      if (top.type !== value) throw new Error(`END:${value} closes ${top.type}`);
      stack.pop();
    } else top.props.push({ name: name.toUpperCase(), params, value });
  }
  if (stack.length !== 1) throw new Error(`unclosed ${stack.at(-1)!.type}`);
  if (root.children.length !== 1 || root.props.length) throw new Error('expected exactly one VCALENDAR');
  return root.children[0]!;
}

const prop = (c: IcsComponent, name: string) => c.props.filter((p) => p.name === name);
const one = (c: IcsComponent, name: string): IcsProperty => {
  const found = prop(c, name);
  if (found.length !== 1) throw new Error(`${c.type} has ${found.length} ${name}`);
  return found[0]!;
};
/** TEXT values are escaped (RFC 5545 §3.3.11). */
const unescapeText = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

describe('deadlineIcs', () => {
  const summary = 'Hạn: Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị (Đảng bộ Sở Tài chính; Kho bạc, Ngân hàng)';
  const link = 'https://chuky.example.vn/f/abc.def.ghi';
  const params = {
    uid: 'DUK-HT-2027/U001/plan@chuky.example.vn',
    deadline: '2027-02-15',
    summary,
    description: `64-KH/ĐUK. Nộp tại: ${link}`,
    url: link,
    timeZone: 'Asia/Ho_Chi_Minh',
    sequence: 70215,
  };

  it('is an RFC 5545 calendar with an all-day event on the deadline, the given UID and an alarm', () => {
    const ics = deadlineIcs(params);
    // Every line ends in CRLF, the last one included; no bare LF or CR.
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    // Lines are folded at 75 octets (not characters: Vietnamese letters take two or three).
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
    expect(isNfc(ics)).toBe(true);

    const cal = parseIcs(ics);
    expect(cal.type).toBe('VCALENDAR');
    expect(one(cal, 'VERSION').value).toBe('2.0');
    expect(one(cal, 'PRODID').value).toContain('chuky');
    expect(one(cal, 'METHOD').value).toBe('PUBLISH');
    expect(cal.children.map((c) => c.type)).toEqual(['VEVENT']);
    const event = cal.children[0]!;
    expect(one(event, 'UID').value).toBe(params.uid);
    expect(one(event, 'SEQUENCE').value).toBe('70215');
    expect(one(event, 'DTSTAMP').value).toMatch(/^\d{8}T\d{6}Z$/);
    expect(one(event, 'DTSTART')).toEqual({ name: 'DTSTART', params: { VALUE: 'DATE' }, value: '20270215' });
    expect(one(event, 'DTEND')).toEqual({ name: 'DTEND', params: { VALUE: 'DATE' }, value: '20270216' });
    expect(unescapeText(one(event, 'SUMMARY').value)).toBe(summary);
    expect(one(event, 'SUMMARY').value).toContain('Tài chính\\; Kho bạc\\, Ngân hàng');
    expect(unescapeText(one(event, 'DESCRIPTION').value)).toBe(params.description);
    expect(one(event, 'URL').value).toBe(link);
    expect(event.children.map((c) => c.type)).toEqual(['VALARM']);
    const alarm = event.children[0]!;
    expect(one(alarm, 'ACTION').value).toBe('DISPLAY');
    expect(one(alarm, 'TRIGGER').value).toMatch(/^-P(1D|T24H|T86400S)$/);
    expect(one(alarm, 'DESCRIPTION').value.length).toBeGreaterThan(0);
  });

  it('puts the event on the deadline date whatever the time zone of the machine', () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Ho_Chi_Minh']) {
        process.env.TZ = tz;
        const event = parseIcs(deadlineIcs({ ...params, deadline: '2027-12-31' })).children[0]!;
        expect(one(event, 'DTSTART').value, tz).toBe('20271231');
        expect(one(event, 'DTEND').value, tz).toBe('20280101');
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('without a url, has no URL property', () => {
    const { url: _url, ...noUrl } = params;
    expect(prop(parseIcs(deadlineIcs(noUrl)).children[0]!, 'URL')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Signed links

describe('signLink / verifyLink', () => {
  const secret = 'a-test-signing-secret-of-at-least-32-chars';
  const scope = { cycleId: 'DUK-HT-2027', unitCode: 'U001', phase: 'plan' };
  const inAnHour = () => Date.now() + 3_600_000;

  it('round-trips the scope', async () => {
    const token = await signLink(scope, secret, inAnHour());
    expect(token.split('.')).toHaveLength(3);
    await expect(verifyLink(token, secret)).resolves.toEqual(scope);
    expect(formUrl('https://chuky.example.vn//', token)).toBe(`https://chuky.example.vn/f/${token}`);
  });

  it('refuses a token whose payload was changed to another unit', async () => {
    const token = await signLink(scope, secret, inAnHour());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ c: scope.cycleId, u: scope.unitCode, p: scope.phase, iss: 'chuky' });
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, u: 'U002' })).toString('base64url')}.${signature}`;
    await expect(verifyLink(forged, secret)).rejects.toThrow(LinkError);
    await expect(verifyLink(forged, secret)).rejects.toThrow(/không hợp lệ/);
    // A flipped signature character, or garbage, is refused the same way.
    const flipped = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(verifyLink(flipped, secret)).rejects.toThrow(/không hợp lệ/);
    await expect(verifyLink('not-a-token', secret)).rejects.toThrow(LinkError);
  });

  it('refuses an expired token with a Vietnamese message', async () => {
    const token = await signLink(scope, secret, Date.now() - 5_000);
    const err = await verifyLink(token, secret).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LinkError);
    expect((err as Error).message).toMatch(/hết hạn/);
  });

  it('refuses a token signed with another secret', async () => {
    const token = await signLink(scope, 'another-secret-another-secret-another', inAnHour());
    await expect(verifyLink(token, secret)).rejects.toThrow(LinkError);
    await expect(verifyLink(token, secret)).rejects.toThrow(/không hợp lệ/);
    // Expired and signed elsewhere: the signature is checked first, so it is "invalid", not "expired".
    const old = await signLink(scope, 'another-secret-another-secret-another', Date.now() - 5_000);
    await expect(verifyLink(old, secret)).rejects.toThrow(/không hợp lệ/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// SMTP timeouts

describe('withTimeouts', () => {
  it('adds connection, greeting and socket timeouts that nodemailer reads', () => {
    const url = withTimeouts('smtp://127.0.0.1:2525');
    const q = new URL(url).searchParams;
    expect(q.get('connectionTimeout')).toBe('10000');
    expect(q.get('greetingTimeout')).toBe('10000');
    expect(q.get('socketTimeout')).toBe('30000');
    expect(q.get('pool')).toBe('true');
    expect(parseConnectionUrl(url)).toMatchObject({
      pool: true,
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      connectionTimeout: 10000,
      greetingTimeout: 10000,
      socketTimeout: 30000,
    });
  });

  it('keeps timeouts and credentials given in the URL', () => {
    const url = withTimeouts('smtps://btg%40example.vn:p%40ss%5Ew0rd@mail.example.vn:465?socketTimeout=5000&connectionTimeout=2500');
    const parsed = parseConnectionUrl(url);
    expect(parsed).toMatchObject({
      host: 'mail.example.vn',
      port: 465,
      secure: true,
      connectionTimeout: 2500,
      greetingTimeout: 10000,
      socketTimeout: 5000,
    });
    expect(parsed.auth).toEqual({ user: 'btg@example.vn', pass: 'p@ss^w0rd' });
    expect(new URL(url).searchParams.getAll('socketTimeout')).toEqual(['5000']);
    expect(parseConnectionUrl(withTimeouts('smtp://127.0.0.1:2525?pool=false')).pool).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Recipients

describe('recipientsFor', () => {
  const definition = CycleDefinitionSchema.parse({
    committee: {
      code: 'DUK-HT',
      superior: 'ĐẢNG BỘ TỈNH HÀ TĨNH',
      name: 'ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH',
      shortName: 'Đảng ủy Khối',
      documentCode: 'ĐUK',
      place: 'Hà Tĩnh',
      standingBody: { name: 'Ban Tuyên giáo và Dân vận Đảng ủy Khối', email: 'btg@example.vn' },
      leaders: [
        { name: 'Lê Thị Lãnh Đạo', title: 'Phó Bí thư Thường trực', email: 'pbttt@example.vn' },
        { name: 'Phan Văn Phó', title: 'Phó Bí thư', email: 'pbt@example.vn' },
        { name: 'Lê Thị Lãnh Đạo', title: 'Phó Bí thư Thường trực (trùng)', email: 'PBTTT@example.vn' },
      ],
    },
    year: 2027,
    plan: { number: '64-KH/ĐUK', title: 'Kế hoạch năm 2027', issuedOn: '2027-01-11' },
    phases: [{ id: 'plan', title: 'Nộp kế hoạch', deadline: '2027-02-15' }],
    unitsFile: 'units.csv',
  });
  const cycle: CycleRow = {
    id: 'DUK-HT-2027',
    committeeCode: 'DUK-HT',
    year: 2027,
    definition,
    clock: REAL_CLOCK,
    status: 'running',
    launchedUnits: 1,
  };
  const unit: UnitRow = {
    code: 'U001',
    name: 'Đảng bộ Sở Tài chính',
    kind: 'dang-bo-co-so',
    members: 120,
    secretaryName: 'Nguyễn Văn Bí Thư',
    secretaryEmail: 'bithu@stc.example.vn',
    contactName: 'Trần Thị Liên Hệ',
    contactEmail: 'vanphong@stc.example.vn',
    active: true,
  };
  const noContact: UnitRow = { ...unit, contactName: null, contactEmail: null };
  const sameContact: UnitRow = { ...unit, contactName: 'Nguyễn Văn Bí Thư', contactEmail: 'BiThu@STC.example.vn' };

  it('sends notices, reminders, receipts, extensions and exemptions to the unit', () => {
    for (const kind of ['notice', 'reminder', 'receipt', 'extension', 'exemption'] as const) {
      expect(recipientsFor(kind, cycle, unit), kind).toEqual({
        to: ['vanphong@stc.example.vn', 'bithu@stc.example.vn'],
        cc: [],
        greeting: 'đồng chí Trần Thị Liên Hệ',
      });
      expect(recipientsFor(kind, cycle, noContact), kind).toEqual({
        to: ['bithu@stc.example.vn'],
        cc: [],
        greeting: 'đồng chí Nguyễn Văn Bí Thư',
      });
      // The same person as contact and secretary (addresses differing in case) gets one copy.
      expect(recipientsFor(kind, cycle, sameContact).to, kind).toEqual(['BiThu@STC.example.vn']);
    }
  });

  it('sends the overdue notice to the secretary, copied to the contact and the standing body', () => {
    expect(recipientsFor('overdue', cycle, unit)).toEqual({
      to: ['bithu@stc.example.vn'],
      cc: ['vanphong@stc.example.vn', 'btg@example.vn'],
      greeting: 'đồng chí Nguyễn Văn Bí Thư',
    });
    expect(recipientsFor('overdue', cycle, noContact)).toEqual({
      to: ['bithu@stc.example.vn'],
      cc: ['btg@example.vn'],
      greeting: 'đồng chí Nguyễn Văn Bí Thư',
    });
    // The secretary is not copied on their own notice, whatever the case of the address.
    expect(recipientsFor('overdue', cycle, sameContact)).toEqual({
      to: ['bithu@stc.example.vn'],
      cc: ['btg@example.vn'],
      greeting: 'đồng chí Nguyễn Văn Bí Thư',
    });
  });

  it('sends level 2 to the leaders, copied to the standing body', () => {
    expect(recipientsFor('escalation2', cycle, unit)).toEqual({
      to: ['pbttt@example.vn', 'pbt@example.vn'],
      cc: ['btg@example.vn'],
      greeting: 'Thường trực Đảng ủy Khối',
    });
    const noShortName: CycleRow = { ...cycle, definition: { ...definition, committee: { ...definition.committee, shortName: undefined } } };
    expect(recipientsFor('escalation2', noShortName, unit).greeting).toBe('Thường trực ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH');
  });

  it('sends level 3 to the standing body, copied to the leaders', () => {
    expect(recipientsFor('escalation3', cycle, unit)).toEqual({
      to: ['btg@example.vn'],
      cc: ['pbttt@example.vn', 'pbt@example.vn'],
      greeting: 'Ban Tuyên giáo và Dân vận Đảng ủy Khối',
    });
  });

  it('never sends one person both To and Cc when the standing body is also a leader', () => {
    const leaderIsStanding: CycleRow = {
      ...cycle,
      definition: {
        ...definition,
        committee: {
          ...definition.committee,
          leaders: [...definition.committee.leaders, { name: 'Ban', title: 'Trưởng ban', email: 'BTG@example.vn' }],
        },
      },
    };
    for (const kind of ['escalation2', 'escalation3'] as const) {
      const { to, cc } = recipientsFor(kind, leaderIsStanding, unit);
      const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
      expect(
        lower(cc).filter((a) => lower(to).includes(a)),
        kind,
      ).toEqual([]);
      expect(to.length, kind).toBeGreaterThan(0);
      expect(new Set(lower([...to, ...cc])), kind).toEqual(new Set(['pbttt@example.vn', 'pbt@example.vn', 'btg@example.vn']));
    }
  });

  it('no kind ever has an empty or duplicate recipient', () => {
    for (const kind of Object.keys(KINDS) as EmailKind[]) {
      for (const u of [unit, noContact, sameContact]) {
        const { to, cc } = recipientsFor(kind, cycle, u);
        const all = [...to, ...cc].map((a) => a.toLowerCase());
        expect(to.length, kind).toBeGreaterThan(0);
        expect(
          all.every((a) => a.includes('@')),
          kind,
        ).toBe(true);
        expect(new Set(all).size, kind).toBe(all.length);
      }
    }
  });
});

describe('which SMTP failures are a bounce', () => {
  const err = (responseCode: number, code: string, command: string) =>
    Object.assign(new Error(`${responseCode}`), { responseCode, code, command });
  it('a 5xx to a recipient, the sender or the message is permanent', () => {
    expect(isPermanentSmtpFailure(err(550, 'EENVELOPE', 'RCPT TO'))).toBe(true);
    expect(isPermanentSmtpFailure(err(553, 'EENVELOPE', 'MAIL FROM'))).toBe(true);
    expect(isPermanentSmtpFailure(err(552, 'EMESSAGE', 'DATA'))).toBe(true);
  });
  it('a 4xx, a refused connection, or a 5xx to the login or the greeting is retried', () => {
    expect(isPermanentSmtpFailure(err(451, 'EENVELOPE', 'RCPT TO'))).toBe(false);
    expect(isPermanentSmtpFailure(err(535, 'EAUTH', 'AUTH PLAIN'))).toBe(false);
    expect(isPermanentSmtpFailure(err(554, 'EPROTOCOL', 'CONN'))).toBe(false);
    expect(isPermanentSmtpFailure(err(530, '', 'EHLO'))).toBe(false);
    expect(isPermanentSmtpFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' }))).toBe(false);
  });
});
