import { Page } from '@playwright/test';
import { test, expect } from '../fixtures/app';

// A resident switches the residents' pages to English with a plain link (no JavaScript):
// every fixed word of the page follows, a refused form answers in English, and the switch
// back returns the Chinese page. What people wrote (titles, places, notices) stays as written.

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, javaScriptEnabled: false });

const CJK = /[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]/;

/** The text of every element of `main`, header and footer, one string per text node. */
async function texts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim();
      if (text) out.push(text);
    }
    // Attributes people read: placeholders, labels for screen readers, the page's title.
    document.querySelectorAll('[aria-label], [alt], [title]').forEach((el) => {
      for (const name of ['aria-label', 'alt', 'title']) { const v = el.getAttribute(name); if (v) out.push(v); }
    });
    out.push(document.title);
    return out;
  });
}

/** What `texts` holds once the words people wrote (the demo's activity of today) are taken out. */
function fixedWords(all: string[]): string[] {
  // The demo's data for act_today (server/src/db/demo_residents.rs): written by people, not translated.
  const data = ['社区敬老助老志愿服务，欢迎居民朋友报名参加。请提前10分钟到场签到。', '社区敬老助老志愿服务', '社区老年活动室', '工作证', '志愿公社', '银发志愿奉献队',
    // The switch back is written in the language it switches to.
    '切换到中文', '中文'];
  return all.map((t) => data.reduce((rest, d) => rest.split(d).join(''), t)).filter((t) => CJK.test(t));
}

test('the language link switches an activity page, its refused form and the brand page to English, and back', async ({ page }) => {
  await page.goto('/a/act_today');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('社区敬老助老志愿服务');
  // The Chinese page has fixed words to translate.
  expect(fixedWords(await texts(page)).length).toBeGreaterThan(5);

  const toEnglish = page.getByRole('link', { name: 'Switch to English' });
  await expect(toEnglish).toHaveText('English');
  await toEnglish.tap();
  await expect(page).toHaveURL(/\/a\/act_today$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 2, name: 'Sign up' })).toBeVisible();
  expect(fixedWords(await texts(page))).toEqual([]);

  // A refused form is named in English, inside an English page, and keeps what was typed.
  await page.getByLabel('Name', { exact: true }).fill('郑洁');
  await page.getByLabel('Mobile number', { exact: true }).fill('1381234');
  await page.getByLabel(/I agree/).check();
  await page.getByRole('button', { name: /^(Sign up|Join the waiting list)$/ }).tap();
  await expect(page.getByRole('alert')).toContainText('The phone number is not valid');
  await expect(page.getByRole('alert')).not.toContainText(CJK);
  await expect(page.getByLabel('Mobile number', { exact: true })).toHaveValue('1381234');
  expect(fixedWords(await texts(page))).toEqual([]);

  // The choice holds on the next page, and the staff app reads the same cookie.
  await page.getByRole('link', { name: '志愿公社' }).first().tap();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  for (const heading of ['Brand projects', 'Volunteer activities', 'How to join']) {
    await expect(page.getByRole('heading', { level: 2, name: heading })).toBeVisible();
  }
  await expect(page.locator('footer')).toHaveText(/^Shuibosi Sub-district Party Working Committee · Staff sign-in$/);
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === 'lang')?.value).toBe('en');

  // And back to Chinese.
  await page.getByRole('link', { name: '切换到中文' }).tap();
  await expect(page).toHaveURL(/\/b\/wenxing$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 2, name: '品牌项目' })).toBeVisible();
});

test('the language link only ever returns to a page of this site', async ({ request }) => {
  for (const back of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
    const response = await request.get(`/lang?to=en&back=${encodeURIComponent(back)}`, { maxRedirects: 0 });
    expect(response.status(), back).toBe(303);
    expect(response.headers()['location'], back).toBe('/');
  }
  const response = await request.get('/lang?to=en&back=%2Fa%2Fact_today', { maxRedirects: 0 });
  expect(response.headers()['location']).toBe('/a/act_today');
  expect(response.headers()['set-cookie']).toMatch(/^lang=en; Path=\/; Max-Age=31536000; SameSite=Lax/);
});
