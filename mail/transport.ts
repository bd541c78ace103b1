/** Where an email is sent: one nodemailer transport built from SMTP_URL, messages as plain objects. */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface OutgoingMail {
  /** `"Name" <address>`, or name and address (a committee's standing body: mail/sender.ts). */
  from: string | { name: string; address: string };
  replyTo?: string | undefined;
  /** The Sender header: who sent it on the From's behalf. */
  sender?: string | undefined;
  /** The SMTP MAIL FROM, where bounces go (default: the From's address). */
  envelopeFrom?: string | undefined;
  to: string[];
  cc: string[];
  subject: string;
  html: string;
  text: string;
  messageId: string;
  attachments: { filename: string; content: string; contentType: string }[];
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ accepted: string[]; rejected: string[]; response: string }>;
  close(): void;
}

/**
 * SMTP_URL with chuky's defaults for what its query does not say. nodemailer's default socket timeout is ten
 * minutes; an activity gets one, so a hung server must fail fast and be retried. And a pooled transport (up to
 * nodemailer's 5 connections, each kept for 100 messages): a worker sends thousands of emails at one 08:00, and a
 * connection per message (TCP, greeting, STARTTLS and login each time) delivered 91 messages/s where the pool
 * delivered 426 (bench/RESULTS.md, scenario 4). `?pool=false` gives a connection per message again.
 */
export function withTimeouts(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const defaults: Record<string, string> = { pool: 'true', connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '30000' };
  for (const [k, v] of Object.entries(defaults)) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  return url.toString();
}

export function createMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport(withTimeouts(smtpUrl));
  return {
    async send(mail) {
      const info: SMTPTransport.SentMessageInfo = await transport.sendMail({
        from: mail.from,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        ...(mail.sender ? { sender: mail.sender } : {}),
        ...(mail.envelopeFrom ? { envelope: { from: mail.envelopeFrom, to: [...mail.to, ...mail.cc] } } : {}),
        to: mail.to,
        cc: mail.cc,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: mail.messageId,
        attachments: mail.attachments,
        headers: mail.headers ?? {},
      });
      return { accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: info.response };
    },
    close: () => transport.close(),
  };
}

/** nodemailer's codes for a failure of the server or of chuky's own settings, never of one message. */
const SERVER_LEVEL_CODES = new Set(['EAUTH', 'ENOAUTH', 'ECONNECTION', 'ETLS', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'EPROTOCOL']);

/**
 * A permanent SMTP failure of this message (5xx to its sender, recipients or content): retrying will not help;
 * the address is recorded as bouncing. A 5xx to the login or the greeting (a wrong SMTP password after a
 * rotation, a relay refusing our host) is not the unit's bounce: it is retried, so every email goes out once the
 * setting is fixed, and `chuky stalled` shows the retrying activity with its error meanwhile.
 */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string; command?: string } | null;
  const responseCode = e?.responseCode;
  if (typeof responseCode !== 'number' || responseCode < 500 || responseCode >= 600) return false;
  if (e?.code && SERVER_LEVEL_CODES.has(e.code)) return false;
  return !/^(AUTH|EHLO|HELO|LHLO|STARTTLS|CONN)/i.test(e?.command ?? '');
}
