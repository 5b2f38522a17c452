import { test, expect } from '@playwright/test';
import { signedIn, hydrated } from './fixtures/app';

// Screenshots at phone and tablet sizes, for people to look at (end2end/screenshots/).
const sizes = { phone: { width: 390, height: 844 }, tablet: { width: 1024, height: 768 } };

for (const [name, viewport] of Object.entries(sizes)) {
  test(`screens at ${name} size`, async ({ browser }) => {
    const page = await browser.newPage({ viewport, locale: 'zh-CN' });
    await page.goto('/login');
    await hydrated(page);
    await page.screenshot({ path: `screenshots/${name}-login.png`, fullPage: true });
    await signedIn(page, 'wangmin');
    await expect(page.locator('.card')).toHaveCount(11);
    await page.screenshot({ path: `screenshots/${name}-street.png`, fullPage: true });
    // Nothing may be wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByRole('link', { name: /文兴社区/ }).click();
    await expect(page.getByRole('heading', { level: 1, name: '文兴社区' })).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-branch.png`, fullPage: true });
    await page.getByRole('link', { name: '个人中心' }).click();
    await expect(page.getByRole('heading', { name: '修改密码' })).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-profile.png`, fullPage: true });
    await page.goto('/dashboard?year=2026');
    await expect(page.getByTestId('filed-count')).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-dashboard.png`, fullPage: true });
    await page.goto('/projects?year=2026');
    await expect(page.locator('.project-card').first()).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-board.png` });
    await page.goto('/projects/p003');
    await expect(page.getByRole('heading', { level: 1, name: '先锋书房' })).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-project.png`, fullPage: true });
    for (const [path, shot] of [['/gantt/p001', 'gantt'], ['/gantt', 'programme'], ['/mentors', 'mentors']]) {
      await page.goto(path);
      await hydrated(page);
      await expect(page.locator('h1')).toBeVisible();
      await page.screenshot({ path: `screenshots/${name}-${shot}.png`, fullPage: shot !== 'gantt' });
      const wider = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(wider, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    }
    await page.getByRole('button', { name: '退出登录' }).click();
    await signedIn(page, 'lixiurong');
    await page.goto('/projects/new');
    await expect(page.getByLabel('项目名称')).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-declare.png`, fullPage: true });
    await page.close();
  });
}
