/** chuky's HTTP API in its own process, wired as `chuky api` wires it (workers/runtime.ts), on a free port. */
import { loadEnv } from '../config/env.js';
import { connectRuntime, runApi } from '../workers/runtime.js';
import { childFailed, childProtocol } from './children.js';

try {
  const env = loadEnv();
  const addresses = {
    temporalAddress: env.temporalAddress,
    temporalNamespace: env.temporalNamespace,
    databaseUrl: env.databaseUrl,
    smtpUrl: env.smtpUrl,
  };
  if (!addresses.temporalAddress || !addresses.databaseUrl || !addresses.smtpUrl)
    throw new Error('TEMPORAL_ADDRESS, DATABASE_URL and SMTP_URL must be set');
  const runtime = await connectRuntime(env, addresses);
  const api = await runApi(runtime, env, 0);
  childProtocol({
    ready: { type: 'ready', url: api.url },
    stop: async () => {
      await api.close();
      await runtime.close();
    },
  });
} catch (err) {
  childFailed(err);
}
