import AxeBuilder from '@axe-core/playwright';
import { test, expect, signIn, signedIn, hydrated } from '../fixtures/app';

test('the sign-in page is in Chinese and accessible', async ({ page }) => {
  await page.goto('/home');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { name: '先锋' })).toBeVisible();
  await expect(page.getByText('水泊寺街道党工委')).toBeVisible();
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
});

test('street staff see every branch', async ({ page }) => {
  await signedIn(page, 'lizhiguang');
  await expect(page.getByRole('heading', { name: '基层党组织' })).toBeVisible();
  await expect(page.locator('.card')).toHaveCount(11);
  for (const name of ['文兴社区', '文源社区', '太和社区', '石家寨村']) {
    await expect(page.getByRole('link', { name: new RegExp(name) })).toBeVisible();
  }
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => v.id)).toEqual([]);
});

test('a branch secretary lands on their own branch', async ({ page }) => {
  await signedIn(page, 'lixiurong');
  await expect(page).toHaveURL(/\/branches\/wenxing$/);
  await expect(page.getByRole('heading', { level: 1, name: '文兴社区' })).toBeVisible();
  await expect(page.getByRole('button', { name: '编辑' })).toBeVisible();
});

test('mentors and liaison leaders see the branches, read-only', async ({ page }) => {
  for (const user of ['liujianguo', 'wanghaitao']) {
    await signedIn(page, user);
    await expect(page.locator('.card')).toHaveCount(11);
    await page.getByRole('link', { name: /文源社区/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: '文源社区' })).toBeVisible();
    await expect(page.getByRole('button', { name: '编辑' })).toHaveCount(0);
    await page.getByRole('button', { name: '退出登录' }).click();
    await expect(page).toHaveURL(/\/login$/);
  }
});

test('a wrong password says so and keeps the username', async ({ page }) => {
  await signIn(page, 'wangmin', 'Not-the-password1');
  await expect(page.getByRole('alert')).toContainText('账号或密码错误');
  await expect(page.getByLabel('账号')).toHaveValue('wangmin');
});

test('five wrong passwords lock the account for 15 minutes', async ({ page }) => {
  for (let i = 1; i <= 4; i++) {
    await signIn(page, 'sunli', `Wrong-pass${i}`);
    await expect(page.getByRole('alert')).toContainText(`再输错 ${5 - i} 次`);
  }
  await signIn(page, 'sunli', 'Wrong-pass5');
  await expect(page.getByRole('alert')).toContainText('账号已锁定');
  // Even the right password is refused while locked.
  await signIn(page, 'sunli');
  await expect(page.getByRole('alert')).toContainText('15 分钟后再试');
  await expect(page).toHaveURL(/\/login$/);
});

test('the language switch turns the app to English and back', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The choice is remembered: the server renders English after a reload.
  await page.reload();
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('button', { name: '登录' })).toBeVisible();
});

test('signing out ends the session', async ({ page }) => {
  await signedIn(page, 'wangmin');
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/branches');
  await expect(page).toHaveURL(/\/login$/);
});

test('a second person on the same tablet sees who is signed in and switches accounts', async ({ page }) => {
  await signedIn(page, 'wangmin');
  await page.goto('/login');
  await hydrated(page);
  const status = page.getByRole('status').filter({ hasText: '这台设备上已登录' });
  await expect(status).toContainText('(wangmin)');
  await expect(page.getByLabel('账号')).toHaveCount(0);
  // Going on keeps the person; switching signs them out and shows the form.
  await page.getByRole('button', { name: '切换账号' }).click();
  await expect(page.getByLabel('账号')).toBeVisible();
  await expect(status).toHaveCount(0);
  await page.goto('/branches');
  await expect(page).toHaveURL(/\/login/);
  await signedIn(page, 'lizhiguang');
  await expect(page.locator('.who-name')).not.toContainText('王敏');
  await page.goto('/login');
  await expect(status).toContainText('(lizhiguang)');
});
