#!/usr/bin/env node
/* workflows.test.js - the lists and the incident lifecycle in a real
 * browser (Debian chromium driven by playwright-core), through the page's
 * own links and forms, not hand-made requests.
 *
 * An analyst of an MSP acknowledges an incident from its row, sends a
 * resolution with a blank note (refused: the form comes back open with
 * the message), then resolves it. The MSSP Admin pages through the
 * vulnerabilities list with Next, Previous and First, and follows a CVE
 * link. Prints TAP lines. Env: PORT, NW_ID (tenant id), CO_ID and
 * E2E_INCIDENT (a company and the title of an open critical incident
 * there). */
'use strict';
const { ok, signIn, launch, run } = require('./lib');

const BASE = `http://127.0.0.1:${process.env.PORT}`;
const NW = process.env.NW_ID;
const CO = process.env.CO_ID, TITLE = process.env.E2E_INCIDENT;   /* an open critical incident, made by tests/run */

async function rowIds(page) {
  return page.$$eval('table.table tbody tr td:nth-child(2) a', (as) => as.map((a) => a.getAttribute('href')));
}

async function main() {
  const browser = await launch();
  try {
    /* The incident tests/run made in one of Bluefin's companies. */
    const page = await browser.newPage();
    await signIn(page, BASE, 'analyst@msp1.example');
    const title = TITLE, co = CO;
    await page.goto(`${BASE}/t/${co}/incidents?severity=critical`);
    const row = page.locator('tr', { hasText: title });
    ok(await row.count() === 1, 'the new incident is listed', await page.content());

    /* Acknowledge from its row. */
    await Promise.all([page.waitForNavigation(), row.locator('button', { hasText: 'Acknowledge' }).click()]);
    ok(page.url().includes(`/t/${co}/incidents?status=open&severity=critical&done=acknowledged`),
      'Acknowledge returns to the list as it was filtered', page.url());
    ok((await page.locator('p.notice').innerText()).includes('Incident acknowledged.'), 'the notice says so');
    const row2 = page.locator('tr', { hasText: title });
    ok((await row2.innerText()).includes('acknowledged'), 'the row shows it acknowledged', await row2.innerText());

    /* A blank note is refused and comes back in the open form. */
    await row2.locator('summary', { hasText: 'Resolve' }).click();
    await row2.locator('textarea[name=note]').fill('   ');
    await Promise.all([page.waitForNavigation(), row2.locator('button', { hasText: 'Resolve' }).click()]);
    const row3 = page.locator('tr', { hasText: title });
    ok(await row3.locator('details.resolve[open]').count() === 1, 'a refused resolution shows its form open');
    ok((await row3.locator('.field-error').innerText()).includes('a note is required'),
      'the message is next to the field', await row3.innerText());

    /* Resolved with a note. */
    await row3.locator('textarea[name=note]').fill('Blocked at the firewall; host reimaged.');
    await Promise.all([page.waitForNavigation(), row3.locator('button', { hasText: 'Resolve' }).click()]);
    ok((await page.locator('p.notice').innerText()).includes('Incident resolved.'), 'Resolve says it is resolved',
      page.url());
    await page.goto(`${BASE}/t/${co}/incidents?status=closed`);
    const done = page.locator('tr', { hasText: title });
    ok((await done.innerText()).includes('Blocked at the firewall'), 'the resolved list shows the note');

    /* The MSSP Admin pages through the vulnerabilities. */
    const admin = await browser.newPage();
    await signIn(admin, BASE, 'admin@northwind.example');
    await admin.goto(`${BASE}/t/${NW}/vulnerabilities?status=all`);
    const first = await rowIds(admin);
    ok(first.length === 50 && await admin.locator('a[rel=prev]').count() === 0, 'page 1: 50 rows, no Previous');
    await Promise.all([admin.waitForNavigation(), admin.click('a[rel=next]')]);
    const second = await rowIds(admin);
    ok(second.length > 0 && admin.url().includes('after='), 'Next opens the next page', admin.url());
    await Promise.all([admin.waitForNavigation(), admin.click('a[rel=prev]')]);
    ok(JSON.stringify(await rowIds(admin)) === JSON.stringify(first), 'Previous comes back to the same rows');
    await Promise.all([admin.waitForNavigation(), admin.click('a[rel=next]')]);
    await Promise.all([admin.waitForNavigation(), admin.locator('nav.pager a', { hasText: 'First' }).click()]);
    ok(JSON.stringify(await rowIds(admin)) === JSON.stringify(first), 'First shows page 1');
    const href = first[0];
    await Promise.all([admin.waitForNavigation(), admin.click(`a[href="${href}"]`)]);
    const cve = new URL(admin.url()).searchParams.get('cve');
    const cves = await admin.$$eval('table.table tbody tr td:nth-child(2) a', (as) => as.map((a) => a.textContent));
    ok(admin.url().startsWith(`${BASE}/t/${NW}/vulnerabilities?`) && cves.length > 0 && cves.every((c) => c === cve),
      'a CVE link lists that CVE only', admin.url());
  } finally {
    await browser.close();
  }
}

run(main);
