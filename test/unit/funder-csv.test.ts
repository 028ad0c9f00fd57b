/** The funder pages' pure parts: the CSV's quoting, and how a typed close date becomes the API's ISO time. */
import { csvFile } from '../../api/csv';
import { closeDateOf } from '../../api/web/funder/launch';

test('every cell quoted, quotes doubled, CRLF lines; a cell a spreadsheet would run as a formula is kept as text', () => {
  expect(
    csvFile(
      ['project', 'awaited'],
      [
        ['p-1', 'European Commission, Horizon Europe'],
        ['p-2', 'the "lead" agency\nsecond line'],
        ['=HYPERLINK("x")', '-1'],
      ],
    ),
  ).toBe(
    '"project","awaited"\r\n' +
      '"p-1","European Commission, Horizon Europe"\r\n' +
      '"p-2","the ""lead"" agency\nsecond line"\r\n' +
      '"\'=HYPERLINK(""x"")","\'-1"\r\n',
  );
});

test('a typed close date: a day closes at its end, a time without a zone is UTC, anything else goes on as typed', () => {
  expect(closeDateOf('2027-03-31')).toBe('2027-03-31T23:59:59Z');
  expect(closeDateOf(' 2027-03-31 17:00 ')).toBe('2027-03-31T17:00:00Z');
  expect(closeDateOf('2027-03-31T17:00:05')).toBe('2027-03-31T17:00:05Z');
  expect(closeDateOf('2027-03-31T17:00:00+02:00')).toBe('2027-03-31T17:00:00+02:00');
  expect(closeDateOf('next Tuesday')).toBe('next Tuesday');
});
