import { Browser, BrowserContextOptions, Page } from '@playwright/test';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

// Every control a finger taps is at least 44×44 CSS pixels, on a phone and on a tablet,
// on the staff pages and the residents' pages. A control is a button, an input, a select,
// a text area, a summary, an SVG node that acts as a button, and a link, except a link
// inside a sentence (a paragraph with words of its own besides its links). A checkbox,
// radio or file input is tapped through its label, so its label is what is measured.
// (The Gantt chart's page has its own test.)

const TAP = 44;

const SIZES: [string, BrowserContextOptions][] = [
  ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
  ['tablet', { viewport: { width: 1024, height: 768 }, hasTouch: true }],
];

/** The page's visible controls smaller than `tap` in either direction, described. */
async function tooSmall(page: Page): Promise<string[]> {
  return page.evaluate((tap) => {
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return false;
      // The skip link waits off screen until focused; the form's bot trap is hidden from people.
      if (r.right <= 0 || r.bottom <= 0) return false;
      if (el.closest('[aria-hidden="true"]')) return false;
      return getComputedStyle(el).visibility !== 'hidden';
    };
    const inSentence = (a: Element) => {
      const p = a.closest('p');
      if (!p) return false;
      const copy = p.cloneNode(true) as Element;
      copy.querySelectorAll('a, button, input, select').forEach((c) => c.remove());
      return /\p{L}/u.test(copy.textContent ?? '');
    };
    const name = (el: Element) => {
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const text = (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || el.getAttribute('type') || '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return `${el.tagName.toLowerCase()}${cls} "${text}"`;
    };
    const out: string[] = [];
    const controls = document.querySelectorAll('button, input:not([type=hidden]), select, textarea, summary, a[href], [role=button]');
    for (const el of Array.from(controls)) {
      // A checkbox, radio or file input is tapped through its label.
      const input = el instanceof HTMLInputElement && ['checkbox', 'radio', 'file'].includes(el.type) ? el : null;
      const targets = input ? [input, ...Array.from(input.labels ?? [])] : [el];
      const seen = targets.filter(shown);
      if (seen.length === 0) continue;
      if (el.tagName === 'A' && inSentence(el)) continue;
      const width = Math.max(...seen.map((t) => t.getBoundingClientRect().width));
      const height = Math.max(...seen.map((t) => t.getBoundingClientRect().height));
      if (width + 0.5 < tap || height + 0.5 < tap) out.push(`${name(input?.labels?.[0] ?? el)} ${width.toFixed(0)}×${height.toFixed(0)}`);
    }
    return out;
  }, TAP);
}

/** Opens the phone's menu when there is one, so that its links are measured too. */
async function openMenu(page: Page) {
  const button = page.locator('label.menu-button');
  if (await button.isVisible()) {
    await button.click();
    await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
  }
}

async function measure(page: Page, path: string, ready: (page: Page) => Promise<void>): Promise<string[]> {
  await page.goto(path);
  await hydrated(page);
  await ready(page);
  await openMenu(page);
  return (await tooSmall(page)).map((o) => `${path}: ${o}`);
}

async function context(browser: Browser, options: BrowserContextOptions): Promise<Page> {
  return (await browser.newContext({ ...options, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
}

for (const [size, options] of SIZES) {
  test(`${size}: every control of the staff pages is a full tap`, async ({ browser }) => {
    test.setTimeout(120_000);
    const page = await context(browser, options);
    await signedIn(page, 'lizhiguang');
    const heading = async (p: Page) => { await expect(p.getByRole('heading', { level: 1 }).first()).toBeVisible(); };
    const offenders: string[] = [];
    offenders.push(...await measure(page, '/projects', async (p) => { await expect(p.locator('.project-card').first()).toBeVisible(); }));
    const project = await page.locator('.project-card a.card-title').first().getAttribute('href');
    expect(project).toMatch(/^\/projects\//);
    offenders.push(...await measure(page, project!, heading));
    offenders.push(...await measure(page, '/branches', heading));
    offenders.push(...await measure(page, '/branches/wenxing', heading));
    offenders.push(...await measure(page, '/mentors', async (p) => { await expect(p.locator('.pairing-graph')).toBeVisible(); }));
    offenders.push(...await measure(page, '/volunteers', heading));
    offenders.push(...await measure(page, '/volunteers/act_today', async (p) => { await expect(p.locator('table.people tbody tr').first()).toBeVisible(); }));
    offenders.push(...await measure(page, '/profile', heading));
    offenders.push(...await measure(page, '/sync', heading));
    expect(offenders).toEqual([]);
    await page.context().close();
  });

  test(`${size}: every control of a mentor's session form is a full tap`, async ({ browser }) => {
    const page = await context(browser, options);
    await signedIn(page, 'liujianguo');
    const offenders = await measure(page, '/mentors', async (p) => { await expect(p.locator('form.session-form select').first()).toBeVisible(); });
    expect(offenders).toEqual([]);
    await page.context().close();
  });

  test(`${size}: every control of the residents' pages is a full tap`, async ({ browser }) => {
    // Without JavaScript, as many residents' phones open them.
    const page = await context(browser, { ...options, javaScriptEnabled: false });
    const offenders: string[] = [];
    for (const path of ['/', '/b/wenxing', '/a/act_today', '/b/wenxing/join']) {
      await page.goto(path);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      offenders.push(...(await tooSmall(page)).map((o) => `${path}: ${o}`));
    }
    expect(offenders).toEqual([]);
    await page.context().close();
  });
}
