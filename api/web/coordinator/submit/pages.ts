/**
 * The pages of a submission: the task list, one page per part, "check your answers", and the page of every part that
 * a refusal shows. Each is one form that carries the draft (./draft.ts) and the submission's idempotency key.
 */
import type { Funder } from '../../../../domain/policy';
import { html, type SafeHtml } from '../../../html';
import { errorSummary, formKeys, summaryList, type FieldError } from '../../forms';
import { dueAtOf, PARTS, type Draft, type Part } from './draft';
import { PART_FIELDS, PART_TITLES } from './parts';

export const SUBMIT_PATH = '/app/projects/new';

export interface FormParts {
  token: string;
  key: string;
  draft: Draft;
}

/** The form every page of the submission is: its token, its key, the draft, and the part(s) it sends. */
function form({ token, key, draft }: FormParts, part: Part | 'all' | 'check' | 'none', body: SafeHtml, next: string): SafeHtml {
  // The first button of a form is the one the Enter key presses: here, the page's own "continue", not a row's "remove"
  // (in a hidden element: the style sheet's buttons would show through a button's own hidden attribute).
  return html`<form method="post" action="${SUBMIT_PATH}" novalidate>${formKeys(token, key)}
<input type="hidden" name="_draft" value="${JSON.stringify(draft)}"><input type="hidden" name="_part" value="${part}">
<div hidden><button type="submit" name="_go" value="${next}" tabindex="-1">Continue</button></div>
${body}</form>`;
}

const goButton = (to: string, label: string, kind = 'link') => html`<button type="submit" class="${kind}" name="_go" value="${to}">${label}</button>`;

function status(d: Draft, part: Part): SafeHtml {
  const count = { details: 0, partners: d.partners.length, components: d.components.length, milestones: d.milestones.length }[part];
  if (part === 'details') {
    const typed = [d.title, d.funderId, d.coordinator.name, d.coordinator.email, d.coordinator.partnerId].filter(Boolean).length;
    if (!typed) return html`<strong class="tag todo">Not started</strong>`;
    return typed === 5 ? html`<strong class="tag done">Filled in</strong>` : html`<strong class="tag">In progress</strong>`;
  }
  if (!count) return part === 'milestones' ? html`<strong class="tag">Optional</strong>` : html`<strong class="tag todo">Not started</strong>`;
  return html`<strong class="tag done">${count} added</strong>`;
}

export function taskListPage(f: FormParts): SafeHtml {
  const tasks = PARTS.map((p) => html`<li>${goButton(p, PART_TITLES[p])}${status(f.draft, p)}</li>`);
  return html`<h1>Submit a project</h1>
<p class="lede">Fill in each part, in any order; you can come back to any of them. Nothing is sent until you have checked
your answers: the service then checks the whole project, and shows anything to correct beside its field.</p>
${form(
  f,
  'none',
  html`<h2>The project</h2><ol class="tasks">${tasks}</ol>
<h2>Check and send</h2><p>See the whole project before you send it.</p>
<div class="actions">${goButton('check', 'Check your answers', 'primary')}</div>`,
  'check',
)}`;
}

/** A part's page; opened with "Change" from check your answers, it goes back there first. */
export function partPage(f: FormParts, part: Part, funders: readonly Funder[], back: 'tasks' | 'check'): SafeHtml {
  const buttons =
    back === 'check'
      ? html`${goButton('check', 'Save and check your answers', 'primary')}${goButton('tasks', 'Save and go back to the task list', 'secondary')}`
      : html`${goButton('tasks', 'Save and go back to the task list', 'primary')}${goButton('check', 'Save and check your answers', 'secondary')}`;
  return html`<h1>${PART_TITLES[part]}</h1>
${form(
  f,
  part,
  html`<input type="hidden" name="_back" value="${back}">${PART_FIELDS[part]({ draft: f.draft, errors: [], funders })}
<div class="actions">${buttons}</div>`,
  back,
)}`;
}

/** After a refusal: every part on one page, what was typed kept, each error beside its field and in the summary. */
export function correctionPage(f: FormParts, errors: readonly FieldError[], funders: readonly Funder[]): SafeHtml {
  const sections = PARTS.map((p) => html`<h2>${PART_TITLES[p]}</h2>${PART_FIELDS[p]({ draft: f.draft, errors, funders })}`);
  return html`${errorSummary(errors)}<h1>Correct the project</h1>
<p class="lede">The project was not sent: nothing has been recorded. Correct what is shown, then check your answers again.</p>
${form(f, 'all', html`${sections}<div class="actions">${goButton('check', 'Check your answers', 'primary')}</div>`, 'check')}`;
}

const lines = (...parts: (string | false | undefined)[]) => parts.filter(Boolean).map((p, i) => html`${i > 0 && html`<br>`}${p}`);
const listed = (values: string[], none = 'none') => (values.length ? values.join(', ') : none);

export function checkPage(f: FormParts, funders: readonly Funder[]): SafeHtml {
  const d = f.draft;
  const change = (p: Part, what: string) => goButton(p, `Change ${what}`);
  const empty = (p: Part, what: string) => [{ key: PART_TITLES[p], value: `No ${what}`, change: change(p, what) }];
  const details = summaryList([
    { key: 'Title', value: d.title, change: change('details', 'the title') },
    { key: 'Funder', value: funders.find((x) => x.id === d.funderId)?.name ?? d.funderId, change: change('details', 'the funder') },
    {
      key: 'Coordinator',
      value: lines(d.coordinator.name, d.coordinator.email, d.coordinator.partnerId && `of ${d.coordinator.partnerId}`),
      change: change('details', 'the coordinator'),
    },
  ]);
  const partners = d.partners.length
    ? d.partners.map((p, i) => ({
        key: `Partner ${i + 1}`,
        value: lines(`${p.name} (${p.id})`, `Country: ${p.country}`, (p.contact.name || p.contact.email) && `Contact: ${p.contact.name} ${p.contact.email}`),
        change: change('partners', `partner ${i + 1}`),
      }))
    : empty('partners', 'partners');
  const components = d.components.length
    ? d.components.map((c, i) => ({
        key: `Component ${i + 1}`,
        value: lines(
          `${c.name} (${c.id})`,
          c.description,
          `Control codes: ${listed(c.controlCodes)}`,
          `End use: ${c.endUse}`,
          `Destinations: ${listed(c.destinations)}`,
          `Recipients: ${listed(c.recipients)}`,
          `Exporter: ${c.exporter || "the coordinator's organisation"}`,
          c.heldIn && `Held in: ${c.heldIn}`,
        ),
        change: change('components', `component ${i + 1}`),
      }))
    : empty('components', 'components');
  const milestones = d.milestones.length
    ? d.milestones.map((m, i) => ({
        key: `Milestone ${i + 1}`,
        value: lines(`${m.title} (${m.id})`, `Due: ${dueAtOf(m.dueAt)}`, `Components: ${listed(m.componentIds)}`),
        change: change('milestones', `milestone ${i + 1}`),
      }))
    : empty('milestones', 'milestones');
  return html`<h1>Check your answers before sending the project</h1>
${form(
  f,
  'check',
  html`<h2>${PART_TITLES.details}</h2>${details}<h2>${PART_TITLES.partners}</h2>${summaryList(partners)}
<h2>${PART_TITLES.components}</h2>${summaryList(components)}<h2>${PART_TITLES.milestones}</h2>${summaryList(milestones)}
<h2>Now send the project</h2><p>Its review starts at once: the service classifies each component and asks the agencies that review it.</p>
<div class="actions"><button type="submit" name="_send" value="1">Submit the project</button>${goButton('tasks', 'Back to the task list')}</div>`,
  'tasks',
)}`;
}
