/**
 * The fields of each part of a submission, keyed by their paths in the API's body (so a refusal's errors land beside
 * them): the project's details, and the repeatable partners, components and milestones, each row with its remove
 * button and each part with "add another". A part page shows one of these; the page after a refusal shows them all.
 */
import type { Funder } from '../../../../domain/policy';
import { html, type SafeHtml } from '../../../html';
import { choices, fieldId, select, textArea, textInput, type FieldError, type Option } from '../../forms';
import type { Draft, Part } from './draft';

export interface PartView {
  draft: Draft;
  errors: readonly FieldError[];
  funders: readonly Funder[];
}

export const PART_TITLES: Record<Part, string> = {
  details: 'Project details',
  partners: 'Partners',
  components: 'Components',
  milestones: 'Milestones',
};

/** The keys of every field, row and part the page of every part shows (where a refusal's errors can be placed). */
export function shownKeys(d: Draft): Set<string> {
  const keys = ['title', 'funderId', 'coordinator.name', 'coordinator.email', 'coordinator.partnerId', 'partners', 'components', 'milestones'];
  d.partners.forEach((_, i) => keys.push(...['', '.id', '.name', '.country', '.contact.name', '.contact.email'].map((f) => `partners.${i}${f}`)));
  const componentFields = ['', '.id', '.name', '.description', '.controlCodes', '.endUse', '.destinations', '.recipients', '.exporter', '.heldIn'];
  d.components.forEach((_, i) => keys.push(...componentFields.map((f) => `components.${i}${f}`)));
  d.milestones.forEach((_, i) => keys.push(...['', '.id', '.title', '.dueAt', '.componentIds'].map((f) => `milestones.${i}${f}`)));
  return new Set(keys);
}

/** Errors of a whole row or part, shown at its top (the error summary links there). */
function ownErrors(key: string, errors: readonly FieldError[]): SafeHtml {
  const mine = errors.filter((e) => e.key === key);
  return html`${mine.map((e) => html`<span class="field-error"><span class="muted">Error:</span> ${e.message}</span>`)}`;
}

/** A list field typed as text ("US, JP"): shown joined, read back split (./draft.ts). */
const joined = (key: string, list: string[]) => ({
  key,
  values: key.split('.').reduceRight<unknown>((inner, part) => ({ [part]: inner }), list.join(', ')),
});

/** Choices among the draft's own rows (partners, components), keeping a value typed before that is not among them. */
function optionsOf(rows: { id: string; name?: string; title?: string }[], current: string[]): Option[] {
  const options: Option[] = rows.filter((r) => r.id).map((r) => ({ value: r.id, label: r.name ? `${r.name} (${r.id})` : r.id }));
  for (const v of current) if (v && !options.some((o) => o.value === v)) options.push({ value: v, label: v });
  return options;
}

/** The hints of the rows' fields: what to type, with an example. */
const HINT = {
  partnerId: 'A short reference of your choice, e.g. kit: components name their recipients by it',
  contact: 'Who acknowledges a licence’s conditions for this partner',
  controlCodes: 'Control list entries, separated by commas, e.g. 3A001, ML22; none if unlisted',
  destinations: 'Two-letter country codes, separated by commas, e.g. US, JP',
  exporter: "The partner that exports it; by default the coordinator's",
  heldIn: "A two-letter country code; by default the exporter's country",
};

const COORDINATORS = "The coordinator's organisation";

/** A part of rows: its own errors, its rows (or what it is without), and "add another". */
const rowsPart = (part: string, rows: SafeHtml[], none: string, what: string, errors: readonly FieldError[]) =>
  html`<div id="${part}">${ownErrors(part, errors)}${rows.length ? rows : html`<p>${none}</p>`}</div>${addButton(part, what)}`;

const removeButton = (key: string, what: string) =>
  html`<div class="actions"><button type="submit" class="secondary" name="_remove" value="${key}">Remove ${what}</button></div>`;
const addButton = (part: string, what: string) =>
  html`<div class="actions"><button type="submit" class="secondary" name="_add" value="${part}">Add another ${what}</button></div>`;

export function detailsFields({ draft: d, errors, funders }: PartView): SafeHtml {
  const values = d;
  const partnerIds = optionsOf(d.partners, [d.coordinator.partnerId]);
  return html`${textInput({ key: 'title', label: 'Title', hint: 'The title of the grant, as the funder knows it', values, errors })}
${select({ key: 'funderId', label: 'Funder', options: funders.map((f) => ({ value: f.id, label: f.name })), blank: 'Choose the funder', values, errors })}
<fieldset><legend>Coordinator</legend>
${textInput({ key: 'coordinator.name', label: "Coordinator's name", values, errors, autocomplete: 'name' })}
${textInput({ key: 'coordinator.email', label: "Coordinator's e-mail address", type: 'email', values, errors, autocomplete: 'email' })}
${
  partnerIds.length
    ? select({
        key: 'coordinator.partnerId',
        label: "Coordinator's organisation",
        hint: 'One of the partners',
        options: partnerIds,
        blank: 'Choose a partner',
        values,
        errors,
      })
    : textInput({
        key: 'coordinator.partnerId',
        label: "Coordinator's organisation",
        hint: "The partner's reference, e.g. kit (add the partners too)",
        values,
        errors,
        short: true,
      })
}</fieldset>`;
}

export function partnerFields({ draft: d, errors }: PartView): SafeHtml {
  const rows = d.partners.map((p, i) => {
    const at = `partners.${i}`;
    const values = { partners: d.partners };
    return html`<fieldset class="rows" id="${fieldId(at)}"><legend>Partner ${i + 1}</legend>${ownErrors(at, errors)}
${textInput({ key: `${at}.id`, label: 'Reference', hint: HINT.partnerId, values, errors, short: true })}
${textInput({ key: `${at}.name`, label: 'Name', values, errors, autocomplete: 'organization' })}
${textInput({ key: `${at}.country`, label: 'Country', hint: 'Its two-letter code, e.g. DE', values, errors, short: true })}
${textInput({ key: `${at}.contact.name`, label: "Contact's name (optional)", hint: HINT.contact, values, errors })}
${textInput({ key: `${at}.contact.email`, label: "Contact's e-mail address (optional)", type: 'email', values, errors })}
${removeButton(at, `partner ${i + 1}${p.name ? ` (${p.name})` : ''}`)}</fieldset>`;
  });
  return rowsPart('partners', rows, 'No partners yet.', 'partner', errors);
}

export function componentFields({ draft: d, errors }: PartView): SafeHtml {
  const rows = d.components.map((c, i) => {
    const at = `components.${i}`;
    const values = { components: d.components };
    const recipients = optionsOf(d.partners, c.recipients);
    const exporters = optionsOf(d.partners, [c.exporter]);
    return html`<fieldset class="rows" id="${fieldId(at)}"><legend>Component ${i + 1}</legend>${ownErrors(at, errors)}
${textInput({ key: `${at}.id`, label: 'Reference', hint: 'A short reference, e.g. c1: milestones name their components by it', values, errors, short: true })}
${textInput({ key: `${at}.name`, label: 'Name', values, errors })}
${textArea({ key: `${at}.description`, label: 'Description (optional)', values, errors, rows: 3 })}
${textInput({ ...joined(`${at}.controlCodes`, c.controlCodes), label: 'Control codes', hint: HINT.controlCodes, errors })}
${textInput({ key: `${at}.endUse`, label: 'End use', hint: 'e.g. civilian-research, fundamental-research, plasma-diagnostics', values, errors })}
${textInput({ ...joined(`${at}.destinations`, c.destinations), label: 'Destinations', hint: HINT.destinations, errors })}
${
  recipients.length
    ? choices({ key: `${at}.recipients`, label: 'Recipients', hint: 'The partners who receive it', type: 'checkbox', options: recipients, values, errors })
    : textInput({
        ...joined(`${at}.recipients`, c.recipients),
        label: 'Recipients',
        hint: "The partners' references, separated by commas (add the partners too)",
        errors,
      })
}
${select({ key: `${at}.exporter`, label: 'Exporter (optional)', hint: HINT.exporter, options: exporters, blank: COORDINATORS, values, errors })}
${textInput({ key: `${at}.heldIn`, label: 'Where the items are held (optional)', hint: HINT.heldIn, values, errors, short: true })}
${removeButton(at, `component ${i + 1}${c.name ? ` (${c.name})` : ''}`)}</fieldset>`;
  });
  return rowsPart('components', rows, 'No components yet.', 'component', errors);
}

export function milestoneFields({ draft: d, errors }: PartView): SafeHtml {
  const rows = d.milestones.map((m, i) => {
    const at = `milestones.${i}`;
    const values = { milestones: d.milestones };
    const components = optionsOf(d.components, m.componentIds);
    const dateLike = !m.dueAt || /^\d{4}-\d{2}-\d{2}$/.test(m.dueAt); // else the date-time as typed, in a text field
    return html`<fieldset class="rows" id="${fieldId(at)}"><legend>Milestone ${i + 1}</legend>${ownErrors(at, errors)}
${textInput({ key: `${at}.id`, label: 'Reference', hint: 'A short reference, e.g. m1', values, errors, short: true })}
${textInput({ key: `${at}.title`, label: 'Title', values, errors })}
${textInput({ key: `${at}.dueAt`, label: 'Due date', hint: 'e.g. 2027-06-30', type: dateLike ? 'date' : 'text', values, errors, short: true })}
${
  components.length
    ? choices({ key: `${at}.componentIds`, label: 'Components it needs (optional)', type: 'checkbox', options: components, values, errors })
    : textInput({ ...joined(`${at}.componentIds`, m.componentIds), label: 'Components it needs (optional)', hint: 'References, separated by commas', errors })
}
${removeButton(at, `milestone ${i + 1}${m.title ? ` (${m.title})` : ''}`)}</fieldset>`;
  });
  return rowsPart('milestones', rows, 'No milestones yet: they are optional.', 'milestone', errors);
}

export const PART_FIELDS: Record<Part, (view: PartView) => SafeHtml> = {
  details: detailsFields,
  partners: partnerFields,
  components: componentFields,
  milestones: milestoneFields,
};
