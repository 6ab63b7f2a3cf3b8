/* theme.js - the light/dark toggle. Without scripts the header's toggle
 * posts to /theme; with them the choice is remembered in
 * localStorage and in a "theme" cookie the server reads to render
 * data-theme on <html> at first paint (no flash). */
(function () {
  'use strict';
  var root = document.documentElement;
  var KEY = 'theme';

  function remember(theme) {
    try { localStorage.setItem(KEY, theme); } catch (e) { /* private mode */ }
    document.cookie = 'theme=' + theme + '; Path=/; Max-Age=31536000; SameSite=Lax';
  }
  function current() {
    var t = root.getAttribute('data-theme');
    if (t === 'light' || t === 'dark') return t;
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  var stored = null;
  try { stored = localStorage.getItem(KEY); } catch (e) { stored = null; }
  if ((stored === 'light' || stored === 'dark') && !root.getAttribute('data-theme')) {
    root.setAttribute('data-theme', stored);
    remember(stored); /* the cookie was lost: the next page renders it again */
  }

  function setup() {
    var b = document.getElementById('theme-toggle');
    if (!b) return;
    /* The button is a form's submit (it works without scripts, see
     * cgi/pages/theme.c); with scripts the switch happens in place. */
    b.addEventListener('click', function (ev) {
      ev.preventDefault();
      var next = current() === 'dark' ? 'light' : 'dark';
      root.setAttribute('data-theme', next);
      remember(next);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
  else setup();
})();
