/**
 * Escape-by-default HTML for the server-rendered pages. A value interpolated into html`…` is escaped unless it is
 * itself html`…` output (or raw(), for a trusted constant such as a style sheet), so a forgotten escape can no longer
 * put a workflow's text (a step's question, a project title, a reviewer's address) into a page as markup. Attribute
 * values must be written in double quotes in the template: the escaping covers them too.
 * (Prettier's embedded formatting is off, .prettierrc.json: it would reformat every html`…` template.)
 */

/** HTML to put in a page as it is: only html`…` and raw() make one (the class itself is not exported). */
class SafeHtml {
  readonly #html: string;
  constructor(html: string) {
    this.#html = html;
  }
  toString(): string {
    return this.#html;
  }
}
export type { SafeHtml };

/** What html`…` takes: text (escaped), numbers, fragments (kept), lists of these (joined), and nothing (''). */
export type HtmlValue = SafeHtml | string | number | false | null | undefined | readonly HtmlValue[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function fragment(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** The tag: the template's own text is html, every `${value}` is text unless it is a SafeHtml. `String(page)` gives the page. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, s, i) => out + fragment(values[i - 1]) + s));
}

/** Trusted html kept as it is: for constants written here, never for a value from a request or a workflow. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}
