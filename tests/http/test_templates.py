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
    "templates/settings.mustache": {"wl.footer.html"},
    "templates/settings_branding.mustache": {"footer_html"},
    # The dashboard: partials/tenant_board.mustache rendered (escaping as
    # every template does) by cgi/pages/dashboard.c and kept in its cache.
    "templates/tenant.mustache": {"board_html"},
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
