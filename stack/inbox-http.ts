// HTTP face of the SMTP sink: a JSON API that tests in other processes use to
// read what was "sent", and a small HTML inbox for people.
import { Hono } from 'hono';
import { renderInboxPage, renderMessagePage } from './inbox-page.js';
import { isAddressedTo, type StoredMail } from './stored-mail.js';

export type SinkMode = 'accept' | 'tempfail' | 'permfail';
export const SINK_MODES: readonly SinkMode[] = ['accept', 'tempfail', 'permfail'];

export interface InboxBackend {
  messages(): StoredMail[];
  clear(): void;
  mode(): SinkMode;
  setMode(mode: SinkMode): void;
}

export function inboxApp(backend: InboxBackend): Hono {
  const app = new Hono();

  app.get('/api/messages', (c) => {
    const to = c.req.query('to');
    const all = backend.messages();
    return c.json(to ? all.filter((m) => isAddressedTo(m, to)) : all);
  });

  app.delete('/api/messages', (c) => {
    backend.clear();
    return c.json({ cleared: true });
  });

  app.get('/api/mode', (c) => c.json({ mode: backend.mode() }));

  app.post('/api/mode', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { mode?: unknown };
    const mode = body.mode;
    if (typeof mode !== 'string' || !SINK_MODES.includes(mode as SinkMode)) {
      return c.json({ error: `mode must be one of ${SINK_MODES.join(', ')}` }, 400);
    }
    backend.setMode(mode as SinkMode);
    return c.json({ mode });
  });

  app.get('/', (c) => c.html(renderInboxPage(backend.messages(), backend.mode(), { page: Number(c.req.query('page') ?? 1) || 1 })));

  app.get('/messages/:id', (c) => {
    const mail = backend.messages().find((m) => m.id === Number(c.req.param('id')));
    return mail ? c.html(renderMessagePage(mail)) : c.html('<!doctype html><meta charset="utf-8"><p>Không tìm thấy thư.</p>', 404);
  });

  app.get('/messages/:id/raw', (c) => {
    const mail = backend.messages().find((m) => m.id === Number(c.req.param('id')));
    if (!mail) return c.text('not found', 404);
    return c.body(mail.raw, 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  return app;
}
