import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn, waitForPage } from '../support/browser.ts';
import { startWebApp, type WebApp } from '../support/web-app.ts';

describe('signing in to the web application (Chromium)', () => {
  let app: WebApp;
  let browser: Browser;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startWebApp(), launchBrowser()]);
  }, 900_000); // the first test to ask builds the demo warehouse
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sends an unsigned visitor to the sign-in page, and back to the page asked for after signing in', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.base}/drg`);
    await page.waitForURL(/\/login\?next=/);
    const { username, password } = app.users.manager;
    await page.getByTestId('username').locator('input').fill(username);
    await page.getByTestId('password').locator('input').fill(password);
    await page.getByTestId('sign-in').click();
    await page.waitForURL(/\/drg/);
    await waitForPage(page);
    await expect(page.getByTestId('who').textContent()).resolves.toContain('院领导');
    await page.close();
  });

  it('says only that the name or password is wrong, without saying which', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.base}/login`);
    await page.getByTestId('username').locator('input').fill(app.users.analyst.username);
    await page.getByTestId('password').locator('input').fill('not-the-password');
    await page.getByTestId('sign-in').click();
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toBe('用户名或密码错误');
    await page.getByTestId('username').locator('input').fill('nobody-of-that-name');
    await page.getByTestId('sign-in').click();
    await page.waitForTimeout(300);
    await expect(page.getByTestId('sign-in-error').textContent()).resolves.toBe('用户名或密码错误');
    await page.close();
  });

  it("shows a member its own hospital and a menu without the stewards' page; signing out ends the session", async () => {
    const page = await browser.newPage();
    const member = app.users.memberA;
    await signIn(page, app.base, member.username, member.password);
    await waitForPage(page);
    await expect(page.getByTestId('own-hospital').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('nav-quality').count()).resolves.toBe(0);
    await page.goto(`${app.base}/quality`);
    await page.waitForURL((url) => !url.pathname.startsWith('/quality'));
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/login/);
    await page.goto(`${app.base}/cockpit`);
    await page.waitForURL(/\/login/);
    await page.close();
  });
});
