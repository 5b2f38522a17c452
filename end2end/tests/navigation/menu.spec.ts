import { test, expect, Page, Response } from '@playwright/test';
import { signedIn, hydrated } from '../fixtures/app';

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
