import { defineConfig } from '@playwright/test';

// The real server (debug build), one per worker on its own in-memory SurrealDB with fresh
// demo data (`tests/fixtures/app.ts`), driven through Debian's Chromium: Playwright never
// downloads a browser here. No retries: a test that passes only on a second try is a defect.

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium' }],
});
