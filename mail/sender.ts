/**
 * Who a committee's email is from (issue 17: one deployment sends for many committees). Each committee's emails
 * carry its standing body's name (Ban Tuyên giáo of that committee), and its address where the deployment may
 * send for it: when the standing body's address is in MAIL_FROM's domain or a subdomain of it, the domain the
 * deployment's mail server is set up for (SPF, DKIM), it is the From. Otherwise the From keeps MAIL_FROM's address
 * under the standing body's name, and replies go to the standing body (Reply-To): a From in a domain the server
 * may not send for would be rejected or filed as spam by the units' mail servers (DMARC). Either way the SMTP
 * envelope is MAIL_FROM's address, so bounces come back to the deployment, and the Sender names it.
 */
import addressparser from 'nodemailer/lib/addressparser';

export interface MailParty {
  name: string;
  address: string;
}

export interface CommitteeSender {
  from: MailParty;
  /** The standing body, when it is not the From. */
  replyTo?: string;
  /** MAIL_FROM's address, when it is not the From's. */
  sender?: string;
  /** The SMTP MAIL FROM: always MAIL_FROM's address. */
  envelopeFrom: string;
}

/** MAIL_FROM (`"Name" <address>` or a bare address) as name and address. */
export function parseMailFrom(mailFrom: string): MailParty {
  const first = addressparser(mailFrom, { flatten: true })[0];
  const address = first && 'address' in first && first.address ? first.address : mailFrom.trim();
  return { name: first?.name ?? '', address };
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** Whether `address` is in `domain` or one of its subdomains. */
export function inDomain(address: string, domain: string): boolean {
  const d = domainOf(address);
  return d === domain || d.endsWith(`.${domain}`);
}

export function committeeSender(mailFrom: string, standingBody: { name: string; email: string }): CommitteeSender {
  const deployment = parseMailFrom(mailFrom);
  const name = standingBody.name.normalize('NFC').trim() || deployment.name;
  const body = standingBody.email.trim();
  if (body && inDomain(body, domainOf(deployment.address))) {
    return {
      from: { name, address: body },
      ...(body.toLowerCase() !== deployment.address.toLowerCase() ? { sender: deployment.address } : {}),
      envelopeFrom: deployment.address,
    };
  }
  return { from: { name, address: deployment.address }, ...(body ? { replyTo: body } : {}), envelopeFrom: deployment.address };
}
