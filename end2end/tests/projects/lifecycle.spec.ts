import { Page } from '@playwright/test';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

test.use({ viewport: { width: 1024, height: 768 } });

async function signOut(page: Page) {
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('declare, return, resubmit, file and nominate a project', async ({ page }) => {
  const title = `楼道微更新${Date.now() % 100000}`;
  await signedIn(page, 'hanlei');
  await page.getByRole('link', { name: '项目看板' }).click();
  await page.getByRole('link', { name: '申报项目' }).click();
  await page.getByText('从项目参考目录库选择').click();
  await page.getByRole('link', { name: '红色物业联建' }).click();
  await expect(page.getByLabel('项目名称')).toHaveValue('红色物业联建');
  await page.getByLabel('项目名称').fill(title);
  await page.getByLabel('包联领导').selectOption({ label: '王海涛' });
  await page.getByLabel('经费来源').fill('街道党建工作经费');
  await page.getByLabel('工作队伍').fill('韩磊\n楼栋长');
  await page.getByLabel('考核指标').fill('居民参与率 50\n满意率 50');
  // The budget is left empty: submitting names exactly that.
  await page.getByRole('button', { name: '提交申报' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '未填写项目经费' })).toBeVisible();
  await expect(page.getByLabel('工作队伍')).toHaveValue('韩磊\n楼栋长');
  await page.getByLabel('项目经费（元）').fill('-5');
  await page.getByRole('button', { name: '提交申报' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '大于 0' })).toBeVisible();
  await page.getByLabel('项目经费（元）').fill('12000');
  await page.getByRole('button', { name: '提交申报' }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.locator('.page-head .badge').first()).toHaveText('已申报');
  // The history says what a person did: one line for the declaration, then the move,
  // in words a person reads (never a field's code name).
  const history = page.locator('ol.history li');
  await expect(history.filter({ hasText: '创建了项目' })).toContainText('工作队伍');
  await expect(history.filter({ hasText: '创建了项目' })).toHaveCount(1);
  await expect(history.filter({ hasText: '修改了' })).toHaveCount(0);
  expect(await history.count()).toBeLessThanOrEqual(2);
  await expect(page.locator('ol.history')).not.toContainText(/catalog_entry|branch|budget_fen/);
  await signOut(page);

  // The street finds it in its review queue and returns it with a reason.
  await signedIn(page, 'lizhiguang');
  await page.goto('/dashboard');
  await hydrated(page);
  await page.getByRole('link', { name: '待审核' }).click();
  await expect(page.getByRole('link', { name: title })).toBeVisible();
  await page.goto(`/projects?q=${encodeURIComponent(title)}`);
  await hydrated(page);
  await expect(page.locator('.column').filter({ hasText: '已申报' }).getByRole('link', { name: title })).toBeVisible();
  await page.getByRole('link', { name: title }).click();
  await page.getByLabel('退回原因').fill('请补充楼栋长名单');
  await page.getByRole('button', { name: '→ 已退回' }).click();
  await expect(page.getByText('请补充楼栋长名单')).toBeVisible();
  await signOut(page);

  // The secretary fixes and resubmits.
  await signedIn(page, 'hanlei');
  await page.goto(`/projects?q=${encodeURIComponent(title)}`);
  await hydrated(page);
  await page.getByRole('link', { name: title }).click();
  await page.getByRole('link', { name: '编辑' }).click();
  await page.getByLabel('工作队伍').fill('韩磊\n张楼长\n李楼长');
  await page.getByRole('button', { name: '提交申报' }).click();
  await expect(page.locator('.page-head .badge').first()).toHaveText('已申报');
  await signOut(page);

  // The street files and nominates it; the board and the dashboard show it.
  await signedIn(page, 'lizhiguang');
  await page.goto(`/projects?q=${encodeURIComponent(title)}`);
  await hydrated(page);
  await page.getByRole('link', { name: title }).click();
  // The server's copy has arrived (the device's has no history): the page is settled.
  await expect(page.locator('ol.history li').first()).toBeVisible();
  // Filing asks first, saying what it does; nothing is filed until it is confirmed.
  await page.getByRole('button', { name: '→ 已备案' }).click();
  await expect(page.getByText('备案后将分配备案编号')).toBeVisible();
  await expect(page.getByText(/SBS-\d{4}-\d{3}/)).toHaveCount(0);
  await page.getByRole('button', { name: '确认备案' }).click();
  await expect(page.getByText(/SBS-\d{4}-\d{3}/)).toBeVisible();
  // The page shows the nomination at once; wait until the server has it too.
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/sync') && r.ok()),
    page.getByRole('button', { name: '推荐为区级示范项目' }).click(),
  ]);
  await expect(page.locator('.page-head .badge.nominated')).toBeVisible();
  await expect(page.getByText('变更记录')).toBeVisible();
  await expect(page.locator('.history')).toContainText('→ 已备案');
  await expect(page.locator('.history')).toContainText('→ 已退回');
  await page.goto('/dashboard');
  await hydrated(page);
  // The demo's 30 and 5, plus this one (more when tests are repeated on one server).
  expect(Number(await page.getByTestId('filed-count').textContent())).toBeGreaterThanOrEqual(31);
  expect(Number(await page.getByTestId('nominated-count').textContent())).toBeGreaterThanOrEqual(6);
});

test('the dashboard shows the article figures and links to the board', async ({ page }) => {
  await signedIn(page, 'wangmin');
  await page.goto('/dashboard?year=2026');
  const filed = Number(await page.getByTestId('filed-count').textContent());
  expect(filed).toBeGreaterThanOrEqual(30);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: '导出备案登记表（Excel）' }).click();
  expect((await download).suggestedFilename()).toBe('register-2026.xlsx');
  await page.getByRole('link', { name: '区级示范推荐' }).first().click();
  await expect(page).toHaveURL(/nominated=1/);
  await expect(page.getByRole('link', { name: '先锋书房' })).toBeVisible();
  await expect(page.getByRole('link', { name: '志愿公社' })).toBeVisible();
});
