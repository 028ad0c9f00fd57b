/**
 * A project driven through scoping, grant and licence review to a granted
 * licence, and the compliance monitor for that licence: the starting point of
 * every compliance test.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Policy } from '../../domain/policy';
import type { Project } from '../../domain/project';
import { complianceMonitorStart, type MonitoredLicenceView } from '../../workflows/compliance-contract';
import type { complianceMonitorWorkflow } from '../../workflows/compliance';
import { projectWorkflowId, type Licence, type ProjectView } from '../../workflows/definitions';
import { smallProject } from './fixtures';
import type { harness, ProjectHandle, RunOptions } from './workflow-harness';

export type MonitorHandle = WorkflowHandle<typeof complianceMonitorWorkflow>;

/** The monitored licence as the project view shows it. */
export const monitoredLicence = (view: ProjectView) => view.components[0].licence as MonitoredLicenceView;

/** The one-component T1 project (c1, lead agency BAFA, EU regime) through to its granted licence. */
export async function grantLicence(
  h: ReturnType<typeof harness>,
  taskQueue: string,
  policy: Policy,
  options: RunOptions = {},
): Promise<{ handle: ProjectHandle; project: Project; licence: Licence }> {
  const project = smallProject();
  const handle = await h.start(taskQueue, project, policy, options);
  await h.confirm(handle);
  await h.decide(handle, ['grant-funder', 'grant-agency']);
  await h.decide(handle, ['c1-de-bafa']);
  const view = await h.waitForView(handle, (v) => v.components[0].licence.status === 'approved', 'licence granted');
  return { handle, project, licence: view.components[0].licence };
}

/** The compliance monitor the project workflow started for its only component's licence. */
export async function monitorFor(client: Client, project: Project, licence: Licence, policy: Policy): Promise<MonitorHandle> {
  const options = complianceMonitorStart({
    project,
    component: project.components[0],
    licence,
    policy,
    projectWorkflowId: projectWorkflowId(project.projectId),
    projectRun: await firstRunId(client.workflow.getHandle(projectWorkflowId(project.projectId))),
  });
  const handle = client.workflow.getHandle<typeof complianceMonitorWorkflow>(options.workflowId);
  for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 100))) {
    try {
      await handle.describe();
      return handle;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
    }
  }
}

/** The run that started a workflow's chain of runs (a monitor or a project may have continued as new before a test looks). */
export async function firstRunId(handle: WorkflowHandle): Promise<string> {
  const first = (await handle.describe()).raw.workflowExecutionInfo?.firstRunId;
  if (!first) throw new Error(`${handle.workflowId}: the server reported no first run id`);
  return first;
}
