/**
 * Form parts after the GOV.UK Design System's patterns: every field has a label (and a hint where one helps), its
 * error beside it, and the page an error summary at the top, focused, that links to each field in error with the same
 * words. A field's key is its path in the API's body (`partners.0.name`); its name is the form's (`partners[0][name]`,
 * which the body parser turns back into the API's shape) and its id the summary's link target (`partners-0-name`).
 */
import { html, type HtmlValue, type SafeHtml } from '../html';
import type { ApiAnswer } from './page-api';
import { CSRF_FIELD } from './csrf';

/** An error of the form: `key` names the field ('' or undefined: the form as a whole). */
export interface FieldError {
  key?: string;
  message: string;
}

export const fieldId = (key: string) => key.replace(/[.[\]]+/g, '-').replace(/-$/, '');
export const fieldName = (key: string) =>
  key
    .split('.')
    .map((part, i) => (i === 0 ? part : `[${part}]`))
    .join('');

/** The value at a dotted key of what was typed (the form's body as the parser nests it). */
export function valueAt(values: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), values);
}
const textAt = (values: unknown, key: string) => {
  const v = valueAt(values, key);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
};

/**
 * The API's refusal as the form's errors: each detail at its field (`body.partners.0.name` → `partners.0.name`), said
 * with the field's label; a refusal without details (a conflict, a 403) is one error of the whole form.
 * @param label the label of the field at a key, when the page has one (the summary then says "Title: must be…").
 */
export function formErrors(answer: ApiAnswer, label: (key: string) => string | undefined = () => undefined): FieldError[] {
  const error = answer.error ?? { message: `the request failed (${answer.status})`, details: [] };
  const fields = error.details
    .filter((d) => d.path.startsWith('body.') || d.path === 'body')
    .map((d) => {
      const key = d.path.replace(/^body\.?/, '');
      const name = key ? label(key) : undefined;
      return { key: key || undefined, message: sentence(name ? `${name}: ${d.message}` : d.message) };
    });
  return fields.length ? fields : [{ message: sentence(error.message) }];
}

export const sentence = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

const errorOf = (errors: readonly FieldError[], key: string) => errors.find((e) => e.key === key)?.message;

/** The summary at the top of a page with errors: focused on load (autofocus, no script), each error a link to its field. */
export function errorSummary(errors: readonly FieldError[]): SafeHtml | false {
  if (!errors.length) return false;
  const items = errors.map((e) => (e.key ? html`<li><a href="#${fieldId(e.key)}">${e.message}</a></li>` : html`<li>${e.message}</li>`));
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
<h2 id="error-summary-title">There is a problem</h2><ul>${items}</ul></div>`;
}

export interface FieldSpec {
  key: string;
  label: HtmlValue;
  hint?: HtmlValue;
  /** What was typed, and the errors of the form (the field shows its own). */
  values?: unknown;
  errors?: readonly FieldError[];
}

function group(spec: FieldSpec, control: (describedBy: string | undefined, invalid: boolean) => SafeHtml, legend = false): SafeHtml {
  const id = fieldId(spec.key);
  const error = errorOf(spec.errors ?? [], spec.key);
  const described = [spec.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const hint = spec.hint && html`<span class="hint" id="${id}-hint">${spec.hint}</span>`;
  const message = error && html`<span class="field-error" id="${id}-error"><span class="muted">Error:</span> ${error}</span>`;
  const groupClass = `group${error ? ' error' : ''}`;
  if (legend) {
    const describedBy = described && html` aria-describedby="${described}"`;
    const inner = html`<legend>${spec.label}</legend>${hint}${message}${control(undefined, !!error)}`;
    return html`<fieldset class="${groupClass}"${describedBy}>${inner}</fieldset>`;
  }
  return html`<div class="${groupClass}"><label for="${id}">${spec.label}</label>${hint}${message}${control(described, !!error)}</div>`;
}

const aria = (describedBy: string | undefined, invalid: boolean) =>
  html`${describedBy && html` aria-describedby="${describedBy}"`}${invalid && html` aria-invalid="true"`}`;

export function textInput(
  spec: FieldSpec & { type?: 'text' | 'email' | 'date' | 'datetime-local' | 'number' | 'search'; short?: boolean; autocomplete?: string },
) {
  const extra = html`${spec.short && html` class="short"`}${spec.autocomplete && html` autocomplete="${spec.autocomplete}"`}`;
  const [id, name, value] = [fieldId(spec.key), fieldName(spec.key), textAt(spec.values, spec.key)];
  return group(spec, (d, bad) => html`<input type="${spec.type ?? 'text'}" id="${id}" name="${name}" value="${value}"${extra}${aria(d, bad)}>`);
}

export function textArea(spec: FieldSpec & { rows?: number }) {
  const [id, name, value] = [fieldId(spec.key), fieldName(spec.key), textAt(spec.values, spec.key)];
  return group(spec, (d, bad) => html`<textarea id="${id}" name="${name}" rows="${spec.rows ?? 5}"${aria(d, bad)}>${value}</textarea>`);
}

export interface Option {
  value: string;
  label: HtmlValue;
  hint?: HtmlValue;
}

export function select(spec: FieldSpec & { options: readonly Option[]; blank?: string }) {
  const current = textAt(spec.values, spec.key);
  const blank = spec.blank !== undefined && html`<option value="">${spec.blank}</option>`;
  const options = spec.options.map((o) => html`<option value="${o.value}"${o.value === current && html` selected`}>${o.label}</option>`);
  return group(
    spec,
    (d, bad) => html`<select id="${fieldId(spec.key)}" name="${fieldName(spec.key)}"${aria(d, bad)}>
${blank}${options}</select>`,
  );
}

/** One choice of several (type radio) or any of several (type checkbox: the values are the list at the key). */
export function choices(spec: FieldSpec & { options: readonly Option[]; type?: 'radio' | 'checkbox' }) {
  const type = spec.type ?? 'radio';
  const chosen = valueAt(spec.values, spec.key);
  const isChosen = (v: string) => (Array.isArray(chosen) ? chosen.map(String).includes(v) : String(chosen ?? '') === v);
  const name = type === 'checkbox' ? `${fieldName(spec.key)}[]` : fieldName(spec.key);
  return group(
    spec,
    () =>
      html`${spec.options.map((o, i) => {
        const id = i === 0 ? fieldId(spec.key) : `${fieldId(spec.key)}-${i}`; // the summary links to the first
        const input = html`<input type="${type}" id="${id}" name="${name}" value="${o.value}"${isChosen(o.value) && html` checked`}>`;
        return html`<label class="choice" for="${id}">${input}<span>${o.label}${o.hint && html`<span class="hint">${o.hint}</span>`}</span></label>`;
      })}`,
    true,
  );
}

export function fileInput(spec: FieldSpec & { multiple?: boolean }) {
  return group(
    spec,
    (d, bad) => html`<input type="file" id="${fieldId(spec.key)}" name="${fieldName(spec.key)}"${spec.multiple && html` multiple`}${aria(d, bad)}>`,
  );
}

/** The form's CSRF token (./csrf.ts), and its own key: sent as Idempotency-Key, so pressing the button twice acts once. */
export const formKeys = (csrfToken: string, idempotencyKey?: string) =>
  html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}">${idempotencyKey && html`<input type="hidden" name="_key" value="${idempotencyKey}">`}`;

/** A summary list ("check your answers"): each row a question, the answer, and a way to change it. */
export function summaryList(rows: readonly { key: HtmlValue; value: HtmlValue; change?: SafeHtml }[]): SafeHtml {
  return html`<dl class="summary">${rows.map((r) => html`<dt>${r.key}</dt><dd>${r.value}</dd><dd>${r.change ?? ''}</dd>`)}</dl>`;
}
