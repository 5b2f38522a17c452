import { Page, BrowserContext, chromium } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

// A tablet at a field visit: the app installed, the network gone, edits kept and sent later.
test.use({ viewport: { width: 1024, height: 768 } });
test.describe.configure({ mode: 'serial' });

/** How many records the page's local store holds (0 before the first pull). */
async function localRecords(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === 'xianfeng')) return 0;
    return new Promise<number>((resolve) => {
      const open = indexedDB.open('xianfeng');
      open.onerror = () => resolve(0);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('records')) { db.close(); return resolve(0); }
        const count = db.transaction('records').objectStore('records').count();
        count.onsuccess = () => { resolve(count.result); db.close(); };
        count.onerror = () => { resolve(0); db.close(); };
      };
    });
  });
}

/** The service worker controls the page, and the page is kept in its cache. */
async function installed(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await expect.poll(() => localRecords(page), { timeout: 10_000 }).toBeGreaterThan(10);
  // A visit under the worker's control stores the page for offline use.
  await page.reload();
  await hydrated(page);
  await expect.poll(() => page.evaluate(async (url) => {
    for (const name of await caches.keys()) {
      if (name.startsWith('xf-pages-') && await (await caches.open(name)).match(url)) return true;
    }
    return false;
  }, page.url())).toBe(true);
}

async function draftKey(page: Page): Promise<string> {
  await page.goto('/projects');
  await hydrated(page);
  await page.getByRole('link', { name: '社区微心愿' }).first().click();
  await expect(page).toHaveURL(/\/projects\/p\d+$/);
  return page.url().split('/').pop()!;
}

async function openTablet(context: BrowserContext, who: string): Promise<Page> {
  const page = await context.newPage();
  await signedIn(page, who);
  return page;
}

test('an offline edit survives reloads and closing the tab, then reaches the server and another screen live', async ({ browser }) => {
  const tablet = await browser.newContext();
  let page = await openTablet(tablet, 'guojing');
  const key = await draftKey(page);
  const editUrl = `/projects/new?edit=${key}`;
  await page.goto(editUrl);
  await hydrated(page);
  await installed(page);

  // The street watches the project's page, online, on another machine.
  const desk = await browser.newContext();
  const watcher = await openTablet(desk, 'lizhiguang');
  await watcher.goto(`/projects/${key}`);
  await hydrated(watcher);
  const board = await desk.newPage();
  await board.goto('/projects');
  await hydrated(board);

  await tablet.setOffline(true);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole('status').filter({ hasText: '离线中' })).toBeVisible();

  const goals = `离线走访记录${Date.now() % 100000}`;
  await page.getByLabel('项目目标').fill(goals);
  await page.getByLabel('项目目标').blur();
  await expect(page.getByRole('status').filter({ hasText: '已保存在本机' })).toBeVisible();
  const team = page.getByLabel('工作队伍');
  await team.fill(`${await team.inputValue()}\n王大爷`.trim());
  await team.blur();
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-pending', '2');

  // Closing the tab and opening the app again, still offline: the edits are there.
  await page.close();
  page = await tablet.newPage();
  await page.goto(editUrl);
  await hydrated(page);
  await expect(page.getByLabel('项目目标')).toHaveValue(goals);
  await expect(page.getByLabel('工作队伍')).toHaveValue(/王大爷/);
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-pending', '2');
  await expect(watcher.getByText(goals)).toHaveCount(0);
  // The board, opened offline, is drawn from the device's copy.
  await page.getByRole('link', { name: '项目看板' }).click();
  await expect(page.getByRole('note').filter({ hasText: '本机保存的项目' })).toBeVisible();
  await expect(page.getByRole('link', { name: '社区微心愿' }).first()).toBeVisible();
  {
    const { default: AxeBuilder } = await import('@axe-core/playwright');
    const audit = await new AxeBuilder({ page }).analyze();
    expect(audit.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  }
  await page.screenshot({ path: 'screenshots/tablet-offline.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'screenshots/phone-offline.png', fullPage: true });
  await page.setViewportSize({ width: 1024, height: 768 });

  // Back online: the queue is sent, and the other screen shows it within a second.
  await tablet.setOffline(false);
  await expect(page.locator('.sync-badge')).toHaveCount(0, { timeout: 10_000 });
  const sent = Date.now();
  await expect(watcher.getByText(goals)).toBeVisible({ timeout: 1_000 });
  await expect(watcher.locator('.five-value').filter({ hasText: '王大爷' })).toBeVisible({ timeout: 1_000 });
  expect(Date.now() - sent).toBeLessThan(1_000);
  // The board says so too, and redraws when asked (cards never move under a finger).
  const news = board.getByRole('status').filter({ hasText: '有人更新了项目' });
  await expect(news).toBeVisible({ timeout: 1_000 });
  await board.getByRole('button', { name: '刷新看板' }).click();
  await expect(news).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: '离线中' })).toHaveCount(0);
  await tablet.close();
  await desk.close();
});

test('two tablets edit the same field offline: both end with the same value and the loser sees both', async ({ browser }) => {
  const one = await browser.newContext();
  const two = await browser.newContext();
  const a = await openTablet(one, 'guojing');
  const key = await draftKey(a);
  const b = await openTablet(two, 'guojing');
  for (const page of [a, b]) {
    await page.goto(`/projects/new?edit=${key}`);
    await hydrated(page);
    await installed(page);
  }
  await one.setOffline(true);
  await two.setOffline(true);
  const stamp = Date.now() % 100000;
  const mine = `甲的标题${stamp}`;
  const theirs = `乙的标题${stamp}`;
  await a.getByLabel('项目名称').fill(mine);
  await a.getByLabel('项目名称').blur();
  await expect(a.locator('.sync-badge')).toHaveAttribute('data-pending', '1');
  await b.getByLabel('项目名称').fill(theirs);
  await b.getByLabel('项目名称').blur();
  await expect(b.locator('.sync-badge')).toHaveAttribute('data-pending', '1');

  // The earlier edit arrives first, then the later one replaces it.
  await one.setOffline(false);
  await expect(a.locator('.sync-badge[data-pending]')).toHaveCount(0, { timeout: 10_000 });
  await two.setOffline(false);
  await expect(b.locator('.sync-badge')).toHaveCount(0, { timeout: 10_000 });

  // The first tablet learns it lost, with both values.
  await expect(a.locator('.sync-badge')).toHaveAttribute('data-problems', '1', { timeout: 5_000 });
  await a.locator('.sync-badge').click();
  await expect(a.getByRole('heading', { level: 1, name: '同步' })).toBeVisible();
  const conflict = a.locator('.problem-conflict');
  await expect(conflict.locator('.yours')).toHaveText(mine);
  await expect(conflict.locator('.winner')).toContainText(theirs);
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const audit = await new AxeBuilder({ page: a }).analyze();
  expect(audit.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  await a.screenshot({ path: 'screenshots/tablet-conflicts.png', fullPage: true });
  await a.setViewportSize({ width: 390, height: 844 });
  await a.screenshot({ path: 'screenshots/phone-conflicts.png', fullPage: true });

  // Both hold the same value.
  for (const page of [a, b]) {
    await page.goto(`/projects/${key}`);
    await hydrated(page);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(theirs);
  }

  // "Keep theirs" clears it; nothing else changes.
  await a.goto('/sync');
  await hydrated(a);
  await a.getByRole('button', { name: '保留现在的' }).click();
  await expect(a.locator('.problem')).toHaveCount(0);
  await one.close();
  await two.close();
});

test('Chromium finds the app installable', async ({ baseURL }, testInfo) => {
  // Installability is never granted to incognito contexts: use a real profile.
  const profile = mkdtempSync(join(tmpdir(), 'xf-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...testInfo.project.use.launchOptions,
    baseURL,
    locale: 'zh-CN',
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    await signedIn(page, 'guojing');
    await page.evaluate(() => navigator.serviceWorker.ready);
    const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
    expect(manifest.short_name).toBe('先锋');
    expect(manifest.display).toBe('standalone');
    const cdp = await context.newCDPSession(page);
    await expect.poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, { timeout: 10_000 }).toEqual([]);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

test('the queue outlives an expired session, and a change the server now refuses is shown with its reason', async ({ browser }) => {
  const tablet = await browser.newContext();
  const page = await openTablet(tablet, 'yangfan');
  await page.goto('/projects');
  await hydrated(page);
  await page.getByRole('link', { name: '快递小哥暖心驿站' }).first().click();
  await expect(page).toHaveURL(/\/projects\/p\d+$/);
  const key = page.url().split('/').pop()!;
  await page.goto(`/projects/new?edit=${key}`);
  await hydrated(page);
  await installed(page);

  await tablet.setOffline(true);
  const goals = `离线修改${Date.now() % 100000}`;
  await page.getByLabel('项目目标').fill(goals);
  await page.getByLabel('项目目标').blur();
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-pending', '1');

  // Meanwhile the project is resubmitted from another device: it can no longer be edited.
  const office = await browser.newContext();
  const other = await openTablet(office, 'yangfan');
  await other.goto(`/projects/new?edit=${key}`);
  await hydrated(other);
  await other.getByRole('button', { name: '提交申报' }).click();
  await expect(other.locator('.page-head .badge').first()).toHaveText('已申报');
  await office.close();

  // The session ended while the tablet was offline: the queue is kept, the person told.
  await tablet.clearCookies();
  await tablet.setOffline(false);
  await expect(page.getByRole('alert').filter({ hasText: '登录已过期' })).toBeVisible({ timeout: 10_000 });
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-pending', '1');

  // Signing in again sends it; the server refuses it and says why.
  await signedIn(page, 'yangfan');
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-problems', '1', { timeout: 10_000 });
  await page.goto('/sync');
  await hydrated(page);
  const refused = page.locator('.problem-rejected');
  await expect(refused).toContainText('未被接受的修改');
  await expect(refused).toContainText('不能再修改');
  await expect(refused.locator('.yours')).toContainText(goals);
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-pending', '0');
  await tablet.close();
});

test('a damaged entry in the local store is shown, not lost, and the app keeps working', async ({ browser }) => {
  const tablet = await browser.newContext();
  const page = await openTablet(tablet, 'guojing');
  await page.goto('/projects');
  await hydrated(page);
  await expect.poll(() => localRecords(page), { timeout: 10_000 }).toBeGreaterThan(10);
  await page.evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('xianfeng');
    open.onsuccess = () => {
      const tx = open.result.transaction('queue', 'readwrite');
      tx.objectStore('queue').put('{"account":"guojing","op":{"id":', '999999999999999-000000-broken');
      tx.oncomplete = () => { open.result.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  await hydrated(page);
  await expect(page.locator('.sync-badge')).toHaveAttribute('data-problems', '1', { timeout: 10_000 });
  await page.locator('.sync-badge').click();
  const damaged = page.locator('.problem-damaged');
  await expect(damaged).toContainText('无法读取的本地记录');
  await expect(damaged.locator('.yours')).toContainText('"account":"guojing"');
  await damaged.getByRole('button', { name: '放弃' }).click();
  await expect(page.locator('.problem')).toHaveCount(0);
  await tablet.close();
});

test('a new version is announced and taken when the person asks', async ({ browser, server }) => {
  // The first worker's install keeps the pages the person is likely to open offline
  // before it activates: with the other worker's tests beside it, that took more than
  // this test's 30 seconds once in six full runs (6 s alone).
  test.setTimeout(90_000);
  // A release is a new service worker; here the served one (this worker's own copy of
  // the site) changes by a comment.
  const worker = join(server.site, 'sw.js');
  const original = readFileSync(worker, 'utf8');
  const context = await browser.newContext();
  const page = await openTablet(context, 'guojing');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  try {
    writeFileSync(worker, `${original}\n// next release ${Date.now()}\n`);
    await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration())?.update(); });
    const banner = page.getByRole('status').filter({ hasText: '新版本已就绪' });
    await expect(banner).toBeVisible();
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '立即更新' }).click()]);
    await hydrated(page);
    await expect(banner).toHaveCount(0);
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
  } finally {
    writeFileSync(worker, original);
    await context.close();
  }
});
