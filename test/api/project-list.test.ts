/**
 * GET /v1/projects (DESIGN §8 "Records"): the projects a caller may see, from the record store, filtered and in
 * pages. A cursor continues exactly after its page while new projects are submitted; filters combine; bad filters
 * are 400 naming the parameter. On the real stack.
 */
import request from 'supertest';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { smallProject, uniqueId } from '../helpers/fixtures';

const stack = useApiStack();
const api = () => request(stack.app);
const asCoordinator = bearer(KEYS.coordinator);

interface Page {
  items: { projectId: string; title: string; stage: string; funderId: string; leadAgency: string }[];
  nextCursor: string | null;
}

const list = async (query: Record<string, string | number>, key: string = KEYS.coordinator): Promise<Page> => {
  const res = await api().get('/v1/projects').query(query).set(bearer(key));
  expect(res.status).toBe(200);
  return res.body;
};

/** Submits `n` projects titled with `tag`, one after another, and waits until the list shows them all. */
async function submit(tag: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const project = { ...smallProject(uniqueId('pl')), title: `${tag} number ${i}` };
    expect((await api().post('/v1/projects').set(asCoordinator).send(project)).status).toBe(201);
    ids.push(project.projectId);
  }
  for (const deadline = Date.now() + 30_000; ;) {
    const shown = (await list({ q: tag, limit: 100 })).items.map((p) => p.projectId);
    if (ids.every((id) => shown.includes(id))) return ids;
    if (Date.now() > deadline) throw new Error(`the list shows ${shown.length} of ${n} projects tagged ${tag} after 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every page of a query, following nextCursor; `between` runs after the first page. */
async function pages(query: Record<string, string | number>, between?: () => Promise<unknown>): Promise<string[][]> {
  const all: string[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list({ ...query, ...(cursor && { cursor }) });
    all.push(page.items.map((p) => p.projectId));
    cursor = page.nextCursor;
    if (all.length === 1) await between?.();
  } while (cursor);
  return all;
}

test('pages follow the newest-first order, and a cursor continues after its page while projects are submitted', async () => {
  const tag = uniqueId('paging');
  const first = await submit(tag, 5);
  const newestFirst = [...first].reverse();
  let added: string[] = [];
  const seen = await pages({ q: tag, limit: 2 }, async () => {
    added = await submit(tag, 3);
  });
  // The pages before and after the new submissions: exactly the first five, in order, none twice, none missed.
  expect(seen).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
  // Listed again from the top, the new ones come first.
  expect((await pages({ q: tag, limit: 3 })).flat()).toEqual([...[...added].reverse(), ...newestFirst]);
}, 90_000);

test('filters combine; each caller sees only what they may; bad filters are 400 naming the parameter', async () => {
  const tag = uniqueId('filters');
  const [a, b] = await submit(tag, 2);
  expect((await api().post(`/v1/projects/${b}/withdraw`).set(asCoordinator).send({})).status).toBeLessThan(300);
  await stack.waitForView(b, (v) => v.stage === 'withdrawn', 'withdrawn');
  for (const deadline = Date.now() + 10_000; (await list({ q: tag, stage: 'withdrawn' })).items.length === 0;) {
    if (Date.now() > deadline) throw new Error('the withdrawal is not in the list after 10 s');
    await new Promise((r) => setTimeout(r, 200));
  }

  const ids = async (query: Record<string, string>, key?: string) => (await list({ q: tag, ...query }, key)).items.map((p) => p.projectId);
  expect(await ids({ stage: 'withdrawn' })).toEqual([b]);
  expect(await ids({ stage: 'scoping' })).toEqual([a]);
  expect(await ids({ funderId: 'horizon-eu', agency: 'de-bafa' })).toEqual([b, a]);
  expect(await ids({ agency: 'us-bis' })).toEqual([]);
  expect(await ids({ q: a })).toEqual([a]); // the exact id
  expect((await list({ q: `${tag} number 1` })).items.map((p) => p.title)).toEqual([`${tag} number 1`]);
  // Admin: all; the funder: its own; another funder and another coordinator: none of them.
  expect(await ids({}, KEYS.admin)).toEqual([b, a]);
  expect(await ids({}, KEYS.funder)).toEqual([b, a]);
  expect(await ids({}, KEYS.otherFunder)).toEqual([]);
  expect(await ids({}, KEYS.otherCoordinator)).toEqual([]);
  expect((await api().get('/v1/projects').query({ funderId: 'horizon-eu' }).set(bearer(KEYS.otherFunder))).status).toBe(403);
  expect((await api().get('/v1/projects').set(bearer(KEYS.agency))).status).toBe(403);

  for (const [query, path] of [
    [{ limit: 0 }, 'query.limit'],
    [{ limit: 101 }, 'query.limit'],
    [{ stage: 'archived' }, 'query.stage'],
    [{ cursor: 'bm90IGEgY3Vyc29y' }, 'query.cursor'],
    [{ cursor: 'not a cursor!' }, 'query.cursor'],
    [{ sort: 'title' }, 'query.sort'],
  ] as const) {
    const res = await api().get('/v1/projects').query(query).set(asCoordinator);
    expect({ query, status: res.status, paths: res.body.error?.details?.map((d: { path: string }) => d.path) }).toEqual({
      query,
      status: 400,
      paths: expect.arrayContaining([path]),
    });
  }
}, 90_000);
