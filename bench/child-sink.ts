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
  };
  childProtocol({
    ready: { type: 'ready', url: sink.url, inboxUrl: sink.inboxUrl },
    stop: () => sink.stop(),
    on: async (m: ChildMessage): Promise<ChildMessage | undefined> => {
      if (m.type === 'count') {
        refresh();
        const kind = typeof m.kind === 'string' ? m.kind : '*';
        const t = tallies.get(`${String(m.domain).toLowerCase()}|${kind}`);
        return { type: 'count', count: t?.count ?? 0, firstAt: t?.firstAt ?? 0, lastAt: t?.lastAt ?? 0, total };
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
