/**
 * Scaled out: two worker processes and two API processes on one task queue of
 * one Temporal (the dev server, or a cluster whose two frontends each serve one
 * worker and one API), as a deployment with replicas runs. A batch of projects is
 * split across the APIs (each project decided through the other API than the
 * one that submitted it): every project completes once, every e-mail arrives
 * once, and both workers did part of the work. The same run checks what an
 * operator reads of it: each worker's Prometheus metrics (the SDK's and the
 * e-mails sent, which add up to what MailDev received) and the JSON logs
 * (request id and workflow id on the lines that concern them).
 */
import { readFileSync } from 'node:fs';
import { expectStatus } from '../helpers/api-read';
import { smallProject, uniqueId } from '../helpers/fixtures';
import { KEYS, useProcessStack, type ApiPart, type ProcessStack, type ProcessStackOptions, type WorkerPart } from '../helpers/process-stack';
import { approveEverything, expectDecisionsRecordedOnce, requestMessageIds, settleMails, submitAndConfirm } from '../faults/fault-scenarios';
import type { ProjectView } from '../../workflows/definitions';

/** `name{labels} value` lines of a Prometheus scrape whose name and labels match, summed. */
function sumOf(text: string, name: string, labels: RegExp = /.*/): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => labels.test(l))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const BATCH = 10;
const other = (api: ApiPart): ApiPart => (api === 'api' ? 'api-2' : 'api');

/** The scale-out tests on a stack of two workers and two APIs, with `options` (the cluster's, or none); returns the stack. */
export function scaleOutSuite(label: string, options: ProcessStackOptions = {}): ProcessStack {
  const stack = useProcessStack({ replicas: 2, logLevel: 'debug', ...options });

  /** Parsed JSON log lines of a part; a line that is not JSON fails the test, naming it. */
  function logLines(part: ApiPart | WorkerPart): Record<string, unknown>[] {
    return readFileSync(stack.logFile(part), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`${part} logged a line that is not JSON: ${line.slice(0, 200)}`);
        }
      });
  }

  let done: ProjectView[] = [];

  test(`a batch of ${BATCH} projects split across two APIs and two workers: each completes once, the work is shared`, async () => {
    const projects = Array.from({ length: BATCH }, () => smallProject(uniqueId('scale')));
    const via = (i: number): ApiPart => (i % 2 === 0 ? 'api' : 'api-2');
    const t0 = Date.now();
    await Promise.all(projects.map((p, i) => submitAndConfirm(stack, p, via(i))));
    const confirmedMs = Date.now() - t0;
    done = await Promise.all(projects.map((p, i) => approveEverything(stack, p.projectId, 180_000, other(via(i)))));
    const completeMs = Date.now() - t0;
    for (const view of done) {
      expect(view.stage).toBe('active');
      expect(view.components.map((c) => c.licence.status)).toEqual(['approved']);
    }

    // One workflow per project, whichever API started it; its decisions recorded once each.
    const histories = await stack.histories(`WorkflowType = 'projectWorkflow'`);
    expect(histories.map((h) => h.workflowId).sort()).toEqual(done.map((v) => `project-${v.projectId}`).sort());
    for (const view of done) await expectDecisionsRecordedOnce(stack, view);
    const { problems, cutOff, mails } = await settleMails(stack, requestMessageIds(done.flatMap((v) => v.steps)));
    expect(problems).toEqual([]);
    expect(cutOff).toEqual([]);

    // Shared: the histories name the worker (pid@host) that completed each workflow task and started each activity.
    const all = await stack.histories();
    const byWorker = new Map<WorkerPart, { workflowTasks: number; activities: number }>(stack.workers.map((w) => [w, { workflowTasks: 0, activities: 0 }]));
    const partOf = (identity?: string | null) => stack.workers.find((w) => identity?.startsWith(`${stack.pid(w)}@`));
    for (const { events } of all) {
      for (const e of events) {
        const wt = partOf(e.workflowTaskCompletedEventAttributes?.identity);
        if (wt) byWorker.get(wt)!.workflowTasks++;
        const act = partOf(e.activityTaskStartedEventAttributes?.identity);
        if (act) byWorker.get(act)!.activities++;
      }
    }
    const split = Object.fromEntries(byWorker);
    console.log(
      `scale-out on the ${label}: ${BATCH} projects submitted and confirmed in ${(confirmedMs / 1000).toFixed(1)} s, every step decided and ` +
        `every licence approved ${(completeMs / 1000).toFixed(1)} s after the first submission; ${all.length} workflows, ${mails.length} mails; ` +
        `work by worker: ${JSON.stringify(split)}`,
    );
    for (const w of stack.workers) {
      expect({ worker: w, ...byWorker.get(w) }).toEqual({ worker: w, workflowTasks: expect.any(Number), activities: expect.any(Number) });
      expect(byWorker.get(w)!.workflowTasks).toBeGreaterThan(0);
      expect(byWorker.get(w)!.activities).toBeGreaterThan(0);
    }
    // Every completed workflow task came from one of the two.
    const total = all.flatMap((h) => h.events).filter((e) => e.workflowTaskCompletedEventAttributes).length;
    expect([...byWorker.values()].reduce((n, c) => n + c.workflowTasks, 0)).toBe(total);
  }, 400_000);

  test("each worker serves the SDK's metrics and the e-mails it sent; together they count every e-mail MailDev received", async () => {
    expect(done).toHaveLength(BATCH); // the batch above ran
    const scrapes = await Promise.all(stack.workers.map(async (w) => (await fetch(stack.metricsUrl(w))).text()));
    // The SDK's own metrics that docs/OPERATIONS.md tells operators to watch.
    for (const text of scrapes) {
      for (const name of [
        'temporal_workflow_completed_total',
        'temporal_activity_execution_latency_seconds_bucket',
        'temporal_worker_task_slots_available',
        'temporal_workflow_task_schedule_to_start_latency_seconds_bucket',
        'temporal_activity_schedule_to_start_latency_seconds_bucket',
        'temporal_sticky_cache_size',
      ]) {
        expect({ name, exported: new RegExp(`^${name}\\{`, 'm').test(text) }).toEqual({ name, exported: true });
      }
    }
    const sent = (kind: string) => scrapes.reduce((n, text) => n + sumOf(text, 'licence_review_emails_sent_total', new RegExp(`kind="${kind}"`)), 0);
    const mails = await stack.mails();
    const requests = mails.filter((m) => m.subject.startsWith('Review requested')).length;
    expect(requests).toBeGreaterThan(0);
    expect(sent('review_request')).toBe(requests);
    expect(sent('review_request') + sent('step_closed') + sent('notice')).toBe(mails.length);
    expect(scrapes.reduce((n, text) => n + sumOf(text, 'licence_review_emails_failed_total'), 0)).toBe(0);
    // Each API counts the decisions it took; the two together, every decision of the batch.
    const apiScrapes = await Promise.all(stack.apis.map(async (a) => (await fetch(`http://127.0.0.1:${stack.ports[a]}/metrics`)).text()));
    const decided = done.flatMap((v) => v.steps).filter((st) => st.status === 'decided').length;
    expect(apiScrapes.reduce((n, text) => n + sumOf(text, 'licence_review_decisions_total'), 0)).toBe(decided);
    for (const text of apiScrapes) expect(sumOf(text, 'licence_review_decisions_total')).toBeGreaterThan(0);
    console.log(
      `api metrics sample:\n${apiScrapes[0]
        .split('\n')
        .filter((l) => /^licence_review_(decisions_total|http_request_duration_seconds_count)/.test(l))
        .slice(0, 8)
        .join('\n')}`,
    );
    console.log(
      `worker metrics sample:\n${scrapes[0]
        .split('\n')
        .filter((l) => /^(licence_review_emails|temporal_workflow_completed|temporal_activity_execution_latency_seconds_count)/.test(l))
        .slice(0, 8)
        .join('\n')}`,
    );
  });

  test("logs are JSON lines: requests carry their id (a caller's X-Request-Id kept), workflow and activity lines their workflow id", async () => {
    const [project] = done;
    // A read (a query): sent again while it answers 503 under load, each time with the same X-Request-Id.
    const res = expectStatus(await stack.read(`/v1/projects/${project.projectId}`, { headers: { 'x-request-id': 'trace-scale-out-1' } }), 200);
    expect(res.headers.get('x-request-id')).toBe('trace-scale-out-1');
    const fresh = await stack.fetch(`/v1/projects/${project.projectId}`, { headers: { 'x-request-id': 'not a plain token' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await stack.until(
      'the request logged',
      async () => logLines('api'),
      (lines) => lines.some((l) => l.reqId === 'trace-scale-out-1' && (l.res as { statusCode?: number } | undefined)?.statusCode === 200),
      10_000,
    );
    for (const api of stack.apis) {
      const lines = logLines(api);
      const requestLines = lines.filter((l) => l.req || l.res);
      expect(requestLines.length).toBeGreaterThan(BATCH);
      expect(requestLines.filter((l) => typeof l.reqId !== 'string')).toEqual([]);
      // A request on a project's routes names its workflow.
      const onProjects = requestLines.filter((l) => /^\/v1\/projects\/[^/]+/.test(String((l.req as { url?: string } | undefined)?.url)));
      expect(onProjects.length).toBeGreaterThan(0);
      expect(onProjects.filter((l) => !String(l.workflowId).startsWith('project-'))).toEqual([]);
      // Decisions through reviewer links name theirs too (read from the verified link).
      const decisions = lines.filter((l) => l.msg === 'decision recorded');
      expect(decisions.length).toBeGreaterThan(0);
      expect(decisions.filter((l) => typeof l.workflowId !== 'string' || typeof l.reqId !== 'string')).toEqual([]);
    }
    // The completion line of the read that answered (the last one sent with that id).
    const traced = logLines('api')
      .filter((l) => l.reqId === 'trace-scale-out-1' && l.res)
      .at(-1);
    expect(traced).toMatchObject({ workflowId: `project-${project.projectId}`, res: { statusCode: 200 } });

    // No credential in any API line: keys, cookies and reviewer link tokens stay out.
    for (const api of stack.apis) {
      const text = readFileSync(stack.logFile(api), 'utf8');
      for (const secret of [KEYS.coordinator, KEYS.funder, 'authorization', 'cookie']) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/"\/r\/(?!\[token\])/);
    }

    for (const worker of stack.workers) {
      const lines = logLines(worker);
      expect(lines.every((l) => typeof l.level === 'number' && typeof l.time === 'number' && l.service === 'worker')).toBe(true);
      // Every line about a workflow or an activity (the SDK's lifecycle lines, the workflows' audit lines) names its workflow.
      const aboutWork = lines.filter((l) => l.workflowType || l.activityType || l.sdkComponent === 'workflow' || l.sdkComponent === 'activity');
      expect(aboutWork.filter((l) => typeof l.workflowId !== 'string').slice(0, 3)).toEqual([]);
      expect(aboutWork.filter((l) => l.activityType).length).toBeGreaterThan(0);
      const audit = aboutWork.filter((l) => l.sdkComponent === 'workflow' && String(l.msg).startsWith('audit: '));
      expect(audit.length).toBeGreaterThan(0);
    }
    // Between them, the workers logged each project's decisions as its workflows (the project's, its licences') recorded them.
    const auditLines = stack.workers.flatMap(logLines).filter((l) => l.msg === 'audit: decision-recorded');
    for (const view of done) {
      const decided = view.steps.filter((s) => s.status === 'decided').length;
      expect({
        project: view.projectId,
        lines: auditLines.filter((l) => [`project-${view.projectId}`, `licence-${view.projectId}--c1`].includes(String(l.workflowId))).length,
      }).toEqual({ project: view.projectId, lines: decided });
    }
  });
  return stack;
}
