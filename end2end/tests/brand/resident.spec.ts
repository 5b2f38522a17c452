import { Browser, Page } from '@playwright/test';
import { test, expect } from '../fixtures/app';

// A resident on a phone, from a QR code on a poster, with JavaScript on and off: the
// public pages are plain HTML forms, so both must work the same.

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

/** A phone's browser with or without JavaScript. */
async function phone(browser: Browser, javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, javaScriptEnabled });
  return context.newPage();
}

/** Signs up on an activity page; answers the private page it lands on. */
async function signUp(page: Page, name: string, phoneNumber: string, wait = false) {
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await page.getByLabel('手机号', { exact: true }).fill(phoneNumber);
  // A full activity's one button puts the person on the waiting list: no box to tick.
  if (wait) await expect(page.getByRole('button', { name: '登记候补' })).toBeVisible();
  await page.getByLabel(/我同意/).check();
  await page.getByRole('button', { name: /提交报名|登记候补/ }).click();
}

for (const javaScriptEnabled of [true, false]) {
  test(`a resident opens a branch page from its QR link and signs up (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async ({ browser, request }) => {
    const qr = await request.get('/qr/b/wenxing.svg');
    expect(qr.headers()['content-type']).toBe('image/svg+xml');
    expect(await qr.text()).toContain('<svg');
    const page = await phone(browser, javaScriptEnabled);
    await page.goto('/b/wenxing');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('志愿公社');
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute('content', '志愿公社');
    await page.getByRole('link', { name: '银发理发义剪' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('银发理发义剪');

    // A bad phone number is named exactly; what was typed stays.
    const name = javaScriptEnabled ? '刘芳' : '陈伟';
    await signUp(page, name, '1381234');
    await expect(page.getByRole('alert')).toContainText('手机号格式不正确');
    await expect(page.getByLabel('姓名', { exact: true })).toHaveValue(name);
    await expect(page.getByLabel('手机号', { exact: true })).toHaveValue('1381234');
    await signUp(page, name, javaScriptEnabled ? '138 0000 1001' : '138 0000 2002');
    await expect(page.getByRole('status')).toContainText('报名成功');
    await expect(page.getByText('名额已确认')).toBeVisible();
    await expect(page.getByText(javaScriptEnabled ? '138****1001' : '138****2002')).toBeVisible();
    const mine = page.url().split('?')[0]!;

    // Cancels, then signs up again through the same private link.
    await page.getByRole('button', { name: '取消报名' }).click();
    await expect(page.getByRole('status')).toContainText('已取消报名');
    await page.getByRole('button', { name: '重新报名' }).click();
    await expect(page.getByRole('status')).toContainText('已重新报名');
    expect(page.url().split('?')[0]).toBe(mine);
    await page.context().close();
  });
}

test('the waiting list moves when a place frees, and a volunteer checks in with the code (check-out opens at the start)', async ({ browser }) => {
  // The day's activity has four places: residents take them until it is full.
  const first = await phone(browser, true);
  for (let n = 1; ; n++) {
    await first.goto('/a/act_today');
    if (await first.getByRole('button', { name: '登记候补' }).count()) break;
    await signUp(first, '周敏', `139 0000 30${String(n).padStart(2, '0')}`);
    await expect(first.getByRole('status')).toContainText('报名成功');
    expect(n).toBeLessThan(5);
  }
  // The last of them is `first`'s page now. Full: the next resident is offered the waiting list.
  await first.goBack();
  const second = await phone(browser, false);
  await second.goto('/a/act_today');
  await expect(second.getByText('名额 4 人，已报名 4 人')).toBeVisible();
  await signUp(second, '吴杰', '139 0000 4004', true);
  await expect(second.getByText('候补第 1 位')).toBeVisible();
  // The first cancels: the waiting one holds the place.
  await first.getByRole('button', { name: '取消报名' }).click();
  await second.reload();
  await expect(second.getByText('名额已确认')).toBeVisible();

  // Check-in: a wrong code is named with the tries left, the right one checks in.
  await second.getByLabel(/签到码/).fill('000000');
  await second.getByRole('button', { name: '签到' }).click();
  await expect(second.getByRole('alert')).toContainText('签到码不正确，还可以再试4次');
  await second.getByLabel(/签到码/).fill('246810');
  await second.getByRole('button', { name: '签到' }).click();
  await expect(second.getByRole('status')).toContainText('签到成功');
  // Checked in before the start: check-out opens when the activity starts.
  await expect(second.getByText('活动开始后可在此签退')).toBeVisible();
  await expect(second.getByRole('button', { name: '签退' })).toHaveCount(0);
});

test('public pages never show a phone number or a full name', async ({ request }) => {
  for (const path of ['/', '/b/wenxing', '/b/wenyuan', '/a/act_today', '/a/act01']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    const html = await response.text();
    const words = html.split(/[^0-9A-Za-z]+/).filter((w) => /^1[3-9]\d{9}$/.test(w));
    expect(words, path).toEqual([]);
    for (const name of ['刘芳', '陈伟', '周敏', '吴杰']) expect(html, path).not.toContain(name);
  }
});

test("the front page's brand photos fill their cards to both edges, on a phone and a tablet", async ({ browser }) => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1024, height: 768 }]) {
    const page = await browser.newPage({ viewport, hasTouch: true });
    await page.goto('/');
    const cards = page.locator('.brands .card').filter({ has: page.locator('img.thumb') });
    await expect(cards.first()).toBeVisible();
    // The gap between each photo and its card's inner edges (inside the border), in pixels.
    const gaps = await cards.evaluateAll((list) => list.map((card) => {
      const photo = card.querySelector('img.thumb')!.getBoundingClientRect();
      const box = card.getBoundingClientRect();
      const border = parseFloat(getComputedStyle(card).borderLeftWidth);
      return [photo.left - box.left - border, box.right - border - photo.right, photo.top - box.top - border].map((g) => Math.round(g));
    }));
    expect(gaps.length).toBeGreaterThan(3);
    expect(gaps.filter((g) => g.some((side) => side !== 0)), `${viewport.width} px: photos short of an edge`).toEqual([]);
    await page.close();
  }
});
