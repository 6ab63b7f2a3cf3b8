"""The executive report (docs/reports.md, cgi/pages/reports.c,
report_executive()): every figure over a period, for a company and for the
MSP above it, equal to what the rows say; the period's form refuses what is
not a period and keeps what was typed; a report holds only what its viewer
may see, and names no other customer."""
import json
import os
import re
import subprocess
import threading
import time

import portal

NW_ADMIN = "admin@northwind.example"
FROM, TO = "2025-03-01", "2025-03-31"  # a past month: no demo row falls in it


def uniq(prefix):
    return "%s %d" % (prefix, int(time.time() * 1000000) % 10000000000)


def q(ctx, sql):
    return ctx.stack.psql(sql)


_world = {}


def world(ctx):
    """Under Northwind, an MSP with two companies whose rows in March 2025
    (and the month before) are known: their report's figures."""
    if _world.get("port") == ctx.port:
        return _world
    n = uniq("Report")
    nw = ctx.stack.tenant_id("Northwind Security")
    q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
           " VALUES ('msp', '%s MSP', 'eu', %d, '{0}', 0)" % (n, nw))
    msp = ctx.stack.tenant_id("%s MSP" % n)
    for c in ("A", "B"):
        q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
               " VALUES ('company', '%s Co %s', 'eu', %d, '{0}', 0)" % (n, c, msp))
    a, b = ctx.stack.tenant_id("%s Co A" % n), ctx.stack.tenant_id("%s Co B" % n)
    # Company A: 2 probes before March, 1 agent and 1 gateway new in March,
    # 1 external reported in April (after the period).
    q(ctx, "INSERT INTO assets (tenant_id, root_id, external_id, kind, name, created_at) SELECT %d, root_id, x.e, x.k,"
           " x.e, x.t::timestamptz FROM tenants, (VALUES ('p1', 'probe', '2025-01-10'), ('p2', 'probe', '2025-02-20'),"
           " ('a1', 'agent', '2025-03-05'), ('g1', 'gateway', '2025-03-31 23:00+00'),"
           " ('x1', 'external', '2025-04-01 00:00+00')) x(e, k, t) WHERE tenants.id = %d" % (a, a))
    # Vulnerabilities of A:
    #  v1 critical, seen 2024-12-01, open: open at start and end, > 90 days
    #  v2 critical, seen 2025-03-03, fixed 2025-03-13 (10 days)
    #  v3 high, seen 2025-02-10, fixed 2025-03-12 (30 days): open at start
    #  v4 high, seen 2025-03-20, open at the end (11.x days old)
    #  v5 low, seen 2025-01-15, fixed 2025-02-01: before the period
    #  v6 critical, seen 2025-04-02: after the period
    q(ctx, "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, asset_id, cve, severity, first_seen, fixed_at)"
           " SELECT %d, t.root_id, x.e, (SELECT id FROM assets WHERE tenant_id = %d AND external_id = 'p1'), x.c, x.s,"
           " x.f::timestamptz, x.x::timestamptz FROM tenants t, (VALUES"
           " ('v1', 'CVE-2024-0001', 'critical', '2024-12-01 00:00+00', NULL),"
           " ('v2', 'CVE-2025-0002', 'critical', '2025-03-03 00:00+00', '2025-03-13 00:00+00'),"
           " ('v3', 'CVE-2025-0003', 'high', '2025-02-10 00:00+00', '2025-03-12 00:00+00'),"
           " ('v4', 'CVE-2025-0004', 'high', '2025-03-20 00:00+00', NULL),"
           " ('v5', 'CVE-2025-0005', 'low', '2025-01-15 00:00+00', '2025-02-01 00:00+00'),"
           " ('v6', 'CVE-2025-0006', 'critical', '2025-04-02 00:00+00', NULL)) x(e, c, s, f, x)"
           " WHERE t.id = %d" % (a, a, a))
    # Incidents of A (default targets: critical ack 15 min, resolve 4 h):
    #  i1 critical, opened 03-10 10:00, ack +10 min, resolved +3 h: both met
    #  i2 critical, opened 03-11 10:00, ack +30 min, resolved +5 h: both missed
    #  i3 high, opened 03-30 10:00, never acknowledged: ack due (1 h), open at the end
    #  i4 critical, opened 2025-02-20, resolved 03-02: open at the start only
    q(ctx, "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
           " opened_at, acknowledged_at, closed_at, resolution_note)"
           " SELECT %d, t.root_id, x.e, x.s, x.ti, x.ind, 'ip', x.o::timestamptz, x.a::timestamptz, x.c::timestamptz, x.n"
           " FROM tenants t, (VALUES"
           " ('i1', 'critical', 'Beacon one', '198.51.100.7', '2025-03-10 10:00+00', '2025-03-10 10:10+00',"
           "  '2025-03-10 13:00+00', 'Host reimaged'),"
           " ('i2', 'critical', 'Beacon two', '198.51.100.7', '2025-03-11 10:00+00', '2025-03-11 10:30+00',"
           "  '2025-03-11 15:00+00', NULL),"
           " ('i3', 'high', 'Odd login', '203.0.113.9', '2025-03-30 10:00+00', NULL, NULL, NULL),"
           " ('i4', 'critical', 'Old one', NULL, '2025-02-20 10:00+00', '2025-02-20 10:05+00',"
           "  '2025-03-02 10:00+00', NULL)) x(e, s, ti, ind, o, a, c, n) WHERE t.id = %d" % (a, a))
    # Company B saw the same address once in March, and has one open critical
    # vulnerability from before.
    q(ctx, "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
           " opened_at) SELECT %d, root_id, 'j1', 'low', 'Scan', '198.51.100.7', 'ip', '2025-03-15 08:00+00'"
           " FROM tenants WHERE id = %d" % (b, b))
    q(ctx, "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen)"
           " SELECT %d, root_id, 'w1', 'CVE-2024-0009', 'critical', '2025-01-01 00:00+00' FROM tenants WHERE id = %d"
           % (b, b))
    # An MSP owner of the new MSP, a viewer of company A.
    owner, viewer = "rep-owner-%s@msp.example" % n.split()[-1], "rep-viewer-%s@co.example" % n.split()[-1]
    for email, tenant, role in ((owner, msp, "owner"), (viewer, a, "viewer")):
        q(ctx, "WITH u AS (INSERT INTO users (email, name, password_hash) SELECT '%s', 'Rep User', password_hash"
               " FROM users WHERE email = '%s' RETURNING id)"
               " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, %d, '%s' FROM u"
               % (email, NW_ADMIN, tenant, role))
    _world.clear()
    _world.update(port=ctx.port, nw=nw, msp=msp, a=a, b=b, n=n, owner=owner, viewer=viewer)
    return _world


def report(client, tenant, frm=FROM, to=TO):
    r = client.get_json("/t/%d/reports/executive?from=%s&to=%s" % (tenant, frm, to))
    assert r.status == 200, (r.status, r.body[:300])
    return r.json()["report"]


def by_sev(rows):
    return {r["severity"]: r for r in rows}


def test_a_company_report_says_what_its_rows_say(ctx):
    w = world(ctx)
    rep = report(ctx.login(NW_ADMIN), w["a"])
    assert rep["period"] == {"from": FROM, "to": TO, "days": 31, "before_from": "2025-01-29",
                             "before_to": "2025-02-28"}, rep["period"]
    assert rep["tenant"]["id"] == w["a"] and rep["customers"] is None
    # Coverage at the end of March, and new in March.
    cov = rep["coverage"]
    assert (cov["probe"], cov["agent"], cov["gateway"], cov["external"]) == (
        {"total": 2, "new": 0}, {"total": 1, "new": 1}, {"total": 1, "new": 1}, {"total": 0, "new": 0}), cov
    # Vulnerabilities.
    v = by_sev(rep["vulnerabilities"]["by_severity"])
    assert (v["critical"]["open_start"], v["critical"]["opened"], v["critical"]["fixed"],
            v["critical"]["open_end"]) == (1, 1, 1, 1), v["critical"]
    assert (v["high"]["open_start"], v["high"]["opened"], v["high"]["fixed"], v["high"]["open_end"]) == (1, 1, 1, 1)
    assert (v["critical"]["over_30"], v["critical"]["over_60"], v["critical"]["over_90"]) == (1, 1, 1)
    assert (v["high"]["over_30"], v["low"]["open_end"], v["low"]["fixed"]) == (0, 0, 0)
    assert v["critical"]["median_days_to_fix"] == 10 and v["high"]["median_days_to_fix"] == 30
    assert [(c["cve"], c["open"]) for c in rep["vulnerabilities"]["top_cves"]] == [
        ("CVE-2024-0001", 1), ("CVE-2025-0004", 1)]
    # Incidents opened in March: times and the SLA at the period's end.
    i = by_sev(rep["incidents"]["by_severity"])
    assert (i["critical"]["opened"], i["critical"]["resolved"], i["critical"]["open_end"]) == (2, 2, 0)
    assert i["critical"]["ack_mean"] == 20 and i["critical"]["resolve_mean"] == 240, i["critical"]
    assert (i["critical"]["ack_met"], i["critical"]["ack_due"], i["critical"]["resolve_met"],
            i["critical"]["resolve_due"]) == (1, 2, 1, 2)
    # i3: its hour to acknowledge and its day to resolve both passed by the end.
    assert (i["high"]["opened"], i["high"]["open_end"], i["high"]["ack_met"], i["high"]["ack_due"],
            i["high"]["resolve_met"], i["high"]["resolve_due"]) == (1, 1, 0, 1, 0, 1), i["high"]
    assert i["high"]["ack_mean"] is None
    serious = rep["incidents"]["serious"]
    assert [s["title"] for s in serious] == ["Beacon one", "Beacon two", "Odd login"]
    assert serious[0]["note"] == "Host reimaged" and serious[0]["status"] == "resolved"
    assert serious[2]["status"] == "new"
    # Risk at the end: 3 (the open high incident) + 1 (v1); at the start:
    # 10 (i4 open) + 1 (v1).
    assert (rep["risk"]["now"], rep["risk"]["before"], rep["risk"]["change"]) == (4, 11, -7), rep["risk"]
    assert rep["risk"]["delta"]["tone"] == "good"
    # Threats: the address A saw twice; B saw it too (counted, not named).
    t = {x["indicator"]: x for x in rep["threats"]}
    assert (t["198.51.100.7"]["incidents"], t["198.51.100.7"]["elsewhere"]) == (2, 1)
    assert t["203.0.113.9"]["elsewhere"] == 0
    recs = " ".join(rep["recommendations"])
    assert "1 critical vulnerability open over 30 days on 1 asset" in recs, recs
    assert "Critical incidents were acknowledged within target 50%" in recs, recs
    assert "High incidents were acknowledged within target 0%" in recs, recs


def test_an_msp_report_adds_up_its_customers_and_ranks_them(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    rep = report(owner, w["msp"])
    assert rep["tenants"] == 3  # the MSP and its two companies
    v = by_sev(rep["vulnerabilities"]["by_severity"])
    assert v["critical"]["open_end"] == 2  # v1 of A, w1 of B
    i = by_sev(rep["incidents"]["by_severity"])
    assert (i["critical"]["opened"], i["high"]["opened"], i["low"]["opened"]) == (2, 1, 1)
    assert rep["risk"]["now"] == 4 + 3 + 1  # A's 4; B: the open low incident 3 and w1 1
    t = {x["indicator"]: x for x in rep["threats"]}
    assert (t["198.51.100.7"]["customers"], t["198.51.100.7"]["incidents"]) == (2, 3)
    cust = rep["customers"]
    # Both at 4: by name then.
    assert [(c["id"], c["risk"], c["risk_before"], c["critical_open"], c["resolve_met"], c["resolve_due"])
            for c in cust] == [(w["a"], 4, 11, 1, 1, 3), (w["b"], 4, 1, 1, 0, 1)], cust
    assert [c["rank"] for c in cust] == [1, 2]
    # The page: each customer links to its own report for the period.
    page = owner.get("/t/%d/reports/executive?from=%s&to=%s" % (w["msp"], FROM, TO)).text
    assert 'href="/t/%d/reports/executive?from=%s&amp;to=%s"' % (w["b"], FROM, TO) in page


def test_the_period_form_refuses_what_is_not_a_period_and_keeps_what_was_typed(ctx):
    w = world(ctx)
    c = ctx.login(NW_ADMIN)
    cases = [
        ("2025-02-30", TO, "from", "From must be a day like 2026-01-31"),
        (FROM, "31/03/2025", "to", "To must be a day like 2026-01-31"),
        ("1999-12-31", TO, "from", "from 2000 to today"),
        ("2025-03-31", "2025-03-01", "to", "To must be on or after From."),
        ("2024-01-01", "2025-03-31", "to", "A report covers at most 366 days."),
        ("", TO, "from", "From is required."),
    ]
    for frm, to, field, msg in cases:
        r = c.get("/t/%d/reports/executive?from=%s&to=%s" % (w["a"], frm, to))
        assert r.status == 400, (frm, to, r.status)
        assert msg in r.text and 'aria-invalid="true"' in r.text, (frm, to)
        assert 'value="%s"' % to in r.text and "Risk score" not in r.text
        j = c.get_json("/t/%d/reports/executive?from=%s&to=%s" % (w["a"], frm, to)).json()
        assert msg in j["period"]["errors"][field] and j["period"]["values"] == {"from": frm, "to": to}
    # No period at all: the previous calendar month.
    j = c.get_json("/t/%d/reports/executive" % w["a"]).json()
    first = time.gmtime()
    prev_year, prev_month = (first.tm_year, first.tm_mon - 1) if first.tm_mon > 1 else (first.tm_year - 1, 12)
    assert j["report"]["period"]["from"] == "%04d-%02d-01" % (prev_year, prev_month), j["report"]["period"]
    assert j["period"]["values"]["to"] == j["report"]["period"]["to"]


def test_a_report_holds_only_what_its_viewer_may_see(ctx):
    w = world(ctx)
    viewer = ctx.login(w["viewer"])
    rep = report(viewer, w["a"])
    assert rep["tenant"]["name"] == "%s Co A" % w["n"]
    page = viewer.get("/t/%d/reports/executive?from=%s&to=%s" % (w["a"], FROM, TO)).text
    assert "%s Co B" % w["n"] not in page and "%s MSP" % w["n"] not in json.dumps(rep)
    # Another company's report, or the MSP's: not found.
    for other in (w["b"], w["msp"]):
        assert viewer.get("/t/%d/reports/executive?from=%s&to=%s" % (other, FROM, TO)).status == 404
    # Another MSSP's admin cannot open it either.
    stranger = ctx.login("owner@evergreen.example")
    assert stranger.get("/t/%d/reports/executive?from=%s&to=%s" % (w["a"], FROM, TO)).status in (403, 404)
    assert portal is not None


def test_the_csv_has_every_table_of_the_report_with_the_same_figures(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    rep = report(owner, w["msp"])
    r = owner.get("/t/%d/reports/executive/export?from=%s&to=%s" % (w["msp"], FROM, TO))
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv"), r.status
    assert "attachment" in r.header("Content-Disposition") and "report-%s-%s" % (FROM, TO) in \
        r.header("Content-Disposition")
    lines = r.text.strip().split("\r\n")
    assert lines[0] == "table,row,figure,value"
    cells = {}
    for line in lines[1:]:
        table, row, figure, value = line.split(",", 3)
        cells[(table, row, figure)] = value
    assert cells[("risk_score", TO, "end")] == str(rep["risk"]["now"])
    for v in rep["vulnerabilities"]["by_severity"]:
        for k in ("open_start", "opened", "fixed", "open_end", "over_30", "over_90"):
            assert cells[("vulnerabilities", v["severity"], k)] == str(v[k]), (v["severity"], k)
    crit = by_sev(rep["vulnerabilities"]["by_severity"])["critical"]
    assert float(cells[("vulnerabilities", "critical", "median_days_to_fix")]) == crit["median_days_to_fix"]
    for i in rep["incidents"]["by_severity"]:
        for k in ("opened", "resolved", "open_end", "ack_met", "ack_due", "resolve_met", "resolve_due"):
            assert cells[("incidents", i["severity"], k)] == str(i[k]), (i["severity"], k)
    for c in rep["customers"]:
        assert cells[("customers", c["name"], "risk")] == str(c["risk"])
    assert cells[("coverage", "gateway", "total")] == "1"
    assert {k[1] for k in cells if k[0] == "threats"} == {t["indicator"] for t in rep["threats"]}
    assert sum(1 for k in cells if k[0] == "recommendations") == len(rep["recommendations"])
    # A period that is not one: the form again, not a file.
    r = owner.get("/t/%d/reports/executive/export?from=2025-04-01&to=2025-03-01" % w["msp"])
    assert r.status == 400 and "To must be on or after From." in r.text


def test_ctl_report_writes_the_same_figures_as_the_page(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    page_csv = owner.get("/t/%d/reports/executive/export?from=%s&to=%s" % (w["msp"], FROM, TO)).text
    out = os.path.join(ctx.stack.var, "report-%d.csv" % w["msp"])
    r = ctx.stack.ctl("report", "--tenant", str(w["msp"]), "--from", FROM, "--to", TO, "--out", out)
    assert r.returncode == 0, r.stdout
    with open(out, encoding="utf-8", newline="") as f:
        assert f.read() == page_csv  # the MSP's owner sees its whole subtree, as the operator does
    out_json = out[:-4] + ".json"
    assert ctx.stack.ctl("report", "--tenant", str(w["msp"]), "--from", FROM, "--to", TO,
                         "--out", out_json).returncode == 0
    with open(out_json, encoding="utf-8") as f:
        assert json.load(f)["risk"]["now"] == report(owner, w["msp"])["risk"]["now"]
    for args, msg in [(("--from", "2025-02-30", "--to", TO, "--out", out), "From must be a day"),
                      (("--from", TO, "--to", FROM, "--out", out), "To must be on or after From."),
                      (("--from", FROM, "--to", TO, "--out", out[:-4] + ".txt"), "must end in .pdf, .json or .csv"),
                      (("--from", FROM, "--to", TO, "--paper", "a3", "--out", out), "the paper is a4 or letter"),
                      (("--from", FROM, "--to", TO, "--kind", "weekly", "--out", out), "executive or consolidated")]:
        r = ctx.stack.ctl("report", "--tenant", str(w["msp"]), *args)
        assert r.returncode == 1 and msg in r.stdout, r.stdout
    r = ctx.stack.ctl("report", "--tenant", "999999999", "--from", FROM, "--to", TO, "--out", out)
    assert r.returncode == 1 and "no such tenant" in r.stdout, r.stdout


def test_a_report_too_long_to_wait_for_offers_its_pdf_and_ctl_says_why(ctx):
    """A report whose figures take longer than PORTAL_REPORT_WAIT (the
    page's; here 2 s) is not a 500: the page answers 503 with its period
    kept and the way to its PDF, which the reporter gathers without anyone
    waiting; ctl report and the reporter wait REPORTER_STATEMENT_TIMEOUT
    and say so when it passes. A psql session holding sla_targets (which
    the figures read) is what makes them slow here."""
    w = world(ctx)
    path = "/t/%d/reports/executive?from=%s&to=%s" % (w["msp"], FROM, TO)
    with ctx.stack.master_with(PORTAL_REPORT_WAIT="2"):
        owner = ctx.login(w["owner"])
        assert owner.get(path).status == 200
        answers = {}
        with ctx.stack.table_locked("sla_targets"):
            t0 = time.time()
            threads = [threading.Thread(target=lambda k=k, f=f: answers.setdefault(k, f(path)))
                       for k, f in (("html", owner.get), ("json", owner.get_json))]
            for t in threads:
                t.start()
            r = ctx.stack.ctl("report", "--tenant", str(w["msp"]), "--from", FROM, "--to", TO, "--out",
                              os.path.join(ctx.stack.var, "report-slow.csv"), env={"REPORTER_STATEMENT_TIMEOUT": "1"})
            assert r.returncode == 1 and "the report's figures took longer than 1 s (REPORTER_STATEMENT_TIMEOUT)" in \
                r.stdout, r.stdout
            for t in threads:
                t.join(30)
            waited = time.time() - t0
        html, js = answers["html"], answers["json"]
        assert html.status == 503 and "This report is too large to show while you wait." in html.text, html
        assert "took longer than 2 seconds" in html.text and 'href="/t/%d/reports">Make it as a PDF' % w["msp"] in html.text
        assert 'value="%s"' % FROM in html.text and 'value="%s"' % TO in html.text  # the period kept
        assert 'class="report-score' not in html.text
        assert js.status == 503 and js.json()["too_long"] == 2 and "report" not in js.json(), js.text[:300]
        assert js.json()["period"]["values"] == {"from": FROM, "to": TO}
        assert waited >= 2
        # The lock gone, the same page answers at once.
        r = owner.get(path)
        assert r.status == 200 and "too large to show" not in r.text


# A 2 x 1 PNG: the logo the MSP's brand carries into its PDFs.
LOGO_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAAD0lEQVR4nGMQMYo7cec/AAgAA0j2xmc2AAAAAElFTkSuQmCC"


def brand_the_msp(ctx, w):
    """The MSP's own brand (title, footer, light logo), once; its title."""
    if w.get("brand"):
        return w["brand"]
    # A title that would end a CSS string or the style element if it were
    # not escaped where the running heads take it.
    title = 'Rep "Brand" </style> %s' % w["n"].split()[-1]
    q(ctx, "WITH l AS (INSERT INTO branding_logos (tenant_id, root_id, variant, content_type, bytes, sha256,"
           " width, height) SELECT id, root_id, 'light', 'image/png', decode('%s', 'base64'),"
           " encode(sha256(decode('%s', 'base64')), 'hex'), 2, 1 FROM tenants WHERE id = %d RETURNING id, root_id)"
           " INSERT INTO branding (tenant_id, root_id, page_title, footer, logo_light_id)"
           " SELECT %d, root_id, '%s', 'Rep footer & <care>', id FROM l" % (LOGO_PNG, LOGO_PNG, w["msp"], w["msp"], title))
    w["brand"] = title
    return title


def pdf_pages(path):
    """The text of each page of a PDF (pdftotext, poppler-utils)."""
    text = subprocess.run(["pdftotext", "-layout", path, "-"], stdout=subprocess.PIPE, check=True, text=True).stdout
    return text.split("\f")[:-1]


def pdf_info(path, tool):
    return subprocess.run([tool, path], stdout=subprocess.PIPE, check=True, text=True).stdout


def words(text):
    return " ".join(text.split())


def test_ctl_report_prints_a_branded_pdf_with_the_figures_of_the_csv(ctx):
    w = world(ctx)
    title = brand_the_msp(ctx, w)
    out = os.path.join(ctx.stack.var, "report-%d.pdf" % w["a"])
    r = ctx.stack.ctl("report", "--tenant", str(w["a"]), "--from", FROM, "--to", TO, "--out", out)
    assert r.returncode == 0, r.stdout
    csv_out = out[:-4] + ".csv"
    assert ctx.stack.ctl("report", "--tenant", str(w["a"]), "--from", FROM, "--to", TO,
                         "--out", csv_out).returncode == 0
    cells = {}
    with open(csv_out, encoding="utf-8", newline="") as f:
        for line in f.read().strip().split("\r\n")[1:]:
            table, row, figure, value = line.split(",", 3)
            cells[(table, row, figure)] = value
    pages = pdf_pages(out)
    info = pdf_info(out, "pdfinfo")
    assert re.search(r"Page size:\s+594.96 x 841.92 pts \(A4\)", info), info
    assert re.search(r"Pages:\s+%d\n" % len(pages), info), (len(pages), info)
    # The cover: the brand of the company's provider, the company, the period.
    cover = words(pages[0])
    assert title in cover and "Executive report" in cover and "%s Co A" % w["n"] in cover, cover
    assert "%s to %s" % (FROM, TO) in cover
    # Every other page: the brand and the customer at the top, the footer
    # (escaped into the style sheet, read back as typed) and "n / N" below.
    for i, page in enumerate(pages[1:], start=2):
        text = words(page)
        assert title in text and "%s Co A" % w["n"] in text, (i, text[:200])
        # (pdftotext reads the margin boxes' spaces as it likes)
        tight = "".join(text.split())
        assert "Repfooter&<care>" in tight and "%d/%d" % (i, len(pages)) in tight, (i, text[-200:])
    body = words(" ".join(pages))
    # The figures, as the CSV has them: the risk score, coverage, each
    # severity's row of vulnerabilities and incidents.
    assert re.search(r"Risk score %s " % cells[("risk_score", TO, "end")], body), body[:600]
    assert "Gateways %s %s" % (cells[("coverage", "gateway", "total")], cells[("coverage", "gateway", "new")]) in body
    for sev in ("critical", "high", "medium", "low"):
        row = " ".join(cells[("vulnerabilities", sev, k)] for k in
                       ("open_start", "opened", "fixed", "open_end", "over_30", "over_60", "over_90"))
        assert "%s %s " % (sev, row) in body, (sev, row)
        row = " ".join(cells[("incidents", sev, k)] for k in ("opened", "resolved", "open_end"))
        assert "%s %s " % (sev, row) in body, (sev, row)
    for (table, row, figure), value in cells.items():
        if table == "recommendations":
            assert words(value.strip('"')) in body, value
        if table == "top_cves" and figure == "open":
            assert row in body
    # Not a consolidated report: no contents, no ranking of customers.
    assert "Contents" not in body and "Customers by risk" not in body
    # Fonts embedded; the charts are vector, the one image is the logo.
    fonts = pdf_info(out, "pdffonts").splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", f) for f in fonts), fonts
    assert any("DejaVuSans" in f for f in fonts), fonts
    images = subprocess.run(["pdfimages", "-list", out], stdout=subprocess.PIPE, check=True,
                            text=True).stdout.splitlines()[2:]
    assert len(images) == 1 and " 2 " in images[0], images


def test_a_consolidated_pdf_has_its_contents_on_the_right_pages(ctx):
    w = world(ctx)
    title = brand_the_msp(ctx, w)
    out = os.path.join(ctx.stack.var, "report-%d-letter.pdf" % w["msp"])
    # The appendix in parts of one customer each (REPORT_PART_ROWS), as
    # 2,000 customers are printed 400 at a time.
    r = ctx.stack.ctl("report", "--tenant", str(w["msp"]), "--kind", "consolidated", "--paper", "letter",
                      "--from", FROM, "--to", TO, "--out", out, env={"REPORT_PART_ROWS": "1"})
    assert r.returncode == 0, r.stdout
    info = pdf_info(out, "pdfinfo")
    assert re.search(r"Page size:\s+612 x 792 pts \(letter\)", info), info
    assert re.search(r"Tagged:\s+yes", info), info
    pages = pdf_pages(out)
    assert re.search(r"Pages:\s+%d\n" % len(pages), info), (len(pages), info)
    assert "Consolidated executive report" in words(pages[0]) and title in words(pages[0])
    toc = re.findall(r"^\s*([0-9]+|A)\. (.+?) +(\d+)\s*$", pages[1], re.M)
    assert [t[1] for t in toc] == ["Risk score", "Recommendations", "Coverage", "Vulnerabilities", "Incidents",
                                   "Threats seen across customers", "Customers by risk", "Definitions",
                                   "Appendix: all customers, ranked"], pages[1]
    for n, heading, page in toc:
        found = [i + 1 for i, p in enumerate(pages) if re.search(r"^\s*%s\s*$" % re.escape(heading), p, re.M)]
        assert found and found[0] == int(page), (heading, page, found)
    # The appendix: a part per customer, each on pages of its own after the
    # report, ranked; every page but the cover branded and numbered "n / N"
    # (the numbers laid over the joined parts).
    first = int(toc[-1][2])
    assert first == len(pages) - 1, (first, len(pages))
    a, b = words(pages[first - 1]), words(pages[first])
    one = re.findall(r"\b([12]) %s Co ([AB]) " % re.escape(w["n"]), a)
    two = re.findall(r"\b([12]) %s Co ([AB]) " % re.escape(w["n"]), b)
    assert len(one) == 1 and len(two) == 1 and one[0][0] == "1" and two[0][0] == "2", (a, b)
    assert {one[0][1], two[0][1]} == {"A", "B"}, (one, two)
    assert "Appendix: all customers, ranked" in a and "Appendix" not in b, b
    for i, page in enumerate(pages[1:], start=2):
        text = words(page)
        assert title in text and "%s MSP" % w["n"] in text, (i, text[:200])
        tight = "".join(text.split())
        assert "Repfooter&<care>" in tight and tight.endswith("%d/%d" % (i, len(pages))), (i, text[-200:])
    # The report itself names no customer in a ranking: it points to the appendix.
    body = words(" ".join(pages[:first - 1]))
    assert "All 2 customers are ranked in the appendix" in body, body[-800:]
    body = words(" ".join(pages))
    assert "%s Co A" % w["n"] in body and "%s Co B" % w["n"] in body
    assert "Customers that need attention" in body and "Distribution of risk scores" in body
    assert re.search(r"%s Co B: [^.]*1 critical vulnerability open" % re.escape(w["n"]), body), body
    # A company has no customers to consolidate.
    r = ctx.stack.ctl("report", "--tenant", str(w["a"]), "--kind", "consolidated", "--from", FROM, "--to", TO,
                      "--out", out)
    assert r.returncode == 1 and "is a company" in r.stdout, r.stdout
    # The executive kind of the MSP: its own figures, no ranking.
    r = ctx.stack.ctl("report", "--tenant", str(w["msp"]), "--kind", "executive", "--from", FROM, "--to", TO,
                      "--out", out[:-4] + ".csv")
    assert r.returncode == 0, r.stdout
    with open(out[:-4] + ".csv", encoding="utf-8") as f:
        text = f.read()
    assert "\nrisk_score," in text and "\ncustomers," not in text and "\nrisk_distribution," not in text


# ------------------------------------------------------- the Reports page
def jobs(client, tenant):
    r = client.get_json("/t/%d/reports" % tenant)
    assert r.status == 200, (r.status, r.body[:300])
    return r.json()["jobs"]


def ask(client, tenant, **fields):
    f = {"kind": "executive", "from": FROM, "to": TO, "paper": "a4"}
    f.update(fields)
    return client.post("/t/%d/reports" % tenant, f)


def ready(client, tenant, job_id, timeout=180):
    """The job once the reporter has made it (or failed it for good)."""
    def done():
        j = [x for x in jobs(client, tenant) if x["id"] == job_id]
        return j and j[0]["state"] in ("done", "failed") and j[0]
    return portal.wait_for("report %d to be made" % job_id, done, timeout)


def test_the_reports_page_makes_a_pdf_off_the_request_path(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    page = owner.get("/t/%d/reports" % w["msp"]).text
    assert "Make the PDF" in page and 'value="consolidated" selected' in page  # an MSP's default
    r = ask(owner, w["msp"], kind="consolidated", paper="letter")
    assert r.status == 303 and r.header("Location").endswith("/reports?done=requested"), r
    job = jobs(owner, w["msp"])[0]
    assert (job["kind"], job["from"], job["to"], job["paper"], job["mine"]) == (
        "consolidated", FROM, TO, "Letter", True), job
    assert job["state"] in ("queued", "running", "done")
    # A job asked for on the page: no schedule's or retry's words (a key a
    # row lacks must not fall through to the page's own).
    page = owner.get("/t/%d/reports" % w["msp"]).text
    assert "attempt 0" not in page and "Every :" not in page
    job = ready(owner, w["msp"], job["id"])
    assert job["state"] == "done" and job["attempts"] == 1 and job["expires_at"], job
    assert job["scheduled"] is False and job["retrying"] is False
    r = owner.get("/t/%d/reports/%d/pdf" % (w["msp"], job["id"]))
    assert r.status == 200 and r.header("Content-Type") == "application/pdf", r
    assert "attachment" in r.header("Content-Disposition") and "-consolidated-report-%s-%s-" % (FROM, TO) in \
        r.header("Content-Disposition"), r.header("Content-Disposition")
    assert r.body.startswith(b"%PDF-") and "no-store" in r.header("Cache-Control")
    path = os.path.join(ctx.stack.var, "job-%d.pdf" % job["id"])
    with open(path, "wb") as f:
        f.write(r.body)
    assert re.search(r"Page size:\s+612 x 792 pts \(letter\)", pdf_info(path, "pdfinfo"))
    body = words(" ".join(pdf_pages(path)))
    assert "Consolidated executive report" in body and "%s Co B" % w["n"] in body
    # The same figures as the page: the risk score at the end.
    assert re.search(r"Risk score %d " % report(owner, w["msp"])["risk"]["now"], body)
    audit = owner.get_json("/t/%d/audit?action=report." % w["msp"]).json()["entries"]
    assert any(e["action"] == "report.requested" and e["target"] == "report:%d" % job["id"] for e in audit), audit


def test_a_report_job_holds_only_what_its_requester_may_see(ctx):
    w = world(ctx)
    viewer, owner = ctx.login(w["viewer"]), ctx.login(w["owner"])
    # The company's viewer: an executive report of the company, no other.
    r = ask(viewer, w["a"], kind="consolidated")
    assert r.status == 400 and "A consolidated report covers the customers" in r.text, r.status
    r = ask(viewer, w["a"], **{"from": "2025-04-01", "to": "2025-03-01", "paper": "a5"})
    assert r.status == 400 and "To must be on or after From." in r.text and 'value="2025-04-01"' in r.text
    assert "Paper" in r.text and 'aria-invalid="true"' in r.text
    assert ask(viewer, w["b"]).status == 404  # not theirs
    assert ask(viewer, w["a"]).status == 303
    mine = jobs(viewer, w["a"])[0]
    mine = ready(viewer, w["a"], mine["id"])
    assert mine["state"] == "done", mine
    pdf = viewer.get("/t/%d/reports/%d/pdf" % (w["a"], mine["id"]))
    assert pdf.status == 200
    path = os.path.join(ctx.stack.var, "job-%d.pdf" % mine["id"])
    with open(path, "wb") as f:
        f.write(pdf.body)
    body = words(" ".join(pdf_pages(path)))
    assert "%s Co A" % w["n"] in body and "%s Co B" % w["n"] not in body and "Customers by risk" not in body
    # The MSP's owner (who sees the whole tenant) sees the viewer's report;
    # the viewer does not see the owner's, nor get its file.
    assert mine["id"] in [j["id"] for j in jobs(owner, w["a"])]
    assert ask(owner, w["a"]).status == 303
    theirs = [j for j in jobs(owner, w["a"]) if j["mine"]][0]
    assert theirs["id"] not in [j["id"] for j in jobs(viewer, w["a"])]
    ready(owner, w["a"], theirs["id"])
    assert viewer.get("/t/%d/reports/%d/pdf" % (w["a"], theirs["id"])).status == 404
    # Nor through another tenant's URL.
    assert owner.get("/t/%d/reports/%d/pdf" % (w["b"], theirs["id"])).status == 404


def test_a_report_that_cannot_be_made_is_retried_then_shown_failed(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    # Asked by someone since disabled: the reporter may not act for them.
    gone = "rep-gone-%s@co.example" % w["n"].split()[-1]
    uid = ctx.stack.new_user(gone, (w["a"], "viewer"))
    q(ctx, "UPDATE users SET status = 'disabled' WHERE id = %d" % uid)
    job = int(q(ctx, "INSERT INTO report_jobs (tenant_id, root_id, requested_by, kind, period_from, period_to)"
                     " SELECT id, root_id, %d, 'executive', '%s', '%s' FROM tenants WHERE id = %d RETURNING id"
                     % (uid, FROM, TO, w["a"])))
    row = ready(owner, w["a"], job, timeout=60)
    assert row["state"] == "failed" and row["attempts"] == 3, row
    assert "no longer an active user" in row["error"], row
    page = owner.get("/t/%d/reports" % w["a"]).text
    assert "Failed" in page and "after 3 attempts" in page and "no longer an active user" in page
    assert owner.get("/t/%d/reports/%d/pdf" % (w["a"], job)).status == 404


def test_retention_drops_the_file_and_only_admins_set_it(ctx):
    w = world(ctx)
    owner, viewer = ctx.login(w["owner"]), ctx.login(w["viewer"])
    assert viewer.post("/t/%d/reports/retention" % w["a"], {"days": "5"}).status == 403
    r = owner.post("/t/%d/reports/retention" % w["a"], {"days": "0"})
    assert r.status == 400 and 'aria-invalid="true"' in r.text and 'value="0"' in r.text
    assert owner.post("/t/%d/reports/retention" % w["a"], {"days": "30"}).status == 303
    assert owner.get_json("/t/%d/reports" % w["a"]).json()["retention_days"] == 30
    assert owner.get_json("/t/%d/reports" % w["b"]).json()["retention_days"] == 90  # B follows the MSP: default
    assert ask(owner, w["a"]).status == 303
    job = ready(owner, w["a"], [j for j in jobs(owner, w["a"]) if j["mine"]][0]["id"])
    assert job["state"] == "done"
    # A month on: the reporter's housekeeping drops the file, keeps the row.
    q(ctx, "UPDATE report_jobs SET expires_at = now() - interval '1 second' WHERE id = %d" % job["id"])
    assert int(q(ctx, "SELECT report_jobs_expire(3)")) >= 1
    row = [j for j in jobs(owner, w["a"]) if j["id"] == job["id"]][0]
    assert row["state"] == "expired", row
    assert owner.get("/t/%d/reports/%d/pdf" % (w["a"], job["id"])).status == 404
    assert q(ctx, "SELECT pdf IS NULL FROM report_jobs WHERE id = %d" % job["id"]) == "t"


# ------------------------------------------------------------- schedules
class Reporter:
    """A second reporter process (the stack's staged binary), run as
    scripts/stack runs it, polling fast."""

    def __init__(self, ctx, name):
        st = ctx.stack
        self.log_path = os.path.join(st.var, "log", name + ".log")
        e = st.env()
        e.update({"PORTAL_DB": "host=%s dbname=portal user=portal_reporter" % os.path.join(st.var, "run"),
                  "PORTAL_TEMPLATES": os.path.join(st.var, "app", "templates"), "REPORTER_POLL_MS": "100",
                  "REPORTER_BACKOFF_SECONDS": "1", "PORTAL_BASE_URL": "http://127.0.0.1:%d" % st.port})
        cmd = [os.path.join(st.var, "app", "bin", "reporter")]
        if os.getuid() == 0:
            cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % portal._gid("mssp-portal"), "--init-groups",
                   "--"] + cmd
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, env=e, stdout=self.logf, stderr=subprocess.STDOUT)
        portal.wait_for("%s to start" % name, lambda: "reporter started" in self.log(), 10)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(60)
        finally:
            self.logf.close()


def schedule(client, tenant, **fields):
    f = {"kind": "consolidated", "paper": "a4", "cadence": "monthly", "delivery": "attachment",
         "recipients": ""}
    f.update(fields)
    return client.post("/t/%d/reports/schedules" % tenant, f)


def last_month():
    t = time.gmtime()
    y, m = (t.tm_year, t.tm_mon - 1) if t.tm_mon > 1 else (t.tm_year - 1, 12)
    return "%04d-%02d-01" % (y, m)


def test_a_schedule_fires_once_per_period_with_two_reporters_and_mails_the_pdf(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    tag = w["n"].split()[-1]
    to = ["sched-a-%s@rep.example" % tag, "sched-b-%s@rep.example" % tag]
    # The form refuses what is not a list of addresses, keeping what was typed.
    r = schedule(owner, w["msp"], recipients="%s, not-an-address" % to[0])
    assert r.status == 400 and "not-an-address is not an email address." in r.text and "not-an-address" in r.text
    assert schedule(owner, w["a"], kind="consolidated", recipients=to[0]).status == 400
    assert ctx.login(w["viewer"]).post("/t/%d/reports/schedules" % w["a"], {
        "kind": "executive", "paper": "a4", "cadence": "weekly", "delivery": "link", "recipients": to[0]}).status == 403
    r = schedule(owner, w["msp"], recipients="%s\n%s\n%s" % (to[0], to[1].upper(), to[0]))
    assert r.status == 303 and r.header("Location").endswith("done=scheduled"), r
    sch = owner.get_json("/t/%d/reports" % w["msp"]).json()["schedules"]
    assert len(sch) == 1 and sch[0]["recipients"] == to and sch[0]["cadence"] == "monthly", sch
    assert sch[0]["next_run_at"].endswith("06:00") and sch[0]["next_run_at"][8:10] == "01", sch
    # Due now, with two reporters running: one report for last month.
    since = len(ctx.stack.messages())
    second = Reporter(ctx, "reporter-2-%s" % tag)
    try:
        q(ctx, "UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE id = %d" % sch[0]["id"])
        job = portal.wait_for("the scheduled report", lambda: next(
            (j for j in jobs(owner, w["msp"]) if j["scheduled"]), None), 20)
        job = ready(owner, w["msp"], job["id"])
        assert job["state"] == "done" and job["from"] == last_month() and job["kind"] == "consolidated", job
        assert job["scheduled"]["cadence"] == "monthly"
        # Due again for the same period (a clock set back, a second firing):
        # still one report.
        q(ctx, "UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE id = %d" % sch[0]["id"])
        portal.wait_for("the schedule to be taken again", lambda: q(
            ctx, "SELECT next_run_at > now() FROM report_schedules WHERE id = %d" % sch[0]["id"]) == "t", 20)
    finally:
        second.stop()
    assert q(ctx, "SELECT count(*) FROM report_jobs WHERE schedule_id = %d" % sch[0]["id"]) == "1"
    # Each recipient gets one mail with the PDF attached, in the brand.
    for addr in to:
        msg = ctx.stack.wait_mail(lambda m, a=addr: m["To"] == a, since=since, timeout=60, what="mail to " + addr)
        assert "Consolidated report for %s MSP" % w["n"] in msg["Subject"], msg["Subject"]
        files = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(files) == 1 and files[0].get_content().startswith(b"%PDF-"), [p.get_content_type() for p in files]
        assert files[0].get_filename() == "consolidated-report-%s.pdf" % "-".join((job["from"], job["to"]))
    assert sum(1 for m in ctx.stack.messages()[since:] if m["To"] in to) == 2
    row = [j for j in jobs(owner, w["msp"]) if j["id"] == job["id"]][0]
    assert row["scheduled"]["sent"] == 2 and row["scheduled"]["failed"] == 0, row
    # Deleting the schedule keeps its reports.
    assert owner.post("/t/%d/reports/schedules/%d/delete" % (w["msp"], sch[0]["id"]), {}).status == 303
    assert owner.get_json("/t/%d/reports" % w["msp"]).json()["schedules"] == []
    assert job["id"] in [j["id"] for j in jobs(owner, w["msp"])]


def test_a_scheduled_report_by_link_opens_until_it_expires(ctx):
    w = world(ctx)
    owner = ctx.login(w["owner"])
    addr = "sched-link-%s@rep.example" % w["n"].split()[-1]
    since = len(ctx.stack.messages())
    assert schedule(owner, w["a"], kind="executive", cadence="weekly", delivery="link",
                    recipients=addr).status == 303
    sid = [s for s in owner.get_json("/t/%d/reports" % w["a"]).json()["schedules"] if addr in s["recipients"]][0]["id"]
    q(ctx, "UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE id = %d" % sid)
    msg = ctx.stack.wait_mail(lambda m: m["To"] == addr, since=since, timeout=120, what="the link mail")
    assert not list(msg.iter_attachments())
    text = portal.body_of(msg)
    link = re.search(r"http://127\.0\.0\.1:\d+/reports/link/([0-9a-f]{64})", text)
    assert link and "Executive report" in msg["Subject"] and "weekly executive report" in text, text
    # The week just ended: Monday to Sunday.
    job = int(q(ctx, "SELECT id FROM report_jobs WHERE schedule_id = %d" % sid))
    assert q(ctx, "SELECT extract(isodow FROM period_from)::int || '-' || extract(isodow FROM period_to)::int"
                  " || '-' || (now()::date - period_to) FROM report_jobs WHERE id = %d" % job) in (
        "1-7-%d" % d for d in range(1, 8))
    # Anyone with the link gets the file (no session), nobody with another.
    r = ctx.client().get("/reports/link/%s" % link.group(1))
    assert r.status == 200 and r.body.startswith(b"%PDF-") and r.header("Content-Type") == "application/pdf"
    assert ctx.client().get("/reports/link/%s" % ("0" * 64)).status == 404
    # The token is kept only as its digest; the log names the route, not it.
    assert q(ctx, "SELECT count(*) FROM report_links WHERE token_hash = '%s'" % link.group(1)) == "0"
    assert link.group(1) not in ctx.stack.log("portal")
    # Once the report expires, the link ends.
    q(ctx, "UPDATE report_jobs SET expires_at = now() - interval '1 second' WHERE id = %d" % job)
    q(ctx, "UPDATE report_links SET expires_at = now() - interval '1 second' WHERE job_id = %d" % job)
    r = ctx.client().get("/reports/link/%s" % link.group(1))
    assert r.status == 404 and "This link has ended" in r.text


def test_the_page_ranks_the_first_50_customers_and_the_csv_all(ctx):
    nw = ctx.stack.tenant_id("Northwind Security")
    n = uniq("Many")
    q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
           " VALUES ('msp', '%s MSP', 'eu', %d, '{0}', 0)" % (n, nw))
    msp = ctx.stack.tenant_id("%s MSP" % n)
    q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
           " SELECT 'company', format('%s Co %%s', g), 'eu', %d, '{0}', 0 FROM generate_series(1, 52) g" % (n, msp))
    admin = ctx.login(NW_ADMIN)
    rep = report(admin, msp)
    assert len(rep["customers"]) == 50 and rep["customers_more"] == 2, (len(rep["customers"]), rep.get("customers_more"))
    assert sum(b["count"] for b in rep["distribution"]) == 52  # the summary counts them all
    page = admin.get("/t/%d/reports/executive?from=%s&to=%s" % (msp, FROM, TO)).text
    assert "And 2 more:" in page
    csv = admin.get("/t/%d/reports/executive/export?from=%s&to=%s" % (msp, FROM, TO)).text
    assert len({line.split(",")[1] for line in csv.split("\r\n") if line.startswith("customers,")}) == 52
