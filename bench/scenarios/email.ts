/**
 * 4. Email throughput to the local SMTP server (the sink, in its own process). chuky has no rate-limit setting of
 * its own; SMTP_URL's query string reaches nodemailer (mail/transport.ts), whose pooled transport can limit the
 * rate (`?pool=true&rateLimit=N&rateDelta=1000`), per worker process. Measured: the transport as SMTP_URL
 * configures it by default (pooled since December 2026), with a connection per message (`?pool=false`), and the worker's real path — the
 * sendUnitEmail activity (render, outbox row under a lock, SMTP, mark sent) at the worker's default 100 activity
 * slots and its database pool of 10 — with the rate limit off and on.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadCycleFileAsync } from '../../config/cycle.js';
import { DEFAULT_MAIL_FROM } from '../../config/env.js';
import { registerCycle } from '../../db/cycles.js';
import { createPool } from '../../db/pool.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { cycleId as makeCycleId } from '../../domain/ids.js';
import { createEmailActivities } from '../../activities/email.js';
import { renderEmail } from '../../mail/render.js';
import { deadlineIcs } from '../../mail/ics.js';
import { createMailer, type Mailer, type OutgoingMail } from '../../mail/transport.js';
import { cpuSampler, type BenchContext } from '../context.js';
import { launchDates, writeBenchCycle, TIME_ZONE } from '../fixture.js';
import { describeCpu, type CpuSplit } from '../procs.js';
import { emptyResult, type ScenarioResult } from '../results.js';
import { pool, round, sleep } from '../stats.js';
import { clearSink, sinkCount } from '../stack.js';

/** The rate a limited run is configured with: the order of a transactional provider's default sending quota. */
export const RATE_LIMIT_PER_SECOND = 20;

function sampleMail(i: number, domain: string, deadline: string): OutgoingMail {
  const link = `https://chuky.example.vn/f/${randomUUID()}`;
  const vars = {
    recipientGreeting: `đồng chí Trần Thị Liên Hệ ${i}`,
    committeeName: 'ĐẢNG ỦY KHỐI THỬ NGHIỆM',
    committeeShortName: 'Đảng ủy Khối',
    standingBodyName: 'Ban Tuyên giáo và Dân vận Đảng ủy Khối',
    standingBodyEmail: `btg@${domain}`,
    planNumber: '64-KH/ĐUK',
    planTitle: 'Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh',
    phaseTitle: 'Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị',
    unitName: `Đảng bộ Sở Tài chính ${i}`,
    secretaryName: `Nguyễn Văn Bí Thư ${i}`,
    deadline,
    deadlineVi: deadline.split('-').reverse().join('/'),
    days: 7,
    level2Days: 7,
    level3Days: 14,
    link,
  };
  const rendered = renderEmail('reminder', vars);
  return {
    from: DEFAULT_MAIL_FROM,
    to: [`vanphong.u${i}@${domain}`, `bithu.u${i}@${domain}`],
    cc: [],
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    messageId: `<bench-${randomUUID()}@chuky.local>`,
    attachments: [
      {
        filename: 'han-nop.ics',
        contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
        content: deadlineIcs({
          uid: `bench/${i}@chuky.local`,
          deadline,
          summary: `Hạn: ${vars.phaseTitle}`,
          description: link,
          url: link,
          timeZone: TIME_ZONE,
          sequence: 1,
        }),
      },
    ],
    headers: { 'X-Chuky-Kind': 'reminder' },
  };
}

interface Variant {
  name: string;
  count: number;
  concurrency: number;
  perSecond: number;
  wallS: number;
  delivered: number;
  split: CpuSplit;
}

export async function emailScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const r = emptyResult('email', 4, 'Email throughput to the local SMTP server');
  const log = (m: string) => ctx.log(`email: ${m}`);
  const n = ctx.sizes.emails;
  const smtp = ctx.stack.smtpUrl;
  const dates = launchDates();
  const deadline = dates.phases[0]!.deadline;
  const variants: Variant[] = [];

  const measure = async (name: string, count: number, concurrency: number, domain: string, send: (i: number) => Promise<unknown>) => {
    await clearSink(ctx.stack.sink);
    const sampler = cpuSampler(ctx).start();
    const t0 = Date.now();
    await pool(count, concurrency, async (i) => {
      await send(i);
    });
    // The SMTP answer comes after the sink stored the message; wait for the count to be sure.
    let delivered = 0;
    for (let k = 0; k < 100; k++) {
      delivered = (await sinkCount(ctx.stack.sink, domain)).count;
      if (delivered >= count) break;
      await sleep(100);
    }
    const wallS = (Date.now() - t0) / 1000;
    const split = sampler.stop();
    const v = { name, count, concurrency, perSecond: count / wallS, wallS, delivered, split };
    variants.push(v);
    log(
      `${name}: ${count} messages, ${concurrency} at a time: ${v.perSecond.toFixed(1)} msg/s ` +
        `(${delivered} delivered); ${describeCpu(split)}`,
    );
    return v;
  };

  const withTransport = async (url: string, fn: (m: Mailer) => Promise<unknown>) => {
    const mailer = createMailer(url);
    try {
      await fn(mailer);
    } finally {
      mailer.close();
    }
  };

  // The transport alone.
  const domainA = 'mail-a.bench.example.vn';
  await withTransport(smtp, (m) =>
    measure('transport as SMTP_URL configures it (pooled, one at a time)', Math.min(n, 200), 1, domainA, (i) =>
      m.send(sampleMail(i, domainA, deadline)),
    ),
  );
  const domainB = 'mail-b.bench.example.vn';
  await withTransport(`${smtp}?pool=false`, (m) =>
    measure('transport, a connection per message (pool=false)', n, 10, domainB, (i) => m.send(sampleMail(i, domainB, deadline))),
  );
  const domainC = 'mail-c.bench.example.vn';
  await withTransport(`${smtp}?pool=true&maxConnections=5`, (m) =>
    measure('transport, pooled (pool=true&maxConnections=5)', n, 10, domainC, (i) => m.send(sampleMail(i, domainC, deadline))),
  );

  // The worker's path: the sendUnitEmail activity against a registered cycle, as the worker's defaults allow.
  const fx = writeBenchCycle({
    dir: path.join(ctx.runDir, 'cycles'),
    code: 'BMAIL',
    year: dates.year,
    units: 100,
    issuedOn: dates.issuedOn,
    phases: dates.phases,
  });
  const loaded = await loadCycleFileAsync(fx.file);
  const cycleId = makeCycleId(loaded.definition.committee.code, loaded.definition.year);
  await registerCycle(ctx.db, { id: cycleId, definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK });
  let activityRun = 0;
  const activityPath = async (name: string, url: string, count: number) => {
    const db = createPool(ctx.stack.databaseUrl); // the worker's pool: 10 connections
    const mailer = createMailer(url);
    const acts = createEmailActivities({
      db,
      mailer,
      mailFrom: DEFAULT_MAIL_FROM,
      publicBaseUrl: 'https://chuky.example.vn',
      signingSecret: ctx.signingSecret,
    });
    const run = activityRun++;
    try {
      return await measure(name, count, 100, fx.domain, (i) =>
        acts.sendUnitEmail({
          key: `${cycleId}/bench-email/${run}/${i}`,
          cycleId,
          unitCode: fx.unitCodes[i % fx.unitCodes.length]!,
          phase: 'plan',
          kind: 'reminder',
          deadline,
          calendarAt: Date.now(),
          days: 7,
        }),
      );
    } finally {
      mailer.close();
      await db.end();
    }
  };
  const off = await activityPath('sendUnitEmail activity, rate limit off (pooled, 100 activity slots, 10 database connections)', smtp, n);
  const limitedCount = Math.min(n, RATE_LIMIT_PER_SECOND * 10);
  const on = await activityPath(
    `sendUnitEmail activity, rate limit on (SMTP_URL ?pool=true&rateLimit=${RATE_LIMIT_PER_SECOND}&rateDelta=1000)`,
    `${smtp}?pool=true&maxConnections=5&rateLimit=${RATE_LIMIT_PER_SECOND}&rateDelta=1000`,
    limitedCount,
  );

  r.figures.push(
    {
      id: 'email.activityOff',
      label: 'Emails per second through the sendUnitEmail activity, rate limit off',
      value: round(off.perSecond, 1),
      unit: 'msg/s',
    },
    {
      id: 'email.activityOn',
      label: `Emails per second through the sendUnitEmail activity, nodemailer rate limit ${RATE_LIMIT_PER_SECOND}/s on`,
      value: round(on.perSecond, 1),
      unit: 'msg/s',
    },
    {
      id: 'email.transportPooled',
      label: 'Emails per second through the transport alone, pooled',
      value: round(variants[2]!.perSecond, 1),
      unit: 'msg/s',
    },
  );
  r.tables.push({
    title: 'Email throughput (messages of ~the size of a reminder: HTML, text and an .ics attachment)',
    columns: ['path', 'messages', 'in flight', 'wall s', 'msg/s', 'delivered'],
    rows: variants.map((v) => [v.name, v.count, v.concurrency, round(v.wallS, 2), round(v.perSecond, 1), v.delivered]),
  });
  for (const v of variants) r.cpu.push({ window: v.name, split: v.split });
  r.findings.push(
    'chuky has no rate-limit setting of its own for email (config/env.ts, mail/transport.ts). What ' +
      "exists is nodemailer's: the query of SMTP_URL is passed to nodemailer, whose pooled transport " +
      'limits the rate ' +
      (`(\`?pool=true&rateLimit=${RATE_LIMIT_PER_SECOND}&rateDelta=1000\` ` +
        `measured ${on.perSecond.toFixed(1)} msg/s here). That limit is per worker process, not per ` +
        `provider account: N workers send N× the rate, so a fleet must divide the provider's quota by hand. `) +
      ("While a message waits in nodemailer's queue its activity holds one of the worker's 10 " +
        'database connections (the outbox row is locked for the SMTP conversation), so a tight limit ' +
        'also slows every other activity of that worker.'),
  );
  const undelivered = variants.filter((v) => v.delivered < v.count);
  if (undelivered.length)
    r.findings.push(`Messages missing at the sink: ${undelivered.map((v) => `${v.name}: ${v.delivered}/${v.count}`).join('; ')}`);
  r.data = {
    variants: variants.map(({ split: _s, ...v }) => v),
    rateLimitPerSecond: RATE_LIMIT_PER_SECOND,
    activityOff: off.perSecond,
    activityOn: on.perSecond,
  };
  await clearSink(ctx.stack.sink);
  return r;
}
