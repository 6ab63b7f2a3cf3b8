"""SLA monitoring: targets inherited from the MSSP, overridden per
customer; medians, 90th percentiles and breaches computed from the
incidents of the period; incidents breaching right now."""
import re
import time


def setup(ctx):
    n = int(time.time() * 1000) % 1000000
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'SLA Co %d', 'eu', %d, '{0}', 0)" % (n, bluefin))
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'SLA Co %d'" % n))
    # Four high incidents, acknowledged after 10, 20, 30, 100 minutes and
    # resolved after 100, 200, 300, 2000 minutes; one critical one still
    # open and unacknowledged for 2 hours (past 15 min to acknowledge).
    rows = [(10, 100), (20, 200), (30, 300), (100, 2000)]
    for k, (ack, res) in enumerate(rows):
        ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at,"
                       " acknowledged_at, closed_at) SELECT id, root_id, 's%d', 'high', 'H', now() - interval '3 days',"
                       " now() - interval '3 days' + make_interval(mins => %d), now() - interval '3 days' +"
                       " make_interval(mins => %d) FROM tenants WHERE id = %d" % (k, ack, res, co))
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
                   " SELECT id, root_id, 'open1', 'critical', 'Still open', now() - interval '2 hours'"
                   " FROM tenants WHERE id = %d" % co)
    return bluefin, co, n


def new_msp(ctx, label, companies):
    """A new MSP of Northwind ("<label> <n>") with a company "SLA <name> <n>"
    for each of companies: (the MSP's id, {name: company id})."""
    n = int(time.time() * 1000) % 1000000
    q = ctx.stack.psql
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('msp', '%s %d', 'eu', %d, '{0}', 0)" % (label, n, mssp))
    msp = int(q("SELECT id FROM tenants WHERE name = '%s %d'" % (label, n)))
    ids = {}
    for name in companies:
        q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
          " VALUES ('company', 'SLA %s %d', 'eu', %d, '{0}', 0)" % (name, n, msp))
        ids[name] = int(q("SELECT id FROM tenants WHERE name = 'SLA %s %d'" % (name, n)))
    return msp, ids


def test_report_medians_percentiles_and_breaches(ctx):
    bluefin, co, n = setup(ctx)
    owner = ctx.login("owner@msp1.example")
    page = owner.get_json("/t/%d/sla?days=7" % co).json()
    row = next(c for c in page["customers"] if c["id"] == co)
    assert row["incidents"] == 5
    assert row["ack_p50"] == "25.0" and row["resolve_p50"] == "250.0"   # medians of the four
    assert float(row["ack_p90"]) == 79.0 and float(row["resolve_p90"]) == 1490.0  # linear interpolation
    # Default targets for high: 60 min to acknowledge, 1440 to resolve. The
    # 100/2000 one breaches; the open critical one breaches too.
    assert row["breaches"] == 2
    breaching = page["breaching"]
    assert [(b["title"], b["late_for"]) for b in breaching] == [("Still open", "acknowledge")]
    assert 100 <= breaching[0]["minutes_over"] <= 110
    assert re.fullmatch(r"1 h [45][0-9] m", breaching[0]["over_text"]), breaching[0]
    assert {t["severity"]: t["source"] for t in page["targets"]}["high"] == "portal default"
    # The page says the delay as people read it, and a dash for medians of
    # nothing (a customer whose only incident is neither acknowledged nor
    # resolved).
    q = ctx.stack.psql
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('company', 'SLA Quiet %d', 'eu', %d, '{0}', 0)" % (n, bluefin))
    quiet = int(q("SELECT id FROM tenants WHERE name = 'SLA Quiet %d'" % n))
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT id, root_id, 'q1', 'low', 'Quiet', now() - interval '1 hour' FROM tenants WHERE id = %d" % quiet)
    page = owner.get_json("/t/%d/sla?days=7" % bluefin).json()
    row = next(c for c in page["customers"] if c["id"] == quiet)
    assert (row["ack_p50"], row["resolve_p50"]) == ("", ""), row
    html = owner.get("/t/%d/sla?days=7" % bluefin).text
    cells = html.split("SLA Quiet %d</a>" % n)[1].split("</tr>")[0]
    assert cells.count('title="none in the window">–</span>') == 2, cells
    assert re.search(r'<td title="1[01][0-9] minutes">1 h [45][0-9] m</td>', owner.get("/t/%d/sla?days=7" % co).text)


def test_targets_are_set_inherited_overridden_and_reset(ctx):
    bluefin, co, n = setup(ctx)
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    admin = ctx.login("admin@northwind.example")
    form = {}
    for sev, (a, r) in {"critical": (30, 480), "high": (120, 2880), "medium": (240, 4320), "low": (1440, 10080)}.items():
        form["ack_" + sev], form["resolve_" + sev] = str(a), str(r)
    try:
        assert admin.post("/t/%d/sla/targets" % mssp, form).status == 303
        page = admin.get_json("/t/%d/sla?days=7" % co).json()
        high = next(t for t in page["targets"] if t["severity"] == "high")
        assert (high["ack"], high["resolve"], high["source"]) == (120, 2880, "inherited from Northwind Security")
        row = next(c for c in page["customers"] if c["id"] == co)
        assert row["breaches"] == 1  # only the open critical one (2 h > 30 min)
        # The company overrides: now stricter than the MSSP.
        strict = dict(form, ack_high="5", resolve_high="50")
        assert admin.post("/t/%d/sla/targets" % co, strict).status == 303
        page = admin.get_json("/t/%d/sla?days=7" % co).json()
        assert next(t for t in page["targets"] if t["severity"] == "high")["source"] == "set here"
        assert next(c for c in page["customers"] if c["id"] == co)["breaches"] == 5
        assert admin.post("/t/%d/sla/targets/reset" % co, {}).status == 303
        page = admin.get_json("/t/%d/sla?days=7" % co).json()
        assert next(t for t in page["targets"] if t["severity"] == "high")["source"].startswith("inherited")
    finally:
        ctx.stack.psql("DELETE FROM sla_targets WHERE tenant_id IN (%d, %d)" % (mssp, co))


def test_bad_targets_are_refused_next_to_the_field(ctx):
    bluefin, co, n = setup(ctx)
    owner = ctx.login("owner@msp1.example")
    form = {"ack_critical": "30", "resolve_critical": "10", "ack_high": "x", "resolve_high": "100",
            "ack_medium": "60", "resolve_medium": "600", "ack_low": "60", "resolve_low": "600"}
    r = owner.post("/t/%d/sla/targets" % co, form)
    assert r.status == 400
    assert "cannot be shorter than the time to acknowledge" in r.text and "Enter whole minutes" in r.text
    assert 'value="x"' in r.text
    assert ctx.stack.psql("SELECT count(*) FROM sla_targets WHERE tenant_id = %d" % co) == "0"
    viewer = ctx.login("viewer@msp1.example")
    assert viewer.get("/t/%d/sla" % co).status == 200
    assert "Save targets" not in viewer.get("/t/%d/sla" % co).text


def test_durations_and_compliance_from_the_incidents(ctx):
    # setup(): four high incidents acknowledged after 10, 20, 30, 100 min
    # (target 1 h: three in time) and resolved after 100, 200, 300, 2000 min
    # (target 1 d: three in time); one critical open and unacknowledged for
    # 2 h: late to acknowledge (15 min), not yet due to resolve (4 h).
    bluefin, co, n = setup(ctx)
    owner = ctx.login("owner@msp1.example")
    page = owner.get_json("/t/%d/sla?days=7" % co).json()
    row = next(c for c in page["customers"] if c["id"] == co)
    assert (row["ack_p50_text"], row["ack_p90_text"]) == ("25 m", "1 h 19 m"), row
    assert (row["resolve_p50_text"], row["resolve_p90_text"]) == ("4 h 10 m", "1 d"), row
    assert row["incidents_text"] == "5 incidents"
    # Per customer: acknowledged 3 of 5 due (60 %), resolved 3 of 4 (75 %).
    assert (row["ack_pct"], row["ack_pct_text"], row["ack_pct_of"]) == (60, "60 %", "3 of 5"), row
    assert (row["resolve_pct"], row["resolve_pct_of"]) == (75, "3 of 4"), row
    # Per severity, over the customers of the page (here the company).
    sev = {s["severity"]: s for s in page["compliance"]["severities"]}
    assert [s["severity"] for s in page["compliance"]["severities"]] == ["critical", "high", "medium", "low"]
    assert (sev["high"]["incidents"], sev["high"]["ack"], sev["high"]["resolve"]) == (4, 75, 75), sev["high"]
    assert (sev["critical"]["incidents_text"], sev["critical"]["ack_of"], sev["critical"]["resolve_text"]) == \
        ("1 incident", "0 of 1", "–"), sev["critical"]
    assert "ack" not in sev["medium"] and sev["medium"]["none"] is True
    # Targets as durations: high 60 / 1440 minutes, critical 15 / 240.
    targets = {t["severity"]: t for t in page["targets"]}
    assert (targets["high"]["ack_text"], targets["high"]["resolve_text"]) == ("1 h", "1 d")
    assert (targets["critical"]["ack_text"], targets["critical"]["resolve_text"]) == ("15 m", "4 h")
    # The page: no raw minutes, the chart with a bar per figure, the table.
    html = owner.get("/t/%d/sla?days=7" % co).text
    cells = html.split('/sla">SLA Co %d</a>' % n)[1].split("</tr>")[0]  # its row of the customers table
    assert "<td>5 incidents</td><td>25 m / 1 h 19 m</td><td>4 h 10 m / 1 d</td>" in cells, cells
    assert '<span title="3 of 5">60 %</span>' in cells and '<span title="3 of 4">75 %</span>' in cells
    assert "25.0" not in html and "1490.0" not in html
    svg = html.split('<svg class="hbars"')[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title>Incidents within target, per severity: critical: acknowledged 0 %" in svg
    assert 'width="105" height="14" class="bar-ack"' in svg and ">resolve 75 %</text>" in svg
    assert "<td>high</td><td>4 incidents</td><td>75 % <span class=\"muted\">(3 of 4)</span></td>" in html
    assert 'min · 1 h</span>' in html  # the owner's form: minutes, and what they make
    viewer = ctx.login("viewer@msp1.example").get("/t/%d/sla?days=7" % co).text
    assert "<td>high</td><td>1 h</td><td>1 d</td>" in viewer.replace("\n        ", "")


def test_compliance_per_severity_sums_the_customers(ctx):
    # A new MSP with two customers, every outcome far from its target:
    # A: two critical, acknowledged after 5 and 30 min (target 15), resolved
    # after 100 and 300 (target 240); B: one critical acknowledged after 10
    # and resolved after 60, and one low open for an hour (not yet due).
    q = ctx.stack.psql
    msp, ids = new_msp(ctx, "SLA MSP", ("A", "B"))
    for k, (who, sev, ack, res) in enumerate((("A", "critical", 5, 100), ("A", "critical", 30, 300),
                                              ("B", "critical", 10, 60))):
        q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, acknowledged_at,"
          " closed_at) SELECT id, root_id, 'c%d', '%s', 'C', now() - interval '2 days', now() - interval '2 days'"
          " + make_interval(mins => %d), now() - interval '2 days' + make_interval(mins => %d) FROM tenants"
          " WHERE id = %d" % (k, sev, ack, res, ids[who]))
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT id, root_id, 'l1', 'low', 'L', now() - interval '1 hour' FROM tenants WHERE id = %d" % ids["B"])
    page = ctx.login("admin@northwind.example").get_json("/t/%d/sla?days=7" % msp).json()
    sev = {s["severity"]: s for s in page["compliance"]["severities"]}
    assert (sev["critical"]["ack_of"], sev["critical"]["ack"], sev["critical"]["resolve_of"]) == \
        ("2 of 3", 66, "2 of 3"), sev["critical"]  # rounded down: 100 % only when none missed
    assert (sev["low"]["incidents_text"], sev["low"]["ack_text"], sev["low"]["resolve_text"]) == ("1 incident", "–", "–")
    rows = {c["id"]: c for c in page["customers"]}
    assert (rows[ids["A"]]["ack_pct_of"], rows[ids["A"]]["resolve_pct_of"]) == ("1 of 2", "1 of 2")
    assert (rows[ids["B"]]["ack_pct"], rows[ids["B"]]["resolve_pct"], rows[ids["B"]]["incidents_text"]) == \
        (100, 100, "2 incidents")
    assert page["compliance"]["page_only"] is False


def test_an_msps_breaching_list_judges_each_incident_by_its_customers_targets(ctx):
    # Four customers of one MSP, each with an open critical incident not
    # yet acknowledged: one whose own target is stricter than the portal's
    # (5 min), two on the portal's (15 min; one of them late), one whose own
    # is laxer (10 h). Only the incidents late for their own customer's
    # target are listed.
    q = ctx.stack.psql
    opened = (("strict", 10), ("plain", 10), ("lax", 120), ("plain-late", 30))
    msp, ids = new_msp(ctx, "SLA Late MSP", [name for name, _ in opened])
    for name, minutes_ago in opened:
        q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
          " SELECT id, root_id, 'late-%s', 'critical', 'Late at %s', now() - make_interval(mins => %d)"
          " FROM tenants WHERE id = %d" % (name, name, minutes_ago, ids[name]))
    admin = ctx.login("admin@northwind.example")
    form = {"ack_high": "60", "resolve_high": "1440", "ack_medium": "240", "resolve_medium": "4320",
            "ack_low": "1440", "resolve_low": "10080"}
    assert admin.post("/t/%d/sla/targets" % ids["strict"], dict(form, ack_critical="5", resolve_critical="240")).status == 303
    assert admin.post("/t/%d/sla/targets" % ids["lax"], dict(form, ack_critical="600", resolve_critical="1200")).status == 303
    breaching = admin.get_json("/t/%d/sla" % msp).json()["breaching"]
    assert [(b["title"], b["late_for"]) for b in breaching] == \
        [("Late at plain-late", "acknowledge"), ("Late at strict", "acknowledge")], breaching
    assert [b["minutes_over"] for b in breaching][1] in (4, 5, 6), breaching
