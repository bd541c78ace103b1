/**
 * Values the commands' help names, copied from the modules that own them: those modules load the Temporal SDK
 * (ops/stalled.ts, ops/pollers.ts) or zod (domain/records.ts), which `chuky --help` must not wait for.
 * test/unit/cli-startup.test.ts fails when a copy and its original differ.
 */

/** ops/stalled.ts DEFAULT_MIN_ATTEMPTS: an activity counts as stalled from this attempt on. */
export const STALL_MIN_ATTEMPTS = 3;

/** ops/pollers.ts DEFAULT_POLLER_GRACE_SECONDS: a worker counts as missing after this long without a poll. */
export const POLLER_GRACE_SECONDS = 90;

/** domain/records.ts RECORD_KINDS: the kinds of the committee's own records. */
export const RECORD_KIND_NAMES = ['document', 'conference', 'commendation', 'contest', 'charity', 'inspection'] as const;
