// The workflow bundle's entry point: every workflow type the worker runs.
export { unitWorkflow } from './unit.js';
export { cycleWorkflow } from './cycle.js';
export { inspectionWorkflow } from './inspection.js';
