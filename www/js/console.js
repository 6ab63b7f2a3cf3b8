/* console.js - what the console adds when scripts run; every part works
 * without it (plain links and forms):
 * - the left navigation (a <details>) remembers being folded, and starts
 *   folded on a narrow screen;
 * - the tenant selector in the header (a <details> with a search form that
 *   opens /tenants) lists as you type, from /tenants.json: the tenants
 *   opened lately first, then the matches grouped MSSP, MSP, company, the
 *   current one marked; arrow keys move, Escape closes; each link keeps
 *   the section you are on (the server builds the links);
 * - a table marked data-columns gets a Columns chooser: the columns you
 *   hide stay hidden on that kind of table (localStorage); the first
 *   column (what a row is) always shows;
 * - a table that scrolls inside itself (below 760 px, portal.css) takes
 *   the keyboard's focus while it overflows, so it can be scrolled
 *   without a mouse (axe: scrollable-region-focusable);
 * - a part marked data-pending (the Reports page while a report is being
 *   made) asks the page's JSON twin every 3 s how many are pending, and
 *   reloads the page once that number changes (no meta refresh: the page
 *   never moves under someone reading it for nothing). */
(function () {
  'use strict';
  var RECENT = 'recent-tenants', NAV = 'sidenav';

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }
  function save(key, v) {
    try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode */ }
  }

  /* The tenant of this page goes first in the remembered list (ids only:
   * names and links come from the server, as the viewer may see them now). */
  function remember() {
    var id = document.body.getAttribute('data-tenant-id');
    if (!id) return;
    var ids = (load(RECENT) || []).filter(function (x) { return String(x) !== id; });
    ids.unshift(id);
    save(RECENT, ids.slice(0, 8));
  }

  function sidenav() {
    var d = document.getElementById('sidenav');
    if (!d) return;
    var folded = load(NAV);
    if (folded === true || (folded === null && window.matchMedia && window.matchMedia('(max-width: 760px)').matches)) {
      d.removeAttribute('open');
    }
    d.addEventListener('toggle', function () {
      /* Only a choice made on a wide screen is remembered. */
      if (!window.matchMedia || !window.matchMedia('(max-width: 760px)').matches) save(NAV, !d.open);
    });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function selector() {
    var d = document.getElementById('selector');
    if (!d) return;
    var input = document.getElementById('selector-q');
    var out = document.getElementById('selector-results');
    var form = d.querySelector('form');
    var sectionInput = form.querySelector('input[name=section]');
    var section = sectionInput ? sectionInput.value : '';
    var current = out.getAttribute('data-current');
    var timer = null, asked = 0;

    function group(title, rows) {
      if (!rows || !rows.length) return;
      out.appendChild(el('h3', { 'class': 'selector-group' }, title));
      var ul = el('ul', { role: 'list' });
      rows.forEach(function (r) {
        var a = el('a', { href: r.link, 'class': 'selector-item' });
        a.appendChild(el('span', { 'class': 'selector-name' }, r.name));
        var more = r.kind_label + (r.parent ? ' · ' + r.parent : '') + (r.role_label ? ' · ' + r.role_label : '');
        a.appendChild(el('span', { 'class': 'muted' }, more));
        if (String(r.id) === current) {
          a.setAttribute('aria-current', 'true');
          a.appendChild(el('span', { 'class': 'badge' }, 'current'));
        }
        var li = el('li');
        li.appendChild(a);
        ul.appendChild(li);
      });
      out.appendChild(ul);
    }

    function show(j, q) {
      out.textContent = '';
      if (!q) {
        group('Recent', j.recent);
        group('Your tenants', j.mine);
        return;
      }
      var by = { mssp: [], msp: [], company: [] };
      (j.results || []).forEach(function (r) { (by[r.kind] || by.company).push(r); });
      group('MSSPs', by.mssp);
      group('MSPs', by.msp);
      group('Companies', by.company);
      if (!(j.results || []).length) out.appendChild(el('p', { 'class': 'muted' }, 'No tenant you can see matches “' + q + '”.'));
      else if (j.more) out.appendChild(el('p', { 'class': 'muted' }, 'The first 50 matches: type more of the name.'));
    }

    function ask() {
      var q = input.value.trim(), n = ++asked;
      var url = '/tenants.json?q=' + encodeURIComponent(q) + (section ? '&section=' + encodeURIComponent(section) : '');
      if (!q) url += '&recent=' + encodeURIComponent((load(RECENT) || []).join(','));
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && n === asked) show(j, q); })
        .catch(function () { /* the form still works */ });
    }

    d.addEventListener('toggle', function () {
      if (!d.open) return;
      ask();
      input.focus();
    });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    d.addEventListener('keydown', function (e) {
      var items = Array.prototype.slice.call(out.querySelectorAll('a.selector-item'));
      var i = items.indexOf(document.activeElement);
      if (e.key === 'Escape') {
        d.open = false;
        d.querySelector('summary').focus();
      } else if (e.key === 'ArrowDown' && items.length) {
        e.preventDefault();
        items[Math.min(i + 1, items.length - 1)].focus();
      } else if (e.key === 'ArrowUp' && items.length) {
        e.preventDefault();
        if (i <= 0) input.focus(); else items[i - 1].focus();
      }
    });
    /* Closes when focus or a click goes elsewhere. */
    document.addEventListener('click', function (e) { if (d.open && !d.contains(e.target)) d.open = false; });
  }

  /* A form answered with its errors: the address bar shows the form's
   * page (the server says which), not the POST, so a reload does not post
   * again and a bookmark opens the page. */
  function pageUrl() {
    var m = document.querySelector('meta[name="page-url"]');
    if (m && window.history && history.replaceState) history.replaceState(null, '', m.getAttribute('content'));
  }

  /* Hide columns of a data-columns table. A column is known by its
   * heading's col-KEY class, or its text; a cell that spans several
   * columns (a pending request's) shrinks to the ones still shown. */
  function columns(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || head.cells.length < 3) return;
    var store = 'columns:' + table.getAttribute('data-columns');
    var keys = Array.prototype.map.call(head.cells, function (th) {
      var m = /(?:^|\s)col-(\S+)/.exec(th.className);
      return m ? m[1] : th.textContent.replace(/[▲▼]/g, '').trim();
    });
    var hidden = (load(store) || []).filter(function (k) { return keys.indexOf(k) > 0; });

    function apply() {
      Array.prototype.forEach.call(table.rows, function (row) {
        var c = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var span = Number(cell.getAttribute('data-span') || cell.colSpan || 1), shown = 0;
          if (span > 1 && !cell.hasAttribute('data-span')) cell.setAttribute('data-span', span);
          for (var i = c; i < c + span; i++) if (hidden.indexOf(keys[i]) < 0) shown++;
          cell.hidden = shown === 0;
          if (span > 1) cell.colSpan = Math.max(shown, 1);
          c += span;
        });
      });
    }

    var d = el('details', { 'class': 'columns' });
    d.appendChild(el('summary', {}, 'Columns'));
    var box = el('fieldset', {});
    box.appendChild(el('legend', { 'class': 'sr-only' }, 'Columns to show'));
    keys.forEach(function (k, i) {
      if (i === 0) return;
      var id = store.replace(/\W/g, '-') + '-' + i;
      var cb = el('input', { type: 'checkbox', id: id });
      cb.checked = hidden.indexOf(k) < 0;
      cb.addEventListener('change', function () {
        hidden = hidden.filter(function (x) { return x !== k; });
        if (!cb.checked) hidden.push(k);
        save(store, hidden);
        apply();
        scrollers();
      });
      var label = el('label', { 'for': id });
      label.appendChild(cb);
      label.appendChild(document.createTextNode(' ' + (head.cells[i].getAttribute('data-label') ||
        head.cells[i].textContent.replace(/[▲▼]/g, '').trim())));
      box.appendChild(label);
    });
    d.appendChild(box);
    var at = table.parentNode.classList.contains('scroll') ? table.parentNode : table;
    at.parentNode.insertBefore(d, at);
    apply();
  }

  function scrollers() {
    var ts = document.querySelectorAll('.main table.table, .main .scroll');
    for (var i = 0; i < ts.length; i++) {
      var t = ts[i], wide = t.scrollWidth > t.clientWidth + 1;
      if (wide && !t.hasAttribute('tabindex')) {
        t.setAttribute('tabindex', '0');
        t.setAttribute('data-scroller', '');
      } else if (!wide && t.hasAttribute('data-scroller')) {
        t.removeAttribute('tabindex');
        t.removeAttribute('data-scroller');
      }
    }
  }

  function pending() {
    var p = document.querySelector('[data-pending]');
    if (!p || !window.fetch) return;
    var was = p.getAttribute('data-pending');
    var timer = setInterval(function () {
      fetch(location.pathname + '.json', { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) {
          if (j && String(j.pending) !== was) { clearInterval(timer); location.reload(); }
        })
        .catch(function () { /* offline: try again at the next tick */ });
    }, 3000);
  }

  function setup() {
    pageUrl();
    Array.prototype.forEach.call(document.querySelectorAll('table[data-columns]'), columns);
    scrollers();
    window.addEventListener('resize', scrollers);
    remember();
    sidenav();
    selector();
    pending();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
  else setup();
})();
