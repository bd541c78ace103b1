/** The engine baseline's workflow: nothing but a start and a completion, so its rate is the engine's own. */
export async function emptyWorkflow(): Promise<void> {}
