/* a11y_lib.js - what the accessibility tests (a11y_*.test.js) share: axe-core
 * (npm) run inside Debian chromium with the WCAG 2.0 and 2.1 A and AA rules
 * plus axe's target-size (WCAG 2.2 AA), our own measurement of click
 * targets, and the walk of a demo persona's pages.
 *
 * A page is loaded once; every <details> on it is opened (an incident's
 * Resolve form, the notifications menu); it is checked in the light theme,
 * switched in place to the dark one (the data-theme attribute, as
 * www/js/theme.js does) and checked again with the rules that read colours.
 * Critical and serious violations fail, with the rule, the page, the theme
 * and the nodes; moderate and minor ones are printed as notes.
 * docs/contributing.md, "Accessibility". */
'use strict';
const fs = require('fs');
const { ok, signIn } = require('./lib');

const BASE = `http://127.0.0.1:${process.env.PORT}`;
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/* WCAG 2.0 and 2.1, A and AA, plus 2.2 AA (target-size). The second theme
 * of a page changes only colours: it runs the rules that read them. */
const AXE_ALL = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
};
const AXE_COLOURS = {
  runOnly: { type: 'rule', values: ['color-contrast', 'link-in-text-block'] },
  resultTypes: ['violations'],
};
const MIN_TARGET = 24;
/* The controls we measure: buttons, summaries, selects, check boxes,
 * links styled as buttons, links in tables, forms and navigation bars.
 * (Links in running text are exempt in WCAG 2.5.8 and not measured.) */
const TARGETS = 'button, summary, select, input[type=submit], input[type=checkbox], input[type=radio], a.button, '
  + 'table a, form a, nav a';
/* The signed-out pages, nginx's static error pages included. */
const PUBLIC = ['/login', '/login/link', '/forgot', '/reset/not-a-token', '/invite/not-a-token', '/no-such-page',
  '/static/unavailable.html', '/static/too-large.html'];

/* One browser context for a whole test file (1280 x 800 unless told). axe is added to every
 * document before the page's own scripts, through the DevTools protocol:
 * the portal's CSP forbids inline scripts and the pages keep their real
 * headers. */
async function context(browser, viewport = { width: 1280, height: 800 }) {
  const ctx = await browser.newContext({ viewport, colorScheme: 'light' });
  await ctx.addInitScript(AXE);
  return ctx;
}

const counts = [];   /* [label, theme, critical+serious nodes, all nodes] */

/* axe on the document, or only on the element of selector within. */
async function axe(page, label, theme, options, within) {
  const violations = await page.evaluate(([opts, sel]) => window.axe.run(sel ? { include: [[sel]] } : document, opts)
    .then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${((n.any[0] || n.all[0] || n.none[0] || {}).message || '')}`),
    }))), [options, within || null]);
  const bad = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  const nodes = (vs) => vs.reduce((s, v) => s + v.nodes.length, 0);
  counts.push([label, theme, nodes(bad), nodes(violations)]);
  const detail = [];
  for (const v of bad) {
    detail.push(`${v.id} (${v.impact}): ${v.help}, on ${label} [${theme}], ${v.nodes.length} nodes:`);
    for (const n of v.nodes.slice(0, 4)) detail.push(`  ${n}`);
  }
  ok(bad.length === 0, `axe: no critical or serious violations on ${label} [${theme}]`, detail.join('\n'));
  for (const v of violations.filter((x) => !bad.includes(x))) {
    console.log(`# note: ${v.id} (${v.impact}) on ${label} [${theme}]: ${v.nodes.length} nodes`);
  }
}

/* Every shown control in TARGETS is 24 px or more both ways (axe's
 * target-size also passes a small target with space around it). */
async function targets(page, label) {
  const small = await page.evaluate(([sel, min]) => {
    const out = [];
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      if (r.width < min - 0.01 || r.height < min - 0.01) {
        const text = (el.textContent || el.getAttribute('aria-label') || el.name || '').trim().slice(0, 40);
        const cls = el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : '';
        out.push(`${el.tagName.toLowerCase()}${cls} "${text}": ${r.width.toFixed(1)} x ${r.height.toFixed(1)} px`);
      }
    }
    return out;
  }, [TARGETS, MIN_TARGET]);
  ok(small.length === 0, `click targets of at least ${MIN_TARGET} px on ${label}`, small.slice(0, 12).join('\n'));
}

/* Every label of a server-drawn chart (SVG text) renders at 11 px or
 * more, on the test's window and on a phone's (390 px): an SVG scales its
 * text with its box (docs/dashboards.md, "The charts"). */
const MIN_LABEL = 11;
async function chartLabels(page, label) {
  if (!await page.evaluate(() => document.querySelector('svg text') !== null)) return;
  const small = [];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    small.push(...await page.evaluate(([min, w]) => {
      const out = [];
      for (const t of document.querySelectorAll('svg text')) {
        const ctm = t.getScreenCTM();
        if (ctm === null || t.getBoundingClientRect().width === 0) continue;
        const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(ctm.a, ctm.b);
        if (px < min - 0.01) out.push(`"${t.textContent.trim().slice(0, 30)}" at ${w} px wide: ${px.toFixed(1)} px`);
      }
      return out;
    }, [MIN_LABEL, width]));
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  ok(small.length === 0, `chart labels of at least ${MIN_LABEL} px on ${label}`, small.slice(0, 12).join('\n'));
}

/* One page: open its own <details>, measure, check light, switch, check
 * dark. The header's menus (tenant selector, bell, account) float over the
 * page: with menus, each is then opened alone and checked on its own. */
const MENUS = ['#selector', 'header details.bell', '#usermenu'];
async function audit(page, url, label, menus = false) {
  const res = await page.goto(BASE + url);
  ok(res !== null && await page.evaluate(() => typeof window.axe === 'object'), `${label} loads, with axe`, url);
  await page.evaluate(() => document.querySelectorAll('details:not(header details)').forEach((d) => { d.open = true; }));
  await targets(page, label);
  await chartLabels(page, label);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
    await axe(page, label, theme, theme === 'light' ? AXE_ALL : AXE_COLOURS);
  }
  for (const m of menus ? MENUS : []) {
    if (!await page.evaluate((sel) => { const d = document.querySelector(sel); if (d) d.open = true; return !!d; }, m)) continue;
    await page.waitForTimeout(300);   /* the selector lists what it fetched */
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
      await axe(page, `${label}, menu ${m}`, theme, theme === 'light' ? AXE_ALL : AXE_COLOURS, m);
    }
    await page.evaluate((sel) => { document.querySelector(sel).open = false; }, m);
  }
}

/* A route with its ids replaced: /t/7/requests/3 -> /t/{id}/requests/{id}. */
function route(url) {
  return url.replace(/\/\d+(?=\/|$|\?)/g, '/{id}');
}

/* What a tenant page's markup depends on besides its route: the tenant's
 * kind and what the user may do there (tenant.can; "billing" is read by
 * no template). */
async function signature(ctx, id) {
  const t = (await (await ctx.request.get(`${BASE}/t/${id}.json`)).json()).tenant;
  const can = Object.keys(t.can).filter((k) => k !== 'billing' && t.can[k]).sort().join(',');
  return `${t.kind} ${can}`;
}

/* Each persona signs in and visits its pages: the home dashboard, the
 * switcher, the account pages, the notifications, every page of its home
 * tenant's navigation, the White Labelling form when it may change it,
 * an onboarding request linked from a list, and extra(email, ctx) pages.
 * A route already checked with the same signature (an earlier persona) is
 * not checked again. */
async function personas(ctx, page, emails, extra = async () => []) {
  const seen = new Set();
  for (const email of emails) {
    await signIn(page, BASE, email);
    ok(!new URL(page.url()).pathname.startsWith('/login'), `${email} signs in`, page.url());
    const home = (await (await ctx.request.get(`${BASE}/tenants.json`)).json()).mine[0].id;
    const sig = await signature(ctx, home);
    const pages = [['/', sig]];
    /* One template for everyone, whoever signed in. */
    for (const u of ['/tenants', '/account', '/account/activity', '/account/password', '/notifications']) {
      pages.push([u, '']);
    }
    await page.goto(`${BASE}/t/${home}`);
    const nav = await page.$$eval('.sidenav nav a', (as) => as.map((a) => a.getAttribute('href')));
    for (const u of nav) pages.push([u, sig]);
    if (nav.includes(`/t/${home}/settings`)) pages.push([`/t/${home}/settings/branding`, sig]);
    pages.push(...await extra(email, ctx));
    for (let i = 0; i < pages.length; i++) {
      const [url, s] = pages[i];
      const key = `${route(url)} ${s}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await audit(page, url, `${url} as ${email}`, i === 0);
      const detail = await page.$$eval('a[href*="/requests/"]', (as) => as.map((a) => a.getAttribute('href'))
        .filter((h) => /^\/t\/\d+\/requests\/\d+$/.test(h)));
      if (detail.length && !pages.some(([u]) => u === detail[0])) pages.push([detail[0], s]);
    }
    await page.evaluate(() => { document.getElementById('usermenu').open = true; });
    await Promise.all([page.waitForNavigation(), page.click('header button.link:has-text("Sign out")')]);
  }
}

/* The summary lines: per page and theme, the nodes found. */
function summary() {
  let bad = 0, all = 0;
  for (const [label, theme, b, a] of counts) {
    bad += b; all += a;
    if (a) console.log(`# axe ${label} [${theme}]: ${b} critical/serious nodes, ${a} in all`);
  }
  console.log(`# axe: ${counts.length} checks, ${bad} critical/serious nodes, ${all} nodes in all`);
}

module.exports = { BASE, PUBLIC, AXE_ALL, AXE_COLOURS, context, axe, audit, personas, signature, summary };
