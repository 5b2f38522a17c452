import { Page, Locator } from '@playwright/test';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

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
  await hydrated(page);
  const column = (name: string) => page.locator('.column').filter({ has: page.getByRole('heading', { name }) });

  // 审核中 → 草稿 is no move of the lifecycle: the card stays and the reason is shown.
  const review = column('审核中').locator('.project-card').filter({ hasText: '垃圾分类督导' });
  await drag(page, review, column('草稿'));
  await expect(page.getByRole('alert').filter({ hasText: '「审核中」的项目不能直接移到「草稿」：本支部的工作人员从「已退回」移入' })).toBeVisible();
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
  // Opened straight from a link, the filtered board hydrates with the same cards.
  await page.goto(`/projects?q=${encodeURIComponent('先锋')}`);
  await hydrated(page);
  await expect(page.getByRole('link', { name: '银发先锋大课堂' })).toBeVisible();
});

test('street staff keep the catalog; a secretary declares from an entry', async ({ page }) => {
  const title = `社区议事厅${Date.now() % 100000}`;
  await signedIn(page, 'wangmin');
  await page.getByRole('link', { name: '目录库' }).click();
  await expect(page.getByRole('heading', { name: '项目参考目录库' })).toBeVisible();
  await page.getByLabel('条目名称').last().fill(title);
  await page.getByLabel('项目类型').last().selectOption({ label: '业务规范' });
  await page.getByLabel('说明').last().fill('居民议事规则与流程');
  await page.getByLabel('考核指标').last().fill('议事次数 100');
  await page.getByRole('button', { name: '保存' }).last().click();
  await expect(page.getByText(title)).toBeVisible();
  await page.getByRole('link', { name: '业务规范' }).first().click();
  await expect(page.locator('.card').filter({ hasText: title })).toBeVisible();
  await page.getByRole('button', { name: '退出登录' }).click();

  await signedIn(page, 'zhouhong');
  await page.goto('/catalog?category=standards');
  await hydrated(page);
  await page.locator('.card').filter({ hasText: title }).getByRole('link', { name: '以此申报' }).click();
  await expect(page.getByLabel('项目名称')).toHaveValue(title);
  await expect(page.getByLabel('考核指标')).toHaveValue('议事次数 100');
});

test('the project pages pass axe', async ({ page }) => {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  // Five pages and two sign-ins, each page analysed: more than the default 30 s on a
  // busy 2-core machine.
  test.setTimeout(90_000);
  await signedIn(page, 'lizhiguang');
  for (const path of ['/projects?year=2026', '/projects/p003', '/dashboard?year=2026', '/catalog']) {
    await page.goto(path);
    await hydrated(page);
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${path}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  }
  await page.getByRole('button', { name: '退出登录' }).click();
  // Signed out only once the sign-in page shows; going elsewhere sooner could cut it short.
  await expect(page).toHaveURL(/\/login$/);
  await signedIn(page, 'lixiurong');
  await page.goto('/projects/new');
  await hydrated(page);
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `declare: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
});

test('filing from a board card asks first and files nothing on one tap', async ({ page }) => {
  await signedIn(page, 'wangmin');
  await page.goto('/projects?year=2026');
  await hydrated(page);
  const column = (name: string) => page.locator('.column').filter({ has: page.getByRole('heading', { name }) });
  const card = column('审核中').locator('.project-card').filter({ hasText: '垃圾分类督导' });
  await card.getByRole('button', { name: '→ 已备案' }).click();
  await expect(card.getByText('备案后将分配备案编号')).toBeVisible();
  await expect(card.getByRole('button', { name: '确认备案' })).toBeVisible();
  await card.getByRole('button', { name: '取消' }).click();
  await expect(card.getByText('备案后将分配备案编号')).toBeHidden();
  await expect(card.getByRole('button', { name: '→ 已备案' })).toBeVisible();
  await expect(column('审核中').getByRole('link', { name: '垃圾分类督导' })).toBeVisible();
});

test('a secretary opening the board at tablet width sees every own project without scrolling', async ({ page }) => {
  // 文兴社区's projects are filed or running: the columns before them hold nothing and fold.
  await signedIn(page, 'lixiurong');
  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '项目看板' }).click();
  await expect(page).toHaveURL(/\/projects$/);
  const cards = page.locator('.project-card');
  await expect(cards.first()).toBeVisible();
  expect(await cards.count()).toBeGreaterThan(1);
  const width = page.viewportSize()!.width;
  for (const box of await cards.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON()))) {
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(width);
  }
  // An empty column still names its status and takes a dragged card.
  await expect(page.locator('.column.empty').filter({ hasText: '草稿' })).toBeVisible();
});

test('on a phone the board starts at a secretary\'s own projects', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signedIn(page, 'lixiurong');
  await page.goto('/projects');
  await hydrated(page);
  const first = page.locator('.column').filter({ has: page.locator('.project-card') }).first();
  const box = await first.boundingBox();
  expect(box && box.x >= 0 && box.x < 60, 'the first column with projects starts at the left edge').toBe(true);
  await expect(first.locator('.project-card').first()).toBeInViewport();
});
