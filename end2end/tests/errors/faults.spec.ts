import { test, expect, signedIn, hydrated, startServer, Running } from '../fixtures/app';

// A server function that fails while a page hydrates (a test-only fault switch,
// XIANFENG_FAULTS_API) leaves the page alive: what the server rendered stays, or the
// error is shown with a button that tries again; the wasm never panics.

let faulty: Running;
test.beforeAll(async ({}, workerInfo) => {
  // A server of its own starts with its demo data: more than a test's 30 seconds on a
  // busy machine.
  test.setTimeout(180_000);
  // The first calls over HTTP of the functions these pages read fail; the server's own
  // render of each page succeeds.
  faulty = await startServer(Number(process.env.E2E_PORT ?? 3100) + 40 + workerInfo.workerIndex, {
    XIANFENG_FAULTS_API: 'get_volunteers:2,get_mentoring:2,list_catalog:1',
  });
});
test.afterAll(async () => {
  expect(await faulty.stop()).toEqual([]);
});

test('a page whose data fails while it hydrates stays alive, and a failed read offers to try again', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: faulty.base });
  const page = await context.newPage();
  const panics: string[] = [];
  page.on('pageerror', (e) => panics.push(e.message));
  page.on('console', (m) => { if (/panicked|unreachable/.test(m.text())) panics.push(m.text()); });
  await signedIn(page, 'lizhiguang');
  for (const [path, name] of [['/volunteers', 'get_volunteers'], ['/mentors', 'get_mentoring']]) {
    const failed = page.waitForResponse((r) => r.url().endsWith(`/api/${name}`) && r.status() === 500);
    await page.goto(path);
    await failed;
    await hydrated(page);
    await expect(page.locator('h1').first()).toBeVisible();
    await expect(page.locator('#crash')).toHaveCount(0);
  }
  // Opened from the menu, the catalog's read fails once: the error and a button to try again.
  await page.getByRole('navigation').getByRole('link', { name: '目录库' }).click();
  const error = page.locator('.error-view');
  await expect(error).toContainText('服务器');
  await error.getByRole('button', { name: '重试' }).click();
  await expect(error).toHaveCount(0);
  await expect(page.locator('.cards .card, .cards li').first()).toBeVisible();
  expect(panics).toEqual([]);
  await context.close();
});
