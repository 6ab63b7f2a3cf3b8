#!/usr/bin/env node
/* a11y_mssp.test.js - accessibility in both themes (a11y_lib.js): the
 * signed-out pages, then the MSSP Admin of Northwind, also on an MSP's and
 * a company's dashboard (the MSSP Analyst is in a11y_company.test.js, to
 * keep each file well within its 110 s on a loaded machine); last,
 * the system's dark theme (no data-theme, prefers-color-scheme: dark) has
 * the palette of the toggle's dark, and the toggle's light under a dark
 * system the palette of the light theme (portal.css states the dark
 * palette twice). Prints TAP lines. Env: PORT, BF_ID, CO_ID (an MSP and a
 * company of the demo, from tests/run). */
'use strict';
const { ok, launch, run } = require('./lib');
const { BASE, PUBLIC, context, audit, personas, signature, summary } = require('./a11y_lib');

/* The custom properties of the stylesheet's :root, as computed now. */
function palette() {
  const names = new Set();
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      if (rule.selectorText === ':root') for (const p of rule.style) if (p.startsWith('--')) names.add(p);
    }
  }
  const st = getComputedStyle(document.documentElement);
  return [...names].sort().map((n) => `${n}: ${st.getPropertyValue(n).trim()}`).join('; ');
}

async function main() {
  const browser = await launch();
  try {
    const ctx = await context(browser);
    const page = await ctx.newPage();
    for (const url of PUBLIC) await audit(page, url, url);

    await personas(ctx, page, ['admin@northwind.example'], async (email, c) => [
      [`/t/${process.env.BF_ID}`, await signature(c, process.env.BF_ID)],
      [`/t/${process.env.CO_ID}`, await signature(c, process.env.CO_ID)]]);

    await page.goto(`${BASE}/login`);
    await page.evaluate(() => document.documentElement.removeAttribute('data-theme'));
    const light = await page.evaluate(palette);
    const dark = await browser.newContext({ colorScheme: 'dark' });
    const p2 = await dark.newPage();
    await p2.goto(`${BASE}/login`);
    await p2.evaluate(() => document.documentElement.removeAttribute('data-theme'));
    const system = await p2.evaluate(palette);
    await p2.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
    const toggled = await p2.evaluate(palette);
    await p2.evaluate(() => document.documentElement.setAttribute('data-theme', 'light'));
    const lightOnDark = await p2.evaluate(palette);
    ok(light.includes('--bg') && system !== light, 'the system dark theme is dark', system);
    ok(system === toggled, 'the system dark theme has the palette of data-theme="dark"', `${system}\n${toggled}`);
    ok(lightOnDark === light, 'data-theme="light" under a dark system has the light palette', `${lightOnDark}\n${light}`);
    await dark.close();
  } finally {
    await browser.close();
    summary();
  }
}

run(main);
