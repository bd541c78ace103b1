/**
 * What integration tests share around the `chuky` program and their workflows: the environment a test gives the
 * program (the global setup's services, the test's own task queue), and the clean-up of the test's workflows.
 */
import type { Client } from '@temporalio/client';

export function cliEnvOf(
  services: { temporalAddress: string; databaseUrl: string; smtpUrl: string },
  taskQueue: string,
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: services.temporalAddress,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    CHUKY_TASK_QUEUE: taskQueue,
  };
}

/** Terminates the test's workflows; one already finished, or never started, is left as it is. */
export async function terminateAll(client: Client | undefined, ids: Iterable<string>, reason: string): Promise<void> {
  if (!client) return;
  for (const id of ids)
    await client.workflow
      .getHandle(id)
      .terminate(reason)
      .catch(() => undefined);
}
