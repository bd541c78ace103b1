/**
 * chuky's SMTP sink (stack/smtp-sink.ts) in its own process, so that parsing thousands of messages costs the
 * sink's CPU, not the bench's. It answers counts instead of whole messages: delivered messages by recipient
 * domain and X-Chuky-Kind, and when the last of each arrived.
 */
import { startSmtpSink } from '../stack/smtp-sink.js';
import { childFailed, childProtocol, type ChildMessage } from './children.js';

interface Tally {
  count: number;
  firstAt: number;
  lastAt: number;
}

try {
  const sink = await startSmtpSink({});
  let seen = 0;
  let tallies = new Map<string, Tally>();
  let total = 0;
  const refresh = () => {
    const all = sink.messages();
    for (; seen < all.length; seen++) {
      const m = all[seen]!;
      const at = Date.parse(m.receivedAt);
      const domain = (m.envelopeTo[0] ?? '').split('@')[1]?.toLowerCase() ?? '';
      const kind = /^X-Chuky-Kind:\s*(\S+)/im.exec(m.raw)?.[1] ?? '';
      for (const key of [`${domain}|${kind}`, `${domain}|*`]) {
        const t = tallies.get(key) ?? { count: 0, firstAt: at, lastAt: at };
        t.count += 1;
        t.firstAt = Math.min(t.firstAt, at);
        t.lastAt = Math.max(t.lastAt, at);
        tallies.set(key, t);
      }
      total += 1;
    }
    // Only the tallies are asked for: dropping the counted messages keeps the sink's memory flat through a
    // national slice's tens of thousands of notices (each with its HTML, text and .ics parts).
    if (all.length >= 1_000) {
      sink.clear();
      seen = 0;
    }
  };
  childProtocol({
    ready: { type: 'ready', url: sink.url, inboxUrl: sink.inboxUrl },
    stop: () => sink.stop(),
    on: async (m: ChildMessage): Promise<ChildMessage | undefined> => {
      if (m.type === 'count') {
        refresh();
        const kind = typeof m.kind === 'string' ? m.kind : '*';
        const domains = Array.isArray(m.domains) ? m.domains.map((d) => String(d)) : [String(m.domain)];
        let count = 0;
        let firstAt = 0;
        let lastAt = 0;
        for (const domain of domains) {
          const t = tallies.get(`${domain.toLowerCase()}|${kind}`);
          if (!t) continue;
          count += t.count;
          firstAt = firstAt ? Math.min(firstAt, t.firstAt) : t.firstAt;
          lastAt = Math.max(lastAt, t.lastAt);
        }
        return { type: 'count', count, firstAt, lastAt, total };
      }
      if (m.type === 'clear') {
        sink.clear();
        seen = 0;
        tallies = new Map();
        return { type: 'cleared' };
      }
      return undefined;
    },
  });
} catch (err) {
  childFailed(err);
}
