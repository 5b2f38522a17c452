// Times the 1,000-project board in Chromium: from navigation to the page being
// interactive (hydrated), for the whole board and for a filtered one, over several runs.
// Usage: node bench/board.mjs http://127.0.0.1:PORT   (the server from `make bench`)
import { chromium } from '@playwright/test';

const base = process.argv[2];
const runs = 7;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
await page.goto(`${base}/login`);
await page.waitForSelector('body[data-hydrated]', { state: 'attached' });
await page.getByLabel('账号').fill('lizhiguang');
await page.getByLabel('密码', { exact: true }).fill('Xianfeng-2026');
await page.getByRole('button', { name: '登录' }).click();
await page.getByRole('button', { name: '退出登录' }).waitFor();

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, path] of [['board, 1,000 projects', '/projects'], ['board, filtered', `/projects?category=education&q=${encodeURIComponent('治理')}`]]) {
  const shown = [];
  const interactive = [];
  for (let i = 0; i < runs; i++) {
    const start = Date.now();
    await page.goto(`${base}${path}`, { waitUntil: 'commit' });
    await page.locator('.project-card').first().waitFor();
    shown.push(Date.now() - start);
    await page.waitForSelector('body[data-hydrated]', { state: 'attached', timeout: 60_000 });
    interactive.push(Date.now() - start);
  }
  const cards = await page.locator('.project-card').count();
  console.log(`${name.padEnd(24)} ${String(cards).padStart(5)} cards   first card shown p50 ${median(shown)} ms   hydrated p50 ${median(interactive)} ms`);
}
await browser.close();
