/**
 * Before each test file: forget the form posts counted against this machine's own address.
 *
 * Every test file posts its forms from 127.0.0.1 into the one database of the run, and the per-address limit
 * (api/form-throttle.ts: 300 posts in 10 minutes by default) counts in `rate_limits` rows shared by every API
 * process. Files run one after another, so without this a file would inherit the posts of the files that ran in
 * the ten minutes before it and be refused (429) for them, as three files were in the clean-clone CI at 38d3ebd.
 * Each file starts as one office would, with its own count; the limits themselves are tested with addresses of
 * their own (security-links, form-throttle).
 */
import { beforeAll, inject } from 'vitest';
import pg from 'pg';
import { FORM_IP_KEY_PREFIX } from '../../api/form-throttle.js';
import { RATE_LIMITS_TABLE } from '../../db/rate-limits.js';

const LOOPBACK = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

beforeAll(async () => {
  const services = inject('services');
  if (!services) return; // a run without the global setup's services (none here today)
  const client = new pg.Client({ connectionString: services.databaseUrl });
  await client.connect();
  try {
    await client.query(`DELETE FROM ${RATE_LIMITS_TABLE} WHERE key = ANY($1)`, [LOOPBACK.map((a) => `${FORM_IP_KEY_PREFIX}:${a}`)]);
  } finally {
    await client.end();
  }
});
