import { test, expect, signIn, signedIn, DEMO_PASSWORD } from '../fixtures/app';

test('a person changes their own password and signs in with it', async ({ page }) => {
  await signedIn(page, 'wangyong');
  await page.getByRole('link', { name: '个人中心' }).click();
  await expect(page.getByRole('heading', { name: '修改密码' })).toBeVisible();

  // Mismatch and weak passwords are caught before anything is sent.
  await page.getByLabel('当前密码').fill(DEMO_PASSWORD);
  await page.getByLabel('新密码', { exact: true }).fill('Fresh-pass-2027');
  await page.getByLabel('确认新密码').fill('Fresh-pass-2028');
  await page.getByRole('button', { name: '修改密码' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '不一致' })).toBeVisible();

  // A wrong current password is refused by the server.
  await page.getByLabel('当前密码').fill('Wrong-current-1');
  await page.getByLabel('确认新密码').fill('Fresh-pass-2027');
  await page.getByRole('button', { name: '修改密码' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '当前密码不正确' })).toBeVisible();

  await page.getByLabel('当前密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '修改密码' }).click();
  await expect(page.getByRole('status')).toContainText('密码已修改');

  await page.getByRole('button', { name: '退出登录' }).click();
  await signIn(page, 'wangyong', DEMO_PASSWORD);
  await expect(page.getByRole('alert')).toContainText('账号或密码错误');
  await signedIn(page, 'wangyong', 'Fresh-pass-2027');
});
