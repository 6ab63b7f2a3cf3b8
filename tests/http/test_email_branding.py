"""Emails carry the sending tenant's brand: the subject starts with its
title, the HTML part has the footer with working links, the text part the
same footer with links spelled out."""
import time

import portal


def test_invitation_email_carries_title_and_footer_links(ctx):
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    with ctx.stack.restoring("branding", "tenant_id = %d" % mssp):
        ctx.stack.psql("INSERT INTO branding (tenant_id, root_id, page_title, footer) VALUES (%d, %d, 'Northwind SOC',"
                       " 'Help: [Support desk](https://help.northwind.example/desk) <b>24/7</b>')"
                       " ON CONFLICT (tenant_id) DO UPDATE SET page_title = excluded.page_title, footer = excluded.footer"
                       % (mssp, mssp))
        admin = ctx.login("admin@northwind.example")
        email = "brand%d@example.com" % (int(time.time() * 1000) % 1000000)
        before = len(ctx.stack.messages())
        r = admin.post("/t/%d/team/invite" % mssp, {"email": email, "name": "Brand Check", "role": "mssp_analyst"})
        assert r.status == 303, r
        msg = ctx.stack.wait_mail(lambda m: m["To"] == email, before, what="the invitation to %s" % email)
        assert str(msg["Subject"]).startswith("Northwind SOC: You are invited to Northwind Security")
        html = portal.body_of(msg, "html")
        assert '<a href="https://help.northwind.example/desk" rel="noopener noreferrer">Support desk</a>' in html
        assert "&lt;b&gt;24/7&lt;/b&gt;" in html and "<b>24/7</b>" not in html
        text = portal.body_of(msg)
        assert "Help: Support desk (https://help.northwind.example/desk) <b>24/7</b>" in text


def test_exported_reports_are_named_after_the_brand(ctx):
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    admin = ctx.login("admin@northwind.example")
    r = admin.get("/t/%d/export" % mssp)
    # The demo's Northwind has a brand of its own: "Northwind Secure".
    assert r.status == 200 and 'filename="northwind-secure-msps-' in r.header("Content-Disposition")
    with ctx.stack.restoring("branding", "tenant_id = %d" % mssp):
        ctx.stack.psql("INSERT INTO branding (tenant_id, root_id, page_title) VALUES (%d, %d, 'Northwind \"SOC\" / 24x7')"
                       " ON CONFLICT (tenant_id) DO UPDATE SET page_title = excluded.page_title" % (mssp, mssp))
        # A new session: the title was set from psql, which reaches a
        # session's cached context only a moment later.
        admin = ctx.login("admin@northwind.example")
        for path, what in (("/t/%d/export" % mssp, "msps"), ("/t/%d/audit/export" % mssp, "audit-log")):
            disp = admin.get(path).header("Content-Disposition")
            assert disp.startswith('attachment; filename="northwind-soc-24x7-%s-' % what) and disp.endswith('.csv"'), disp
        # A company user of an MSP under Northwind inherits that name.
        bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
        disp = ctx.login("owner@msp1.example").get("/t/%d/export" % bluefin).header("Content-Disposition")
        assert 'filename="northwind-soc-24x7-companies-' in disp, disp
