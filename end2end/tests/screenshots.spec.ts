import { test, expect, signedIn, hydrated } from './fixtures/app';

// Screenshots at phone and tablet sizes, for people to look at (end2end/screenshots/).
// Pictures of whole pages take long on a busy machine: each test here has 90 s.
test.describe.configure({ timeout: 90_000 });

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
    // On a phone the menu folds behind its button.
    if (viewport.width < 768) await page.locator('label.menu-button').click();
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
    // The staff's volunteer views: the commune with its brand editor open, and a roster.
    await page.goto('/volunteers');
    await hydrated(page);
    await page.getByText('编辑本支部品牌页').click();
    await expect(page.locator('.photo-list img').first()).toBeVisible();
    await page.screenshot({ path: `screenshots/${name}-volunteers.png`, fullPage: true });
    await page.goto('/volunteers/act_today');
    await hydrated(page);
    await expect(page.locator('.checkin-code strong')).toHaveText('246810');
    await page.screenshot({ path: `screenshots/${name}-roster.png`, fullPage: true });
    for (const path of ['/volunteers', '/volunteers/act_today']) {
      await page.goto(path);
      await hydrated(page);
      const wider = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(wider, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
    }
    await page.close();
  });

  // One test per page: a tall page's full-page picture is slow to take on a loaded 2-core
  // machine, and each gets its own time.
  for (const [path, shot] of [['/', 'front'], ['/b/wenxing', 'brand'], ['/b/wenyuan', 'brand-outcomes'], ['/a/act_today', 'activity']]) {
    test(`residents' ${shot} page at ${name} size`, async ({ browser }) => {
      const page = await browser.newPage({ viewport, locale: 'zh-CN', javaScriptEnabled: false });
      await page.goto(path);
      // Every photo in the page loaded, lazy ones included, before the picture is taken.
      await page.evaluate(async () => {
        for (const img of Array.from(document.images)) img.loading = 'eager';
        await Promise.all(Array.from(document.images).map((img) => img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; })));
      });
      await page.screenshot({ path: `screenshots/${name}-${shot}.png`, fullPage: true });
      const wider = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(wider, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
      const broken = await page.evaluate(() => Array.from(document.images).filter((img) => img.naturalWidth === 0).map((img) => img.src));
      expect(broken, `${path} has photos that do not load`).toEqual([]);
      if (shot === 'activity') {
        await page.locator('#signup').scrollIntoViewIfNeeded();
        await page.screenshot({ path: `screenshots/${name}-signup.png` });
      }
      await page.close();
    });
  }
}
