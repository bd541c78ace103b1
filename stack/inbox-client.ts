// Reading the SMTP sink's inbox over HTTP, for tests and tools running in a
// different process from the sink.
import type { StoredMail } from './stored-mail.js';
import type { SinkMode } from './inbox-http.js';

export async function fetchInbox(inboxUrl: string, filter: { to?: string } = {}): Promise<StoredMail[]> {
  const url = new URL('/api/messages', inboxUrl);
  if (filter.to) url.searchParams.set('to', filter.to);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url.toString()} → ${res.status} ${await res.text()}`);
  return (await res.json()) as StoredMail[];
}

export async function clearInbox(inboxUrl: string): Promise<void> {
  const res = await fetch(new URL('/api/messages', inboxUrl), { method: 'DELETE' });
  if (!res.ok) throw new Error(`DELETE /api/messages → ${res.status}`);
}

export async function setInboxMode(inboxUrl: string, mode: SinkMode): Promise<void> {
  const res = await fetch(new URL('/api/mode', inboxUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
  });
  if (!res.ok) throw new Error(`POST /api/mode → ${res.status} ${await res.text()}`);
}

/**
 * Polls the inbox until at least `count` messages (default 1) satisfy the
 * predicate, and returns those; throws after timeoutMs (default 15 s) with a
 * summary of what had arrived, which is usually what explains the failure.
 */
export async function waitForMail(
  inboxUrl: string,
  predicate: (m: StoredMail) => boolean,
  opts: { count?: number; timeoutMs?: number; intervalMs?: number } = {},
): Promise<StoredMail[]> {
  const count = opts.count ?? 1;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await fetchInbox(inboxUrl);
    const matching = seen.filter(predicate);
    if (matching.length >= count) return matching;
    if (Date.now() >= deadline) {
      const summary = seen.map((m) => `  #${m.id} to ${m.envelopeTo.join(',')}: ${m.subject}`).join('\n') || '  (inbox empty)';
      throw new Error(`waited ${timeoutMs} ms for ${count} matching mail(s), found ${matching.length}. Inbox:\n${summary}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}
