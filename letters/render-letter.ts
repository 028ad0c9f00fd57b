/**
 * The two decision letters as PDF: the licence (what was issued, to whom, for what, where, on which conditions set
 * by whom, until when, and who has acknowledged them) and the refusal (on what legal basis, and where and until when
 * to appeal). Pure: the same letter data gives the same bytes.
 */
import { formatDuration } from '../domain/durations';
import type { LetterData, LetterParty, LicenceLetter, RefusalLetter } from './letter-data';
import { LetterPage, utc } from './pdf-page';

const partyLine = (p: LetterParty) => (p.country ? `${p.name}, ${p.countryName} (${p.country})` : p.name);

/** The file a letter is served and stored as. */
export function letterFilename(letter: LetterData): string {
  return letter.kind === 'licence' ? `licence-${letter.licenceId}.pdf` : `refusal-${letter.projectId}-${letter.item.componentId}.pdf`;
}

export function renderLetter(letter: LetterData): Promise<Buffer> {
  const page = new LetterPage({
    title: letter.kind === 'licence' ? `Export licence ${letter.licenceId}` : `Refusal of an export licence: ${letter.item.name}`,
    author: letter.issuer.name,
    subject: `${letter.projectTitle} (${letter.projectId}), component ${letter.item.componentId}`,
    created: letter.dated,
    modified: letter.revised,
    footer: `${letterFilename(letter)} - from the record of project ${letter.projectId}, as of ${utc(letter.revised)}`,
  });
  if (letter.kind === 'licence') licence(page, letter);
  else refusal(page, letter);
  return page.bytes();
}

function licence(page: LetterPage, l: LicenceLetter): void {
  page.letterhead(l.issuer.name, l.issuer.regime, 'Export licence', `Licence ${l.licenceId}`);
  page.field('Licence number', l.licenceId);
  page.field('Issuing authority', l.issuer.name);
  page.field('Regime', l.issuer.regime);
  page.field('Status', l.status);
  page.field('Valid from', utc(l.validFrom));
  page.field('Valid until', utc(l.validUntil));
  if (l.basis) page.field('Legal basis', l.basis);
  page.field('Project', `${l.projectTitle} (${l.projectId})`);
  parties(page, l);
  items(page, l);

  page.section('Conditions');
  if (!l.conditions.length) page.paragraph('This licence carries no conditions.');
  l.conditions.forEach((c, i) => page.item(i + 1, c.text, `Set by: ${c.setBy}`));

  if (l.acknowledgements) {
    page.section('Written acknowledgements of the conditions');
    l.acknowledgements.given.forEach((a, i) =>
      page.item(i + 1, `${a.party}: acknowledged by ${a.by}`, `On ${utc(a.at)}${a.sha256 ? `; signed document SHA-256 ${a.sha256}` : ''}`),
    );
    const { pending } = l.acknowledgements;
    if (pending) page.paragraph(`${pending} acknowledgement(s) still owed: the licence may not be used until all are given.`);
    else page.paragraph('Every acknowledgement the conditions require has been given.');
  }
}

function refusal(page: LetterPage, r: RefusalLetter): void {
  page.letterhead(r.issuer.name, r.issuer.regime, 'Refusal of an export licence', `${r.projectTitle}: ${r.item.name}`);
  page.field('Issuing authority', r.issuer.name);
  page.field('Regime', r.issuer.regime);
  page.field('Date of refusal', utc(r.dated));
  page.field('Project', `${r.projectTitle} (${r.projectId})`);
  page.field('Legal basis', r.legalBasis);
  parties(page, r);
  items(page, r);

  page.section('Refusing decisions');
  if (!r.decisions.length) page.paragraph('The refusal rests on a final ruling; see the legal basis above.');
  r.decisions.forEach((d, i) => page.item(i + 1, `${d.by}: refused${d.legalBasis ? ` under ${d.legalBasis}` : ''}`, `By ${d.reviewer} on ${utc(d.at)}`));

  page.section('Appeal');
  if (!r.appeal) {
    page.paragraph(`${r.issuer.name} names no appeal body in the policy.`);
    return;
  }
  page.field('Appeal to', r.appeal.body);
  page.field('Time allowed', `${formatDuration(r.appeal.within)} from the refusal`);
  if (r.appeal.deadline) page.field('Appeal deadline', utc(r.appeal.deadline));
  const state = {
    open: 'The appeal window is open: appeal in writing, citing your legal basis, before the deadline.',
    appealed: `Appealed on ${r.appeal.at ? utc(r.appeal.at) : 'a recorded date'}: the ${r.appeal.body} decides.`,
    accepted: `The applicant accepted the refusal on ${r.appeal.at ? utc(r.appeal.at) : 'a recorded date'}.`,
    closed: 'The appeal window has closed.',
    'not-opened': 'The appeal window opens with this refusal.',
  }[r.appeal.state];
  page.field('Appeal status', state);
}

function parties(page: LetterPage, c: LetterData): void {
  page.section('Parties');
  page.field('Exporter', partyLine(c.exporter));
  c.recipients.forEach((r, i) => page.field(i === 0 ? (c.recipients.length > 1 ? 'Recipients' : 'Recipient') : '', partyLine(r)));
  page.field('Coordinator (applicant)', `${c.coordinator.name} <${c.coordinator.email}>, ${partyLine(c.coordinator.partner)}`);
}

function items(page: LetterPage, c: LetterData): void {
  page.section('Items');
  page.field('Item', `${c.item.name} (component ${c.item.componentId})`);
  if (c.item.description) page.field('Description', c.item.description);
  page.field('End use', c.item.endUse);
  if (c.item.tier) page.field('Review tier', c.item.tier);
  const codes = c.item.controlCodes.map((x) => (x.description ? `${x.code} - ${x.description}` : x.code));
  page.field('Control codes', codes.length ? codes.join('\n') : 'none listed');
  page.field('Destinations', c.destinations.map((d) => `${d.name} (${d.code})`).join(', '));
}
