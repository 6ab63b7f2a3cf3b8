#!/usr/bin/env node
/* console.test.js - the console as a person uses it, in a real browser,
 * by clicking only (no URL typed after signing in): the MSSP Admin lands on
 * the Global dashboard, opens Incidents from the left navigation, switches
 * to Bluefin IT with the header's selector (typing, arrow key, Enter) and
 * stays on Incidents, and climbs back with the breadcrumbs; the tenant
 * opened lately is offered first next time. At 390 px the navigation
 * starts folded and opens from its Menu; without scripts the selector's
 * form and the navigation's links still lead there. The Columns chooser
 * hides columns of a table and remembers them. Prints TAP lines.
 * Env: PORT, NW_ID, BF_ID. */
'use strict';
const { ok, signIn, launch, run, waited } = require('./lib');

const BASE = `http://127.0.0.1:${process.env.PORT}`;
const NW = process.env.NW_ID, BF = process.env.BF_ID;
const WAIT = { timeout: 15000 };

async function current(page) {
  return page.$$eval('.sidenav nav a[aria-current="page"]', (as) => as.map((a) => a.textContent.trim()));
}

async function main() {
  const browser = await launch();
  try {
    const wide = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await wide.newPage();
    await signIn(page, BASE, 'admin@northwind.example');
    ok(page.url() === `${BASE}/t/${NW}`, 'the MSSP Admin lands on the Global dashboard', page.url());
    ok((await current(page)).join() === 'Global dashboard', 'the navigation marks the Global dashboard',
      (await current(page)).join());

    await Promise.all([page.waitForURL(`${BASE}/t/${NW}/incidents`, WAIT),
      page.click('.sidenav nav a:has-text("Incidents")')]);
    ok((await current(page)).join() === 'Incidents', 'Incidents opens from the navigation and is marked');

    /* The selector: open, type, move down to the first match, Enter. */
    await page.click('#selector summary');
    /* The toggle event comes after the click's task: wait for it. */
    ok(await waited(page.waitForFunction(() => document.activeElement && document.activeElement.id === 'selector-q',
      null, WAIT)), 'opening the selector puts the cursor in its search field');
    await page.keyboard.type('Bluefin');
    const listed = await waited(page.waitForSelector('#selector-results a.selector-item:has-text("Bluefin IT")', WAIT));
    ok(listed, 'typing lists the matching tenant', await page.locator('#selector-results').innerHTML());
    const groups = await page.$$eval('#selector-results h3', (hs) => hs.map((h) => h.textContent));
    ok(groups.join() === 'MSPs', 'the matches are grouped by kind', groups.join());
    await page.keyboard.press('ArrowDown');
    await Promise.all([page.waitForURL(`${BASE}/t/${BF}/incidents`, WAIT), page.keyboard.press('Enter')]);
    ok(page.url() === `${BASE}/t/${BF}/incidents`, 'the switch keeps the section: Bluefin IT\'s incidents', page.url());
    const crumbs = await page.$$eval('.crumbs li', (ls) => ls.map((l) => l.textContent.trim()));
    ok(crumbs.join(' › ') === 'Northwind Security › Bluefin IT › Incidents', 'the breadcrumbs show the way down',
      crumbs.join(' › '));
    await Promise.all([page.waitForURL(`${BASE}/t/${NW}`, WAIT), page.click('.crumbs a:has-text("Northwind Security")')]);
    ok(page.url() === `${BASE}/t/${NW}`, 'a breadcrumb climbs back to the MSSP', page.url());

    /* Next time, what was opened lately comes first, the current marked. */
    await page.click('#selector summary');
    await waited(page.waitForSelector('#selector-results h3', WAIT));
    const first = await page.$$eval('#selector-results h3', (hs) => hs.map((h) => h.textContent));
    const recent = await page.$$eval('#selector-results ul:first-of-type a .selector-name', (as) => as.map((a) => a.textContent));
    ok(first[0] === 'Recent' && recent[0] === 'Northwind Security' && recent.includes('Bluefin IT'),
      'the selector offers the tenants opened lately first', `${first} / ${recent}`);
    ok(await page.locator('#selector-results a[aria-current="true"]').first().textContent().then((t) => t.includes('Northwind Security')),
      'the current tenant is marked');
    await page.keyboard.press('Escape');
    ok(!(await page.evaluate(() => document.getElementById('selector').open)), 'Escape closes the selector');

    /* A refused form: the address bar shows the form's page, not the POST. */
    await Promise.all([page.waitForURL(`${BASE}/t/${NW}/msps`, WAIT), page.click('.sidenav nav a:has-text("MSPs")')]);
    await page.fill('#child-name', 'Bluefin IT');
    await Promise.all([page.waitForNavigation(WAIT), page.click('button:has-text("Create MSP")')]);
    ok(await page.locator('.field-error').count() > 0 && page.url() === `${BASE}/t/${NW}/msps`,
      'a refused form keeps its page\'s address (no POST address to reload)', page.url());
    ok(await page.inputValue('#child-name') === 'Bluefin IT', 'and what was typed');

    /* Columns: hidden from the chooser, still hidden on the next visit
     * (a pending request's cell shrinks with them), shown again. */
    await Promise.all([page.waitForURL(`${BASE}/t/${NW}`, WAIT), page.click('.sidenav nav a:has-text("Global dashboard")')]);
    const shown = () => page.$$eval('table[data-columns] thead th', (ths) => ths.filter((t) => !t.hidden)
      .map((t) => t.getAttribute('data-label')));
    const before = await shown();
    await page.click('details.columns summary');
    await page.uncheck('details.columns label:has-text("Probes") input');
    await page.uncheck('details.columns label:has-text("Lightweight agents") input');
    let after = await shown();
    ok(before.includes('Probes') && !after.includes('Probes') && !after.includes('Lightweight agents')
      && after.length === before.length - 2, 'the Columns chooser hides columns', after.join());
    const cells = await page.$$eval('table[data-columns] tbody tr', (rs) => rs.map((r) => Array.from(r.cells)
      .filter((c) => !c.hidden).reduce((n, c) => n + c.colSpan, 0)));
    ok(cells.every((n) => n === after.length), 'every row keeps as many columns as the headings', cells.join());
    await page.reload();
    after = await shown();
    ok(!after.includes('Probes') && after.includes('Vulnerabilities'), 'hidden columns stay hidden next time', after.join());
    await page.click('details.columns summary');
    await page.check('details.columns label:has-text("Probes") input');
    await page.check('details.columns label:has-text("Lightweight agents") input');
    ok((await shown()).join() === before.join(), 'and come back from the chooser', (await shown()).join());

    /* A phone: the navigation starts folded and opens from Menu. */
    const narrow = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const phone = await narrow.newPage();
    await signIn(phone, BASE, 'owner@msp1.example');
    ok(phone.url() === `${BASE}/t/${BF}`, 'the MSP owner lands on the MSP view', phone.url());
    ok(!(await phone.evaluate(() => document.getElementById('sidenav').open)), 'at 390 px the navigation starts folded');
    await phone.click('#sidenav summary');
    await Promise.all([phone.waitForURL(`${BASE}/t/${BF}/vulnerabilities`, WAIT),
      phone.click('.sidenav nav a:has-text("Vulnerabilities")')]);
    ok(phone.url() === `${BASE}/t/${BF}/vulnerabilities`, 'and its links work from there', phone.url());
    const width = await phone.evaluate(() => document.querySelector('.topbar').scrollWidth);
    ok(width <= 390, 'the top bar fits a 390 px screen', String(width));

    /* No scripts: the selector is a search form, the navigation links. */
    const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
    const np = await plain.newPage();
    await signIn(np, BASE, 'admin@northwind.example');
    await np.goto(`${BASE}/t/${NW}/vulnerabilities`);
    await np.click('#selector summary');
    await np.fill('#selector-q', 'Bluefin');
    await Promise.all([np.waitForNavigation(WAIT), np.click('.selector-search button')]);
    await Promise.all([np.waitForURL(`${BASE}/t/${BF}/vulnerabilities`, WAIT), np.click('table a:has-text("Bluefin IT")')]);
    ok(np.url() === `${BASE}/t/${BF}/vulnerabilities`, 'without scripts the selector\'s search keeps the section too', np.url());
  } finally {
    await browser.close();
  }
}

run(main);
