// Browser benchmark: our Gantt chart (/gantt/bench) against frappe-gantt and dhtmlx-gantt,
// each fed the same generated plan in the same headless Chromium run.
//
// Usage (from end2end/):  node bench/gantt.mjs http://127.0.0.1:3300
//   SKIP_OURS=1       leave our chart out (no server needed; BASE may then be omitted)
//   GANTT_SIZES=2000  run only these plan sizes (comma-separated), default 2000,10000
//   GANTT_CHARTS=dhtmlx,frappe  run only these charts
//   GANTT_SHOTS=/tmp/shots      save screenshots after each draw and at the end of each drag
//   GANTT_DRAW_TIMEOUT_S=120    how long a draw may take before the chart is reported as timed out
//   GANTT_DRAWS=5               draws per chart and size (fresh pages); the median is reported
//   GANTT_RAW=1                 also keep the drag's raw frame deltas in the JSON
//
// For every plan size and chart it measures, in a fresh page at 1024x768:
//   draw    ms from handing the plan to the chart to the first frame painted after it
//           (recorded by the page itself in window.__ganttBench),
//   scroll  requestAnimationFrame deltas while the chart's scroller moves 40 px down a frame
//           for 120 frames, then 40 px down and 30 px right for 120 frames,
//   drag    rAF deltas while the mouse drags a bar 180 px right in 60 moves, one a frame,
// and prints a table per size plus the ratios of the others to ours; JSON goes to
// bench/results-gantt.json.
import { chromium } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePlan } from './plan.mjs';

const END2END = join(dirname(fileURLToPath(import.meta.url)), '..');
const BASE = (process.argv[2] ?? '').replace(/\/$/, '');
const SKIP_OURS = Boolean(process.env.SKIP_OURS);
const SIZES = (process.env.GANTT_SIZES ?? '2000,10000').split(',').map(Number);
const SHOTS = process.env.GANTT_SHOTS; // a folder: screenshots after the draw and mid-drag, to check by eye
if (!BASE && !SKIP_OURS) {
  console.error('usage: node bench/gantt.mjs <BASE, e.g. http://127.0.0.1:3300>   (or SKIP_OURS=1)');
  process.exit(2);
}

// The other charts' harness pages are served from a made-up origin by page routing, so they
// load like a real site (same-origin scripts and CSS, no file:// quirks) without a server.
const HARNESS_ORIGIN = 'http://bench.local';

// frappe draws every row as SVG: 10,000 tasks take tens of seconds. (Overridable to test the
// timeout path quickly.)
const DRAW_TIMEOUT_MS = Number(process.env.GANTT_DRAW_TIMEOUT_S ?? 120) * 1000;
const DRAWS = Number(process.env.GANTT_DRAWS ?? 5);
const PHASE_TIMEOUT_MS = 90_000; // a drag run; at 60 fps it takes 1-2 s
const FRAMES = 120;
// frappe at 10,000 tasks spends over half a second a frame on a horizontal scroll: each
// direction stops after this long, with the frames it got, so the run stays bounded.
const SCROLL_BUDGET_MS = 45_000;
const DRAG_STEPS = 60;
const DRAG_STEP_PX = 3;

const CHARTS = [
  {
    name: 'ours',
    url: () => `${BASE}/gantt/bench`,
    vScroller: '.gantt-scroll',
    hScroller: '.gantt-scroll',
    bar: 'g.gantt-bar .gantt-hit',
    barGroup: 'g.gantt-bar',
    body: '.gantt-body', // the drawn bar; the hit area is at least 44 px wide however short it is
    // Resize handles and the link dot overlap a short bar; pressing them is not a move.
    avoid: '[data-mode="resize"], [data-mode="link"]',
  },
  {
    name: 'frappe',
    url: () => `${HARNESS_ORIGIN}/bench/frappe.html`,
    vScroller: '.gantt-container',
    hScroller: '.gantt-container',
    bar: '.bar-wrapper .bar',
    barGroup: '.bar-wrapper',
    avoid: '.handle', // resize and progress handles
  },
  {
    name: 'dhtmlx',
    url: () => `${HARNESS_ORIGIN}/bench/dhtmlx.html`,
    // v10 lays the chart out in cells whose content does not scroll itself: two scrollbar
    // cells do, and their scroll events move the grid and the timeline with them (this is
    // what its own wheel handling drives).
    vScroller: '.gantt_ver_scroll',
    hScroller: '.gantt_hor_scroll',
    area: '.gantt_data_area', // the timeline's visible box (the scrollbars are thin strips)
    bar: '.gantt_task_line',
    barGroup: '.gantt_task_line',
    avoid: '.gantt_task_drag, .gantt_task_progress_drag, .gantt_link_control',
  },
].filter((c) => !(SKIP_OURS && c.name === 'ours'))
  .filter((c) => !process.env.GANTT_CHARTS || process.env.GANTT_CHARTS.split(',').includes(c.name));

// ---------------------------------------------------------------------------------------
// Statistics: nearest-rank percentiles, so a reported value is a frame that really happened.

function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
// The mean (elapsed time over frames) is reported too: while input events arrive, headless
// Chromium does not pace rAF to a steady 60 Hz (a slow frame is often followed by a 3 ms
// one), so the median alone can look better than the frame rate that was actually reached.
const summary = (deltas) => ({
  median: percentile(deltas, 50),
  p95: percentile(deltas, 95),
  mean: deltas.reduce((a, b) => a + b, 0) / deltas.length,
  max: Math.max(...deltas),
  frames: deltas.length,
});

class Timeout extends Error {}
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`${what}: timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------
// In-page code. These functions are serialized by page.evaluate and run in the chart's page.

/** Scrolls 120 frames down, then 120 frames diagonally, recording rAF deltas. */
async function scrollInPage({ vScroller, hScroller, frames, budgetMs }) {
  const v = document.querySelector(vScroller);
  const h = document.querySelector(hScroller);
  if (!v || !h) throw new Error(`scroller not found: ${v ? hScroller : vScroller}`);
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  // Positions are tracked here rather than read back each frame: reading scrollTop could
  // force a layout the chart would not otherwise do, a cost of the benchmark, not the chart.
  let top = v.scrollTop;
  let left = h.scrollLeft;
  const start = { top, left };
  const run = async (dx, dy) => {
    const deltas = [];
    let last = await frame();
    const until = last + budgetMs;
    for (let i = 0; i < frames && last < until; i++) {
      top += dy;
      v.scrollTop = top;
      if (dx) {
        left += dx;
        h.scrollLeft = left;
      }
      const now = await frame();
      deltas.push(now - last);
      last = now;
    }
    return deltas;
  };
  const vertical = await run(0, 40);
  const afterVertical = v.scrollTop;
  const diagonal = await run(30, 40);
  return {
    vertical,
    diagonal,
    // How far it really went: a scroller that ignores scrollTop would otherwise measure idle frames.
    movedDown: afterVertical - start.top,
    movedRight: h.scrollLeft - start.left,
    startTop: start.top,
    startLeft: start.left,
  };
}

/**
 * Finds the first bar on screen that the mouse can really press in its body: the point must
 * be inside the viewport and the scroller, and the element there must belong to that bar and
 * not be a handle. Returns viewport coordinates, or null.
 */
function findBarInPage({ bar, barGroup, body, avoid, area }) {
  const box = document.querySelector(area).getBoundingClientRect();
  const inside = (x, y) => x > box.left + 2 && x < box.right - 2 && y > box.top + 2 && y < box.bottom - 2
    && x > 0 && y > 0 && x < innerWidth && y < innerHeight;
  // Bars of a day or two are mostly handles in every chart, so bars drawn at least four days
  // wide (36 px) are tried first; as all charts draw 9 px a day, all of them pick the same task.
  const candidates = [...document.querySelectorAll(bar)].map((el) => {
    const drawn = body ? el.closest(barGroup)?.querySelector(body) : null;
    return { el, r: el.getBoundingClientRect(), width: (drawn ?? el).getBoundingClientRect().width };
  });
  // Top to bottom as seen, not in DOM order, which a chart drawing only visible rows may shuffle.
  candidates.sort((a, b) => a.r.top - b.r.top || a.r.left - b.r.left);
  const ordered = [...candidates.filter((c) => c.width >= 36), ...candidates.filter((c) => c.width < 36)];
  for (const { el: candidate, r } of ordered) {
    const group = candidate.closest(barGroup) ?? candidate;
    if (r.width < 1 || r.height < 1) continue;
    const y = r.top + r.height / 2;
    // The middle first, then either side of it, in case a handle or label sits there.
    for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
      const x = r.left + r.width * f;
      if (!inside(x, y)) continue;
      const hit = document.elementFromPoint(x, y);
      if (!hit || !group.contains(hit)) continue;
      if (avoid && hit.closest(avoid)) continue;
      return { x, y };
    }
  }
  return null;
}

function startRecorderInPage() {
  const rec = { times: [], on: true };
  window.__benchRecorder = rec;
  const tick = () => {
    if (!rec.on) return;
    rec.times.push(performance.now());
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

function stopRecorderInPage() {
  const rec = window.__benchRecorder;
  rec.on = false;
  return rec.times.slice(1).map((t, i) => t - rec.times[i]);
}

const nextFrameInPage = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

// ---------------------------------------------------------------------------------------
// One chart, one plan.

async function openContext(browser, chart) {
  // No service worker: ours would start caching the app for offline use while it draws.
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, serviceWorkers: 'block' });
  if (chart.name !== 'ours') {
    // Harness pages: /bench/ and /node_modules/ under end2end/ map to files. Everything
    // else is refused; dhtmlx's CSS asks a web-font host for Inter, which we do not reach.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      const path = normalize(decodeURIComponent(url.pathname));
      if (url.origin !== HARNESS_ORIGIN || !/^\/(bench|node_modules)\//.test(path)) return route.abort();
      const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };
      const type = types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';
      try {
        return await route.fulfill({ body: await readFile(join(END2END, path)), contentType: `${type}; charset=utf-8` });
      } catch {
        return route.fulfill({ status: 404, body: 'not found' });
      }
    });
  }
  return context;
}

/** One more draw of the plan in a fresh page: its milliseconds, or null if it failed. */
async function drawOnce(browser, chart, plan) {
  const context = await openContext(browser, chart);
  try {
    const page = await context.newPage();
    await page.addInitScript({ content: `window.__plan = ${JSON.stringify({ tasks: plan.tasks, links: plan.links })};` });
    await withTimeout(page.goto(chart.url(), { waitUntil: 'commit', timeout: DRAW_TIMEOUT_MS }), DRAW_TIMEOUT_MS, 'navigation');
    await page.waitForFunction(() => window.__ganttBench, null, { timeout: DRAW_TIMEOUT_MS, polling: 100 });
    const bench = await page.evaluate(() => window.__ganttBench);
    return bench.error ? null : bench.drawMs;
  } catch {
    return null;
  } finally {
    await context.close().catch(() => {});
  }
}

async function benchChart(browser, chart, plan) {
  const result = { chart: chart.name, ok: false };
  const context = await openContext(browser, chart);
  const pageErrors = [];
  let hung = false;
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Before navigation, so the plan is there when the page's own scripts look for it.
    await page.addInitScript({ content: `window.__plan = ${JSON.stringify({ tasks: plan.tasks, links: plan.links })};` });

    // a) draw
    const url = chart.url();
    const response = await withTimeout(page.goto(url, { waitUntil: 'commit', timeout: DRAW_TIMEOUT_MS }), DRAW_TIMEOUT_MS, 'navigation');
    if (response && !response.ok()) throw new Error(`${url} answered ${response.status()}`);
    // The server redirects before the page commits, so this is known without waiting.
    if (new URL(page.url()).pathname.startsWith('/login')) throw new Error('the bench page redirected to /login');
    try {
      await withTimeout(
        page.waitForFunction(() => window.__ganttBench, null, { timeout: DRAW_TIMEOUT_MS, polling: 100 }),
        DRAW_TIMEOUT_MS + 5_000,
        'draw',
      );
    } catch (e) {
      hung = true; // a renderer still busy drawing may not close politely
      if (e instanceof Timeout || e.name === 'TimeoutError') throw new Timeout(`draw: no result within ${DRAW_TIMEOUT_MS / 1000} s`);
      throw e;
    }
    hung = false;
    const bench = await page.evaluate(() => window.__ganttBench);
    if (bench.error) throw new Error(`chart threw: ${bench.error}`);
    result.drawMs = bench.drawMs;
    if (bench.scheduleMedianMs !== undefined) result.scheduleMedianMs = bench.scheduleMedianMs;
    if (bench.tasks !== undefined) result.tasksDrawn = bench.tasks;
    result.ok = true; // the draw counts even if a later phase fails
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${chart.name}-${plan.tasks.length}-drawn.png`) });

    // b) scroll
    let start = null;
    try {
      const s = await withTimeout(
        page.evaluate(scrollInPage, { vScroller: chart.vScroller, hScroller: chart.hScroller, frames: FRAMES, budgetMs: SCROLL_BUDGET_MS }),
        2 * SCROLL_BUDGET_MS + 30_000,
        'scroll',
      );
      start = { top: s.startTop, left: s.startLeft };
      if (s.movedDown <= 0) throw new Error(`scroll: ${chart.vScroller} did not move (scrollTop unchanged)`);
      result.scrollVertical = summary(s.vertical);
      result.scrollDiagonal = summary(s.diagonal);
      result.scrolledPx = { down: s.movedDown, right: s.movedRight };
    } catch (e) {
      result.scrollError = e.message;
    }

    // c) drag, from where the chart first opened (its first bars are there)
    try {
      await withTimeout((async () => {
        if (start) {
          await page.evaluate(({ v, h, start }) => {
            document.querySelector(v).scrollTop = start.top;
            document.querySelector(h).scrollLeft = start.left;
          }, { v: chart.vScroller, h: chart.hScroller, start });
        }
        // Two frames, so that a chart drawing only the visible rows has drawn them again.
        await page.evaluate(nextFrameInPage);
        await page.evaluate(nextFrameInPage);
        const at = await page.evaluate(findBarInPage, { bar: chart.bar, barGroup: chart.barGroup, body: chart.body, avoid: chart.avoid, area: chart.area ?? chart.vScroller });
        if (!at) throw new Error(`drag: no pressable bar (${chart.bar}) on screen`);
        result.dragPressedAt = at;
        await page.mouse.move(at.x, at.y);
        await page.evaluate(startRecorderInPage);
        await page.mouse.down();
        for (let i = 1; i <= DRAG_STEPS; i++) {
          await page.mouse.move(at.x + i * DRAG_STEP_PX, at.y);
          await page.evaluate(nextFrameInPage);
        }
        if (SHOTS) await page.screenshot({ path: join(SHOTS, `${chart.name}-${plan.tasks.length}-drag.png`) });
        // Whether the bar followed the pointer: only a note, as a chart may draw its preview
        // in an element the pointer passes through.
        result.dragFollowed = await page.evaluate(({ x, y, barGroup }) => {
          const hit = document.elementFromPoint(x, y);
          return Boolean(hit && hit.closest(barGroup));
        }, { x: at.x + DRAG_STEPS * DRAG_STEP_PX, y: at.y, barGroup: chart.barGroup });
        await page.mouse.up();
        await page.evaluate(nextFrameInPage);
        const deltas = await page.evaluate(stopRecorderInPage);
        result.drag = summary(deltas);
        if (process.env.GANTT_RAW) result.dragDeltas = deltas.map((d) => Math.round(d * 10) / 10);
      })(), PHASE_TIMEOUT_MS, 'drag');
    } catch (e) {
      result.dragError = e.message;
    }
  } catch (e) {
    result.ok = false;
    result.error = e.message.split('\n')[0];
  }
  if (pageErrors.length) result.pageErrors = pageErrors.slice(0, 5);
  // A renderer stuck in a long script can keep close() waiting: give it a bounded time and
  // tell the caller to start a new browser if it does not close.
  try {
    await withTimeout(context.close(), hung ? 15_000 : 60_000, 'closing the page');
  } catch {
    result.browserRestart = true;
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Report

const ms = (x) => (x === undefined || Number.isNaN(x) ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const triple = (s) => (s ? `${ms(s.median)} / ${ms(s.p95)} / ${ms(s.mean)}` : '—');
/** Each other chart's numbers divided by ours (above 1: slower than ours); null where missing. */
function ratiosToOurs(results) {
  const ours = results.find((r) => r.chart === 'ours');
  const out = {};
  if (!ours?.ok) return out;
  const div = (a, b) => (a > 0 && b > 0 ? a / b : null);
  const frames = (a, b) => (a && b ? { median: div(a.median, b.median), p95: div(a.p95, b.p95), mean: div(a.mean, b.mean) } : null);
  for (const r of results) {
    if (r.chart === 'ours' || !r.ok) continue;
    out[r.chart] = {
      draw: div(r.drawMs, ours.drawMs),
      scrollVertical: frames(r.scrollVertical, ours.scrollVertical),
      scrollDiagonal: frames(r.scrollDiagonal, ours.scrollDiagonal),
      drag: frames(r.drag, ours.drag),
    };
  }
  return out;
}

function printTable(n, plan, results, ratios) {
  const cols = ['chart', 'draw ms', 'scroll vert p50/p95/mean', 'scroll diag p50/p95/mean', 'drag p50/p95/mean'];
  const rows = results.map((r) => [
    r.chart,
    r.ok ? ms(r.drawMs) : 'FAILED',
    triple(r.scrollVertical),
    triple(r.scrollDiagonal),
    triple(r.drag),
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ');
  console.log(`\nN = ${n}: ${plan.tasks.length} tasks, ${plan.links.length} links (frame times in ms)`);
  console.log(line(cols));
  console.log(widths.map((w) => '-'.repeat(w)).join('   '));
  for (const row of rows) console.log(line(row));

  const ours = results.find((r) => r.chart === 'ours');
  if (ours?.scheduleMedianMs !== undefined) console.log(`ours: scheduleMedianMs ${ms(ours.scheduleMedianMs)} (scheduling the whole plan in wasm)`);
  const x = (v) => (v === null ? 'n/a' : `${v.toFixed(v >= 10 ? 0 : 1)}×`);
  const three = (s) => (s ? `${x(s.median).replace('×', '')}/${x(s.p95).replace('×', '')}/${x(s.mean)}` : 'n/a');
  for (const [chart, r] of Object.entries(ratios)) {
    console.log(`${chart}/ours: draw ${x(r.draw)};  scroll vert ${three(r.scrollVertical)};  scroll diag ${three(r.scrollDiagonal)};  drag ${three(r.drag)}   (p50/p95/mean)`);
  }
  for (const r of results) {
    if (r.error) console.log(`${r.chart}: FAILED: ${r.error}`);
    if (r.scrollError) console.log(`${r.chart}: scroll not measured: ${r.scrollError}`);
    if (r.dragError) console.log(`${r.chart}: drag not measured: ${r.dragError}`);
    for (const [what, s] of [['vertical', r.scrollVertical], ['diagonal', r.scrollDiagonal]]) {
      if (s && s.frames < FRAMES) console.log(`${r.chart}: ${what} scroll stopped after ${s.frames} of ${FRAMES} frames (${SCROLL_BUDGET_MS / 1000} s budget)`);
    }
    if (r.drag && !r.dragFollowed) console.log(`${r.chart}: note: no bar under the pointer at the end of the drag`);
    if (r.pageErrors) console.log(`${r.chart}: page errors: ${r.pageErrors.join(' | ')}`);
  }
}

// ---------------------------------------------------------------------------------------

const launch = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let browser = await launch();
const report = {
  when: new Date().toISOString(),
  base: BASE || null,
  browser: `Chromium ${browser.version()}`,
  viewport: '1024x768',
  versions: {},
  sizes: [],
};
for (const pkg of ['frappe-gantt', 'dhtmlx-gantt']) {
  try {
    report.versions[pkg] = JSON.parse(await readFile(join(END2END, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    report.versions[pkg] = 'not installed';
  }
}
console.log(`${report.browser}; frappe-gantt ${report.versions['frappe-gantt']}, dhtmlx-gantt ${report.versions['dhtmlx-gantt']}${SKIP_OURS ? '; ours skipped' : `; ours at ${BASE}/gantt/bench`}`);

const started = Date.now();
for (const n of SIZES) {
  const plan = makePlan(n);
  const results = [];
  for (const chart of CHARTS) {
    const t0 = Date.now();
    process.stderr.write(`N=${n} ${chart.name}... `);
    const r = await benchChart(browser, chart, plan);
    // A draw is one number on a busy machine: take the median of several fresh pages
    // (GANTT_DRAWS, 5 by default; fewer for a chart whose draw takes seconds).
    if (r.ok) {
      const draws = [r.drawMs];
      const wanted = r.drawMs > 5_000 ? Math.min(DRAWS, 2) : DRAWS;
      while (draws.length < wanted) {
        const ms = await drawOnce(browser, chart, plan);
        if (ms === null) break;
        draws.push(ms);
      }
      draws.sort((a, b) => a - b);
      r.drawRuns = draws;
      r.drawMs = draws[Math.floor(draws.length / 2)];
    }
    r.wallSeconds = Math.round((Date.now() - t0) / 100) / 10;
    process.stderr.write(`${r.ok ? 'done' : 'failed'} in ${r.wallSeconds} s\n`);
    results.push(r);
    if (r.browserRestart) {
      await browser.close().catch(() => {});
      browser = await launch();
    }
  }
  const ratios = ratiosToOurs(results);
  printTable(n, plan, results, ratios);
  report.sizes.push({ n, tasks: plan.tasks.length, links: plan.links.length, results, ratiosToOurs: ratios });
}
await browser.close();
report.totalSeconds = Math.round((Date.now() - started) / 1000);
await writeFile(join(END2END, 'bench', 'results-gantt.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`\ntotal ${report.totalSeconds} s; results in bench/results-gantt.json`);
