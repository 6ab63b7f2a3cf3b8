#!/usr/bin/env node
/* a11y_msp.test.js - accessibility in both themes (a11y_lib.js) as each
 * demo persona of an MSP: Bluefin IT's Owner, Admin, Analyst and Viewer,
 * and the Owner of Evergreen MSP (not managed by an MSSP). Prints TAP
 * lines. Env: PORT. */
'use strict';
const { launch, run } = require('./lib');
const { context, personas, summary } = require('./a11y_lib');

async function main() {
  const browser = await launch();
  try {
    const ctx = await context(browser);
    await personas(ctx, await ctx.newPage(), ['owner@msp1.example', 'admin@msp1.example', 'analyst@msp1.example',
      'viewer@msp1.example', 'owner@evergreen.example']);
  } finally {
    await browser.close();
    summary();
  }
}

run(main);
