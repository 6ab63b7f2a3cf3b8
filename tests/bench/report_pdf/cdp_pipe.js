// cdp_pipe.js - one long-lived headless Chromium driven over
// --remote-debugging-pipe (the DevTools protocol as JSON messages, each ended
// by a NUL byte, on fds 3 and 4: what a C worker would speak, no npm needed)
// prints N reports; each report is two passes (pass 1 with "00" in the table
// of contents, its PDF outline read by qpdf, pass 2 with the pages filled in).
// Usage: node cdp_pipe.js report.html OUT_DIR N [A4|letter]  (CDP_REUSE=1: one
// tab for every pass; CDP_DEBUG=1: the events and the browser's stderr)
// Prints one line per report: "ms_total ms_pass1 ms_pass2 pages".
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const [src, outDir, nStr, size = 'A4'] = process.argv.slice(2);
const N = parseInt(nStr || '10', 10);
const udd = fs.mkdtempSync('/tmp/report-pdf-udd-');
const flags = require('./flags.json');
const chrome = spawn('/usr/bin/chromium', [...flags, `--user-data-dir=${udd}`, '--remote-debugging-pipe', 'about:blank'],
  { stdio: ['ignore', 'ignore', process.env.CDP_DEBUG ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
const toChrome = chrome.stdio[3], fromChrome = chrome.stdio[4];
let nextId = 1, buf = Buffer.alloc(0);
const waiting = new Map(), listeners = [];
fromChrome.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  let z;
  while ((z = buf.indexOf(0)) >= 0) {
    const msg = JSON.parse(buf.subarray(0, z).toString('utf8'));
    buf = buf.subarray(z + 1);
    if (msg.id && waiting.has(msg.id)) {
      const { ok, ko } = waiting.get(msg.id); waiting.delete(msg.id);
      msg.error ? ko(new Error(JSON.stringify(msg.error))) : ok(msg.result);
    } else { if (process.env.CDP_DEBUG) console.error(msg.method, JSON.stringify(msg.params).slice(0, 150)); for (const l of listeners.slice()) l(msg); }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  toChrome.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
  return new Promise((ok, ko) => waiting.set(id, { ok, ko }));
}
function once(method, sessionId) {
  return new Promise((ok) => {
    const l = (m) => { if (m.method === method && m.sessionId === sessionId) { listeners.splice(listeners.indexOf(l), 1); ok(m.params); } };
    listeners.push(l);
  });
}
function withTimeout(p, ms, what) {
  let t; return Promise.race([p, new Promise((_, ko) => { t = setTimeout(() => ko(new Error(`${what}: timeout`)), ms); })]).finally(() => clearTimeout(t));
}
// A fresh browser context (its own renderer, no shared cache or storage) per
// print, unless CDP_REUSE=1: then one tab prints every report.
let tab = null;
async function openTab() {
  const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
  const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Page.enable', {}, sessionId);
  await send('Emulation.setScriptExecutionDisabled', { value: true }, sessionId);
  // Only file: and data: may load: anything else fails inside the browser.
  await send('Fetch.enable', { patterns: [{ urlPattern: '*' }] }, sessionId);
  const onPaused = (m) => {
    if (m.method !== 'Fetch.requestPaused' || m.sessionId !== sessionId) return;
    const u = m.params.request.url;
    if (u.startsWith('file://') || u.startsWith('data:')) send('Fetch.continueRequest', { requestId: m.params.requestId }, sessionId);
    else { process.stderr.write(`blocked ${u}\n`); send('Fetch.failRequest', { requestId: m.params.requestId, errorReason: 'BlockedByClient' }, sessionId); }
  };
  listeners.push(onPaused);
  return { browserContextId, sessionId, onPaused };
}
async function printOnce(file, out) {
  const t = tab || await openTab();
  if (process.env.CDP_REUSE === '1') tab = t;
  const loaded = once('Page.loadEventFired', t.sessionId);
  await send('Page.navigate', { url: 'file://' + path.resolve(file) }, t.sessionId);
  await withTimeout(loaded, 10000, 'load');
  const { data } = await withTimeout(send('Page.printToPDF', {
    printBackground: true, preferCSSPageSize: true, generateDocumentOutline: true,
    displayHeaderFooter: false, transferMode: 'ReturnAsBase64',
  }, t.sessionId), 30000, 'print');
  fs.writeFileSync(out, Buffer.from(data, 'base64'));
  if (!tab) {
    listeners.splice(listeners.indexOf(t.onPaused), 1);
    await send('Target.disposeBrowserContext', { browserContextId: t.browserContextId });
  }
}
function outlinePages(pdf) {
  const j = JSON.parse(execFileSync('qpdf', ['--json=2', '--json-key=outlines', pdf]));
  const pages = {};
  const walk = (os) => os.forEach((o) => { const m = /^(\d+)\. /.exec(o.title); if (m) pages['s' + m[1]] = o.destpageposfrom1; walk(o.kids); });
  walk(j.outlines);
  return pages;
}
(async () => {
  let html = fs.readFileSync(src, 'utf8');
  if (size === 'letter') html = html.replace('size: A4;', 'size: letter;').replace('<html lang="en">', '<html lang="en" class="letter">');
  const p1 = path.join(outDir, `pass1-${size}.html`), p2 = path.join(outDir, `pass2-${size}.html`);
  fs.writeFileSync(p1, html.replace(/\{\{page\.(s\d+)\}\}/g, '00'));
  await send('Target.setDiscoverTargets', { discover: false });
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint();
    const pdf1 = path.join(outDir, `cdp-pass1-${size}.pdf`), pdf2 = path.join(outDir, `cdp-${size}.pdf`);
    await printOnce(p1, pdf1);
    const t1 = process.hrtime.bigint();
    const pages = outlinePages(pdf1);
    fs.writeFileSync(p2, html.replace(/\{\{page\.(s\d+)\}\}/g, (_, s) => String(pages[s] ?? '?')));
    await printOnce(p2, pdf2);
    const t2 = process.hrtime.bigint();
    const np = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf2]).toString())[1];
    console.log(`${Number(t2 - t0) / 1e6} ${Number(t1 - t0) / 1e6} ${Number(t2 - t1) / 1e6} ${np}`);
  }
  const exited = new Promise((ok) => chrome.on('exit', ok));
  await send('Browser.close').catch(() => {});
  await withTimeout(exited, 10000, 'exit').catch(() => chrome.kill('SIGKILL'));
  fs.rmSync(udd, { recursive: true, force: true });
})().catch((e) => { console.error(e); chrome.kill(); process.exit(1); });
