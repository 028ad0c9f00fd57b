/**
 * The submission's draft, carried from page to page as JSON in one hidden field (no table, no expiry, no second store
 * of what a person typed): every page's form sends it back with its own part, and the API checks the whole of it once,
 * at the end. The draft is what was typed, as text, in the API body's shape; it is read leniently (anything a browser
 * could send becomes text or lists of text) and never judged here: the API's refusal says what is wrong, and where.
 */

export interface PartnerRow {
  id: string;
  name: string;
  country: string;
  contact: { name: string; email: string };
}
export interface ComponentRow {
  id: string;
  name: string;
  description: string;
  controlCodes: string[];
  endUse: string;
  destinations: string[];
  recipients: string[];
  exporter: string;
  heldIn: string;
}
export interface MilestoneRow {
  id: string;
  title: string;
  /** As typed in a date field (2027-06-30), or a full date-time. */
  dueAt: string;
  componentIds: string[];
}
export interface Draft {
  title: string;
  funderId: string;
  coordinator: { name: string; email: string; partnerId: string };
  partners: PartnerRow[];
  components: ComponentRow[];
  milestones: MilestoneRow[];
}

/** The parts of the task list, each a page of its own; 'all' is the page of every part (after a refusal). */
export const PARTS = ['details', 'partners', 'components', 'milestones'] as const;
export type Part = (typeof PARTS)[number];

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Loose) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Repeated rows as the form parser gives them: a list, or (past qs's array limit) an object keyed by index. */
export function rowsOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  const o = obj(v);
  return Object.keys(o)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => o[k]);
}

/** A list field: checkboxes give a list, a text field "3A001, 6A003" (commas or spaces between). */
export function listOf(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/[\s,;]+/).filter(Boolean);
  return rowsOf(v).map(str).filter(Boolean);
}

const partner = (v: unknown): PartnerRow => {
  const o = obj(v);
  const contact = obj(o.contact);
  return { id: str(o.id), name: str(o.name), country: str(o.country), contact: { name: str(contact.name), email: str(contact.email) } };
};
const component = (v: unknown): ComponentRow => {
  const o = obj(v);
  return {
    id: str(o.id),
    name: str(o.name),
    description: str(o.description),
    controlCodes: listOf(o.controlCodes),
    endUse: str(o.endUse),
    destinations: listOf(o.destinations),
    recipients: listOf(o.recipients),
    exporter: str(o.exporter),
    heldIn: str(o.heldIn),
  };
};
const milestone = (v: unknown): MilestoneRow => {
  const o = obj(v);
  return { id: str(o.id), title: str(o.title), dueAt: str(o.dueAt), componentIds: listOf(o.componentIds) };
};

/** One part of a draft, read from a form (or from the draft's own JSON). */
function readPart(part: Part, v: Loose): Partial<Draft> {
  switch (part) {
    case 'details': {
      const c = obj(v.coordinator);
      return { title: str(v.title), funderId: str(v.funderId), coordinator: { name: str(c.name), email: str(c.email), partnerId: str(c.partnerId) } };
    }
    case 'partners':
      return { partners: rowsOf(v.partners).map(partner) };
    case 'components':
      return { components: rowsOf(v.components).map(component) };
    case 'milestones':
      return { milestones: rowsOf(v.milestones).map(milestone) };
  }
}

export const emptyDraft = (): Draft => readDraft('');

/** The draft from its hidden field; anything unreadable is an empty draft (it was only ever what the person typed). */
export function readDraft(json: unknown): Draft {
  let v: Loose = {};
  try {
    v = obj(typeof json === 'string' && json ? JSON.parse(json) : {});
  } catch {
    v = {};
  }
  return Object.assign({}, ...PARTS.map((p) => readPart(p, v))) as Draft;
}

/** The draft with the part(s) a page's form sent put in (an empty list of rows is a part with none). */
export function withPosted(draft: Draft, parts: readonly Part[], body: Loose): Draft {
  return Object.assign({}, draft, ...parts.map((p) => readPart(p, body))) as Draft;
}

export const emptyRow = {
  partners: (): PartnerRow => partner({}),
  components: (d: Draft): ComponentRow => component({ id: nextId('c', d.components) }),
  milestones: (d: Draft): MilestoneRow => milestone({ id: nextId('m', d.milestones) }),
};

/** A suggested reference for a new row (c3, m2): the person may change it. */
function nextId(prefix: string, rows: { id: string }[]): string {
  const taken = new Set(rows.map((r) => r.id));
  let n = rows.length + 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

const blank = (values: unknown[]): boolean =>
  values.every((v) => (Array.isArray(v) ? v.length === 0 : v && typeof v === 'object' ? blank(Object.values(v)) : !v));

/** Rows added and left empty are dropped when the person leaves the page (a suggested reference alone is not input). */
export function withoutBlankRows(d: Draft): Draft {
  return {
    ...d,
    partners: d.partners.filter((r) => !blank(Object.values(r))),
    components: d.components.filter(({ id: _id, ...r }) => !blank(Object.values(r))),
    milestones: d.milestones.filter(({ id: _id, ...r }) => !blank(Object.values(r))),
  };
}

/** A date field's day as the API's date-time (midnight UTC); anything else is sent as typed, for the API to judge. */
export const dueAtOf = (typed: string) => (/^\d{4}-\d{2}-\d{2}$/.test(typed) ? `${typed}T00:00:00Z` : typed);

/** The body of POST /v1/projects: the draft as it is, with the optional parts left empty left out. */
export function submissionOf(d: Draft) {
  return {
    title: d.title,
    funderId: d.funderId,
    coordinator: d.coordinator,
    partners: d.partners.map(({ contact, ...p }) => ({ ...p, ...((contact.name || contact.email) && { contact }) })),
    components: d.components.map(({ exporter, heldIn, ...c }) => ({ ...c, ...(exporter && { exporter }), ...(heldIn && { heldIn }) })),
    milestones: d.milestones.map((m) => ({ ...m, dueAt: dueAtOf(m.dueAt) })),
  };
}
