import { Page, Response } from '@playwright/test';
import { test, expect, signedIn, hydrated, DEMO_PASSWORD } from '../fixtures/app';

// Every menu item of every role, reached by tapping the menu (client-side navigation, as
// people do), not by opening its URL. The menu is read as rendered, so pages added later
// are covered without editing this test.
const ROLES = ['lizhiguang', 'lixiurong', 'zhangxiaoyan', 'liujianguo', 'wanghaitao'];

test.use({ viewport: { width: 1024, height: 768 } });

async function menuItems(page: Page): Promise<{ name: string; href: string }[]> {
  const links = page.getByRole('navigation', { name: '主导航' }).getByRole('link');
  const items = await links.evaluateAll((as) => as.map((a) => ({ name: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' })));
  expect(items.length).toBeGreaterThan(3);
  return items;
}

for (const account of ROLES) {
  test(`${account}: every menu item opens from the menu with its data, online`, async ({ page }) => {
    await signedIn(page, account);
    const failed: string[] = [];
    const record = (r: Response) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.request().method()} ${r.url()}`); };
    page.on('response', record);
    for (const item of await menuItems(page)) {
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: item.name, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`${item.href.replace(/[?]/g, '\\?')}($|[?#])`));
      await page.waitForLoadState('networkidle');
      await hydrated(page);
      expect(failed, `${item.name} (${item.href}) answered no error`).toEqual([]);
      await expect(page.getByText('离线中').filter({ visible: true }), `${item.name}: no offline notice while online`).toHaveCount(0);
      await expect(page.getByText('网络异常').filter({ visible: true }), `${item.name}: no network error while online`).toHaveCount(0);
      await expect(page.locator('main').first(), `${item.name}: the page shows something`).not.toBeEmpty();
    }
  });
}

/** Every page of the menu is in the service worker's cache. */
async function menuKept(page: Page, hrefs: string[]) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await expect.poll(() => page.evaluate(async (paths) => {
    const kept = new Set<string>();
    for (const name of await caches.keys()) {
      if (!name.startsWith('xf-pages-')) continue;
      for (const request of await (await caches.open(name)).keys()) kept.add(new URL(request.url).pathname);
    }
    return paths.filter((p) => !kept.has(p));
  }, hrefs), { timeout: 20_000 }).toEqual([]);
}

for (const account of ['lixiurong', 'lizhiguang', 'liujianguo']) {
  test(`${account}: offline after one online visit, every menu item opens from the menu with what the device holds`, async ({ page, context }) => {
    await signedIn(page, account);
    const items = await menuItems(page);
    // The menu's pages are kept once a visit, without opening each.
    await menuKept(page, items.map((i) => i.href));
    await context.setOffline(true);
    for (const item of items) {
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: item.name, exact: true }).click();
      await expect(page).toHaveURL(new RegExp(`${item.href}($|[?#])`));
      await hydrated(page);
      await expect(page.getByRole('status').filter({ hasText: '离线中' }), `${item.name}: says it is offline`).toBeVisible();
      await expect(page.getByText(/网络异常|连不上服务器|还没有保存在本机/).filter({ visible: true }), `${item.name}: shows what the device holds`).toHaveCount(0);
      await expect(page.locator('main').first(), `${item.name}: the page shows something`).not.toBeEmpty();
    }
    await context.setOffline(false);
  });
}

// On a phone the menu folds behind one button (菜单), which opens it with and without
// JavaScript; every item is reached by opening the menu and tapping the item.
test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  const menuButton = (page: Page) => page.locator('label.menu-button');
  const nav = (page: Page) => page.getByRole('navigation', { name: '主导航' });
  const shut = (page: Page) => page.locator('header nav');

  test('lizhiguang: the menu button opens the menu, and every item opens from it', async ({ page }) => {
    await signedIn(page, 'lizhiguang');
    await expect(menuButton(page)).toHaveText('菜单');
    await expect(shut(page), 'the menu is shut until the button is tapped').toBeHidden();
    await menuButton(page).tap();
    const items = await menuItems(page);
    await menuButton(page).tap();
    await expect(shut(page), 'a second tap shuts it').toBeHidden();
    for (const item of items) {
      await expect(shut(page), `the menu is shut on arriving before ${item.name}`).toBeHidden();
      await menuButton(page).tap();
      await expect(nav(page).getByRole('link', { name: item.name, exact: true })).toBeInViewport();
      await nav(page).getByRole('link', { name: item.name, exact: true }).tap();
      await expect(page).toHaveURL(new RegExp(`${item.href.replace(/[?]/g, '\\?')}($|[?#])`));
      await hydrated(page);
      await expect(page.locator('main').first(), `${item.name}: the page shows something`).not.toBeEmpty();
    }
    // The button is a full tap and speaks the page's language.
    const box = (await menuButton(page).boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThanOrEqual(44);
    await page.getByRole('button', { name: 'English' }).click();
    await expect(menuButton(page)).toHaveText('Menu');
  });

  test('without JavaScript the menu button opens the menu too', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('账号').fill('lizhiguang');
    await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.locator('.card').first()).toBeVisible();
    await expect(shut(page)).toBeHidden();
    await menuButton(page).tap();
    await nav(page).getByRole('link', { name: '志愿服务', exact: true }).tap();
    await expect(page).toHaveURL(/\/volunteers$/);
    await expect(shut(page)).toBeHidden();
    await menuButton(page).tap();
    await nav(page).getByRole('link', { name: '个人中心', exact: true }).tap();
    await expect(page).toHaveURL(/\/profile$/);
    await context.close();
  });
});
