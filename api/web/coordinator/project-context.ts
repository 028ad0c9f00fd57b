/**
 * What the coordinator's action forms on one project share: the project as the API shows it to the person signed in
 * (a project they may not see is the API's 404 or 403, shown as a page), the way back to the project page, and a
 * form with files turned into the API's multipart request. No rule of the API is copied here: the forms send on
 * what was typed and show the API's refusal.
 */
import type { Request, Response } from 'express';
import { html, type SafeHtml } from '../../html';
import { formatWhen } from '../../page-format';
import type { ComponentView, ProjectView, ReviewStep } from '../../../workflows/definitions';
import { when as timeOf } from '../format';
import { fileInput, type FieldError } from '../forms';
import type { WebContext } from '../routes';
import { projectHref } from './project-parts';
import type { CorrectiveAction, MonitoredLicenceView } from '../../../workflows/compliance-contract';

export { projectHref };
export const apiProjectPath = (projectId: string) => `/v1/projects/${encodeURIComponent(projectId)}`;

export const backLink = (projectId: string) => html`<p><a href="${projectHref(projectId)}">Back to the project</a></p>`;

/** A page that says why there is nothing to act on here, with the way back. */
export function nothingHere(ctx: WebContext, req: Request, res: Response, page: { status: number; title: string; message: string; projectId: string }) {
  ctx.render(req, res, {
    status: page.status,
    title: page.title,
    body: html`${backLink(page.projectId)}<h1>${page.title}</h1><div class="banner info"><p>${page.message}</p></div>`,
  });
}

/** The project as the API shows it to the person signed in; otherwise the API's refusal has been answered as a page. */
export async function projectFor(ctx: WebContext, req: Request, res: Response): Promise<ProjectView | undefined> {
  const projectId = String(req.params.id);
  const answer = await ctx.api.get<ProjectView>(req, apiProjectPath(projectId));
  if (answer.ok) return answer.body;
  const title = answer.status === 404 ? 'Project not found' : 'This project cannot be shown';
  nothingHere(ctx, req, res, { status: answer.status, title, message: answer.error?.message ?? `the request failed (${answer.status})`, projectId });
  return undefined;
}

/** `Radiation-hardened FPGA board (c1)`. */
export const componentLabel = (c: ComponentView | undefined, id?: string) => (c ? `${c.name} (${c.id})` : (id ?? ''));

/** The component a step is about, by name, or the project as a whole. */
export const stepSubject = (view: ProjectView, step: ReviewStep) =>
  step.componentId
    ? componentLabel(
        view.components.find((c) => c.id === step.componentId),
        step.componentId,
      )
    : 'the project as a whole';

/** A time, or 'not set'. */
export const when = (iso: string | undefined) => timeOf(iso, 'not set');

/** The files of a form (multer's, from the pages' parser), those sent in the field named `file`; an empty file field sends none. */
export function chosenFiles(req: Request): Express.Multer.File[] {
  const files = (req.files as Express.Multer.File[] | undefined) ?? [];
  return files.filter((f) => f.fieldname === 'file' && !(f.originalname === '' && f.size === 0));
}

/**
 * The API's multipart request: text parts (left out when absent), or one `body` part holding JSON (for a body with
 * numbers and booleans), and the form's files in parts named `file`.
 */
export function multipartOf(req: Request, fields: Record<string, string | undefined> | { body: unknown }): FormData {
  const form = new FormData();
  if ('body' in fields && typeof fields.body !== 'string') form.append('body', JSON.stringify(fields.body));
  else for (const [name, value] of Object.entries(fields)) if (typeof value === 'string') form.append(name, value);
  for (const f of chosenFiles(req)) form.append('file', new Blob([f.buffer], { type: f.mimetype }), f.originalname);
  return form;
}

/** The hint of a file field after a refusal: a browser never keeps the files chosen, so say so. */
export const filesAgainHint = (base: string, refused: boolean) => (refused ? `${base} Choose your files again: they were not kept.` : base);

/** The form's files field (`file`, as the API names its parts); a refused file's error shows beside it. */
export const filesField = (hint: string, values: unknown, errors: readonly FieldError[]) =>
  fileInput({ key: 'file', label: 'Files', hint: filesAgainHint(hint, errors.length > 0), values, errors, multiple: true });

/** A text field of a form body, or undefined when it was not sent. */
export const textOf = (body: unknown, key: string): string | undefined => {
  const v = (body as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
};
/** An optional text: left out of the request when blank (the API then reads it as not given). */
export const optionalText = (body: unknown, key: string) => {
  const v = textOf(body, key);
  return v && v.trim() ? v : undefined;
};

/** The components whose licence the compliance monitor follows, with what it shows of them (reports, corrective actions). */
export const monitored = (view: ProjectView) =>
  view.components.flatMap((c) => {
    const compliance = (c.licence as Partial<MonitoredLicenceView>).compliance;
    return compliance ? [{ component: c, compliance }] : [];
  });

/** The corrective actions the coordinator has still to resolve, as the monitors show them (open, or past due). */
export const actionsToResolve = (view: ProjectView): { component: ComponentView; action: CorrectiveAction }[] =>
  monitored(view).flatMap(({ component, compliance }) =>
    compliance.correctiveActions.filter((a) => a.status === 'open' || a.status === 'overdue').map((action) => ({ component, action })),
  );
