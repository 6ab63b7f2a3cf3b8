#!/usr/bin/env node
/* branding.test.js - white labelling in a real browser (Debian chromium
 * driven by playwright-core; never downloads a browser).
 *
 * An MSSP Admin uploads light and dark logos and sets title and footer;
 * screenshots in light and dark mode show them; the theme toggle switches
 * and is remembered; the MSP's portal host is pending (the default brand)
 * until verified, then a company user on it sees the MSP's brand on the
 * sign-in page. Prints TAP lines ("ok N - name"), screenshots go to
 * tests/out/e2e/. Env: PORT, NW_ID, BF_ID (tenant ids), OUT_DIR, CTL_JSON
 * (how to run the stack's ctl: {argv, env}, from tests/run).
 *
 * Northwind's and Bluefin's branding is demo data other tests share: what
 * each set itself is read first and put back at the end, through the
 * portal's own form and reset buttons, however far the test got. */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { ok, signIn, launch, run, waited } = require('./lib');

const PORT = process.env.PORT;
const BASE = `http://127.0.0.1:${PORT}`;
const HOST = 'portal.bluefin.example';
const NW = process.env.NW_ID, BF = process.env.BF_ID;
const OUT = process.env.OUT_DIR || path.join(__dirname, '..', 'out', 'e2e');
const TITLE = 'Northwind Cloud Defense';
const FOOTER_TEXT = 'Northwind Security · 24/7 SOC';

/* A solid-colour PNG of w x h (real CRCs and zlib data). */
function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let i = 0; i < buf.length; i++) {
    c = (crc ^ buf[i]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(w, h, [r, g, b]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const row = Buffer.alloc(1 + 3 * w);
  for (let x = 0; x < w; x++) { row[1 + 3 * x] = r; row[2 + 3 * x] = g; row[3 + 3 * x] = b; }
  const raw = Buffer.concat(Array(h).fill(row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const TEXT_FIELDS = ['page_title', 'footer', 'host'];

/* The stack's ctl with these arguments (the operator's commands); its output. */
function ctl(...args) {
  const c = JSON.parse(process.env.CTL_JSON);
  return execFileSync(c.argv[0], [...c.argv.slice(1), ...args], { env: { ...process.env, ...c.env }, encoding: 'utf8' });
}
const WAIT = { timeout: 15000 };

/* The reset button of one field on a branding form (shown only for a
 * field the tenant sets itself). */
function resetButton(page, field) {
  return page.locator(`form[action$="/settings/branding/reset"]:has(input[name=field][value="${field}"]) button`);
}

/* What a tenant sets itself, as its branding form shows it to `email`:
 * the text fields' own values ('' when inherited) and the bytes of the
 * logos set here. */
async function brandingOf(browser, email, tenant, name) {
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    await signIn(p, BASE, email);
    await p.goto(`${BASE}/t/${tenant}/settings/branding`);
    const saved = { email, tenant, name, values: {}, logos: {} };
    for (const f of TEXT_FIELDS) saved.values[f] = await p.inputValue(`#${f}`);
    for (const v of ['light', 'dark']) {
      if (await resetButton(p, `logo_${v}`).count() !== 1) continue;
      const src = await p.locator(`#branding-form img.logo-thumb.on-${v}`).getAttribute('src');
      const r = await ctx.request.get(`${BASE}${src}`);
      const mimeType = r.headers()['content-type'];
      saved.logos[v] = { name: `${v}.${mimeType.split('/')[1]}`, mimeType, buffer: await r.body() };
    }
    return saved;
  } finally {
    await ctx.close();
  }
}

/* Put back what brandingOf() read, through the form (the text fields and
 * the logos it had) and the reset buttons (the logos it had not); true
 * when the form then shows what it showed before. */
async function restoreBranding(browser, saved) {
  const ctx = await browser.newContext();
  try {
    const p = await ctx.newPage();
    await signIn(p, BASE, saved.email);
    const form = `${BASE}/t/${saved.tenant}/settings/branding`;
    await p.goto(form);
    for (const f of TEXT_FIELDS) await p.fill(`#${f}`, saved.values[f]);
    for (const v of Object.keys(saved.logos)) await p.setInputFiles(`#logo_${v}`, saved.logos[v]);
    await Promise.all([p.waitForURL(/\/settings\?done=branding$/, WAIT), p.click('button[value=save]')]);
    for (const v of ['light', 'dark']) {
      if (saved.logos[v]) continue;
      await p.goto(form);
      const b = resetButton(p, `logo_${v}`);
      if (await b.count() === 1) await Promise.all([p.waitForURL(/\/settings\?done=reset$/, WAIT), b.click()]);
    }
    await p.goto(form);
    for (const f of TEXT_FIELDS) if (await p.inputValue(`#${f}`) !== saved.values[f]) return false;
    for (const v of ['light', 'dark']) {
      if ((await resetButton(p, `logo_${v}`).count() === 1) !== Boolean(saved.logos[v])) return false;
    }
    return true;
  } finally {
    await ctx.close();
  }
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  /* launch() always starts Chromium with a fresh temporary profile
   * (playwright refuses --user-data-dir here; it passes its own). */
  const browser = await launch([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
  const saved = [];
  try {
    saved.push(await brandingOf(browser, 'admin@northwind.example', NW, 'Northwind Security'));
    saved.push(await brandingOf(browser, 'owner@msp1.example', BF, 'Bluefin IT'));

    /* 1. The MSSP Admin sets title, footer and both logos. */
    const light = await browser.newContext({ colorScheme: 'light', viewport: { width: 1100, height: 700 } });
    const page = await light.newPage();
    await signIn(page, BASE, 'admin@northwind.example');
    await page.goto(`${BASE}/t/${NW}`);
    const settingsLink = page.locator('header a.settings-link');
    ok(await settingsLink.count() === 1, 'the header has a Settings link for an MSSP Admin');
    await Promise.all([page.waitForURL(`${BASE}/t/${NW}/settings`, WAIT), settingsLink.click()]);
    const edited = await waited(Promise.all([page.waitForURL(`${BASE}/t/${NW}/settings/branding`, WAIT),
      page.click('text=Edit')]));
    ok(edited && page.url().endsWith(`/t/${NW}/settings/branding`), 'Edit opens the white labelling form', page.url());
    await page.fill('#page_title', TITLE);
    await page.fill('#footer', `${FOOTER_TEXT} [Status](https://status.northwind.example)`);
    await page.setInputFiles('#logo_light', { name: 'light.png', mimeType: 'image/png', buffer: png(160, 40, [20, 60, 160]) });
    await page.setInputFiles('#logo_dark', { name: 'dark.png', mimeType: 'image/png', buffer: png(160, 40, [250, 200, 40]) });
    await Promise.all([page.waitForNavigation(), page.click('button[value=save]')]);
    ok(page.url().includes('/settings?done=branding'), 'saving returns to the settings page', page.url());

    await page.goto(`${BASE}/t/${NW}`);
    const lightImg = page.locator('header img.logo-light'), darkImg = page.locator('header img.logo-dark');
    const lsrc = await lightImg.getAttribute('src'), dsrc = await darkImg.getAttribute('src');
    ok(/^\/logo\/\d+-[0-9a-f]{12}\.png$/.test(lsrc || '') && /^\/logo\/\d+-[0-9a-f]{12}\.png$/.test(dsrc || '') && lsrc !== dsrc,
      'the header has versioned light and dark logo URLs', `${lsrc} ${dsrc}`);
    ok(await lightImg.isVisible() && !(await darkImg.isVisible()), 'light mode shows the light logo only');
    ok((await lightImg.evaluate((i) => i.complete && i.naturalWidth)) === 160, 'the light logo loads (160 px wide)');
    ok((await page.title()).endsWith(`· ${TITLE}`), 'the browser title carries the page title', await page.title());
    const footer = page.locator('footer.footer');
    ok((await footer.innerText()).includes(FOOTER_TEXT) && await footer.isVisible(), 'the footer shows the text');
    ok(await footer.locator('a[href="https://status.northwind.example"]').count() === 1, 'the footer link is a link');
    await page.screenshot({ path: path.join(OUT, 'branding-light.png'), fullPage: true });

    /* 2. Dark mode (system preference): the dark logo. */
    const dark = await browser.newContext({ colorScheme: 'dark', viewport: { width: 1100, height: 700 },
      storageState: await light.storageState() });
    const dpage = await dark.newPage();
    await dpage.goto(`${BASE}/t/${NW}`);
    const dl = dpage.locator('header img.logo-dark'), dll = dpage.locator('header img.logo-light');
    ok(await dl.isVisible() && !(await dll.isVisible()), 'dark mode shows the dark logo only');
    ok((await dl.getAttribute('src')) === dsrc, 'the dark logo URL is the uploaded one');
    ok((await dpage.locator('footer.footer').innerText()).includes(FOOTER_TEXT), 'dark mode: the footer shows');
    ok((await dpage.title()).endsWith(`· ${TITLE}`), 'dark mode: the browser title');
    await dpage.screenshot({ path: path.join(OUT, 'branding-dark.png'), fullPage: true });

    /* 3. The toggle switches the theme (and the logo) and is remembered. */
    const toggle = page.locator('#theme-toggle');
    ok(await toggle.isVisible(), 'the theme toggle is shown when scripts run');
    await toggle.click();
    /* The switch happens in the page's script: wait for it, then for the
     * logos to follow the stylesheet. */
    const theme = (t) => page.waitForFunction((want) => document.documentElement.getAttribute('data-theme') === want, t, WAIT);
    ok(await waited(theme('dark')) && await waited(darkImg.waitFor({ state: 'visible', ...WAIT })) &&
      await waited(lightImg.waitFor({ state: 'hidden', ...WAIT })), 'the toggle switches to dark and the logo follows');
    const resp = await page.goto(`${BASE}/t/${NW}`);
    const html = await resp.text();
    ok(html.includes('<html lang="en" data-theme="dark">'), 'the server renders the remembered theme on first paint');
    ok(await page.evaluate(() => localStorage.getItem('theme')) === 'dark', 'the choice is in localStorage');
    await page.screenshot({ path: path.join(OUT, 'branding-toggled-dark.png') });
    await page.locator('#theme-toggle').click();
    ok(await waited(theme('light')), 'the toggle switches back to light', await page.getAttribute('html', 'data-theme'));

    /* 4. The MSP sets its portal host and title; a company user on that
     *    host sees the MSP's brand from the sign-in page on. */
    const mspCtx = await browser.newContext();
    const mp = await mspCtx.newPage();
    await signIn(mp, BASE, 'owner@msp1.example');
    await mp.goto(`${BASE}/t/${BF}/settings/branding`);
    ok((await mp.locator('#page_title-source').innerText()).includes('inherited from Northwind Security'),
      'the MSP sees where its title comes from');
    await mp.fill('#page_title', 'Bluefin Portal');
    await mp.fill('#host', HOST);
    await Promise.all([mp.waitForNavigation(), mp.click('button[value=save]')]);
    ok(mp.url().includes('done=branding'), 'the MSP saves its host and title', mp.url());

    /* A new host name is pending: the form shows the TXT record to create;
     * Verify finds none (the test's DNS server has no such record) and says
     * so next to the field; the name shows the default brand meanwhile. */
    await mp.goto(`${BASE}/t/${BF}/settings/branding`);
    ok(await mp.getAttribute('#host-state', 'data-state') === 'pending', 'the new host name is pending');
    const txtName = await mp.locator('#txt-name').innerText();
    ok(txtName === `_mssp-portal-verify.${HOST}`, 'the form names the TXT record to create', txtName);
    ok(/^mssp-portal-verify=[0-9a-f]{32}$/.test(await mp.locator('#txt-value').innerText()),
      'the form shows the value of the TXT record');
    await Promise.all([mp.waitForNavigation(), mp.click('button[form=host-verify-form]')]);
    const verr = await mp.locator('.field-error').innerText();
    ok(verr.startsWith('No TXT record mssp-portal-verify=') && verr.includes(` found at ${txtName}`),
      'Verify says which record it did not find', verr);
    await mp.screenshot({ path: path.join(OUT, 'host-pending.png'), fullPage: true });

    const hostCtx = await browser.newContext({ colorScheme: 'light' });
    const hp = await hostCtx.newPage();
    const hostBase = `http://${HOST}:${PORT}`;
    await hp.goto(`${hostBase}/login`);
    ok(new URL(hp.url()).hostname === HOST, 'the browser is on the portal host', hp.url());
    ok((await hp.title()) === 'Sign in · MSSP Portal', 'a pending host shows the default brand', await hp.title());
    /* The operator approves it (tests/http/test_hosts.py verifies by DNS). */
    ok(ctl('host-approve', HOST).includes('verified for tenant'), 'the operator approves the host');
    await hp.goto(`${hostBase}/login`);
    ok((await hp.title()) === 'Sign in · Bluefin Portal', 'the sign-in page has the MSP title', await hp.title());
    ok((await hp.locator('h1').innerText()).includes('Bluefin Portal'), 'the sign-in heading names the MSP brand');
    ok((await hp.locator('header img.logo-light').getAttribute('src')) === lsrc,
      'the MSP inherits the MSSP logo on the sign-in page');
    await hp.screenshot({ path: path.join(OUT, 'host-signin.png') });
    await signIn(hp, hostBase, 'owner@company.example');
    ok((await hp.title()).endsWith('· Bluefin Portal'), 'the company user keeps the MSP brand after sign-in', await hp.title());
    await hp.screenshot({ path: path.join(OUT, 'host-company.png') });
    const def = await browser.newContext();
    const dp = await def.newPage();
    await dp.goto(`${BASE}/login`);
    ok((await dp.title()) === 'Sign in · MSSP Portal', 'another host keeps the default brand', await dp.title());
  } finally {
    try {
      for (const s of saved) {
        ok(await restoreBranding(browser, s), `${s.name}'s branding is as it was before the test`);
      }
    } finally {
      await browser.close();
    }
  }
}

run(main);
