/**
 * The pages' escape-by-default template (api/html.ts): every interpolated value is text unless it is html the tag
 * made, and a workflow's text reaches a reviewer page escaped.
 */
import { html, raw, type HtmlValue } from '../../api/html';
import { decisionPage } from '../../api/pages';
import type { StepContext } from '../../records/steps';

const render = (value: HtmlValue) => String(html`${value}`);

describe('html`…`', () => {
  test.each([
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
  ])('escapes %s', (char, entity) => {
    expect(render(`a${char}b`)).toBe(`a${entity}b`);
  });

  test('escapes each special character once, and leaves other text as it is', () => {
    expect(render(`<script>alert("x" & 'y')</script> — §742.4 ✓`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt; — §742.4 ✓');
    expect(render('&amp;')).toBe('&amp;amp;');
  });

  test("keeps the template's own text as markup", () => {
    expect(String(html`<p class="a">"quoted" & 'kept'</p>`)).toBe(`<p class="a">"quoted" & 'kept'</p>`);
  });

  test('nests fragments without escaping them again', () => {
    const cell = html`<td>${'a < b'}</td>`;
    const row = html`<tr>${cell}</tr>`;
    expect(String(html`<table>${row}</table>`)).toBe('<table><tr><td>a &lt; b</td></tr></table>');
  });

  test('escapes a string that merely looks like html, e.g. a fragment turned into a string', () => {
    expect(render(String(html`<b>x</b>`))).toBe('&lt;b&gt;x&lt;/b&gt;');
  });

  test('joins lists with nothing between, keeping fragments and escaping strings, at any depth', () => {
    expect(render([html`<li>1</li>`, '<li>2</li>', [html`<li>3</li>`, '&'], 4])).toBe('<li>1</li>&lt;li&gt;2&lt;/li&gt;<li>3</li>&amp;4');
    expect(render([])).toBe('');
  });

  test('renders null, undefined and false as nothing, and numbers as they are', () => {
    expect(String(html`[${null}|${undefined}|${false}]`)).toBe('[||]');
    expect(String(html`${0} ${1.5} ${-2}`)).toBe('0 1.5 -2');
    const open = false;
    expect(String(html`<li${open && html` class="open"`}>`)).toBe('<li>');
  });

  test('keeps a quoted attribute value inside its quotes', () => {
    const value = `x" onmouseover="alert(1)' data-y='1 > 0 & <b>`;
    expect(String(html`<a href="${value}" title='${value}'>`)).toBe(
      '<a href="x&quot; onmouseover=&quot;alert(1)&#39; data-y=&#39;1 &gt; 0 &amp; &lt;b&gt;" title=\'x&quot; onmouseover=&quot;alert(1)&#39; data-y=&#39;1 &gt; 0 &amp; &lt;b&gt;\'>',
    );
    expect(String(html`<a href="/v1/projects/${'p&q'}/audit?format=csv&x=${'1"2'}">`)).toBe('<a href="/v1/projects/p&amp;q/audit?format=csv&x=1&quot;2">');
  });

  test('raw() keeps a trusted constant as it is', () => {
    const style = raw('body { font-family: "Segoe UI"; } li::before { content: "●"; }');
    expect(String(html`<style>${style}</style>`)).toBe('<style>body { font-family: "Segoe UI"; } li::before { content: "●"; }</style>');
  });

  test('an object that only looks like a fragment is escaped as text', () => {
    const fake = { toString: () => '<b>not trusted</b>' } as unknown as HtmlValue;
    expect(render(fake)).toBe('&lt;b&gt;not trusted&lt;/b&gt;');
  });
});

describe('the decision page', () => {
  const hostile = `<script>alert("x")</script> & 'b'`;
  const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;b&#39;';
  const context = (): StepContext =>
    ({
      step: {
        stepId: 's',
        workflowId: 'w',
        kind: 'issuer-review',
        party: 'de-bafa',
        partyName: hostile,
        reviewer: 'ausfuhr@bafa.example',
        componentId: 'c1',
        question: `Licence for ${hostile}?`,
        slaMs: 1,
        openedAt: '2027-01-01T00:00:00Z',
        dueAt: '2027-01-31T00:00:00Z',
        status: 'open',
        remindersSent: 0,
        infoRequest: { question: hostile, askedAt: '2027-01-05T09:30:00Z', remainingMs: 1 },
      },
      projectId: 'p',
      projectTitle: hostile,
      funderId: 'horizon-eu',
      coordinator: 'C <c@example>',
    }) as StepContext;

  test("escapes a step's question, in the title and the heading, and the other values from the workflow", () => {
    const page = decisionPage(context(), `/r/tok?a=1&b="2"`, [hostile]);
    expect(page).not.toContain('<script>');
    expect(page).toContain(`<title>Decision: Licence for ${escaped}?</title>`);
    expect(page).toContain(`<h1>Licence for ${escaped}?</h1>`);
    expect(page).toContain(`<dd>${escaped} (p)</dd>`); // the project title
    expect(page).toContain(`<dd>${escaped} — ausfuhr@bafa.example</dd>`); // the party
    expect(page).toContain('<dd>C &lt;c@example&gt;</dd>');
    expect(page).toContain(`<ul class="errors"><li>${escaped}</li></ul>`);
    expect(page).toContain(`You asked the coordinator on 2027-01-05 09:30 UTC: &quot;${escaped}&quot;.`);
    expect(page).toContain('<form method="post" action="/r/tok?a=1&amp;b=&quot;2&quot;">');
  });

  test('keeps its own html as markup', () => {
    const page = decisionPage(context(), '/r/x');
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<label class="choice"><input type="radio" name="decision" value="approve" required> Approve</label>');
    expect(page).toContain(`e.g. "No re-export without prior written consent"; they become conditions of the licence, in your agency's name)`);
    expect(page).toContain('font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;');
  });
});
