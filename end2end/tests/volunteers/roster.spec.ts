import { test, expect } from '@playwright/test';
import { signedIn, hydrated } from '../fixtures/app';

// Community staff on a tablet at the activity: the roster with the check-in code, masked
// phones (one revealed, and the reveal logged), and check-ins made offline that reach the
// server when the network is back.

test.use({ viewport: { width: 1024, height: 768 } });

test('staff check volunteers in offline; the hours reach the server; a revealed phone is logged', async ({ page, context }) => {
  await signedIn(page, 'lixiurong');
  await page.getByRole('link', { name: '志愿服务' }).click();
  await expect(page.getByRole('heading', { name: '各队服务时长（按月）' })).toBeVisible();
  await page.goto('/volunteers/act_today');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('社区敬老午餐志愿服务');
  await expect(page.locator('.checkin-code strong')).toHaveText('246810');

  // Phones are masked; one is revealed, and the reveal is in the log.
  const masked = page.locator('table.people td').filter({ hasText: /^1[3-9]\d\*{4}\d{4}/ }).first();
  await expect(masked).toBeVisible();
  await masked.getByRole('button', { name: '查看号码' }).click();
  await expect(page.locator('table.people td').filter({ hasText: /^1[3-9]\d{9}$/ })).toHaveCount(1);
  await page.reload();
  await hydrated(page);
  await expect(page.locator('.reveal-log')).toContainText('李秀蓉');

  // Offline: one signed-up volunteer checked in, and a walk-in added (checked in at once).
  const row = page.locator('table.people tr', { has: page.getByRole('button', { name: '签到', exact: true }) }).first();
  const name = (await row.locator('td').first().textContent())!.trim();
  await context.setOffline(true);
  await row.getByRole('button', { name: '签到', exact: true }).click();
  await expect(page.locator('.form-ok')).toContainText('已保存在本机');
  const checked = page.locator('table.people tr').filter({ hasText: name }).first();
  await expect(checked).toContainText('待同步');
  await page.getByLabel('姓名').fill('王五');
  await page.getByLabel('手机号').fill('13912345678');
  await page.getByRole('button', { name: '登记并签到' }).click();
  await expect(page.locator('table.people tr').filter({ hasText: '王五' })).toContainText('待同步');

  // Back online: both reach the server; the page read afresh shows them from there.
  await context.setOffline(false);
  await expect(page.locator('table.people .badge')).toHaveCount(0, { timeout: 15_000 });
  await page.reload();
  await hydrated(page);
  const walkIn = page.locator('table.people tr').filter({ hasText: '王五' });
  await expect(walkIn).toContainText('现场登记');
  await expect(walkIn).toContainText(/\d\d:\d\d/);
  await expect(walkIn).toContainText('139****5678');
  await expect(page.locator('table.people tr').filter({ hasText: name }).first().getByRole('button', { name: '签到', exact: true })).toHaveCount(0);
  // Checked out: the walk-in's time is kept by the server.
  await walkIn.getByRole('button', { name: '签退' }).click();
  await expect(page.locator('.form-ok')).toContainText('已保存');
  await page.reload();
  await hydrated(page);
  await expect(page.locator('table.people tr').filter({ hasText: '王五' }).getByRole('button', { name: '签退' })).toHaveCount(0);
});

test('another branch cannot open the roster', async ({ page }) => {
  await signedIn(page, 'guojing');
  await page.goto('/volunteers/act_today');
  await hydrated(page);
  await expect(page.getByRole('alert')).toContainText('权限');
});
