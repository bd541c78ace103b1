/**
 * The Temporal Web UI's address, for links. Apart from connect.ts so that the commands that only read PostgreSQL
 * (`chuky cycle list`, `chuky overdue`) link to the UI without loading the Temporal client.
 */
import type { Env } from '../config/env.js';
import { readServicesFile } from '../workers/services.js';

/** The Web UI's base URL, when known: TEMPORAL_UI_URL, else the one a running `chuky dev` started. */
export function temporalUiUrl(env: Env): string | undefined {
  return env.temporalUiUrl || readServicesFile()?.temporalUiUrl || undefined;
}
