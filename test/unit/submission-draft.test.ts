/**
 * The submission's draft and the placing of the API's errors, without a server: what a browser can send is read as
 * text, rows past qs's array limit keep their order, and each refusal detail lands on a field the page shows.
 */
import { emptyDraft, readDraft, rowsOf, submissionOf, withoutBlankRows, withPosted } from '../../api/web/coordinator/submit/draft';
import { labelOf, submissionErrors } from '../../api/web/coordinator/submit/errors';
import { shownKeys } from '../../api/web/coordinator/submit/parts';
import type { ApiAnswer } from '../../api/web/page-api';

const refusal = (...details: [string, string][]): ApiAnswer =>
  ({
    status: 400,
    ok: false,
    body: {},
    text: '',
    headers: new Headers(),
    error: { code: 'VALIDATION_FAILED', message: 'invalid', details: details.map(([path, message]) => ({ path, message })) },
  }) as ApiAnswer;

test('a draft that is not one reads as an empty draft; numbers and lists become text', () => {
  expect(readDraft('{not json')).toEqual(emptyDraft());
  expect(readDraft('[1,2]')).toEqual(emptyDraft());
  const d = readDraft(
    JSON.stringify({ title: 42, partners: [{ id: 'kit', contact: 'x' }], components: [{ destinations: 'US, jp;FR', recipients: ['ornl', 7] }] }),
  );
  expect(d.title).toBe('42');
  expect(d.partners).toEqual([{ id: 'kit', name: '', country: '', contact: { name: '', email: '' } }]);
  expect(d.components[0].destinations).toEqual(['US', 'jp', 'FR']);
  expect(d.components[0].recipients).toEqual(['ornl', '7']);
});

test('rows past the form parser array limit (an object keyed by index) keep their order', () => {
  const rows: Record<string, { id: string }> = {};
  for (const i of [21, 2, 10, 0]) rows[String(i)] = { id: `p${i}` };
  expect(rowsOf(rows).map((r) => (r as { id: string }).id)).toEqual(['p0', 'p2', 'p10', 'p21']);
  const d = withPosted(emptyDraft(), ['partners'], { partners: rows, title: 'ignored: not the posted part' });
  expect(d.partners.map((p) => p.id)).toEqual(['p0', 'p2', 'p10', 'p21']);
  expect(d.title).toBe('');
});

test('the body sent: optional parts left empty are left out, a date is midnight UTC, empty rows are dropped on leaving', () => {
  const d = withoutBlankRows(
    withPosted(emptyDraft(), ['partners', 'components', 'milestones'], {
      partners: [
        { id: 'kit', name: 'KIT', country: 'DE' },
        { id: '', name: '', country: '', contact: { name: '', email: '' } },
      ],
      components: [{ id: 'c1', name: 'Board', destinations: 'US', recipients: ['kit'] }, { id: 'c2' }],
      milestones: [{ id: 'm1', title: 'Prototype', dueAt: '2027-06-30' }],
    }),
  );
  const body = submissionOf(d);
  expect(body.partners).toEqual([{ id: 'kit', name: 'KIT', country: 'DE' }]);
  expect(body.components).toEqual([{ id: 'c1', name: 'Board', description: '', controlCodes: [], endUse: '', destinations: ['US'], recipients: ['kit'] }]);
  expect(body.milestones).toEqual([{ id: 'm1', title: 'Prototype', dueAt: '2027-06-30T00:00:00Z', componentIds: [] }]);
});

test("each refusal detail is placed on a field the page shows, said with that field's name", () => {
  const d = withPosted(emptyDraft(), ['partners', 'components'], { partners: [{ id: 'kit' }], components: [{ id: 'c1' }, { id: 'c2' }] });
  const errors = submissionErrors(
    refusal(
      ['body.partners.0.country', 'must be an ISO 3166 alpha-2 country code such as "DE"'],
      ['body.components.1.controlCodes.0', 'UK Research funds civil activities only'],
      ['body.components.0.recipients.1', '"x" is not one of the partners'],
      ['body.partners', 'partner id "kit" is used twice'],
      ['body.components.1.unknownField.deep', 'not a field the pages ask for'],
      ['query.limit', 'not of the body'],
    ),
    shownKeys(d),
  );
  expect(errors).toEqual([
    { key: 'partners.0.country', message: 'Partner 1 country: must be an ISO 3166 alpha-2 country code such as "DE"' },
    { key: 'components.1.controlCodes', message: 'Component 2 control codes, item 1: UK Research funds civil activities only' },
    { key: 'components.0.recipients', message: 'Component 1 recipients, item 2: "x" is not one of the partners' },
    { key: 'partners', message: 'Partners: partner id "kit" is used twice' },
    { key: 'components.1', message: 'Component 2: not a field the pages ask for' },
  ]);
  expect(labelOf('coordinator.partnerId')).toBe("Coordinator's organisation");
  expect(labelOf('milestones.2.dueAt')).toBe('Milestone 3 due date');
});
