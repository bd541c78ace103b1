/**
 * Workflow ids and idempotency keys. Every id is derived from what it is about (committee, year, unit, phase),
 * so starting the same thing twice finds the running workflow instead of making a second one, and every email
 * key names its purpose, so a retried send is recognised as the same email.
 */

export function cycleId(committeeCode: string, year: number): string {
  return `${committeeCode}-${year}`;
}

export function cycleWorkflowId(cycle: string): string {
  return `chuky/cycle/${cycle}`;
}

export function unitWorkflowId(cycle: string, unitCode: string): string {
  return `chuky/unit/${cycle}/${unitCode}`;
}

/**
 * The key of one email: the same purpose (cycle, unit, phase, kind and the deadline it speaks of) is one email.
 * A moved deadline is a new purpose, so an extension's reminders go out again for the new date.
 */
export function emailKey(parts: { cycle: string; unit: string; phase: string; kind: string; deadline?: string; seq?: number }): string {
  const base = `${parts.cycle}/${parts.unit}/${parts.phase}/${parts.kind}`;
  const withDeadline = parts.deadline ? `${base}@${parts.deadline}` : base;
  return parts.seq === undefined ? withDeadline : `${withDeadline}#${parts.seq}`;
}

/**
 * A Message-ID that is a pure function of the email key, so a resend carries the same id. Every byte outside
 * [A-Za-z0-9._-] of the key's UTF-8 becomes "=" and two hex digits (so "=" itself is escaped too): the mapping
 * is one-to-one and two keys never share an id.
 */
export function messageIdFor(key: string, domain: string): string {
  let safe = '';
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    safe += /[A-Za-z0-9._-]/.test(c) ? c : `=${byte.toString(16).padStart(2, '0')}`;
  }
  return `<${safe}@${domain}>`;
}
