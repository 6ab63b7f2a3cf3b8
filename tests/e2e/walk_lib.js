/* walk_lib.js - what the walk tests (walk_*.test.js) share: a demo persona
 * signs in through the form and then only clicks (no URL typed): every
 * link of the left navigation (behind Menu on a phone), the drill-downs of
 * the dashboard (its tiles, the severity bars, a CVE, a customer) to the
 * filtered lists and views, a list's row to its page (an incident, a
 * customer's view, an MSP, a request), and the breadcrumbs back up.
 *
 * Each click must lead where its link says (the address, the navigation's
 * aria-current mark on the section the doc names) without any response of
 * 400 or more; each page reached must keep the window's width (at 390 px a
 * table may scroll inside its wrapper, never the page) and pass axe
 * (a11y_lib.js) in the light theme and, switched with the header's theme
 * toggle, in the dark one. docs/contributing.md, "Accessibility". */
'use strict';
const { ok, signIn } = require('./lib');
const { BASE, AXE_ALL, AXE_COLOURS, context, axe } = require('./a11y_lib');

const WIDE = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 20000 };

/* A persona's walk at one viewport: its page, what it has seen. */
async function start(browser, email, viewport, home) {
  const ctx = await context(browser, viewport);
  const page = await ctx.newPage();
  const w = { ctx, page, email, home, vw: viewport.width, phone: viewport.width < 760, status: null, bad: [],
    pages: 0, tag: `${email} at ${viewport.width} px` };
  page.on('response', (r) => {
    if (r.status() >= 400) w.bad.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) w.status = r.status();
  });
  await signIn(page, BASE, email);
  ok(page.url() === BASE + home && w.status < 400, `${w.tag}: signs in through the form and lands on ${home}`,
    `${page.url()} (${w.status})`);
  await marked(w, await page.$eval('.sidenav nav a', (a) => a.textContent.trim()).catch(() => null), 'the landing page');
  await check(w, home);
  return w;
}

/* The navigation's marked item is want (its text), or there is no
 * navigation when want is null. */
async function marked(w, want, label) {
  const cur = await w.page.$$eval('.sidenav nav a[aria-current="page"]', (as) => as.map((a) => a.textContent.trim()));
  const has = await w.page.$('.sidenav nav') !== null;
  ok(want === null ? !has : cur.length === 1 && cur[0] === want,
    `${w.tag}: ${label} marks ${want === null ? 'no navigation' : want} in the navigation`, `marked: ${cur.join(', ')}`);
}

/* The page as it stands: no error answered since the last check, the
 * window's width kept, axe light then dark (the header's toggle). */
async function check(w, label) {
  const { page } = w;
  w.pages++;
  ok(w.bad.length === 0, `${w.tag}: no response of 400 or more on ${label}`, w.bad.join('\n'));
  w.bad = [];
  const sw = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  ok(sw[0] <= (w.phone ? w.vw + 1 : sw[1]), `${w.tag}: ${label} does not scroll sideways`,
    `document ${sw[0]} px wide, window ${sw[1]} px`);
  for (const theme of ['light', 'dark']) {
    const now = await page.evaluate(() => document.documentElement.getAttribute('data-theme') || 'light');
    if (now !== theme) {
      await page.click('#theme-toggle');
      const after = await page.evaluate(() => document.documentElement.getAttribute('data-theme'));
      if (after !== theme) ok(false, `${w.tag}: the theme toggle switches to ${theme} on ${label}`, after);
    }
    await axe(page, `${label} as ${w.email} at ${w.vw} px`, theme, theme === 'light' ? AXE_ALL : AXE_COLOURS);
  }
}

/* Click link (a selector or a locator) and arrive at want (its href, or
 * the address given): the address, no error status, the section marked
 * (mark: its text, null for a page without the navigation, undefined: not
 * checked); then check the page unless told not to. Returns false when
 * there was no such link. */
async function follow(w, link, label, { mark, want, audit = true, nav = false } = {}) {
  const { page } = w;
  const loc = typeof link === 'string' ? page.locator(link).first() : link.first();
  if (await loc.count() === 0) {
    ok(false, `${w.tag}: ${label}: the link is there`, String(link));
    return false;
  }
  if (nav && w.phone && !await page.evaluate(() => document.getElementById('sidenav').open)) {
    await page.click('#sidenav summary');
  }
  const href = await loc.getAttribute('href');
  const url = want ? BASE + want : new URL(href, page.url()).href;
  /* A link of a chart (SVG) is its label, bar and figure: click the label
   * (the middle of the whole may be the gap between them). */
  const target = await loc.evaluate((e) => e instanceof SVGElement) ? loc.locator('text').first() : loc;
  w.status = null;
  const arrived = await Promise.all([page.waitForURL(url, WAIT), target.click()]).then(() => true, (e) => e);
  const path = url.slice(BASE.length);
  ok(arrived === true && w.status !== null && w.status < 400, `${w.tag}: ${label} leads to ${path}`,
    `at ${page.url()} (status ${w.status})${arrived === true ? '' : '\n' + arrived}`);
  if (arrived !== true) return false;
  if (mark !== undefined) await marked(w, mark, path);
  if (audit) await check(w, path);
  return true;
}

/* The navigation's item of the tenant's own dashboard (its first). */
function dashboardItem(w) {
  return w.page.$eval('.sidenav nav a', (a) => a.textContent.trim());
}

/* Back to the home tenant's dashboard by its breadcrumb (or, on a page
 * without them, the top bar's Home). */
async function up(w, label) {
  const crumb = w.page.locator(`.crumbs a[href="${w.home}"]`);
  if (await crumb.count()) return follow(w, crumb, `${label}: the breadcrumb of the home tenant`, { audit: false });
  return follow(w, '.topbar a:has-text("Home")', `${label}: Home in the top bar`, { want: w.home, audit: false });
}

/* The dashboard's drill-downs, each from the dashboard and back: its
 * tiles, the Open vulnerabilities heading, each severity bar, the first
 * CVE, the first customer at risk or row of its table. */
async function drillDashboard(w) {
  const { page } = w;
  const links = await page.$$eval('main a.tile, main a.heading-link, main a[href*="/vulnerabilities?severity="], '
    + 'main .cves a, main a.name, main ul a[href^="/t/"]', (as) => as.map((a) => a.getAttribute('href')));
  const seen = new Set(), todo = [];
  let cve = false, tenant = false;
  for (const h of links) {
    if (seen.has(h) || h === w.home) continue;
    seen.add(h);
    if (h.includes('?cve=')) { if (cve) continue; cve = true; }
    if (/^\/t\/\d+$/.test(h)) { if (tenant) continue; tenant = true; }
    todo.push(h);
  }
  ok(todo.length >= 8, `${w.tag}: the dashboard has its drill-downs`, todo.join('\n'));
  const home = await dashboardItem(w);
  for (const h of todo) {
    const sel = `main a[href="${h}"]`;
    if (h.startsWith(`${w.home}#`)) {
      /* The MSPs or Companies tile: the table further down this page. */
      await page.click(sel);
      const ok2 = await page.waitForURL(BASE + h, WAIT).then(() => true, () => false);
      const there = await page.evaluate((id) => { const e = document.getElementById(id); return !!e && e.getBoundingClientRect().top < window.innerHeight; }, h.split('#')[1]);
      ok(ok2 && there, `${w.tag}: the dashboard's ${h} tile leads to its table`, page.url());
      continue;
    }
    const m = h.match(/^\/t\/\d+\/([a-z-]+)/);
    let mark;
    if (h.startsWith('/tenants')) mark = null;
    else if (m) mark = await page.$eval(`.sidenav nav a[href="${w.home}/${m[1]}"]`, (a) => a.textContent.trim());
    else mark = undefined;   /* another tenant's view: its own dashboard item, read there */
    if (!await follow(w, sel, `the dashboard's ${h}`, { mark, audit: mark !== undefined })) return;
    if (mark === undefined) {
      await marked(w, await dashboardItem(w), h);
      await check(w, h);
    }
    await up(w, h);
    if (page.url() !== BASE + w.home) return;
    ok(await dashboardItem(w) === home, `${w.tag}: back on the home dashboard`, page.url());
  }
}

/* What a section's page leads to, then back up to the home dashboard. */
async function drillSection(w, href, item) {
  const { page } = w;
  const t = w.home;
  if (href === `${t}/msps` || href === `${t}/requests`) {
    const reqs = await page.$$eval('main a', (as) => as.map((a) => a.getAttribute('href'))
      .filter((h) => /^\/t\/\d+\/requests\/\d+$/.test(h)));
    if (reqs.length) {
      if (!await follow(w, `main a[href="${reqs[0]}"]`, 'a request in the list', { mark: href.endsWith("/requests") ? item : undefined })) return;
      const back = page.locator(`.crumbs a[href="${href}"]`);
      if (!await follow(w, await back.count() ? back : `.crumbs a[href="${t}"]`, 'a request\'s breadcrumb', { audit: false })) return;
      if (page.url() !== BASE + href && !await follow(w, `.sidenav nav a[href="${href}"]`, `the navigation's ${item}`,
        { mark: item, nav: true, audit: false })) return;
    }
  }
  if (href === `${t}/incidents`) {
    if (!await follow(w, `main table a[href^="${t}/incidents/"]`, 'an incident\'s title', { mark: item })) return;
    const crumbs = await page.$$eval('.crumbs li', (ls) => ls.map((l) => l.textContent.trim()));
    ok(crumbs.length >= 2 && crumbs[crumbs.length - 2] === 'Incidents',
      `${w.tag}: the incident's breadcrumbs end in Incidents › its title`, crumbs.join(' › '));
    if (!await follow(w, `.crumbs a[href="${t}/incidents"]`, 'the breadcrumb Incidents', { mark: item, audit: false })) return;
    const customer = page.locator(`main table a[href^="/t/"]:not([href^="${t}/incidents"])`);
    if (!await follow(w, customer, 'a customer\'s name in the incidents', { audit: false })) return;
    await marked(w, await dashboardItem(w), 'a customer\'s view');
    await check(w, `a customer's view (${page.url().slice(BASE.length)})`);
  } else if (href === `${t}/msps`) {
    if (!await follow(w, 'main table a[href^="/t/"]', 'an MSP\'s name', { audit: false })) return;
    await marked(w, await dashboardItem(w), 'an MSP\'s view');
    await check(w, `an MSP's view (${page.url().slice(BASE.length)})`);
  } else if (href === `${t}/sla`) {
    const other = page.locator(`main table a[href$="/sla"]:not([href="${t}/sla"])`);
    if (await other.count() === 0) return;
    await follow(w, other, 'a customer\'s SLA', { mark: item });
  }
}

/* A persona's walk at a viewport, or a part of it (a file each, to keep
 * each well within its 110 s): sign in, then 'dashboard' (its
 * drill-downs) and 'nav' (every item of the navigation and what it leads
 * to, the dashboard again last). */
async function walk(browser, email, viewport, home, parts = ['dashboard', 'nav']) {
  const t0 = Date.now();
  const w = await start(browser, email, viewport, home);
  const { page } = w;
  if (w.phone) {
    ok(!await page.evaluate(() => document.getElementById('sidenav').open), `${w.tag}: the navigation starts folded`);
  }
  if (parts.includes('dashboard')) await drillDashboard(w);
  if (parts.includes('nav')) {
    const items = await page.$$eval('.sidenav nav a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
    ok(items.length >= 5 && items[0][0] === home, `${w.tag}: the navigation lists the sections, the dashboard first`,
      items.join('\n'));
    for (const [href, item] of items.slice(1)) {
      if (!await follow(w, `.sidenav nav a[href="${href}"]`, `the navigation's ${item}`, { mark: item, nav: true })) continue;
      await drillSection(w, href, item);
      if (page.url() !== BASE + home && !page.url().startsWith(BASE + home + '/')) await up(w, 'the walk');
    }
    await follow(w, `.sidenav nav a[href="${home}"]`, `the navigation's ${items[0][1]}`,
      { mark: items[0][1], nav: true, audit: false });
  }
  console.log(`# ${w.tag}: ${w.pages} pages checked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await w.ctx.close();
}

/* A test file's whole body: one persona, one viewport, some parts. */
function walkFile(email, viewport, home, parts) {
  const { launch, run } = require('./lib');
  const { summary } = require('./a11y_lib');
  run(async () => {
    const browser = await launch();
    try {
      await walk(browser, email, viewport, home, parts);
    } finally {
      await browser.close();
      summary();
    }
  });
}

module.exports = { WIDE, PHONE, walk, walkFile };
