/**
 * The accessibility check the page tests rely on can fail: axe-core, run as they run it, finds an unlabelled field and
 * low-contrast text in a page made to have them, and nothing in the same page with them mended.
 */
import { seriousViolations, axeCheck, useChromium } from '../helpers/web';

const chromium = useChromium();

const page = (body: string) => `<!doctype html><html lang="en"><head><title>Form</title></head><body><main><h1>Form</h1>${body}</main></body></html>`;

test('axe-core names an unlabelled field and grey-on-white text as serious or critical, and passes them mended', async () => {
  const tab = await chromium().newPage();
  try {
    await tab.setContent(page('<input type="text" name="title"><p style="color:#bbb">Hint</p>'));
    const broken = seriousViolations(await axeCheck(tab)).map((v) => v.id);
    expect(broken).toEqual(expect.arrayContaining(['label', 'color-contrast']));
    await tab.setContent(page('<label for="t">Title</label><input type="text" id="t" name="title"><p style="color:#52606d">Hint</p>'));
    expect(seriousViolations(await axeCheck(tab))).toEqual([]);
  } finally {
    await tab.close();
  }
}, 60_000);
