import { test, expect, signedIn } from '../fixtures/app';

test('a secretary edits the branch through the write path', async ({ page }) => {
  await signedIn(page, 'shiguoqiang');
  await expect(page).toHaveURL(/\/branches\/shijiazhai$/);
  await page.getByRole('button', { name: '编辑' }).click();
  await page.getByLabel('地址').fill('平城区水泊寺街道石家寨村委会');
  await page.getByLabel('联系电话').fill('0352-6100123');
  const sync = page.waitForResponse((r) => r.url().endsWith('/api/sync'));
  await page.getByRole('button', { name: '保存' }).click();
  expect((await sync).status()).toBe(200);
  await expect(page.getByText('0352-6100123')).toBeVisible();
  // The change is in the database, not only on screen.
  await page.reload();
  await expect(page.getByText('平城区水泊寺街道石家寨村委会')).toBeVisible();
});

test('a bad value is refused with a message and what was typed stays', async ({ page }) => {
  await signedIn(page, 'gaojianjun');
  await page.getByRole('button', { name: '编辑' }).click();
  await page.getByRole('textbox', { name: '简介' }).fill('水泊寺村党支部简介');
  await page.getByLabel('联系电话').fill('打电话给我');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '联系电话' })).toContainText('不符合要求');
  await expect(page.getByLabel('联系电话')).toHaveValue('打电话给我');
  await expect(page.getByRole('textbox', { name: '简介' })).toHaveValue('水泊寺村党支部简介');
  // Nothing was changed: the whole operation was rejected.
  await page.reload();
  await expect(page.getByText('水泊寺村党支部简介')).toHaveCount(0);
});

test('work notes are appended and shown with author and Beijing time', async ({ page }) => {
  await signedIn(page, 'majun');
  const text = `入户走访 ${Date.now()}`;
  await page.getByLabel('记事内容').fill(text);
  await page.getByRole('button', { name: '添加记事' }).click();
  const note = page.locator('.notes li').filter({ hasText: text });
  await expect(note).toBeVisible();
  await expect(note).toContainText('马军');
  await expect(page.getByLabel('记事内容')).toHaveValue('');
});
