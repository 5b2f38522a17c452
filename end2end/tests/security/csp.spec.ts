import { Page } from '@playwright/test';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

// Every page is sent with a Content Security Policy, and the app runs under it: the wasm
// hydrates, the boot script carries the response's nonce, and the browser reports no
// violation on the staff pages, the residents' pages and the offline page.

/** Collects every policy violation the page reports, from the page and its console. */
function violations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) seen.push(m.text()); });
  page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return seen;
}

test('staff pages run under their policy without a violation', async ({ page }) => {
  const seen = violations(page);
  const first = await page.goto('/login');
  const policy = first?.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
  expect(policy).not.toContain("'unsafe-eval'; ");
  await signedIn(page, 'lizhiguang');
  for (const path of ['/projects', '/projects/p003', '/gantt/p016', '/volunteers', '/mentors', '/sync']) {
    const response = await page.goto(path);
    // A fresh nonce with every page, and it is the one the boot script carries.
    const nonce = /'nonce-([^']+)'/.exec(response?.headers()['content-security-policy'] ?? '')?.[1];
    expect(nonce, path).toBeTruthy();
    expect(await response!.text()).toContain(`nonce="${nonce}"`);
    await hydrated(page);
  }
  expect(seen).toEqual([]);
});

test("residents' pages and the offline page run under theirs without a violation", async ({ page }) => {
  const seen = violations(page);
  for (const path of ['/', '/b/wenyuan', '/a/act_today', '/offline.html']) {
    const response = await page.goto(path);
    expect(response?.headers()['content-security-policy'], path).toContain("script-src 'self';");
    await expect(page.locator('h1').first()).toBeVisible();
  }
  expect(seen).toEqual([]);
});
