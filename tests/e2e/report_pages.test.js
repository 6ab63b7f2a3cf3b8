#!/usr/bin/env node
/* report_pages.test.js - a PDF report asked for on the Reports page, in a
 * real browser, and its pages looked at (docs/reports.md).
 *
 * The company's admin (an MSSP Admin of Northwind) asks for the executive
 * report of a fixed past month through the page's form; the page reloads
 * itself when the reporter has made it (console.js) and offers the file.
 * The PDF's first pages are drawn with pdftoppm (poppler-utils) and
 * compared in the browser, pixel by pixel on a canvas, with the reference
 * images kept in tests/e2e/reference/: at most 1 % of the pixels may
 * differ (the cover's "Prepared" day changes every day). A page that
 * differs more is written to OUT_DIR beside its reference for a look.
 * REPORT_REFERENCE_UPDATE=1 writes new references instead (then look at
 * them before committing). Env: PORT, CO_ID, OUT_DIR. */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { ok, signIn, launch, run, waited } = require('./lib');

const BASE = `http://127.0.0.1:${process.env.PORT}`;
const CO = process.env.CO_ID;
const REF = path.join(__dirname, 'reference');
const OUT = process.env.OUT_DIR || os.tmpdir();
const PAGES = 2;              /* the cover and the first page of figures */
const MAX_DIFFERENT = 0.01;   /* share of pixels that may differ */

/* The share of pixels of two PNGs (data: URLs) that differ by more than a
 * little in any channel, computed by the browser; 1 when the sizes differ. */
async function difference(page, a, b) {
  return page.evaluate(async ([x, y]) => {
    const load = (src) => new Promise((res, rej) => {
      const i = new Image();
      i.onload = () => res(i);
      i.onerror = rej;
      i.src = src;
    });
    const [i1, i2] = await Promise.all([load(x), load(y)]);
    if (i1.width !== i2.width || i1.height !== i2.height) return 1;
    const px = (img) => {
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, img.width, img.height).data;
    };
    const d1 = px(i1), d2 = px(i2);
    let n = 0;
    for (let i = 0; i < d1.length; i += 4) {
      if (Math.abs(d1[i] - d2[i]) > 48 || Math.abs(d1[i + 1] - d2[i + 1]) > 48 || Math.abs(d1[i + 2] - d2[i + 2]) > 48) n++;
    }
    return n / (d1.length / 4);
  }, [a, b]);
}

async function main() {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await signIn(page, BASE, 'admin@northwind.example');
    await page.goto(`${BASE}/t/${CO}/reports`);
    await page.selectOption('#rq-kind', 'executive');
    await page.fill('#rq-from', '2025-03-01');
    await page.fill('#rq-to', '2025-03-31');
    await page.selectOption('#rq-paper', 'a4');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Make the PDF")')]);
    ok((await page.locator('p.notice').innerText()).includes('Your report is queued'), 'the request is queued');
    const row = page.locator('tr', { hasText: '2025-03-01 to 2025-03-31' }).first();
    /* console.js reloads the page once the reporter has made it */
    const made = await waited(page.locator('tr', { hasText: '2025-03-01 to 2025-03-31' }).first()
      .locator('a', { hasText: 'Download PDF' }).waitFor({ timeout: 90000 }));
    ok(made, 'the page shows the file once it is made, without a click', made ? '' : await page.content());
    if (!made) return;
    const href = await row.locator('a', { hasText: 'Download PDF' }).getAttribute('href');
    const res = await page.request.get(`${BASE}${href}`);
    ok(res.status() === 200 && res.headers()['content-type'] === 'application/pdf', 'the file is a PDF',
      `${res.status()} ${res.headers()['content-type']}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-pages-'));
    fs.writeFileSync(path.join(dir, 'report.pdf'), await res.body());
    execFileSync('pdftoppm', ['-r', '40', '-png', '-f', '1', '-l', String(PAGES), path.join(dir, 'report.pdf'),
      path.join(dir, 'p')]);
    for (let p = 1; p <= PAGES; p++) {
      const got = path.join(dir, `p-${p}.png`), ref = path.join(REF, `report-company-p${p}.png`);
      if (process.env.REPORT_REFERENCE_UPDATE === '1') {
        fs.mkdirSync(REF, { recursive: true });
        fs.copyFileSync(got, ref);
        ok(true, `page ${p}: reference written to ${ref}`);
        continue;
      }
      const url = (f) => `data:image/png;base64,${fs.readFileSync(f).toString('base64')}`;
      const share = await difference(page, url(got), url(ref));
      if (share > MAX_DIFFERENT) {
        fs.mkdirSync(OUT, { recursive: true });
        fs.copyFileSync(got, path.join(OUT, `report-company-p${p}.png`));
      }
      ok(share <= MAX_DIFFERENT, `page ${p} looks like its reference (${(share * 100).toFixed(2)} % of pixels differ)`,
        `see ${path.join(OUT, `report-company-p${p}.png`)} beside ${ref}`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await browser.close();
  }
}

run(main);
