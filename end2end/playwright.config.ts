import { defineConfig } from '@playwright/test';

// The real server (debug build) on an in-memory SurrealDB with fresh demo data,
// driven through Debian's Chromium: Playwright never downloads a browser here.
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 2,
  // In CI one retry, reported as "flaky" in the output: a page that now and then never
  // hydrates after a second sign-in in one browser is not yet explained (the fixture
  // prints what the browser said when it happens).
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: process.env.XIANFENG_SERVER ?? '../target/debug/xianfeng',
    url: `http://127.0.0.1:${port}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      XIANFENG_DEMO: '1',
      // Every test signs in and posts from this one address.
      XIANFENG_THROTTLE: 'loose',
      XIANFENG_DB: 'mem://',
      XIANFENG_ADDR: `127.0.0.1:${port}`,
      XIANFENG_PUBLIC_URL: `http://127.0.0.1:${port}`,
      XIANFENG_SITE: process.env.XIANFENG_SITE ?? '../target/site',
      RUST_LOG: 'warn',
    },
  },
});
