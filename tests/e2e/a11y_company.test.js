#!/usr/bin/env node
/* a11y_company.test.js - accessibility in both themes (a11y_lib.js) as the
 * demo personas who work on companies: the MSSP Analyst of Northwind
 * (assigned to Bluefin IT's customers), a company's Owner and a Viewer.
 * Prints TAP lines. Env: PORT. */
'use strict';
const { launch, run } = require('./lib');
const { context, personas, summary } = require('./a11y_lib');

async function main() {
  const browser = await launch();
  try {
    const ctx = await context(browser);
    await personas(ctx, await ctx.newPage(), ['analyst@northwind.example', 'owner@company.example',
      'viewer@company.example']);
  } finally {
    await browser.close();
    summary();
  }
}

run(main);
