"""Templates escape by default: raw output ({{{x}}} or {{&x}}) is allowed only
where the text is not HTML (plain-text email parts and subjects)."""
import glob
import os
import re

import portal

# Raw interpolation is fine in plain-text email parts and subjects; nowhere else.
ALLOWED = re.compile(r"templates/email/[a-z_]+_(text|subject)\.mustache$")
# The footer markup is built on the server (cgi/brand.c: brand_footer_html
# escapes everything and turns only [text](http(s)://...) into links), so
# these templates may output it raw -- that name and nothing else.
SERVER_MARKUP = {
    "templates/partials/footer.mustache": {"brand.footer_html"},
    # HTML emails carry the same server-built footer (links included).
    "templates/email/invite_html.mustache": {"brand.footer_html"},
    "templates/email/msp_decision_html.mustache": {"brand.footer_html"},
    "templates/email/msp_request_html.mustache": {"brand.footer_html"},
    "templates/email/reset_html.mustache": {"brand.footer_html"},
    "templates/email/signin_html.mustache": {"brand.footer_html"},
    "templates/email/report_html.mustache": {"brand.footer_html"},
    "templates/settings.mustache": {"wl.footer.html"},
    "templates/settings_branding.mustache": {"footer_html"},
    # The dashboard: partials/dashboard_board.mustache rendered (escaping as
    # every template does) by cgi/pages/dashboard.c and kept in its cache.
    "templates/dashboard.mustache": {"board_html"},
    # The PDF's running heads: CSS strings built by cgi/pages/reports_pdf.c
    # (css_string() escapes what could end the string or the style element).
    "templates/partials/report_css.mustache": {"css.head_left", "css.head_right", "css.foot_left",
                                               "css.page_number"},
}


def test_no_raw_interpolation_in_html_templates(ctx):
    offenders = []
    for path in glob.glob(os.path.join(portal.ROOT, "templates", "**", "*.mustache"), recursive=True):
        rel = os.path.relpath(path, portal.ROOT)
        with open(path) as f:
            text = f.read()
        if rel in SERVER_MARKUP:
            raw = set(re.findall(r"\{\{\{\s*([^}\s]+)\s*\}\}\}|\{\{&\s*([^}\s]+)\s*\}\}", text))
            names = {a or b for a, b in raw}
            if not names <= SERVER_MARKUP[rel]:
                offenders.append(rel)
            continue
        if re.search(r"\{\{\{|\{\{&", text) and not ALLOWED.search(rel):
            offenders.append(rel)
    assert not offenders, "raw interpolation in HTML templates: %r" % offenders


def test_every_email_has_subject_text_and_html(ctx):
    names = {}
    for path in glob.glob(os.path.join(portal.ROOT, "templates", "email", "*.mustache")):
        base, part = os.path.basename(path)[:-len(".mustache")].rsplit("_", 1)
        names.setdefault(base, set()).add(part)
    assert names, "no email templates"
    for base, parts in names.items():
        assert parts == {"subject", "text", "html"}, (base, parts)
    # An email is named by the literal its page queues it under (the one
    # string to search for from either side); every template is queued.
    queued = {}
    for path in sorted(glob.glob(os.path.join(portal.ROOT, "cgi", "**", "*.c"), recursive=True)):
        with open(path) as f:
            text = f.read()
        for name in (x or y or z for x, y, z in QUEUES.findall(text)):
            queued.setdefault(name, []).append(os.path.relpath(path, portal.ROOT))
    offenders = ["%s queues %s, which has no templates/email/%s_*.mustache" % (", ".join(files), name, name)
                 for name, files in sorted(queued.items()) if name not in names]
    offenders += ["templates/email/%s_*.mustache: no page queues it" % name for name in sorted(names)
                  if name not in queued]
    assert len(queued) >= 5 and not offenders, (sorted(queued), offenders)


# Where an email is queued: outbox_queue(tenant, to, "name", model), a
# link's mail by its purpose, account_link_request(req, "name", email), or
# a scheduled report's, outbox_queue_report(job, tenant, to, "name", ...).
QUEUES = re.compile(r'outbox_queue\s*\([^;]*?,\s*"([a-z_]+)"\s*,[^;,]*\)|account_link_request\s*\(\s*\w+\s*,\s*"([a-z_]+)"'
                    r'|outbox_queue_report\s*\([^;]*?,\s*"([a-z_]+)"\s*,')


# What a page file renders: the template it names for the page, and a
# template it renders itself (a partial it caches, say).
RENDERS = re.compile(r'req->template\s*=\s*"([^"]*)"|view_render_named\s*\(\s*"([^"]*)"')


def test_page_files_and_their_templates_share_a_name(ctx):
    # cgi/pages/X.c renders templates/X.mustache or X_PART.mustache (a
    # partial likewise: partials/X_PART.mustache), so that the file of a
    # page and its template are found from one another; and every page
    # template is some page file's.
    offenders, rendered = [], set()
    for path in sorted(glob.glob(os.path.join(portal.ROOT, "cgi", "pages", "*.c"))):
        stem = os.path.basename(path)[:-len(".c")]
        with open(path) as f:
            text = f.read()
        names = [a or b for a, b in RENDERS.findall(text)]
        # A name the rule can read: a string literal, never a variable.
        offenders += ["cgi/pages/%s.c: req->template = %s" % (stem, v.strip())
                      for v in re.findall(r"->template\s*=\s*([^;]*);", text) if not re.fullmatch(r'\s*"[^"]*"\s*', v)]
        for name in names:
            rendered.add(name)
            base = name.rsplit("/", 1)[-1]
            if base != stem and not base.startswith(stem + "_"):
                offenders.append("cgi/pages/%s.c renders %s" % (stem, name))
            if not os.path.isfile(os.path.join(portal.ROOT, "templates", name + ".mustache")):
                offenders.append("cgi/pages/%s.c renders %s, which is not a template" % (stem, name))
    assert len(rendered) >= 25, sorted(rendered)
    # layout is every page's parent; error is rendered by cgi/view.c.
    for path in glob.glob(os.path.join(portal.ROOT, "templates", "*.mustache")):
        name = os.path.basename(path)[:-len(".mustache")]
        if name not in rendered and name not in ("layout", "error"):
            offenders.append("templates/%s.mustache: no page file renders it" % name)
    assert not offenders, offenders


def test_no_page_links_to_an_empty_tenant(ctx):
    # A row with its own "tenant" key hides the page's tenant in a section
    # ({{tenant.id}} is then empty): every link and form must still name one.
    q = ctx.stack.psql
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    msp = int(q("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    co = int(q("SELECT min(id) FROM tenants WHERE parent_id = %d" % msp))
    # More than a page of audit entries, so that its pager shows.
    q("INSERT INTO audit_log (tenant_id, root_id, action, target) SELECT %d, %d, 'test.pager', 'p' || g"
      " FROM generate_series(1, 60) g" % (mssp, mssp))
    admin = ctx.login("admin@northwind.example")
    pages = ["", "/vulnerabilities?status=all", "/assets", "/incidents?status=all", "/analytics", "/sla", "/threats",
             "/msps", "/requests", "/audit", "/team", "/mail", "/settings", "/settings/branding", "/api-keys"]
    seen = 0
    for tid in (mssp, msp, co):
        for p in pages:
            r = admin.get("/t/%d%s" % (tid, p))
            if r.status != 200:
                continue
            seen += 1
            assert "/t//" not in r.text and '"/t/?' not in r.text, (tid, p, [l for l in r.text.splitlines()
                                                                          if "/t//" in l or '"/t/?' in l][:3])
    assert seen >= 30



def test_no_template_guards_a_list_with_its_first_row(ctx):
    # {{#rows.0}} ... {{#rows}} ... makes the first row a context of every
    # row: a key a later row lacks shows the first row's value (an open
    # finding showed the first row's fix date; a severity without fixes the
    # first customer's median). Lists are guarded with {{#has.rows}}
    # (cgi/view.h) instead.
    offenders = []
    for path in glob.glob(os.path.join(portal.ROOT, "templates", "**", "*.mustache"), recursive=True):
        with open(path) as f:
            offenders += ["%s: %s" % (os.path.relpath(path, portal.ROOT), m)
                          for m in re.findall(r"\{\{[#^][^}]*\.[0-9]+\s*\}\}", f.read())]
    assert not offenders, offenders


def test_a_rows_missing_values_stay_empty_in_lists(ctx):
    # A fixed finding listed first, then an open one, and a new incident
    # after an acknowledged one: the open finding shows no fix date, and
    # the new incident its Acknowledge button.
    q = ctx.stack.psql
    msp = int(q("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    n = int(q("SELECT count(*) FROM tenants")) + 1
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('company', 'Rows Co %d', 'eu', %d, '{0}', 0)" % (n, msp))
    co = int(q("SELECT id FROM tenants WHERE name = 'Rows Co %d'" % n))
    # (Lists run newest first: by severity, then time, then id, descending.)
    for e, cve, fixed in (("r2", "CVE-2031-0002", "NULL"), ("r1", "CVE-2031-0001", "now() - interval '1 day'")):
        q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
          " SELECT id, root_id, '%s', '%s', 'critical', date_trunc('day', now()) - interval '3 days', %s"
          " FROM tenants WHERE id = %d" % (e, cve, fixed, co))
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, acknowledged_at)"
      " SELECT %d, root_id, x.e, 'high', x.t, now() - x.ago, x.ack FROM tenants,"
      " (VALUES ('i1', 'Row one', interval '1 hour', now() - interval '30 minutes'),"
      "         ('i2', 'Row two', interval '2 hours', NULL)) AS x(e, t, ago, ack) WHERE id = %d" % (co, co))
    admin = ctx.login("admin@northwind.example")
    rows = admin.get_json("/t/%d/vulnerabilities?status=all" % co).json()["vulnerabilities"]
    assert [r["cve"] for r in rows][0] == "CVE-2031-0001" and "fixed" not in rows[1], rows  # (as listed)
    html = admin.get("/t/%d/vulnerabilities?status=all" % co).text
    row = next(l for l in html.split("<tr>") if "CVE-2031-0002</a>" in l).split("</tr>")[0]
    assert row.endswith("<td>%s</td><td></td>" % rows[1]["first_seen"]), row  # the Fixed cell: empty
    incidents = admin.get_json("/t/%d/incidents" % co).json()["incidents"]
    assert [i["title"] for i in incidents][0] == "Row one" and "acknowledged" not in incidents[1], incidents
    html = admin.get("/t/%d/incidents" % co).text
    row = html.split("Row two")[1].split("</tr>")[0]
    assert "Acknowledge</button>" in row, row
    # An incident closed by its sender (no resolution note): no empty quote.
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
      " SELECT id, root_id, 'i3', 'low', 'Row three', now() - interval '3 hours', now() FROM tenants WHERE id = %d" % co)
    row = admin.get("/t/%d/incidents?status=closed" % co).text.split("Row three")[1].split("</tr>")[0]
    assert "resolved " in row and '<q class="reason">' not in row, row
