/**
 * The API's refusal of a submission, placed on the page of every part: each detail's path (`body.partners.0.country`)
 * is the key of the field that shows it, said with that field's name ("Partner 1 country: …"). An error about one item
 * of a list typed in one field (`components.0.destinations.1`) is shown beside that field; an error about a whole row
 * or part (`partners`: an id used twice) beside the row or the part.
 */
import { formErrors, type FieldError } from '../../forms';
import type { ApiAnswer } from '../../page-api';

const FIELD: Record<string, string> = {
  title: 'Title',
  funderId: 'Funder',
  'coordinator.name': "Coordinator's name",
  'coordinator.email': "Coordinator's e-mail address",
  'coordinator.partnerId': "Coordinator's organisation",
  coordinator: 'Coordinator',
  partners: 'Partners',
  components: 'Components',
  milestones: 'Milestones',
};
const ROW: Record<string, string> = { partners: 'Partner', components: 'Component', milestones: 'Milestone' };
const ROW_FIELD: Record<string, string> = {
  id: 'reference',
  name: 'name',
  country: 'country',
  'contact.name': "contact's name",
  'contact.email': "contact's e-mail address",
  contact: 'contact',
  description: 'description',
  controlCodes: 'control codes',
  endUse: 'end use',
  destinations: 'destinations',
  recipients: 'recipients',
  exporter: 'exporter',
  heldIn: 'where the items are held',
  title: 'title',
  dueAt: 'due date',
  componentIds: 'components',
};
/** The fields that hold a list, typed (or ticked) in one field. */
const LIST_FIELDS = new Set(['controlCodes', 'destinations', 'recipients', 'componentIds']);

/** The name of the field (or row, or part) at a key of the body, for the error summary. */
export function labelOf(key: string): string | undefined {
  if (FIELD[key]) return FIELD[key];
  const m = /^(partners|components|milestones)\.(\d+)(?:\.(.+))?$/.exec(key);
  if (!m) return undefined;
  const row = `${ROW[m[1]]} ${Number(m[2]) + 1}`;
  if (!m[3]) return row;
  const item = /^(\w+)\.(\d+)$/.exec(m[3]);
  if (item && LIST_FIELDS.has(item[1])) return `${row} ${ROW_FIELD[item[1]]}, item ${Number(item[2]) + 1}`;
  return ROW_FIELD[m[3]] ? `${row} ${ROW_FIELD[m[3]]}` : row;
}

/**
 * The refusal's errors, each at a key the page shows: a list's item at its list's field, and a key no field has (a
 * field of the body the pages do not ask for) at the nearest row or part that is shown.
 * @param shown the keys of the fields, rows and parts on the page
 */
export function submissionErrors(answer: ApiAnswer, shown: ReadonlySet<string>): FieldError[] {
  return formErrors(answer, labelOf).map((e) => {
    if (!e.key) return e;
    let key = e.key.replace(/^((?:components|milestones)\.\d+\.(\w+))\.\d+$/, (all, list: string, field: string) => (LIST_FIELDS.has(field) ? list : all));
    while (key.includes('.') && !shown.has(key)) key = key.slice(0, key.lastIndexOf('.'));
    return shown.has(key) ? { ...e, key } : { message: e.message };
  });
}
