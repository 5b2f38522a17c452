import { Locator, Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { test, expect, signedIn, hydrated } from '../fixtures/app';

// Staff at a tablet add a photo to their branch's brand page: a file that is not an image
// is refused with the reason, a real photo is uploaded by its hash, made the cover, and
// residents see it on the public page, in a size that fits their screen.

test.use({ viewport: { width: 1024, height: 768 } });

/** Signs in, opens the brand editor on /volunteers; its photos and how many there are. */
async function brandPhotos(page: Page, who: string): Promise<{ photos: Locator; before: number }> {
  await signedIn(page, who);
  await page.goto('/volunteers');
  await hydrated(page);
  await page.getByText('编辑本支部品牌页').click();
  const photos = page.locator('.photo-list li');
  await expect(photos.first()).toBeVisible();
  return { photos, before: await photos.count() };
}

test('staff add a photo to the brand page and make it the cover; a file that is not an image is refused', async ({ page }) => {
  const { photos, before } = await brandPhotos(page, 'zhangxiaoyan');
  const picker = page.getByLabel('添加照片');

  await picker.setInputFiles({ name: 'poster.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('%PDF-1.7 a document, not a photo') });
  await expect(page.locator('.brand-photos .form-error')).toContainText('不是图片');
  await expect(photos).toHaveCount(before);

  // A real JPEG: a picture of the screen.
  const shot = await page.screenshot({ type: 'jpeg', quality: 80 });
  const hash = createHash('sha256').update(shot).digest('hex');
  await picker.setInputFiles({ name: 'activity.jpg', mimeType: 'image/jpeg', buffer: shot });
  await expect(photos).toHaveCount(before + 1);
  await expect(page.locator('.brand-photos .form-ok')).toContainText('已保存');
  await expect(photos.last().locator('img')).toHaveAttribute('src', `/p/${hash}/480.jpg`);
  await photos.last().getByRole('button', { name: '设为封面' }).click();
  await expect(photos.first().locator('img')).toHaveAttribute('src', `/p/${hash}/480.jpg`);
  await expect(photos.first()).toContainText('封面');

  // The public page, on a phone: the new cover, its variants, and the card a shared link shows.
  const phone = await page.context().browser()!.newPage({ viewport: { width: 390, height: 844 } });
  await expect.poll(async () => {
    await phone.goto('/b/wenxing');
    return phone.locator('img.cover').getAttribute('src');
  }, { timeout: 10_000 }).toBe(`/p/${hash}/480.jpg`);
  await expect(phone.locator('img.cover')).toHaveAttribute('srcset', new RegExp(`/p/${hash}/960.jpg 960w`));
  await expect(phone.locator('meta[property="og:image"]')).toHaveAttribute('content', new RegExp(`/p/${hash}/960.jpg$`));
  // The phone loaded the small variant and it is a real picture.
  const width = await phone.locator('img.cover').evaluate((img: HTMLImageElement) => img.complete ? img.naturalWidth : new Promise((done) => img.onload = () => done(img.naturalWidth)));
  expect(width).toBeGreaterThan(0);
  expect(width).toBeLessThanOrEqual(1024);
  await phone.close();

  // Removing takes two taps: the first only asks.
  const count = await photos.count();
  const last = photos.last();
  await last.getByRole('button', { name: '移除' }).click();
  await expect(last.getByRole('button', { name: '再点一次移除' })).toBeVisible();
  await expect(photos).toHaveCount(count);
  await last.getByRole('button', { name: '再点一次移除' }).click();
  await expect(photos).toHaveCount(count - 1);
  await expect(page.locator('.brand-photos .form-ok')).toContainText('已保存');
});

test('a photo picked offline is kept on the tablet and reaches the brand page when the network is back', async ({ page, context }) => {
  const { photos, before } = await brandPhotos(page, 'zhouhong');
  const shot = await page.screenshot({ type: 'jpeg', quality: 70 });
  const hash = createHash('sha256').update(shot).digest('hex');

  await context.setOffline(true);
  await page.getByLabel('添加照片').setInputFiles({ name: 'site-visit.jpg', mimeType: 'image/jpeg', buffer: shot });
  await expect(photos).toHaveCount(before + 1);
  await expect(page.locator('.brand-photos .form-ok')).toContainText('已保存在本机');
  // Drawn from the file on the device, since the server does not have it yet.
  const thumbnail = photos.last().locator('img');
  await expect(thumbnail).toHaveAttribute('src', /^blob:/);
  const width = await thumbnail.evaluate((img: HTMLImageElement) => img.complete ? img.naturalWidth : new Promise((done) => img.onload = () => done(img.naturalWidth)));
  expect(width).toBeGreaterThan(0);

  // Online again: the photo goes up first, then the operation naming it.
  await context.setOffline(false);
  await expect.poll(async () => (await (await page.request.get('/b/wenyuan')).text()).includes(`/p/${hash}/480.jpg`), { timeout: 20_000 }).toBe(true);
  expect((await page.request.get(`/p/${hash}/960.jpg`)).status()).toBe(200);
});
