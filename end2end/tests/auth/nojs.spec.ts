import { test, expect, DEMO_PASSWORD } from '../fixtures/app';

// Before the wasm arrives (or without JavaScript at all) the pages still work:
// they are rendered on the server and the sign-in form posts natively.
test.use({ javaScriptEnabled: false });

test('signing in and reading the branches without JavaScript', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('账号').fill('lizhiguang');
  await page.getByLabel('密码', { exact: true }).fill('Wrong-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('账号或密码错误');

  await page.getByLabel('账号').fill('lizhiguang');
  await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.locator('.card')).toHaveCount(11);
  await page.getByRole('link', { name: /太和社区/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: '太和社区' })).toBeVisible();
  await expect(page.getByText('先锋书房')).toBeVisible();
});
