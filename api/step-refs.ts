/**
 * A step's `ref` in `/v1/steps/:ref`: the workflow that holds it and its id, in one URL-safe token. Not a secret
 * (the caller's agency is checked on every use), only a handle that does not make clients parse workflow ids.
 */
import { ApiError } from './errors';

export function stepRef(workflowId: string, stepId: string): string {
  return Buffer.from(`${workflowId}\n${stepId}`).toString('base64url');
}

export function parseStepRef(ref: string): { workflowId: string; stepId: string } {
  const [workflowId, stepId, extra] = /^[A-Za-z0-9_-]{4,400}$/.test(ref) ? Buffer.from(ref, 'base64url').toString('utf8').split('\n') : [];
  const part = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
  if (!workflowId || !stepId || extra !== undefined || !part.test(workflowId) || !part.test(stepId)) {
    throw new ApiError('VALIDATION_FAILED', 'invalid path: ref is not a step reference from GET /v1/steps', [
      { path: 'path.ref', message: 'not a step reference from GET /v1/steps' },
    ]);
  }
  return { workflowId, stepId };
}
