"""The drill-down lists: assets by kind, vulnerabilities by severity, CVE
and status; counts agree with the raw rows of the subtree."""


def ids(ctx):
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    company = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % bluefin))
    return bluefin, company


def count(ctx, table, tid, where="true"):
    return int(ctx.stack.psql("SELECT count(*) FROM %s x JOIN tenants t ON t.id = x.tenant_id"
                              " WHERE %d = ANY (t.ancestors) AND %s" % (table, tid, where)))


def test_vulnerability_filters_agree_with_the_rows(ctx):
    bluefin, company = ids(ctx)
    c = ctx.login("owner@msp1.example")
    page = c.get_json("/t/%d/vulnerabilities" % bluefin).json()
    assert page["total"] == count(ctx, "vulnerabilities", bluefin, "x.fixed_at IS NULL")
    assert len(page["vulnerabilities"]) == min(50, page["total"])
    crit = c.get_json("/t/%d/vulnerabilities?severity=critical&status=all" % company).json()
    assert crit["total"] == count(ctx, "vulnerabilities", company, "x.severity = 'critical'")
    assert all(v["severity"] == "critical" for v in crit["vulnerabilities"])
    fixed = c.get_json("/t/%d/vulnerabilities?status=fixed" % bluefin).json()
    # Not a rollup: counted up to 1,000 ("more" beyond), as the ingest
    # tests may have left more than that fixed.
    raw = count(ctx, "vulnerabilities", bluefin, "x.fixed_at IS NOT NULL")
    assert (fixed["total"], fixed["total_more"]) == ((raw, False) if raw <= 1000 else (1000, True)), (fixed["total"], raw)
    assert all("fixed" in v for v in fixed["vulnerabilities"])
    cve = ctx.stack.psql("SELECT x.cve FROM vulnerabilities x JOIN tenants t ON t.id = x.tenant_id"
                         " WHERE %d = ANY (t.ancestors) LIMIT 1" % bluefin)
    one = c.get_json("/t/%d/vulnerabilities?cve=%s&status=all" % (bluefin, cve.lower())).json()
    assert one["total"] == count(ctx, "vulnerabilities", bluefin, "x.cve = '%s'" % cve) > 0
    assert {v["cve"] for v in one["vulnerabilities"]} == {cve}
    bad = c.get("/t/%d/vulnerabilities?cve=%%3Cscript%%3E" % bluefin)
    assert bad.status == 400 and "Use a CVE id like" in bad.text and "<script>" not in bad.text
    p2 = c.get_json("/t/%d/vulnerabilities?after=%d" % (bluefin, page["next"])).json()
    assert p2["prev"] == p2["vulnerabilities"][0]["id"]
    assert not {v["id"] for v in p2["vulnerabilities"]} & {v["id"] for v in page["vulnerabilities"]}


def test_assets_by_kind(ctx):
    bluefin, company = ids(ctx)
    c = ctx.login("viewer@msp1.example")
    for kind in ("probe", "agent", "discovered", "external"):
        page = c.get_json("/t/%d/assets?kind=%s" % (bluefin, kind)).json()
        assert page["total"] == count(ctx, "assets", bluefin, "x.kind = '%s'" % kind)
        assert all(a["kind"] == kind for a in page["assets"])
    everything = c.get_json("/t/%d/assets?kind=bogus" % company).json()
    assert everything["total"] == count(ctx, "assets", company) and everything["filter"]["kind"] == ""


def test_lists_are_scoped_to_the_subtree(ctx):
    bluefin, company = ids(ctx)
    c = ctx.login("owner@company.example")
    tenants = {v["customer"] for v in c.get_json("/t/%d/vulnerabilities?status=all" % company).json()["vulnerabilities"]}
    name = ctx.stack.psql("SELECT name FROM tenants WHERE id = %d" % company)
    assert tenants <= {name}
    assert c.get("/t/%d/vulnerabilities" % bluefin).status == 404
