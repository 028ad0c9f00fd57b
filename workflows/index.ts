/** Every workflow type the worker registers. */
export { projectWorkflow } from './project';
export { licenceWorkflow } from './licence';
export { disputeWorkflow } from './dispute';
export { cycleWorkflow, cycleShardWorkflow } from './cycle';
export { complianceMonitorWorkflow } from './compliance';
