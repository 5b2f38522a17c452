import { Page, CDPSession, Locator } from '@playwright/test';
import ExcelJS from 'exceljs';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

// A secretary builds a plan on a tablet with a finger: touch events go through the
// DevTools protocol, so Chromium makes real touch pointer events of them.

type Point = { x: number; y: number };

async function touchDrag(cdp: CDPSession, from: Point, to: Point, beforeRelease?: () => Promise<void>) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: from.x, y: from.y }] });
  // The finger sets off at once (held still for half a second, a press is a long-press),
  // then goes the rest of the way in small steps.
  const steps = 12;
  for (let i = 3; i <= steps; i++) {
    const point = { x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [point] });
  }
  if (beforeRelease) await beforeRelease();
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

async function centre(locator: Locator): Promise<Point> {
  // Where it settles: the chart may still be redrawing after the last answer or pull.
  let last = '';
  for (let i = 0; i < 20; i++) {
    const box = await locator.boundingBox();
    if (!box) throw new Error('not on screen');
    const here = JSON.stringify(box);
    if (here === last) return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    last = here;
    await locator.page().waitForTimeout(50);
  }
  throw new Error('never settled');
}

/** Nothing waits to be sent: the next gesture starts on a chart that will not be redrawn under it. */
async function settled(page: Page) {
  await expect(page.locator('.sync-badge')).toHaveCount(0, { timeout: 10_000 });
}

/** The bar of the n-th row (0-based), by the row's task key. */
async function bar(page: Page, n: number): Promise<Locator> {
  const key = await page.locator('.gantt-row').nth(n).getAttribute('data-row');
  return page.locator(`g.gantt-bar[data-task="${key}"]`);
}

/** Where the chart drew the bars of these rows: x and width in the chart's own units. */
async function boxes(page: Page, rows: number[]) {
  const out: { x: number; width: number }[] = [];
  for (const n of rows) {
    const body = (await bar(page, n)).locator('.gantt-body');
    out.push({ x: Number(await body.getAttribute('x')), width: Number(await body.getAttribute('width')) });
  }
  return out;
}

test.describe('plans at tablet size, by touch', () => {
  test.use({ viewport: { width: 1024, height: 768 }, hasTouch: true });

  test('a secretary builds a plan by dragging; the critical path, pushes, a refused cycle and the export', async ({ page, context }) => {
    // A project with no plan yet, on this worker's own server: no other test plans it.
    const [secretary, project, title] = ['guojing', 'p031', '社区微心愿'];
    await signedIn(page, secretary);
    await page.goto(`/gantt/${project}`);
    await hydrated(page);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
    const add = page.getByRole('button', { name: '新增任务' });
    for (let i = 1; i <= 6; i++) {
      await add.click();
      await expect(page.locator('.gantt-row')).toHaveCount(i);
      await expect(page.locator('.gantt-row.selected')).toHaveCount(1);
    }
    const cdp = await context.newCDPSession(page);
    // Links 2→3→4→5→6, each dragged from the selected bar's round handle onto the next bar.
    for (let n = 1; n <= 4; n++) {
      await settled(page);
      await (await bar(page, n)).locator('.gantt-hit').first().tap();
      const key = await page.locator('.gantt-row').nth(n).getAttribute('data-row');
      await expect(page.locator(`.gantt-row.selected[data-row="${key}"]`)).toHaveCount(1);
      const handle = (await bar(page, n)).locator('.gantt-link-dot');
      await expect(handle).toBeVisible();
      await touchDrag(cdp, await centre(handle), await centre((await bar(page, n + 1)).locator('.gantt-body')));
      await expect(page.locator('path.gantt-arrow')).toHaveCount(n);
    }
    // The chain is the critical path; the first task, linked to nothing, has slack.
    for (let n = 1; n <= 5; n++) await expect(await bar(page, n)).toHaveClass(/critical/);
    await expect(await bar(page, 0)).not.toHaveClass(/critical/);

    // Moving a critical task later previews its pushed successors; the saved plan matches.
    await settled(page);
    const third = await bar(page, 2);
    await third.locator('.gantt-hit').first().tap();
    const start = await centre(third.locator('.gantt-body'));
    let preview: Awaited<ReturnType<typeof boxes>> = [];
    await touchDrag(cdp, start, { x: start.x + 130, y: start.y + 2 }, async () => {
      for (const n of [3, 4, 5]) await expect(await bar(page, n)).toHaveClass(/pushed/);
      preview = await boxes(page, [2, 3, 4, 5]);
    });
    // Saved: the bar stays where it was let go, and the answer is shown.
    await expect
      .poll(async () => Math.round((await boxes(page, [2]))[0]!.x), { message: await page.locator('.form-ok, .form-error').first().textContent() ?? '' })
      .toBe(Math.round(preview[0]!.x));
    await expect(page.locator('.form-ok')).toContainText('已保存');
    await expect(await bar(page, 3)).not.toHaveClass(/pushed/);
    const saved = await boxes(page, [2, 3, 4, 5]);
    for (let i = 0; i < saved.length; i++) {
      expect(saved[i]).toEqual(preview[i]);
    }
    // Put later than its predecessor needs, the moved task leaves that one slack.
    await expect(await bar(page, 1)).not.toHaveClass(/critical/);
    for (let n = 2; n <= 5; n++) await expect(await bar(page, n)).toHaveClass(/critical/);

    // A link from the last task back to the second closes a cycle: refused, naming them.
    await settled(page);
    const last = await bar(page, 5);
    await last.locator('.gantt-hit').first().tap();
    await touchDrag(cdp, await centre(last.locator('.gantt-link-dot')), await centre((await bar(page, 1)).locator('.gantt-body')));
    const alert = page.getByRole('alert').filter({ hasText: '循环' });
    await expect(alert).toContainText('新任务 2');
    await expect(alert).toContainText('新任务 6');
    await expect(page.locator('path.gantt-arrow')).toHaveCount(4);

    // Exported and read back: six tasks, the critical ones flagged as on the chart.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: '导出计划（Excel）' }).click();
    const file = await (await download).path();
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file!);
    const sheet = book.worksheets[0]!;
    expect(sheet.getRow(1).getCell(2).value).toBe('任务');
    expect(sheet.rowCount).toBe(7);
    const names = [2, 3, 4, 5, 6, 7].map((r) => String(sheet.getRow(r).getCell(2).value).trim());
    expect(names).toContain('新任务 6');
    const critical = [2, 3, 4, 5, 6, 7].map((r) => sheet.getRow(r).getCell(9).value);
    expect(critical.filter((c) => c === '是')).toHaveLength(4);
  });

  test('a change from another tablet waits while a finger is on the chart, then shows', async ({ page, context, browser }) => {
    await signedIn(page, 'zhouhong');
    await page.goto('/gantt/p016');
    await hydrated(page);
    // The plan is over, so the chart opens on its end: back to its first bars.
    await page.locator('.gantt-scroll').evaluate((e) => (e.scrollLeft = 0));
    // The other tablet changes the progress of the first task bar; this one drags the next.
    const bars = page.locator('g.gantt-bar', { has: page.locator('.gantt-progress') });
    const key = (await bars.first().getAttribute('data-task'))!;
    const dragged = bars.nth(1).locator('.gantt-body');
    expect(await bars.nth(1).getAttribute('data-task')).not.toBe(key);
    const ratio = async () => {
      const bar = page.locator(`g.gantt-bar[data-task="${key}"]`);
      return Number(await bar.locator('.gantt-progress').getAttribute('width')) / Number(await bar.locator('.gantt-body').getAttribute('width'));
    };
    const before = await ratio();
    const next = before < 0.5 ? 90 : 10;
    const other = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
    await signedIn(other, 'zhouhong');
    await other.goto('/gantt/p016');
    await hydrated(other);
    await settled(page);

    const cdp = await context.newCDPSession(page);
    const from = await centre(dragged);
    await touchDrag(cdp, from, { x: from.x + 40, y: from.y + 1 }, async () => {
      await other.locator(`.gantt-row[data-row="${key}"]`).click();
      await other.getByLabel('进度（%）').fill(String(next));
      await other.getByRole('button', { name: '保存' }).click();
      await expect(other.locator('.form-ok')).toContainText('已保存');
      // Time for the change to reach this tablet live; the bar under the finger's chart holds.
      await page.waitForTimeout(2_000);
      expect(await ratio()).toBeCloseTo(before, 2);
    });
    // The finger lifted: the other tablet's change shows.
    await expect.poll(ratio, { timeout: 10_000 }).toBeCloseTo(next / 100, 1);
    await other.context().close();
  });

  test('the table edits a task; bad values are named and kept; keys move the task', async ({ page }) => {
    await signedIn(page, 'lixiurong');
    await page.goto('/gantt/p012');
    await hydrated(page);
    const row = page.locator('.gantt-row').nth(1);
    const name = (await row.locator('.gantt-name').textContent())!.trim();
    await row.click();
    await expect(page.getByRole('heading', { name: '任务详情' })).toBeVisible();
    // Each bad value is named; nothing is sent.
    await page.getByLabel('进度（%）').fill('150');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.getByRole('alert').filter({ hasText: '进度' })).toBeVisible();
    await page.getByLabel('进度（%）').fill('50');
    await page.getByLabel('工期（工作日）').fill('-3');
    await page.getByRole('button', { name: '保存' }).click();
    // Refused with the task's name; what was typed stays.
    await expect(page.getByRole('alert').filter({ hasText: '结束早于开始' })).toContainText(name);
    await expect(page.getByLabel('工期（工作日）')).toHaveValue('-3');
    // A good edit is saved and shown in the table.
    await page.getByLabel('工期（工作日）').fill('5');
    await page.getByLabel('负责人').fill('张晓燕');
    await page.getByRole('button', { name: '保存' }).click();
    await expect(page.locator('.form-ok')).toContainText('已保存');
    // The arrow keys move the selected task by one working day.
    const dates = async () => (await page.locator('.gantt-row.selected .gantt-dates').textContent())!.trim();
    const before = await dates();
    await page.locator('.gantt-scroll').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(dates).not.toBe(before);
  });
});

test.describe('plans at phone size', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true });

  test('a vertical swipe scrolls the chart and never moves a bar', async ({ page, context }) => {
    await signedIn(page, 'lixiurong');
    // 银发志愿奉献队: 37 tasks, taller than the phone's screen.
    await page.goto('/gantt/p014');
    await hydrated(page);
    const scroller = page.locator('.gantt-scroll');
    await scroller.scrollIntoViewIfNeeded();
    // The plan is over, so the chart opens on its end: back to its first bars.
    await scroller.evaluate((e) => (e.scrollLeft = 0));
    const key = (await page.locator('.gantt-row').nth(1).getAttribute('data-row'))!;
    const body = page.locator(`g.gantt-bar[data-task="${key}"] .gantt-body`);
    const before = { x: await body.getAttribute('x'), width: await body.getAttribute('width') };
    const onScreen = (await body.boundingBox())!;
    const cdp = await context.newCDPSession(page);
    const box = (await scroller.boundingBox())!;
    // Starting on the bar's column, low in the chart, and sliding up.
    const from = { x: Math.min(box.x + box.width - 20, onScreen.x + 10), y: box.y + box.height - 40 };
    await touchDrag(cdp, from, { x: from.x + 3, y: box.y + 60 });
    await expect.poll(() => scroller.evaluate((e) => e.scrollTop)).toBeGreaterThan(100);
    // Straight up: nothing slid sideways either.
    expect(await scroller.evaluate((e) => e.scrollLeft)).toBe(0);
    await scroller.evaluate((e) => (e.scrollTop = 0));
    await expect(page.locator('.gantt-row').nth(1)).toHaveAttribute('data-row', key);
    expect({ x: await body.getAttribute('x'), width: await body.getAttribute('width') }).toEqual(before);
    await expect(page.getByText('已保存')).toHaveCount(0);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
