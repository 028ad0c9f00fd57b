/** The agency's figures (records/agency-figures.ts): open and overdue now; decided in time, late, and the median days, per period. */
import { decidedInTime, figuresOf, median, type FigureRow } from '../../records/agency-figures';

const NOW = new Date('2026-12-01T12:00:00Z');
const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000).toISOString();

function step(kind: string, opened: number, due: number, decided?: number, extra: Partial<FigureRow> = {}): FigureRow {
  return {
    kind,
    status: decided === undefined ? 'open' : 'decided',
    openedAt: day(opened),
    dueAt: day(due),
    ...(decided !== undefined && { decidedAt: day(decided) }),
    waiting: false,
    ...extra,
  };
}

test('median: the middle value, the mean of the middle two, none for nothing', () => {
  expect(median([])).toBeNull();
  expect(median([5, 1, 3])).toBe(3);
  expect(median([4, 1, 10, 2])).toBe(3);
});

test('in time: decided on or before the due time', () => {
  expect(decidedInTime({ dueAt: day(0), decidedAt: day(0) })).toBe(true);
  expect(decidedInTime({ dueAt: day(0), decidedAt: day(0.01) })).toBe(false);
  expect(decidedInTime({ dueAt: day(0) })).toBe(false);
});

test('figures per kind and in total, over all time and the recent period', () => {
  const rows = [
    step('licence-review', -10, 5), // open, not due
    step('licence-review', -30, -2), // open, overdue
    step('licence-review', -40, -20, -25), // decided in 15 days, in time, recent
    step('licence-review', -200, -180, -170), // decided in 30 days, late, long ago
    step('licence-review', -20, -1, undefined, { waiting: true }), // waiting for the coordinator: not owed
    step('grant-review', -12, -5, -9.5), // decided in 2.5 days, in time
  ];
  const figures = figuresOf(rows, NOW, 90);
  expect(figures.recent).toEqual({ days: 90, since: day(-90) });
  expect(figures.kinds.map((k) => k.kind)).toEqual(['grant-review', 'licence-review']);
  expect(figures.kinds[1]).toEqual({
    kind: 'licence-review',
    open: 2,
    overdue: 1,
    allTime: { decided: 2, inTime: 1, late: 1, medianDays: 22.5 },
    recent: { decided: 1, inTime: 1, late: 0, medianDays: 15 },
  });
  expect(figures.total).toEqual({
    kind: 'total',
    open: 2,
    overdue: 1,
    allTime: { decided: 3, inTime: 2, late: 1, medianDays: 15 },
    recent: { decided: 2, inTime: 2, late: 0, medianDays: 8.8 },
  });
});

test('no steps: zeros and no median', () => {
  const figures = figuresOf([], NOW);
  expect(figures.kinds).toEqual([]);
  expect(figures.total).toEqual({
    kind: 'total',
    open: 0,
    overdue: 0,
    allTime: { decided: 0, inTime: 0, late: 0, medianDays: null },
    recent: { decided: 0, inTime: 0, late: 0, medianDays: null },
  });
});
