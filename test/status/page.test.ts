// The status page as a browser draws it from a dual-stack host's /status, served on [::1]: the page
// loads and asks for its data at a bracketed origin, and the cells show the IPv6 instance's link-local
// addresses, its VIP and the load balancer's [address]:port as they are. Headless Chromium on this
// machine's loopback (no lab: nothing crosses a network).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { pino } from 'pino';
import { startStatusServer, type StatusServer } from '../../src/status/server.js';
import { requireTool } from '../lab/system-tools.js';
import { dualStackSnapshot } from './sample-snapshot.js';

const logger = pino({ level: 'silent' });

describe('status page of a dual-stack host on [::1]', { timeout: 60_000 }, () => {
  let server: StatusServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    server = await startStatusServer({ listen: { host: '::1', port: 0 }, logger, ready: () => true, snapshot: dualStackSnapshot, credentials: () => null });
    browser = await chromium.launch({ executablePath: requireTool('chromium', 'chromium'), headless: true, timeout: 30_000 });
    page = await browser.newPage();
    await page.goto(`http://[::1]:${server.address.port}/`);
    await page.locator('tr[data-instance="VI_6"]').waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const cells = (row: string): Promise<string[]> => page.locator(`${row} td`).allInnerTexts();

  test('the header names the host with its own addresses of both families', async () => {
    expect(await page.locator('#host').innerText()).toBe('master1 (10.0.0.51, fe80::c6ff:fe12:1)');
    expect(await page.locator('#problem').innerText()).toBe('');
  });

  test('the IPv6 instance: its master\'s link-local address, its VIP, interface and VRID', async () => {
    const row = await cells('tr[data-instance="VI_6"]');
    expect(row.slice(0, 6)).toEqual(['VI_6', 'BACKUP', '100', 'fe80::c6ff:fe12:2', '2001:db8::50/128', 'eth0 / 51 (v3)']);
    expect(await page.locator('tr[data-instance="VI_6"] td[data-master]').getAttribute('data-master')).toBe('fe80::c6ff:fe12:2');
  });

  test('the load balancer: bind, listening and backend addresses in brackets with their port', async () => {
    expect(await page.locator('section[data-load-balancer="apiserver6"] .meta').innerText()).toMatch(/^bind \[::\]:8443 · listening on \[::\]:8443 · roundrobin/);
    expect((await cells('tr[data-backend="apiserver6/master2"]')).slice(0, 3)).toEqual(['master2', '[2001:db8::52]:6443', 'DOWN']);
  });
});
