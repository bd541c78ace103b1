import { afterEach, describe, expect, it } from 'vitest';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION } from '../../stack/temporal-server-binaries.js';

const saved = process.env.TEMPORAL_SERVER_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.TEMPORAL_SERVER_PATH;
  else process.env.TEMPORAL_SERVER_PATH = saved;
});

describe('finding the Temporal server', () => {
  it('refuses a TEMPORAL_SERVER_PATH that is not the pinned release, rather than building another', async () => {
    // `node --version` answers, but not as temporal-server 1.29.1 does.
    process.env.TEMPORAL_SERVER_PATH = process.execPath;
    await expect(ensureTemporalServer(() => undefined)).rejects.toThrow(`is not temporal-server ${TEMPORAL_SERVER_VERSION}`);
  });
});
