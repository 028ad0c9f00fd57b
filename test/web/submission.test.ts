/**
 * Submit a project through the pages, over HTTP on the real stack: the task list, a page per part (rows added and
 * removed without script), check your answers, then the API records it. A refused submission keeps everything typed,
 * with each error in the summary and beside its field, and records nothing.
 */
import { stringify } from 'qs';
import request from 'supertest';
import { bearer, KEYS, useApiStack } from '../helpers/api-stack';
import { uniqueId } from '../helpers/fixtures';
import { formTokens, signedInAgent } from '../helpers/web';

const stack = useApiStack();
const api = () => request(stack.app);
type Agent = Awaited<ReturnType<typeof signedInAgent>>;

const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
/** The draft the page carries, as its hidden field has it. */
const draftOf = (page: string) => unescape(/name="_draft" value="([^"]*)"/.exec(page)![1]);
const partOf = (page: string) => /name="_part" value="([^"]*)"/.exec(page)![1];
/** Where a part's page goes back to, when it says (opened by "Change" from check your answers). */
const backOf = (page: string) => /name="_back" value="([^"]*)"/.exec(page)?.[1];

/**
 * Presses a button of the page's form (`{ _go: 'partners' }`, `{ _add: 'partners' }`…) with these fields typed, named
 * as the page names them (`partners[0][id]`: superagent's own form encoding would drop the rows' indexes).
 */
async function press(agent: Agent, page: string, fields: Record<string, unknown>) {
  return agent
    .post('/app/projects/new')
    .type('form')
    .send(stringify({ ...formTokens(page), _draft: draftOf(page), _part: partOf(page), _back: backOf(page), ...fields }));
}

const DETAILS = (title: string) => ({
  title,
  funderId: 'horizon-eu',
  coordinator: { name: 'A. Weber', email: 'a.weber@kit.example', partnerId: 'kit' },
});
const PARTNERS = [
  { id: 'kit', name: 'Karlsruhe Institute of Technology', country: 'DE', contact: { name: '', email: '' } },
  { id: 'ornl', name: 'Oak Ridge National Laboratory', country: 'US', contact: { name: 'J. Doe', email: 'j.doe@ornl.example' } },
];
const COMPONENTS = [
  {
    id: 'c0',
    name: 'Open analysis software',
    description: 'Python analysis code',
    controlCodes: '',
    endUse: 'fundamental-research',
    destinations: 'US',
    recipients: ['ornl'],
  },
  {
    id: 'c1',
    name: 'Radiation-hardened FPGA board',
    description: 'Readout board',
    controlCodes: '3A001',
    endUse: 'civilian-research',
    destinations: 'US',
    recipients: ['ornl'],
  },
  {
    id: 'c2',
    name: 'High-speed camera',
    description: 'Framing camera',
    controlCodes: '6A003',
    endUse: 'plasma-diagnostics',
    destinations: 'US, JP',
    recipients: ['ornl'],
  },
];

/** Fills in the details, partners and components through their pages (from the task list), and returns the task list. */
async function fillIn(agent: Agent, title: string, components = COMPONENTS) {
  let page = (await agent.get('/app/projects/new')).text;
  page = (await press(agent, page, { _go: 'details' })).text;
  expect(page).toContain('<label for="title">Title</label>');
  page = (await press(agent, page, { ...DETAILS(title), _go: 'partners' })).text;
  expect(page).toContain('<legend>Partner 1</legend>'); // a part of rows opens with one to fill in
  page = (await press(agent, page, { partners: PARTNERS, _go: 'components' })).text;
  page = (await press(agent, page, { components, _go: 'tasks' })).text;
  return page;
}

test('a three-component project submitted through the task list, its parts and check your answers is recorded', async () => {
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const title = `Plasma diagnostics ${uniqueId()}`;
  let page = (await agent.get('/app/projects/new')).text;
  expect(page).toContain('<ol class="tasks">');
  expect(page).toMatch(/value="partners">Partners<\/button><strong class="tag todo">Not started/);

  page = await fillIn(agent, title);
  expect(page).toMatch(/value="components">Components<\/button><strong class="tag done">3 added/);
  page = (await press(agent, page, { _go: 'milestones' })).text;
  expect(page).toContain('value="m1"'); // the suggested reference of the first row
  page = (await press(agent, page, { milestones: [{ id: 'm1', title: 'Prototype', dueAt: '2027-06-30', componentIds: ['c1', 'c2'] }], _go: 'check' })).text;

  expect(page).toContain('<h1>Check your answers before sending the project</h1>');
  for (const text of [title, 'European Commission, Horizon Europe', 'Oak Ridge National Laboratory (ornl)', 'High-speed camera (c2)', 'Destinations: US, JP'])
    expect(page).toContain(text);
  expect(page).toContain('Due: 2027-06-30T00:00:00Z');
  expect(page).toContain('name="_go" value="components">Change component 1</button>');

  // "Change" opens the part's page, which goes back to check your answers first (the Enter key too).
  page = (await press(agent, page, { _go: 'components' })).text;
  expect(page).toMatch(/<div hidden><button type="submit" name="_go" value="check"/);
  expect(page).toMatch(/<div class="actions"><button type="submit" class="primary" name="_go" value="check">Save and check your answers/);
  page = (await press(agent, page, { components: COMPONENTS.slice(0, 2), _add: 'components' })).text; // a removed row, then one added
  expect(backOf(page)).toBe('check');
  page = (await press(agent, page, { components: COMPONENTS, _go: 'check' })).text;
  expect(page).toContain('High-speed camera (c2)');

  const sent = await press(agent, page, { _send: '1' });
  expect(sent.status).toBe(303);
  const projectId = /^\/app\/projects\/([^?]+)\?done=submitted$/.exec(sent.headers.location)![1];
  const view = (await api().get(`/v1/projects/${projectId}`).set(bearer(KEYS.coordinator))).body;
  expect(view.title).toBe(title);
  expect(view.components.map((c: { componentId?: string; id?: string; name: string }) => c.name)).toEqual(COMPONENTS.map((c) => c.name));
  expect(view.milestones).toHaveLength(1);

  // Pressing "Submit" again (the same form, the same key) records nothing new.
  const again = await press(agent, page, { _send: '1' });
  expect(again.status).toBe(303);
  expect(again.headers.location).toBe(sent.headers.location);
});

test('rows are added and removed without script; rows left empty are dropped when leaving the page', async () => {
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  let page = (await agent.get('/app/projects/new')).text;
  page = (await press(agent, page, { _go: 'partners' })).text;
  expect(partOf(page)).toBe('partners');
  page = (await press(agent, page, { partners: PARTNERS.slice(0, 1), _add: 'partners' })).text;
  expect(page).toContain('<legend>Partner 2</legend>');
  expect(page).toContain('value="Karlsruhe Institute of Technology"'); // what was typed in the first row is kept
  page = (await press(agent, page, { partners: [PARTNERS[0], PARTNERS[1]], _add: 'partners' })).text;
  expect(page).toContain('<legend>Partner 3</legend>');
  page = (await press(agent, page, { partners: [PARTNERS[0], PARTNERS[1], { id: 'x', name: 'Gone', country: 'FR' }], _remove: 'partners.0' })).text;
  expect(page).not.toContain('<legend>Partner 3</legend>');
  expect(page).not.toContain('value="Karlsruhe Institute of Technology"');
  expect(page).toContain('value="Oak Ridge National Laboratory"');
  expect(page).toContain('value="Gone"');
  page = (await press(agent, page, { partners: [PARTNERS[1], { id: '', name: '', country: '' }], _go: 'tasks' })).text;
  expect(JSON.parse(draftOf(page)).partners.map((p: { id: string }) => p.id)).toEqual(['ornl']);

  // Components: an empty added row keeps its suggested reference only until the page is left.
  page = (await press(agent, page, { _go: 'components' })).text;
  expect(page).toContain('value="c1"');
  page = (await press(agent, page, { components: [COMPONENTS[0]], _add: 'components' })).text;
  expect(page).toContain('<legend>Component 2</legend>');
  page = (await press(agent, page, { components: [COMPONENTS[0], { id: 'c2' }], _go: 'tasks' })).text;
  expect(JSON.parse(draftOf(page)).components).toHaveLength(1);
});

test('a refused submission keeps everything typed, shows each error beside its field, and records nothing', async () => {
  const agent = await signedInAgent(stack.app, KEYS.coordinator);
  const title = `Refused ${uniqueId()}`;
  const partners = [{ ...PARTNERS[0] }, { ...PARTNERS[1], country: 'Germany' }];
  const components = [{ ...COMPONENTS[0], destinations: 'usa' }, { ...COMPONENTS[1], name: '' }, COMPONENTS[2]];
  let page = (await agent.get('/app/projects/new')).text;
  page = (await press(agent, page, { _go: 'details' })).text;
  page = (await press(agent, page, { ...DETAILS(title), _go: 'partners' })).text;
  page = (await press(agent, page, { partners, _go: 'components' })).text;
  page = (await press(agent, page, { components, _go: 'check' })).text;

  const refused = await press(agent, page, { _send: '1' });
  expect(refused.status).toBe(422);
  const text = refused.text;
  expect(text).toContain('<title>Error: Correct the project');
  expect(text).toMatch(/<div class="error-summary"[^>]*autofocus>/);
  const expected = [
    ['partners.1.country', 'Partner 2 country: must be an ISO 3166 alpha-2 country code such as &quot;DE&quot;'],
    ['components.0.destinations', 'Component 1 destinations, item 1: must be an ISO 3166 alpha-2 country code such as &quot;DE&quot;'],
    ['components.1.name', 'Component 2 name: must not be empty'],
  ];
  for (const [key, message] of expected) {
    const id = key.replace(/\./g, '-');
    expect(text).toContain(`<li><a href="#${id}">${message}</a></li>`);
    expect(text).toContain(`<span class="field-error" id="${id}-error"><span class="muted">Error:</span> ${message}</span>`);
    expect(text).toMatch(new RegExp(`id="${id}"[^>]*aria-describedby="[^"]*${id}-error"`));
  }
  // Everything typed is on the page, in its field.
  for (const value of [title, 'A. Weber', 'a.weber@kit.example', 'Germany', 'j.doe@ornl.example', 'usa', 'High-speed camera', '6A003', 'US, JP'])
    expect(text).toContain(`value="${value}"`);
  expect(text).toContain('>Readout board</textarea>');
  expect(text).toContain('>Framing camera</textarea>');
  expect(text).toMatch(/name="components\[2\]\[recipients\]\[\]" value="ornl" checked>/);
  // Nothing was recorded.
  const listed = (
    await api()
      .get(`/v1/projects?q=${encodeURIComponent(title)}`)
      .set(bearer(KEYS.coordinator))
  ).body;
  expect(listed.items).toEqual([]);

  // Corrected on that page (every part on it), checked, and sent with the same key: recorded.
  page = (
    await press(agent, text, {
      ...DETAILS(title),
      partners: PARTNERS,
      components: COMPONENTS,
      _go: 'check',
    })
  ).text;
  expect(partOf(text)).toBe('all');
  expect(page).toContain('Oak Ridge National Laboratory (ornl)');
  const sent = await press(agent, page, { _send: '1' });
  expect(sent.status).toBe(303);
  const projectId = /^\/app\/projects\/([^?]+)\?/.exec(sent.headers.location)![1];
  const view = (await api().get(`/v1/projects/${projectId}`).set(bearer(KEYS.coordinator))).body;
  expect(view.title).toBe(title);
  expect(view.components).toHaveLength(3);
});
