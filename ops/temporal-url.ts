/**
 * Links into Temporal's Web UI. The UI's workflow page is `/namespaces/<ns>/workflows/<workflowId>/<runId>/history`;
 * without a run id, `/namespaces/<ns>/workflows/<workflowId>` opens the latest run (UI 2.x, temporalio/ui#1236).
 * Workflow ids contain "/" (`chuky/unit/DUK-HT-2027/SO-TC`), so each path segment is percent-encoded.
 */
export function temporalWorkflowUrl(uiUrl: string | undefined, namespace: string, workflowId: string, runId?: string): string | undefined {
  if (!uiUrl) return undefined;
  const base = `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
