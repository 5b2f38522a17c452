import { Page } from '@playwright/test';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

// Community staff on a tablet at the activity: the roster with the check-in code, masked
// phones (one revealed, and the reveal logged), and check-ins made offline that reach the
// server when the network is back.

test.use({ viewport: { width: 1024, height: 768 } });

test('staff check volunteers in offline; the hours reach the server; a revealed phone is logged', async ({ page, context }) => {
  await signedIn(page, 'lixiurong');
  await page.getByRole('link', { name: '志愿服务' }).click();
  await expect(page.getByRole('heading', { name: '各队服务时长（按月）' })).toBeVisible();
  await page.goto('/volunteers/act_today');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('社区敬老助老志愿服务');
  await expect(page.locator('.checkin-code strong')).toHaveText('246810');

  // Phones are masked; one is revealed, and the reveal is in the log.
  const masked = page.locator('table.people td').filter({ hasText: /^1[3-9]\d\*{4}\d{4}/ }).first();
  await expect(masked).toBeVisible();
  await masked.getByRole('button', { name: '查看号码' }).click();
  await expect(page.locator('table.people td').filter({ hasText: /^1[3-9]\d{9}$/ })).toHaveCount(1);
  await page.reload();
  await hydrated(page);
  await expect(page.locator('.reveal-log')).toContainText('李秀蓉');

  // Offline: one signed-up volunteer checked in, and a walk-in added (checked in at once).
  const row = page.locator('table.people tr', { has: page.getByRole('button', { name: '签到', exact: true }) }).first();
  const name = (await row.locator('td').first().textContent())!.trim();
  await context.setOffline(true);
  await row.getByRole('button', { name: '签到', exact: true }).click();
  await expect(page.locator('.form-ok')).toContainText('已保存在本机');
  const checked = page.locator('table.people tr').filter({ hasText: name }).first();
  await expect(checked).toContainText('待同步');
  await page.getByLabel('姓名').fill('王五');
  await page.getByLabel('手机号').fill('13912345678');
  await page.getByRole('button', { name: '登记并签到' }).click();
  await expect(page.locator('table.people tr').filter({ hasText: '王五' })).toContainText('待同步');

  // Back online: both reach the server; the page read afresh shows them from there.
  await context.setOffline(false);
  await expect(page.locator('table.people .badge')).toHaveCount(0, { timeout: 15_000 });
  await page.reload();
  await hydrated(page);
  const walkIn = page.locator('table.people tr').filter({ hasText: '王五' });
  await expect(walkIn).toContainText('现场登记');
  await expect(walkIn).toContainText(/\d\d:\d\d/);
  await expect(walkIn).toContainText('139****5678');
  await expect(page.locator('table.people tr').filter({ hasText: name }).first().getByRole('button', { name: '签到', exact: true })).toHaveCount(0);
  // The activity has not started: check-out waits for it (before, only an adjustment with a reason).
  await expect(walkIn.getByRole('button', { name: '签退' })).toBeDisabled();
  await expect(walkIn.getByRole('button', { name: '签退' })).toHaveAttribute('title', '活动开始后可签退');
});

test('staff change hours by hand only with a reason', async ({ page }) => {
  await signedIn(page, 'zhangxiaoyan');
  await page.goto('/volunteers/act_today');
  await hydrated(page);
  const form = page.locator('form.adjust');
  const who = form.getByLabel('志愿者');
  await who.selectOption({ index: 0 });
  const [name, mask] = (await who.locator('option:checked').textContent())!.trim().split(' ');
  await form.getByLabel('增减分钟数').fill('90');
  await form.getByLabel('调整原因').fill(' ');
  await form.getByRole('button', { name: '保存调整' }).click();
  await expect(form.locator('.form-error')).toContainText('必须填写原因');
  await form.getByLabel('调整原因').fill('补录纸质签到表');
  await form.getByRole('button', { name: '保存调整' }).click();
  await expect(form.locator('.form-ok')).toContainText('已保存');
  await page.reload();
  await hydrated(page);
  const row = page.locator('table.people tr').filter({ hasText: name }).filter({ hasText: mask });
  await expect(row.locator('td').last()).toHaveText('1.5');
  // The form shows what is stored for that person.
  await page.locator('form.adjust').getByLabel('志愿者').selectOption({ label: `${name} ${mask}` });
  await expect(page.locator('form.adjust').getByLabel('调整原因')).toHaveValue('补录纸质签到表');
  // The volunteer is in the branch's hours register, phone masked.
  await page.goto('/volunteers');
  await hydrated(page);
  await page.getByText('每位志愿者的服务时长').click();
  const line = page.locator('.volunteers-register tr').filter({ hasText: name }).filter({ hasText: mask }).first();
  await expect(line).toBeVisible();
  expect(Number(await line.locator('td').last().textContent())).toBeGreaterThanOrEqual(1.5);
  await expect(page.locator('.volunteers-register td').filter({ hasText: /1[3-9]\d{9}/ })).toHaveCount(0);
});

test("this week's rosters open offline on site once the volunteer page was seen online", async ({ page, context }) => {
  await signedIn(page, 'zhangxiaoyan');
  await page.goto('/volunteers');
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  // The page asks the worker to keep the rosters of this week's activities.
  await page.reload();
  await hydrated(page);
  await expect.poll(() => page.evaluate(async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('xf-pages-') && await (await caches.open(name)).match(new URL('/volunteers/act_today', location.href).href)) return true;
    }
    return false;
  }), { timeout: 15_000 }).toBe(true);

  // On site, without a network, the roster never opened before comes up and takes a check-in.
  await context.setOffline(true);
  await page.goto('/volunteers/act_today');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('社区敬老助老志愿服务');
  await expect(page.locator('.checkin-code strong')).toHaveText('246810');
  await expect(page.locator('table.people tbody tr')).not.toHaveCount(0);
  await context.setOffline(false);
});

/** How many sign-ups this page's local store holds. */
async function heldSignups(page: Page): Promise<number> {
  return page.evaluate(async () => new Promise<number>((resolve) => {
    const open = indexedDB.open('xianfeng');
    open.onerror = () => resolve(0);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('records')) { db.close(); return resolve(0); }
      // Kept as `table:key`.
      const all = db.transaction('records').objectStore('records').getAllKeys();
      all.onsuccess = () => { resolve(all.result.filter((k) => String(k).startsWith('signup:')).length); db.close(); };
      all.onerror = () => { resolve(0); db.close(); };
    };
  }));
}

test('offline, the menu opens the volunteer page and a roster never opened from the tablet; the queue names what waits', async ({ page, context }) => {
  await signedIn(page, 'zhangxiaoyan');
  await page.goto('/volunteers');
  await hydrated(page);
  // The branch's sign-ups reach the tablet with its other records.
  await expect.poll(() => heldSignups(page), { timeout: 15_000 }).toBeGreaterThan(10);
  // A past activity within the last three months (older ones' names are erased by then).
  const past = page.locator('.activity-list a').nth(4);
  const title = (await past.textContent())!.trim();
  const key = (await past.getAttribute('href'))!.split('/').pop()!;

  await context.setOffline(true);
  await page.getByRole('link', { name: '个人中心' }).click();
  await page.getByRole('link', { name: '志愿服务' }).click();
  const link = page.locator(`.activity-list a[href="/volunteers/${key}"]`);
  await expect(link).toHaveText(title);
  await link.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  // Residents as the tablet holds them: masked, never in the clear.
  const names = page.locator('table.people tbody tr td:first-child');
  await expect(names.first()).toContainText('*');
  await expect(page.locator('table.people td').filter({ hasText: /1[3-9]\d{9}/ })).toHaveCount(0);

  // A change made here waits in the queue under the activity's name and the field's.
  await page.getByLabel('名额').fill('30');
  await page.getByRole('button', { name: '调整名额' }).click();
  await expect(page.locator('.form-ok')).toContainText('已保存在本机');
  await page.locator('.sync-badge').click();
  const waiting = page.locator('main li').filter({ hasText: title });
  await expect(waiting).toContainText(`志愿活动「${title}」`);
  await expect(waiting).toContainText('名额');
  await expect(page.locator('main')).not.toContainText(key);
  await context.close();
});

test('another branch cannot open the roster', async ({ page }) => {
  await signedIn(page, 'guojing');
  await page.goto('/volunteers/act_today');
  await hydrated(page);
  await expect(page.getByRole('alert')).toContainText('权限');
});

test('staff publish a recruitment notice and residents find it on the brand page', async ({ page, browser }) => {
  await signedIn(page, 'zhangxiaoyan');
  await page.goto('/volunteers');
  await hydrated(page);
  await page.getByText('发布招募通知').click();
  const day = new Date(Date.now() + 3 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const title = `社区义诊志愿者招募${Date.now() % 10000}`;
  await page.getByLabel('活动名称').fill(title);
  await page.getByLabel('地点').fill('党群服务中心二楼');
  await page.getByLabel('开始时间').fill(`${day}T09:00`);
  await page.getByLabel('结束时间').fill(`${day}T08:00`);
  await page.getByRole('button', { name: '发布' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '结束时间早于开始时间' })).toBeVisible();
  await expect(page.getByLabel('活动名称')).toHaveValue(title);
  await page.getByLabel('结束时间').fill(`${day}T11:00`);
  await page.getByRole('button', { name: '发布' }).click();
  await expect(page.locator('.form-ok')).toContainText('已保存');
  await page.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.locator('.checkin-code strong')).toHaveText(/^\d{6}$/);

  const resident = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await resident.goto('/b/wenxing');
  await expect(resident.getByRole('link', { name: title })).toBeVisible();
  await resident.context().close();
});

test('staff edit their brand page and residents see the change within a second', async ({ page, request }) => {
  await signedIn(page, 'lixiurong');
  await page.goto('/volunteers');
  await hydrated(page);
  await page.getByText('编辑本支部品牌页').click();
  const slogan = `有事大家办${Date.now() % 10000}`;
  await page.getByLabel('口号').fill(slogan);
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.locator('.brand-editor .form-ok')).toContainText('已保存');
  const saved = Date.now();
  await expect.poll(async () => (await (await request.get('/b/wenxing')).text()).includes(slogan), { timeout: 1_000, intervals: [50] }).toBe(true);
  expect(Date.now() - saved).toBeLessThan(1_000);
});

test('a merchant applies on a phone; community staff approve it; the brand page lists it', async ({ page, browser }) => {
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false })).newPage();
  await phone.goto('/b/wenxing');
  await phone.getByRole('link', { name: '社会组织、辖区商家申请加入' }).click();
  const org = `便民理发店${Date.now() % 10000}`;
  await phone.getByLabel('单位名称').fill(org);
  await phone.getByLabel('可以提供的服务').fill('每月一次为老人义剪');
  await phone.getByLabel('联系人', { exact: true }).fill('钱师傅');
  await phone.getByLabel('联系电话（手机）').fill('137 2222 3333');
  await phone.getByLabel(/我同意/).check();
  await phone.getByRole('button', { name: '提交申请' }).click();
  await expect(phone.getByRole('status')).toContainText('申请已提交');

  await signedIn(page, 'zhangxiaoyan');
  await page.goto('/volunteers');
  await hydrated(page);
  const application = page.locator('ul.partners li').filter({ hasText: org });
  await expect(application).toContainText('137****3333');
  await expect(application).not.toContainText('钱师傅');
  await application.getByRole('button', { name: '通过', exact: true }).click();
  await expect(application).toContainText('已通过');
  await phone.goto('/b/wenxing');
  await expect(phone.getByText(org)).toBeVisible();
  await phone.context().close();
});

test('staff cut an activity\'s places; the latest sign-up is told on their private page', async ({ page, browser }) => {
  const resident = await (await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false })).newPage();
  await resident.goto('/b/wenxing');
  await resident.getByRole('link', { name: '暑期“四点半课堂”作业辅导' }).first().click();
  await resident.getByLabel('姓名', { exact: true }).fill('郑晓');
  await resident.getByLabel('手机号', { exact: true }).fill('136 5555 0001');
  await resident.getByLabel(/我同意/).check();
  await resident.getByRole('button', { name: '提交报名' }).click();
  await expect(resident.getByText('名额已确认')).toBeVisible();

  await signedIn(page, 'lixiurong');
  await page.goto('/volunteers');
  await hydrated(page);
  await page.getByRole('link', { name: '暑期“四点半课堂”作业辅导' }).first().click();
  await hydrated(page);
  const places = page.getByLabel('名额（人）');
  // A link followed inside the app: the roster is fetched after the click.
  await expect(page.locator('table.people')).toBeVisible();
  const people = await page.locator('table.people tr').filter({ hasText: '已确认' }).count();
  expect(people).toBeGreaterThan(1);
  await places.fill(String(people - 1));
  await expect(places).toHaveValue(String(people - 1));
  await page.getByRole('button', { name: /调整名额/ }).click();
  await expect(page.locator('.form-ok')).toContainText('已保存');

  await resident.reload();
  await expect(resident.getByText('候补第 1 位')).toBeVisible();
  await expect(resident.getByRole('alert')).toContainText('活动名额调整了');
  await resident.context().close();
});

test('the volunteer pages pass axe, staff and public', async ({ page, browser }) => {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  test.setTimeout(90_000);
  await signedIn(page, 'zhangxiaoyan');
  for (const path of ['/volunteers', '/volunteers/act_today']) {
    await page.goto(path);
    await hydrated(page);
    // The brand editor open, with its photos and the file picker.
    if (path === '/volunteers') {
      await page.getByText('编辑本支部品牌页').click();
      await expect(page.locator('.photo-list img').first()).toBeVisible();
    }
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${path}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  }
  const residents = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await residents.newPage();
  for (const path of ['/', '/b/wenxing', '/a/act_today', '/b/wenxing/join']) {
    await phone.goto(path);
    const results = await new AxeBuilder({ page: phone }).analyze();
    expect(results.violations.map((v) => `${path}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual([]);
  }
  await residents.close();
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('the roster shows each person as a card with every value named, so check-in and check-out read apart', async ({ page }) => {
    await signedIn(page, 'zhangxiaoyan');
    await page.goto('/volunteers/act_today');
    await hydrated(page);
    // A walk-in of this test's own, checked in at once; check-out waits for the start.
    await page.getByLabel('姓名').fill('卡片');
    await page.getByLabel('手机号').fill('13912340077');
    await page.getByRole('button', { name: '登记并签到' }).tap();
    const card = page.locator('table.people tbody tr').filter({ hasText: '139****0077' });
    const checkIn = card.locator('td').filter({ hasText: /^\s*\d\d:\d\d\s*$/ });
    await expect(checkIn).toBeVisible({ timeout: 15_000 });
    const checkOut = card.locator('td').filter({ has: page.getByRole('button', { name: '签退' }) });
    await expect(page.locator('table.people thead')).toBeHidden();

    const label = (cell: typeof checkIn) => cell.evaluate((td) => {
      const before = getComputedStyle(td, '::before');
      return before.display === 'none' || before.content === 'none' ? '' : before.content;
    });
    expect(await label(checkIn)).toBe('"签到"');
    expect(await label(checkOut)).toBe('"签退"');
    expect(await label(card.locator('td').first())).toBe('"姓名"');
    // One value a line: check-out's line is under check-in's.
    const inBox = (await checkIn.boundingBox())!;
    const outBox = (await checkOut.boundingBox())!;
    expect(outBox.y).toBeGreaterThanOrEqual(inBox.y + inBox.height - 1);

    // On a tablet the table has its header row again, and the cells no labels of their own.
    await page.setViewportSize({ width: 1024, height: 768 });
    await expect(page.locator('table.people thead')).toBeVisible();
    expect(await label(checkIn)).toBe('');
  });
});
