#!/usr/bin/env node
/* plans.test.js - the shared configuration plans story in a real browser,
 * by clicking only (docs/plans.md): the MSSP Admin opens Plans from the
 * navigation, the demo's Northwind baseline, edits Application & URL
 * filtering through its form, previews the change, saves it, reverts an
 * MSP's override from the plan's page, restores a version from the
 * history and clones the plan; a company's Owner unlocks a section on the
 * Configuration page and reverts it. Each page is checked with axe in both
 * themes (a11y_lib.js). Prints TAP lines. Env: PORT. */
'use strict';
const { ok, signIn, launch, run, waited } = require('./lib');
const { BASE, AXE_ALL, AXE_COLOURS, axe, context } = require('./a11y_lib');

const WAIT = { timeout: 15000 };

async function check(page, label) {
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    await axe(page, label, theme, theme === 'light' ? AXE_ALL : AXE_COLOURS);
  }
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  ok(wide <= 1366, `${label} does not scroll sideways at 1366 px`, `${wide} px`);
}

async function click(page, selector, label) {
  await Promise.all([page.waitForNavigation(WAIT), page.click(selector)]);
  ok(true, label);
}

async function notice(page) {
  return (await page.$$eval('.notice', (ns) => ns.map((n) => n.textContent.trim()))).join(' | ');
}

async function main() {
  const browser = await launch();
  try {
    const ctx = await context(browser, { width: 1366, height: 900 });
    const page = await ctx.newPage();
    await signIn(page, BASE, 'admin@northwind.example');
    await click(page, '.sidenav nav a:has-text("Plans")', 'Plans opens from the navigation');
    await check(page, 'Plans');
    await click(page, 'table a:has-text("Northwind baseline")', 'the baseline opens from the list of plans');
    ok(await page.locator('h1:has-text("Northwind baseline")').count() === 1, 'its page names it');
    await check(page, 'a plan');

    await click(page, 'table a:has-text("Application & URL filtering")', 'a section opens from the plan');
    await check(page, 'a section\'s form');
    const games = 'input[name="blocked_categories.games"]';
    const had = await page.isChecked(games);
    await (had ? page.uncheck(games) : page.check(games));
    await click(page, 'button:has-text("Preview")', 'Preview');
    const preview = await page.locator('.preview').textContent();
    ok(preview.includes('What this change does') && preview.includes('games') && preview.includes('Nothing is saved yet'),
      'the preview shows the change and who it reaches, nothing saved', preview);
    ok(await page.isChecked(games) === !had, 'the form keeps the change');
    await check(page, 'a preview');
    await click(page, 'button:has-text("Save")', 'Save');
    ok((await notice(page)).includes('Saved'), 'saved, on the plan\'s page', await notice(page));

    /* An MSP's override among those the plan reaches: reverted from here. */
    const row = page.locator('#overrides + table tr:has-text("Cobalt Managed Services")');
    ok(await row.count() === 1, 'the demo\'s override of Cobalt Managed Services is listed with its diff',
      await page.locator('#overrides ~ *').first().textContent());
    await Promise.all([page.waitForNavigation(WAIT), row.first().locator('button:has-text("Revert to Plan")').click()]);
    ok((await notice(page)).includes('Reverted'), 'Revert to Plan from the plan\'s page', await notice(page));
    await Promise.all([page.waitForNavigation(WAIT), page.locator('#history + table button:has-text("Restore")').first().click()]);
    ok(/Restored|Nothing changed/.test(await notice(page)), 'a version restored from the history', await notice(page));
    await page.fill('#clone-name', `Baseline copy ${Date.now()}`);
    await click(page, 'button:has-text("Clone")', 'Clone');
    ok((await notice(page)).includes('cloned'), 'the clone is the tenant\'s own plan', await notice(page));
    /* Share with: any account found by its name or its MSP's (the list
     * holds the first 500; an MSSP at L has 20,000). */
    await page.fill('#share-find', 'BLUEFIN');
    await click(page, 'form:has(#share-find) button:has-text("Find")', 'Find an account');
    const options = await page.$$eval('#share-target option', (os) => os.map((o) => o.textContent));
    ok(options.length > 1 && options.every((o) => /bluefin/i.test(o)),
      'the accounts of that name or of that MSP are offered, and only they', options.join(' | '));
    const said = await page.locator('form:has(#share-find) + p.muted').textContent();
    ok(said.includes('matching “BLUEFIN”'), 'the page says how many match', said);
    await check(page, 'a plan, an account found');
    await click(page, 'form:has(#share-find) a:has-text("Show all")', 'Show all');
    ok((await page.$$eval('#share-target option', (os) => os.length)) > options.length, 'every account is offered again');
    await page.setViewportSize({ width: 390, height: 844 });
    const narrow = await page.evaluate(() => document.documentElement.scrollWidth);
    ok(narrow <= 390, 'Share with does not scroll sideways at 390 px', `${narrow} px`);
    await page.setViewportSize({ width: 1366, height: 900 });

    /* A company's Owner: unlock one section, then revert it. */
    const cctx = await context(browser, { width: 1366, height: 900 });
    const cp = await cctx.newPage();
    await signIn(cp, BASE, 'owner@company.example');
    await click(cp, '.sidenav nav a:has-text("Configuration")', 'Configuration opens from the navigation');
    await check(cp, 'a company\'s configuration');
    const url = 'tr:has-text("Application & URL filtering")';
    await click(cp, `${url} a.button`, 'Unlock and edit');
    await check(cp, 'an override\'s form');
    await cp.check('input[name="blocked_categories.p2p"]');
    await click(cp, 'button:has-text("Save")', 'the override is saved');
    ok(await waited(cp.waitForSelector(`${url} button:has-text("Revert to Plan")`, WAIT)),
      'the section is now the company\'s own, with Revert to Plan');
    await click(cp, `${url} button:has-text("Revert to Plan")`, 'Revert to Plan');
    ok((await notice(cp)).includes('Reverted'), 'it follows the plan again', await notice(cp));
    ok(await cp.locator(`${url} a.button:has-text("Unlock and edit")`).count() === 1, 'and can be unlocked again');
  } finally {
    await browser.close();
  }
}

run(main);
