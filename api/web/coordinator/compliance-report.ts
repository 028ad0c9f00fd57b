/**
 * File a compliance report for a licence and period, with its shipments and files: POST /v1/projects/:id/reports.
 * Shipments are rows of the form (`shipments[0][destination]`…); "Add another shipment" is a submit button, so a row
 * is added without script and what was typed stays. The typed text becomes the API's JSON body (numbers and yes/no as
 * JSON, in a `body` part beside the files); the API judges it, and its errors land beside the row's field.
 */
import { Router, type Request, type Response } from 'express';
import { html, type SafeHtml } from '../../html';
import type { ProjectView } from '../../../workflows/definitions';
import type { MonitoredLicenceView, ReportRequest } from '../../../workflows/compliance-contract';
import { choices, errorSummary, formErrors, formKeys, select, textArea, textInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import {
  actionsToResolve,
  apiProjectPath,
  backLink,
  componentLabel,
  filesField,
  multipartOf,
  optionalText,
  projectFor,
  projectHref,
  monitored,
  textOf,
  when,
} from './project-context';

const LABELS: Record<string, string> = {
  componentId: 'Licence',
  period: 'Reporting period',
  endUseConfirmed: 'End use confirmed',
  shipments: 'Shipments',
  notes: 'Notes',
  file: 'Files',
};
const SHIPMENT_LABELS: Record<string, string> = { destination: 'destination', endUser: 'end user', quantity: 'quantity', date: 'date' };

/** `shipments.1.endUser` → "Shipment 2 end user". */
function labelOf(key: string): string | undefined {
  const row = /^shipments\.(\d+)\.(\w+)$/.exec(key);
  if (row) return `Shipment ${Number(row[1]) + 1} ${SHIPMENT_LABELS[row[2]] ?? row[2]}`;
  if (/^shipments\.\d+$/.test(key)) return `Shipment ${Number(key.split('.')[1]) + 1}`;
  return LABELS[key];
}

type Row = Record<string, string>;

/** The rows as typed (qs gives a list, or an object past 20 rows), without those left wholly blank. */
function typedRows(body: unknown): Row[] {
  const raw = (body as { shipments?: unknown } | undefined)?.shipments;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
  return list
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object')
    .map((r) => Object.fromEntries(Object.keys(SHIPMENT_LABELS).map((k) => [k, typeof r[k] === 'string' ? (r[k] as string) : ''])))
    .filter((r) => Object.values(r).some((v) => v.trim()));
}

/** Text typed for a number: a number when it reads as one, else the text itself (for the API to refuse); blank is absent. */
function numberOf(text: string | undefined): number | string | undefined {
  if (text === undefined || !text.trim()) return undefined;
  return /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text;
}

/** The API's body from the form: its types, nothing judged. */
function reportOf(body: unknown, rows: Row[]) {
  const confirmed = textOf(body, 'endUseConfirmed');
  return {
    componentId: textOf(body, 'componentId') ?? '',
    period: numberOf(textOf(body, 'period')),
    endUseConfirmed: confirmed === 'true' ? true : confirmed === 'false' ? false : undefined,
    shipments: rows.map((r) => ({ destination: r.destination, endUser: r.endUser, quantity: numberOf(r.quantity), date: r.date })),
    notes: optionalText(body, 'notes'),
  };
}

function reportsTable(view: ProjectView): SafeHtml {
  const rows = monitored(view).flatMap(({ component, compliance }) =>
    compliance.reports.map(
      (r: ReportRequest) =>
        html`<tr><td>${componentLabel(component)}</td><td class="num">${r.period} of ${compliance.periods}</td><td>${when(r.startsAt)} to ${when(r.endsAt)}</td>
<td>${when(r.dueAt)}</td><td><span class="tag ${r.status === 'awaited' ? 'todo' : r.status === 'received' ? 'done' : 'bad'}">${r.status}</span></td></tr>`,
    ),
  );
  if (!rows.length) return html`<div class="banner info"><p>No licence of this project is monitored yet: no report has been asked for.</p></div>`;
  return html`<table><caption>Reports asked for</caption><thead><tr><th scope="col">Licence</th><th scope="col" class="num">Period</th>
<th scope="col">Covers</th><th scope="col">Due</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The corrective actions still to resolve, each a link to its page. */
function openActions(view: ProjectView): SafeHtml | false {
  const open = actionsToResolve(view);
  if (!open.length) return false;
  const href = (actionId: string) => `${projectHref(view.projectId)}/corrective-actions/${encodeURIComponent(actionId)}`;
  return html`<div class="banner warn"><p>Corrective actions to resolve:</p><ul>${open.map(
    ({ component, action: a }) => html`<li><a href="${href(a.actionId)}">${a.actionId}</a> (${componentLabel(component)}), due ${when(a.dueAt)}</li>`,
  )}</ul></div>`;
}

function shipmentRow(i: number, values: unknown, errors: readonly FieldError[]): SafeHtml {
  const k = (f: string) => `shipments.${i}.${f}`;
  return html`<fieldset class="rows"><legend>Shipment ${i + 1}</legend>
${textInput({ key: k('destination'), label: 'Destination country', hint: 'Two-letter country code, e.g. US', values, errors, short: true })}
${textInput({ key: k('endUser'), label: 'End user', values, errors })}
${textInput({ key: k('quantity'), label: 'Quantity (optional)', values, errors, short: true })}
${textInput({ key: k('date'), label: 'Date shipped', hint: 'For example 2027-03-01', type: 'date', values, errors, short: true })}</fieldset>`;
}

export function complianceReportPages(ctx: WebContext): Router {
  const router = Router();

  function form(req: Request, res: Response, view: ProjectView, values: unknown, rowCount: number, errors: FieldError[] = [], key = ctx.formKey()) {
    const options = view.components.map((c) => ({ value: c.id, label: `${componentLabel(c)}: licence ${c.licence.licenceId ?? c.licence.status}` }));
    const rowErrors = errors.filter((e) => e.key?.startsWith('shipments.'));
    ctx.render(req, res, {
      errors,
      title: 'File a compliance report',
      body: html`${backLink(view.projectId)}${errorSummary(errors)}
<h1>File a compliance report</h1><p class="lede">${view.title}: what was shipped under a licence in one reporting period, and to whom.</p>
${reportsTable(view)}${openActions(view)}
<form method="post" enctype="multipart/form-data" novalidate>${formKeys(ctx.token(req, res), key)}
${select({ key: 'componentId', label: LABELS.componentId, values, errors, options })}
${textInput({ key: 'period', label: LABELS.period, hint: 'The number of the period, from the table above', values, errors, short: true })}
${choices({
  key: 'endUseConfirmed',
  label: 'Do you confirm the items were used only for the licensed end use?',
  values,
  errors,
  options: [
    { value: 'true', label: 'Yes' },
    { value: 'false', label: 'No', hint: 'Say why in the notes' },
  ],
})}
<h2>Shipments</h2><p class="hint">One row per shipment; clear a row to leave it out. Leave the rows blank if nothing was shipped in the period.</p>
${errors.some((e) => e.key === 'shipments') && html`<p class="field-error" id="shipments">${errors.find((e) => e.key === 'shipments')!.message}</p>`}
${Array.from({ length: rowCount }, (_, i) => shipmentRow(i, values, rowErrors))}
<div class="actions"><button type="submit" class="secondary" name="_add" value="1">Add another shipment</button></div>
${textArea({ key: 'notes', label: 'Notes (optional)', values, errors, rows: 4 })}
${filesField('Optional: a shipment list, end-use statements.', values, errors)}
<div class="actions"><button type="submit">File the report</button><a href="${projectHref(view.projectId)}">Cancel</a></div></form>`,
    });
  }

  router.get('/projects/:id/reports/new', async (req, res) => {
    const view = await projectFor(ctx, req, res);
    if (!view) return;
    // Start on the first report awaited, as a convenience; the coordinator may choose another.
    const awaited = monitored(view).flatMap(({ component, compliance }) =>
      compliance.reports.filter((r) => r.status === 'awaited').map((r) => ({ component, r })),
    );
    const asked = typeof req.query.componentId === 'string' ? awaited.find((a) => a.component.id === req.query.componentId) : awaited[0];
    const values = asked ? { componentId: asked.component.id, period: String(asked.r.period) } : { componentId: req.query.componentId };
    form(req, res, view, values, 1);
  });

  router.post('/projects/:id/reports/new', async (req, res) => {
    const _key = textOf(req.body, '_key');
    const rows = typedRows(req.body);
    const values = { ...(req.body as object), shipments: rows };
    if (textOf(req.body, '_add')) {
      const view = await projectFor(ctx, req, res);
      return view && form(req, res, view, values, rows.length + 1, [], _key);
    }
    const answer = await ctx.api.call(req, {
      method: 'POST',
      path: `${apiProjectPath(req.params.id)}/reports`,
      form: multipartOf(req, { body: reportOf(req.body, rows) }),
      idempotencyKey: _key,
    });
    if (answer.ok) return res.redirect(303, `${projectHref(req.params.id)}?done=report-filed`);
    const view = await projectFor(ctx, req, res);
    if (view) form(req, res, view, values, Math.max(rows.length, 1), formErrors(answer, labelOf), _key);
  });

  return router;
}
