/**
 * Activities: every effect of the workflows. Built by a factory from their
 * dependencies (mail transport, public URL, link signer, reference data), so
 * no host or secret is written here and tests can inject their own.
 */
import { asyncLocalStorage as activityContext } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { classifyComponent, indexRestrictedParties, type Classification } from '../domain/classification';
import type { ScreeningHit } from '../domain/compliance-rules';
import { partyNameKey } from '../domain/party-names';
import type { Policy } from '../domain/policy';
import type { Project } from '../domain/project';
import { searchAttributes, type ReviewStep } from '../workflows/definitions';
import type { LinkSigner } from './link-tokens';
import type { MailContext, NoticeInput } from '../workflows/mail-intents';
import { renderNotice, reviewRequestMail, stepClosedMail } from './mail';
import type { ReferenceData } from './reference-data';
import { workingDayActivities } from './working-days';
import { recordActivities } from './records';
import type { Records } from '../records/database';
import { markSent, wasSent } from '../records/sent-mails';

export interface ActivityDeps {
  transport: Pick<Transporter, 'sendMail'>;
  mailFrom: string;
  publicUrl: string;
  signer: LinkSigner;
  referenceData: ReferenceData;
  /** For activities that read Temporal visibility (a cycle over "all active projects"). */
  client?: Client;
  /** The system of record, for the record-writing activities. */
  records?: Records;
}

export interface MailReceipt {
  to: string;
  subject: string;
  messageId: string;
}

/**
 * The Message-ID of a mail: deterministic, so a send retried after an SMTP error carries the same one, and with the
 * workflow run it was sent from, so a project id submitted again (a new run) sends its own mails, which the
 * activity's memory of sends must not take for retries.
 */
export function messageIdFor(key: string, runId?: string): string {
  return `<${`${key}${runId ? `.${runId}` : ''}`.replace(/[^A-Za-z0-9._-]/g, '_')}@licence-review>`;
}

export function decisionLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, '')}/r/${token}`;
}

type MailKind = 'review_request' | 'step_closed' | 'notice';

/**
 * Counts a send on the activity's metric meter (tagged with namespace, task queue and activity type),
 * which the worker's Prometheus exporter serves as licence_review_emails_{sent,failed}_total{kind}.
 * Outside an activity (unit tests calling the functions directly) there is no meter and nothing is counted.
 */
function countMail(outcome: 'sent' | 'failed', kind: MailKind): void {
  const meter = activityContext.getStore()?.metricMeter;
  meter
    ?.withTags({ kind })
    .createCounter(
      `licence_review_emails_${outcome}`,
      'emails',
      `E-mails ${outcome === 'sent' ? 'accepted by' : 'refused by or not delivered to'} the SMTP relay`,
    )
    .add(1);
}

/** How many Message-IDs a worker process remembers having handed to SMTP (oldest forgotten first). */
const SENT_MEMORY = 20_000;

export function createActivities(deps: ActivityDeps) {
  const parties = indexRestrictedParties(deps.referenceData.restrictedParties);
  /**
   * Message-IDs this process has handed to SMTP. A send can be retried after the SMTP server
   * accepted it: the worker could not report the completion (Temporal unreachable for longer
   * than the SDK retries it, about 10 s) and Temporal ran the activity again after its timeout.
   * Such a retry in this process does not send again; in another process, the records' sent
   * mails (records/sent-mails.ts) stop it.
   */
  const sent = new Set<string>();

  /** A step's decision link, bound to its workflow run and to the step's assignment (a passed-on step refuses it). */
  const linkFor = (step: ReviewStep, expiresAt: number) =>
    decisionLink(
      deps.publicUrl,
      deps.signer.sign({
        workflowId: step.workflowId,
        stepId: step.stepId,
        reviewer: step.reviewer,
        expiresAt,
        ...(step.runId && { run: step.runId }),
        assignment: step.assignments ?? 0,
      }),
    );

  async function send(kind: MailKind, to: string, subject: string, text: string, key: string): Promise<MailReceipt> {
    const execution = activityContext.getStore()?.info.workflowExecution;
    const messageId = messageIdFor(key, execution?.runId);
    if (sent.has(messageId) || (deps.records && (await wasSent(deps.records, messageId)))) return { to, subject, messageId };
    try {
      await deps.transport.sendMail({ from: deps.mailFrom, to, subject, text, messageId });
    } catch (err) {
      countMail('failed', kind);
      throw err;
    }
    countMail('sent', kind);
    sent.add(messageId);
    if (sent.size > SENT_MEMORY) sent.delete(sent.values().next().value!);
    // A failure here fails the attempt; its retry finds the mail in this process's memory and does not send it again.
    if (deps.records) await markSent(deps.records, messageId, execution?.workflowId ?? '', new Date());
    return { to, subject, messageId };
  }

  return {
    ...workingDayActivities,
    ...recordActivities(deps.records),

    async classifyProject(input: { project: Project; rules: Policy['classification'] }): Promise<Classification[]> {
      const { project, rules } = input;
      return project.components.map((c) => classifyComponent(project, c, deps.referenceData.catalogue, parties, rules));
    },

    /** Screens names (a compliance report's end users) against the shipped restricted-party list; returns the names that match. */
    async screenParties(names: string[]): Promise<ScreeningHit[]> {
      return names.flatMap((name) => {
        const listed = parties.get(partyNameKey(name));
        return listed ? [{ name, listedName: listed.name, list: listed.list, country: listed.country }] : [];
      });
    },

    /** `issuedAt`: when a step passed to another reviewer was handed over (its link runs from then); else the step's opening. */
    async sendReviewRequest(input: { step: ReviewStep; context: MailContext; linkValidForMs: number; issuedAt?: string }): Promise<MailReceipt> {
      const { step, context } = input;
      const mail = reviewRequestMail(step, context, linkFor(step, Date.parse(input.issuedAt ?? step.openedAt) + input.linkValidForMs));
      const handover = step.assignments ? `.${step.assignments}` : '';
      return send('review_request', step.reviewer, mail.subject, mail.text, `${step.workflowId}.${step.stepId}.request${handover}`);
    },

    async sendStepClosed(input: { step: ReviewStep; context: MailContext; reason: string }): Promise<MailReceipt> {
      const mail = stepClosedMail(input.step, input.context, input.reason);
      return send('step_closed', input.step.reviewer, mail.subject, mail.text, `${input.step.workflowId}.${input.step.stepId}.closed`);
    },

    /** Renders the workflow's intent (activities/mail) and sends it, with a fresh decision link when the intent asks for one. */
    async sendNotice(input: NoticeInput): Promise<MailReceipt> {
      const { intent } = input;
      const link = 'linkUntil' in intent && intent.linkUntil ? linkFor(intent.step, Date.parse(intent.linkUntil)) : undefined;
      const mail = renderNotice(intent, link);
      return send('notice', input.to, mail.subject, mail.text, input.key);
    },

    /** The ids of a funder's active projects, from visibility: only cycles launched before shards ask (workflows/cycle-unsharded.ts). */
    async listActiveProjects(funderId: string): Promise<string[]> {
      if (!deps.client) throw new Error('listActiveProjects needs a Temporal client in the activity dependencies');
      const query = `WorkflowType = 'projectWorkflow' AND ExecutionStatus = 'Running' AND ${searchAttributes.funderId.name} = '${funderId}' AND ${searchAttributes.stage.name} = 'active'`;
      const ids: string[] = [];
      for await (const wf of deps.client.workflow.list({ query })) ids.push(wf.typedSearchAttributes.get(searchAttributes.projectId) ?? wf.workflowId);
      return ids;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
