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
    await page.close();
  });
}
