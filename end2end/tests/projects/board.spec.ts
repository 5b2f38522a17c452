import { test, expect, Page, Locator } from '@playwright/test';
import { signedIn } from '../fixtures/app';

test.use({ viewport: { width: 1024, height: 768 } });

async function drag(page: Page, card: Locator, column: Locator) {
  const handle = card.getByRole('button', { name: '拖动到其他列以变更状态' });
  const from = await handle.boundingBox();
  const to = await column.boundingBox();
  if (!from || !to) throw new Error('not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + 120, { steps: 12 });
  await page.mouse.up();
}

test('cards are dragged between columns; forbidden moves snap back with the reason', async ({ page }) => {
  await signedIn(page, 'lizhiguang');
  await page.goto('/projects?year=2026');
  const column = (name: string) => page.locator('.column').filter({ has: page.getByRole('heading', { name }) });

  // 审核中 → 草稿 is no move of the lifecycle: the card stays and the reason is shown.
  const review = column('审核中').locator('.project-card').filter({ hasText: '垃圾分类督导' });
  await drag(page, review, column('草稿'));
  await expect(page.getByRole('alert').filter({ hasText: '不允许这样变更状态' })).toBeVisible();
  await expect(column('审核中').getByRole('link', { name: '垃圾分类督导' })).toBeVisible();

  // 已申报 → 审核中 is the street's move: the server accepts it and the card moves.
  const submitted = column('已申报').locator('.project-card').filter({ hasText: '党员先锋岗' });
  await drag(page, submitted, column('审核中'));
  await expect(column('审核中').getByRole('link', { name: '党员先锋岗' })).toBeVisible();
  await expect(column('已申报').getByRole('link', { name: '党员先锋岗' })).toHaveCount(0);
});

test('the board filters by title in Chinese, before and after hydration', async ({ page }) => {
  await signedIn(page, 'wangmin');
  await page.goto('/projects');
  await page.getByLabel('搜索').fill('先锋');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/q=/);
  await expect(page.getByRole('link', { name: '先锋书房' })).toBeVisible();
  await expect(page.getByRole('link', { name: '银发先锋大课堂' })).toBeVisible();
  await expect(page.getByRole('link', { name: '志愿公社' })).toHaveCount(0);
});
