/** Where an email is sent: one nodemailer transport built from SMTP_URL, messages as plain objects. */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface OutgoingMail {
  from: string;
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
 * nodemailer's default socket timeout is ten minutes; an activity gets one, so a hung server must fail fast
 * and be retried. Timeouts given in the URL's query win.
 */
export function withTimeouts(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  const defaults: Record<string, string> = { connectionTimeout: '10000', greetingTimeout: '10000', socketTimeout: '30000' };
  for (const [k, v] of Object.entries(defaults)) if (!url.searchParams.has(k)) url.searchParams.set(k, v);
  return url.toString();
}

export function createMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport(withTimeouts(smtpUrl));
  return {
    async send(mail) {
      const info: SMTPTransport.SentMessageInfo = await transport.sendMail({
        from: mail.from,
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

/** A permanent SMTP failure (5xx): retrying will not help; the address is recorded as bouncing. */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const code = (err as { responseCode?: number } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
