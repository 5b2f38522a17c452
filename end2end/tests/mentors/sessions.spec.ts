import { test, expect, signedIn, hydrated } from '../fixtures/app';

// A mentor at a branch with no network logs a session on a tablet; back online, it
// reaches the server, and the street's mentor page shows it without a reload.
test.use({ viewport: { width: 1024, height: 768 } });

test('a session logged offline reaches the graph and the street view', async ({ browser }) => {
  const mentorContext = await browser.newContext();
  const mentor = await mentorContext.newPage();
  await signedIn(mentor, 'liujianguo');
  await mentor.goto('/mentors');
  await hydrated(mentor);
  const streetContext = await browser.newContext();
  const street = await streetContext.newPage();
  await signedIn(street, 'wangmin');
  await street.goto('/mentors');
  await hydrated(street);
  // 刘建国 has held three sessions at 文兴社区.
  const row = (page: typeof street) => page.locator('.pairing-table tbody tr').filter({ hasText: '刘建国' }).filter({ hasText: '文兴社区' });
  await expect(row(street).locator('td').nth(2)).toHaveText('3');

  // Offline: kept on the device, shown in the log straight away.
  await mentorContext.setOffline(true);
  const form = mentor.locator('form.session-form');
  await form.getByLabel('服务的项目').selectOption({ label: '志愿公社' });
  await form.getByLabel('手把手辅导').check();
  await form.getByLabel('设计活动').check();
  await form.getByLabel('辅导内容').fill('离线记录：指导设计重阳节敬老活动');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.locator('.form-ok')).toContainText('已保存在本机');
  await expect(mentor.locator('.session-list').first()).toContainText('离线记录：指导设计重阳节敬老活动');
  await expect(row(street).locator('td').nth(2)).toHaveText('3');

  // Online again: sent, and the street's page follows within moments.
  await mentorContext.setOffline(false);
  await expect(row(street).locator('td').nth(2)).toHaveText('4', { timeout: 15_000 });
  await expect(street.locator('.session-list').last()).toContainText('离线记录：指导设计重阳节敬老活动');
  // The graph's edge for the pairing says four sessions; tapping the branch lists them.
  await street.locator('[data-node="wenxing"]').click();
  await expect(street.locator('.node-sessions')).toContainText('离线记录：指导设计重阳节敬老活动');
  await mentorContext.close();
  await streetContext.close();
});

test('a session outside a pairing is refused with the reason, and the form keeps what was typed', async ({ page }) => {
  await signedIn(page, 'liujianguo');
  await page.goto('/mentors');
  await hydrated(page);
  const form = page.locator('form.session-form');
  // Before the pairing began (March 2): no branch is offered, and the server refuses it.
  await form.getByLabel('辅导日期').fill('2026-02-02');
  await form.getByLabel('辅导内容').fill('春节前走访');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('alert')).toContainText(/结对|所属支部/);
  await expect(form.getByLabel('辅导内容')).toHaveValue('春节前走访');
});

test('the mentor page passes an accessibility check, and pairings are one-to-one', async ({ page }) => {
  await signedIn(page, 'wangmin');
  await page.goto('/mentors');
  await hydrated(page);
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
  // The legend names what a ringed branch means, once: no number repeated after it.
  await expect(page.locator('.graph-legend li').last()).toHaveText('近30天未辅导');
  // 文兴社区 already has 刘建国: pairing it with 陈芳 is refused, naming him.
  const form = page.locator('form').filter({ hasText: '新建结对' });
  await form.locator('select[name="pair-mentor"]').selectOption({ label: '陈芳' });
  await form.locator('select[name="pair-branch"]').selectOption({ label: '文兴社区' });
  await form.getByRole('button', { name: '保存' }).click();
  await expect(form.getByRole('alert')).toContainText('刘建国');
});
