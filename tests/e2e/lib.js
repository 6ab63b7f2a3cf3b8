/* lib.js - what the browser tests share: TAP lines, the demo sign-in and
 * the browser itself (Debian chromium, never a downloaded one). */
'use strict';
const { chromium } = require('playwright-core');

const PASSWORD = 'portal-demo-2026';
let n = 0, failed = 0;

/* One TAP line: "ok N - name", or "not ok" with up to 20 lines of detail. */
function ok(cond, name, detail) {
  n++;
  if (cond) console.log(`ok ${n} - ${name}`);
  else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (detail) for (const l of String(detail).split('\n').slice(0, 20)) console.log(`#   ${l}`);
  }
}

/* Sign in on base (a URL) as a demo user through the form. */
async function signIn(page, base, email) {
  await page.goto(`${base}/login`);
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit].primary')]);
}

/* Headless chromium with a fresh temporary profile; extra args appended. */
function launch(extra = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', ...extra],
  });
}

/* Run main() within 110 s (tests/run kills a browser test at 120 s; a
 * loaded 2-core machine can take well over a minute), print the summary
 * and exit 0 or 1. */
function run(main) {
  const timer = setTimeout(() => { ok(false, 'finished within 110 s'); process.exit(1); }, 110000);
  main().then(() => {
    clearTimeout(timer);
    console.log(`# passed ${n - failed} failed ${failed}`);
    process.exit(failed ? 1 : 0);
  }).catch((e) => {
    clearTimeout(timer);
    ok(false, 'browser test ran to the end', e && e.stack);
    process.exit(1);
  });
}

/* Wait for a condition (a playwright wait that throws on its timeout):
 * true once it holds, false if it never did; the ok() line says which. */
async function waited(promise) {
  try {
    await promise;
    return true;
  } catch (e) {
    if (e && e.name === 'TimeoutError') return false;
    throw e;
  }
}

module.exports = { ok, signIn, launch, run, waited, PASSWORD };
