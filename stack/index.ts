// The stack: finds or provisions, and starts, the real services chuky needs
// (Temporal, PostgreSQL, an SMTP sink) on a plain Linux machine without Docker.
export { projectRoot, toolsDir, dataDir } from '../config/paths.js';
export { freePort, isPortFree, canConnect, waitForPort } from './ports.js';
export type { StackLog } from './log.js';
export { ensureTemporalCli, cachedTemporalCliPath, TEMPORAL_CLI_WHEEL, TEMPORAL_CLI_GO_MODULE } from './temporal-cli.js';
export { ensureTestServer, createTimeSkippingEnv, cachedTestServerPath, TEST_SERVER_WHEEL, TEST_SERVER_MAVEN } from './test-server.js';
export {
  SEARCH_ATTRIBUTES,
  startDevServer,
  type DevServer,
  type DevServerOptions,
  type SearchAttributeTypeName,
} from './temporal-dev-server.js';
export { startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './postgres.js';
export {
  startSmtpSink,
  fetchInbox,
  waitForMail,
  clearInbox,
  setInboxMode,
  type SmtpSink,
  type SmtpSinkOptions,
  type SinkMode,
  type StoredMail,
  type StoredAttachment,
} from './smtp-sink.js';
