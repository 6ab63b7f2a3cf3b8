"""Billing (issue #21; docs/billing.md; sql/functions/billing): the tier
arithmetic over many cases, the price book's checks, the daily snapshots
(idempotent, two runs at once, a missed day filled in), a statement of a
past month with a price change and a company joining mid-month, months in
the account's time zone, freezing, adjustments, the page, its CSV, and who
may see it; the statement as a PDF made by the reporter and mailed every
month; a billed MSP that joins an MSSP."""
import calendar
import csv
import io
import json
import os
import subprocess
import threading
import time

import portal
from onboard import add_msp, find, make_msp, requests_of

NW_ADMIN = "admin@northwind.example"

GRAD = {"mode": "graduated", "tiers": [{"up_to": 10, "price": "5.00"}, {"up_to": 50, "price": "4.00"},
                                       {"up_to": None, "price": "3.00"}]}
VOL = dict(GRAD, mode="volume")


def q(ctx, sql):
    return ctx.stack.psql(sql)


def uniq(prefix):
    return "%s %d" % (prefix, int(time.time() * 1000000) % 10000000000)


def charge(ctx, metric, qty):
    return json.loads(q(ctx, "SELECT billing_tier_charge('%s', %s)" % (json.dumps(metric), qty)))


def test_graduated_and_volume_tiers_at_and_across_the_breaks(ctx):
    cases = [  # quantity, graduated total, volume total
        (0, 0, 0), (1, 5, 5), (10, 50, 50), (11, 54, 44), (50, 210, 200), (51, 213, 153), (100, 360, 300)]
    for qty, grad, vol in cases:
        g, v = charge(ctx, GRAD, qty), charge(ctx, VOL, qty)
        assert float(g["amount"]) == grad, (qty, g)
        assert float(v["amount"]) == vol, (qty, v)
        # Graduated: the lines add up, each tier's units within its bounds.
        assert sum(float(l["amount"]) for l in g["lines"]) == grad, g
        assert sum(l["units"] for l in g["lines"]) == qty, g
        # Volume: one line, every unit at the rate of the tier reached.
        assert len(v["lines"]) == (1 if qty else 0), v
    assert [l["units"] for l in charge(ctx, GRAD, 51)["lines"]] == [10, 40, 1]
    assert charge(ctx, VOL, 51)["lines"][0]["price"] == 3.0
    assert charge(ctx, VOL, 50)["lines"][0]["price"] == 4.0  # the break is in the lower tier
    # One open tier; a price with four decimals, rounded to the cent per line.
    assert float(charge(ctx, {"mode": "graduated", "tiers": [{"up_to": None, "price": "0.0125"}]}, 7)["amount"]) == 0.09
    assert charge(ctx, GRAD, 0)["lines"] == []


def test_a_price_book_is_checked_with_a_clear_message(ctx):
    good = {"name": "x", "from": "2026-01-01", "currency": "EUR", "metering": "max", "minimum": "10.00",
            "metrics": {"agents": GRAD}}
    assert q(ctx, "SELECT billing_book_error('%s') IS NULL" % json.dumps(good)) == "t"
    bad = [
        (dict(good, metering="median"), "metering"),
        (dict(good, currency="euro"), "currency"),
        (dict(good, **{"from": "2026-02-30"}), "from"),
        (dict(good, minimum="-1"), "minimum"),
        (dict(good, metrics={}), "metrics"),
        (dict(good, metrics={"users": GRAD}), '"users" is not a metric'),
        (dict(good, metrics={"agents": dict(GRAD, mode="tiered")}), "mode"),
        (dict(good, metrics={"agents": {"mode": "volume", "tiers": [{"up_to": 10, "price": "1"},
                                                                   {"up_to": 5, "price": "1"},
                                                                   {"up_to": None, "price": "1"}]}}),
         "tiers[1].up_to"),
        (dict(good, metrics={"agents": {"mode": "volume", "tiers": [{"up_to": 10, "price": "1"}]}}),
         "the last tier has no upper bound"),
        (dict(good, metrics={"agents": {"mode": "volume", "tiers": [{"up_to": None, "price": "1.00001"}]}}),
         "price"),
        (dict(good, colour="red"), 'Unknown field "colour"'),
    ]
    for doc, want in bad:
        err = q(ctx, "SELECT billing_book_error('%s')" % json.dumps(doc).replace("'", "''"))
        assert want in err, (doc, err)
    # ctl refuses it with the same words, and saves nothing.
    r = ctx.stack.ctl("billing", "price-book", "-",
                      input=json.dumps(dict(good, name=uniq("Bad book"), metering="median")))
    assert r.returncode == 1 and "metering: max" in r.stdout, r.stdout
    assert q(ctx, "SELECT count(*) FROM price_books WHERE name LIKE 'Bad book%'") == "0"


_world = {}


def world(ctx):
    """A new MSSP billed from 2026-03-01 (UTC, window 5 days) on a book
    whose prices change on 2026-03-16: an MSP with company A (since
    February: 3 agents, one of which stopped reporting on 03-10, and a
    probe) and company B (added 03-16, 2 agents); its March closed."""
    if _world.get("port") == ctx.port:
        return _world
    n = uniq("Billed")
    q(ctx, "INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('mssp', '%s', 'eu', '{0}', 0)" % n)
    root = ctx.stack.tenant_id(n)
    q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id) VALUES ('msp', '%s MSP', 'eu', %d,"
           " '{0}', 0)" % (n, root))
    msp = ctx.stack.tenant_id("%s MSP" % n)
    for c, at in (("A", "2026-02-10 12:00+00"), ("B", "2026-03-16 08:00+00")):
        q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id, created_at) VALUES ('company',"
               " '%s Co %s', 'eu', %d, '{0}', 0, '%s')" % (n, c, msp, at))
    a, b = ctx.stack.tenant_id("%s Co A" % n), ctx.stack.tenant_id("%s Co B" % n)
    q(ctx, "INSERT INTO assets (tenant_id, root_id, external_id, kind, name, created_at, last_seen_on)"
           " SELECT x.t, %d, x.e, x.k, x.e, x.c::timestamptz, x.s::date FROM (VALUES"
           " (%d, 'a1', 'agent', '2026-02-11', '2026-12-01'), (%d, 'a2', 'agent', '2026-02-11', '2026-12-01'),"
           " (%d, 'a3', 'agent', '2026-02-11', '2026-03-10'), (%d, 'p1', 'probe', '2026-02-11', '2026-12-01'),"
           " (%d, 'x1', 'external', '2026-02-11', '2026-12-01'),"
           " (%d, 'b1', 'agent', '2026-03-16', '2026-12-01'), (%d, 'b2', 'agent', '2026-03-20', '2026-12-01'))"
           " x(t, e, k, c, s)" % (root, a, a, a, a, a, b, b))
    book = uniq("Book")
    for frm, price in (("2026-03-01", "10.00"), ("2026-03-16", "20.00")):
        doc = {"name": book, "from": frm, "currency": "EUR", "metering": "max", "minimum": "100.00",
               "metrics": {"tenants": {"mode": "graduated", "tiers": [{"up_to": None, "price": price}]},
                           "agents": {"mode": "graduated", "tiers": [{"up_to": 3, "price": "2.00"},
                                                                     {"up_to": None, "price": "1.00"}]},
                           "probes": {"mode": "volume", "tiers": [{"up_to": None, "price": "7.00"}]}}}
        r = ctx.stack.ctl("billing", "price-book", "-", input=json.dumps(doc))
        assert r.returncode == 0 and "saved" in r.stdout, r.stdout
    r = ctx.stack.ctl("billing", "assign", "--tenant", str(root), "--book", book, "--activity-days", "5",
                      "--starts-on", "2026-03-01")
    assert r.returncode == 0, r.stdout
    r = ctx.stack.ctl("billing", "run")
    assert r.returncode == 0 and "days taken" in r.stdout, r.stdout
    _world.update(port=ctx.port, root=root, msp=msp, a=a, b=b, name=n, book=book)
    return _world


def statement(ctx, root, month):
    return json.loads(q(ctx, "SELECT document FROM billing_statements WHERE account_id = %d AND month = '%s'"
                           % (root, month)))


def test_a_closed_month_with_a_price_change_and_a_company_joining(ctx):
    w = world(ctx)
    doc = statement(ctx, w["root"], "2026-03-01")
    assert doc["closed"] is True and doc["days_counted"] == 31 and doc["currency"] == "EUR"
    p1, p2 = doc["parts"]
    assert (p1["from"], p1["to"], p1["days"]) == ("2026-03-01", "2026-03-15", 15), p1
    assert (p2["from"], p2["to"], p2["days"]) == ("2026-03-16", "2026-03-31", 16), p2
    m1 = {m["metric"]: m for m in p1["metrics"]}
    m2 = {m["metric"]: m for m in p2["metrics"]}
    # Part 1 (03-01..03-15): company A only; agents a1..a3 (a3 last seen
    # 03-10, window 5 days: counted to 03-14), so the highest is 3.
    assert m1["tenants"]["quantity"] == 1 and m1["agents"]["quantity"] == 3 and m1["probes"]["quantity"] == 1
    # Part 2 (03-16..03-31): B joined on 03-16, its second agent on 03-20:
    # 2 companies, at most a1, a2, b1, b2 = 4 agents.
    assert m2["tenants"]["quantity"] == 2 and m2["agents"]["quantity"] == 4, m2
    assert "gateways" not in m1  # not priced: not charged
    # Each part's full-month charge, prorated by its days.
    assert float(m1["tenants"]["full_month"]) == 10 and float(m1["tenants"]["amount"]) == round(10 * 15 / 31, 2)
    assert float(m2["tenants"]["full_month"]) == 40 and float(m2["tenants"]["amount"]) == round(40 * 16 / 31, 2)
    assert float(m2["agents"]["full_month"]) == 3 * 2 + 1 * 1
    usage = sum(float(m["amount"]) for p in (p1, p2) for m in p["metrics"])
    assert abs(float(doc["usage"]) - usage) < 0.005
    # The committed minimum (100 a month) is above the usage: topped up.
    assert float(doc["minimum"]) == round(100 * 15 / 31, 2) + round(100 * 16 / 31, 2)
    assert abs(float(doc["topup"]) - (float(doc["minimum"]) - usage)) < 0.005
    assert float(doc["total"]) == float(doc["minimum"])
    # The breakdown: B counted 16 days; the shares add up to the usage.
    rows = {int(r.split("|")[0]): r.split("|")[1:] for r in q(ctx, (
        "SELECT tenant_id, days, tenants, agents, amount FROM billing_breakdown WHERE account_id = %d"
        " AND month = '2026-03-01'") % w["root"]).splitlines()}
    assert rows[w["b"]][0] == "16" and rows[w["a"]][0] == "31", rows
    assert abs(sum(float(r[3]) for r in rows.values()) - usage) < 0.02, rows
    # The daily counts: A alone on 03-15 (3 agents on 03-10..14, then 2).
    daily = {d["day"]: d for d in doc["daily"]}
    assert daily["2026-03-14"]["agents"] == 3 and daily["2026-03-15"]["agents"] == 2
    assert daily["2026-03-20"]["agents"] == 4 and daily["2026-03-16"]["tenants"] == 2


def test_metering_average_and_last_day(ctx):
    w = world(ctx)
    a = w["root"]
    # Average of March's agents per day: 3 x 14 days (03-01..14), 2 on
    # 03-15, 3 on 03-16..19 (b1), 4 on 03-20..31: (42 + 2 + 12 + 48) / 31.
    got = q(ctx, "SELECT ceil(avg(agents)), (array_agg(agents ORDER BY day DESC))[1] FROM billing_days"
                 " WHERE account_id = %d AND day BETWEEN '2026-03-01' AND '2026-03-31'" % a).split("|")
    assert got == [str(-(-(42 + 2 + 12 + 48) // 31)), "4"], got
    assert int(q(ctx, "SELECT count(*) FROM billing_days WHERE account_id = %d AND day BETWEEN '2026-03-01' AND"
                      " '2026-03-31' AND final" % a)) == 31


def test_snapshots_are_idempotent_and_fill_a_missed_day(ctx):
    w = world(ctx)
    a = w["root"]
    count = "SELECT count(*), sum(agents + probes + tenants) FROM billing_snapshots WHERE account_id = %d" % a
    days = "SELECT count(*) FROM billing_days WHERE account_id = %d" % a
    before, ndays = q(ctx, count), q(ctx, days)
    # Run again: no day is taken twice, nothing changes.
    assert ctx.stack.ctl("billing", "run").returncode == 0
    assert q(ctx, count) == before and q(ctx, days) == ndays
    # Two runs at once: they take turns; still one row per day and tenant.
    outs = []
    ts = [threading.Thread(target=lambda: outs.append(ctx.stack.ctl("billing", "run"))) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert all(o.returncode == 0 for o in outs), [o.stdout for o in outs]
    assert q(ctx, count) == before and q(ctx, days) == ndays
    # A day the job missed (its rows gone): the next run fills it from the data.
    q(ctx, "DELETE FROM billing_snapshots WHERE account_id = %d AND day = '2026-06-10';"
           " DELETE FROM billing_days WHERE account_id = %d AND day = '2026-06-10'" % (a, a))
    assert q(ctx, days) == str(int(ndays) - 1)
    assert ctx.stack.ctl("billing", "run").returncode == 0
    assert (q(ctx, count), q(ctx, days)) == (before, ndays)
    assert q(ctx, "SELECT tenants, agents FROM billing_days WHERE account_id = %d AND day = '2026-06-10'" % a) == "2|4"


def test_a_closed_month_never_changes(ctx):
    w = world(ctx)
    a = w["root"]
    doc = q(ctx, "SELECT document::text FROM billing_statements WHERE account_id = %d AND month = '2026-03-01'" % a)
    rows = q(ctx, "SELECT * FROM billing_breakdown WHERE account_id = %d AND month = '2026-03-01' ORDER BY 4" % a)
    # The data changes (an agent added in March, company A renamed), the
    # prices too (a version in a closed month is refused)...
    q(ctx, "INSERT INTO assets (tenant_id, root_id, external_id, kind, name, created_at) VALUES (%d, %d, 'late',"
           " 'agent', 'late', '2026-03-02')" % (w["a"], a))
    q(ctx, "UPDATE tenants SET name = name || ' renamed' WHERE id = %d" % w["a"])
    path = "/tmp/book-late-%d.json" % ctx.port
    with open(path, "w") as f:
        json.dump({"name": w["book"], "from": "2026-03-20", "currency": "EUR", "metering": "max",
                   "metrics": {"agents": GRAD}}, f)
    r = ctx.stack.ctl("billing", "price-book", path)
    assert r.returncode == 1 and "already closed" in r.stdout, r.stdout
    assert ctx.stack.ctl("billing", "run").returncode == 0
    # ... the frozen month stays as it was, and refuses to be rewritten.
    assert q(ctx, "SELECT document::text FROM billing_statements WHERE account_id = %d AND month = '2026-03-01'"
                  % a) == doc
    assert q(ctx, "SELECT * FROM billing_breakdown WHERE account_id = %d AND month = '2026-03-01' ORDER BY 4"
                  % a) == rows
    for sql in ("UPDATE billing_statements SET document = '{}' WHERE account_id = %d AND month = '2026-03-01'",
                "UPDATE billing_breakdown SET amount = 0 WHERE account_id = %d AND month = '2026-03-01'",
                "SELECT billing_statement_compute(%d, '2026-03-01', false)::text"):
        try:
            out = q(ctx, sql % a)
        except RuntimeError as e:
            assert "is closed" in str(e), e
        else:  # recomputing a closed month returns it as it was
            assert json.loads(out) == json.loads(doc)
    q(ctx, "UPDATE tenants SET name = '%s Co A' WHERE id = %d" % (w["name"], w["a"]))
    # An adjustment is a line of its own, with a reason, audited.
    r = ctx.stack.ctl("billing", "adjust", "--tenant", str(a), "--month", "2026-03", "--amount", "-12.50",
                      "--reason", "Goodwill credit for the March outage")
    assert r.returncode == 0 and "added" in r.stdout, r.stdout
    r = ctx.stack.ctl("billing", "adjust", "--tenant", str(a), "--month", "2026-03", "--amount", "5", "--reason", "")
    assert r.returncode == 1 and "reason" in r.stdout, r.stdout
    assert q(ctx, "SELECT details->>'reason' FROM audit_log WHERE tenant_id = %d AND action = 'billing.adjusted'"
                  % a) == "Goodwill credit for the March outage"
    view = json.loads(q(ctx, "SELECT billing_statement_view(%d, '2026-03-01')" % a))
    assert float(view["due"]) == float(view["total"]) - 12.5 and view["adjustments"][0]["amount_text"] == "-12.50"
    assert q(ctx, "SELECT document::text FROM billing_statements WHERE account_id = %d AND month = '2026-03-01'"
                  % a) == doc


def test_months_are_counted_in_the_accounts_time_zone(ctx):
    n = uniq("Kiwi")
    q(ctx, "INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('msp', '%s', 'nz', '{0}', 0)" % n)
    root = ctx.stack.tenant_id(n)
    # Added at 12:00 UTC on 2026-03-31: 01:00 on 04-01 in Auckland (NZDT).
    q(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id, created_at) VALUES ('company',"
           " '%s Co', 'nz', %d, '{0}', 0, '2026-03-31 12:00+00')" % (n, root))
    w = world(ctx)
    r = ctx.stack.ctl("billing", "assign", "--tenant", str(root), "--book", w["book"], "--time-zone",
                      "Pacific/Auckland", "--starts-on", "2026-03-01")
    assert r.returncode == 0, r.stdout
    assert ctx.stack.ctl("billing", "run").returncode == 0
    march, april = statement(ctx, root, "2026-03-01"), statement(ctx, root, "2026-04-01")
    assert march["time_zone"] == "Pacific/Auckland"
    assert march["daily"][-1] == {"day": "2026-03-31", "tenants": 0, "agents": 0, "probes": 0, "gateways": 0}
    assert april["daily"][0]["tenants"] == 1
    # A time zone that does not exist is refused by name.
    r = ctx.stack.ctl("billing", "assign", "--tenant", str(root), "--book", w["book"], "--time-zone", "Mars/Olympus")
    assert r.returncode == 1 and "Unknown time zone" in r.stdout, r.stdout
    # An MSP below an MSSP is billed through it.
    r = ctx.stack.ctl("billing", "assign", "--tenant", str(w["msp"]), "--book", w["book"])
    assert r.returncode == 1 and "top-level tenant" in r.stdout, r.stdout


def test_the_billing_page_and_its_csv(ctx):
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login(NW_ADMIN)
    r = admin.get_json("/t/%d/billing" % nw)
    assert r.status == 200, r
    b = r.json()["billing"]
    # The demo: this month so far and last month closed.
    assert [m["closed"] for m in b["months"]][:2] == [False, True], b["months"]
    st = b["statement"]
    assert st["closed"] is False and st["currency"] == "EUR" and st["parts"], st
    assert b["by_msp"] and sum(x["companies"] for x in b["by_msp"]) >= 30, b["by_msp"]
    assert len(b["companies"]) == 25 and b["companies_total"] >= 30 and b["next_page"] == 2
    amounts = [float(c["amount"]) for c in b["companies"]]
    assert amounts == sorted(amounts, reverse=True)
    # Every order the table offers, both ways, a page from its index.
    for sort in ("amount", "name", "agents", "probes", "gateways"):
        for d in ("asc", "desc"):
            rows = admin.get_json("/t/%d/billing?sort=%s&dir=%s" % (nw, sort, d)).json()["billing"]["companies"]
            key = [(c["name"].lower() if sort == "name" else float(c[sort])) for c in rows]
            assert key == sorted(key, reverse=(d == "desc")), (sort, d, key)
    # A page deep in an order is the rows that order gives there, both ways
    # (the page reads a range of stored positions).
    for sort, d, order in (("name", "asc", "lower(tenant_name), tenant_id"),
                           ("amount", "desc", "amount DESC, tenant_id DESC"), ("agents", "asc", "agents, tenant_id")):
        want = q(ctx, "SELECT string_agg(tenant_id::text, ',' ORDER BY o) FROM (SELECT tenant_id, row_number() OVER"
                      " (ORDER BY %s) AS o FROM billing_breakdown WHERE account_id = %d AND month = (SELECT max(month)"
                      " FROM billing_statements WHERE account_id = %d)) x WHERE o BETWEEN 26 AND 50" % (order, nw, nw))
        got = admin.get_json("/t/%d/billing?sort=%s&dir=%s&page=2" % (nw, sort, d)).json()["billing"]["companies"]
        assert ",".join(str(c["id"]) for c in got) == want, (sort, d)
    # The MSPs' sums are the breakdown's (all of them on the page: 3 MSPs).
    assert b["msps_total"] == len(b["by_msp"]) and not b["msps_more"]
    assert sum(x["tenants"] for x in b["by_msp"]) == b["companies_total"]
    # Sorted by name, one MSP's companies, the second page.
    msp = b["by_msp"][0]["id"]
    r = admin.get_json("/t/%d/billing?sort=name&dir=asc&msp=%d" % (nw, msp)).json()["billing"]
    names = [c["name"].lower() for c in r["companies"]]
    assert names == sorted(names) and all(c["msp_id"] == msp for c in r["companies"]), r["companies"]
    assert admin.get_json("/t/%d/billing?page=2" % nw).json()["billing"]["companies"]
    # Last month's statement, its chart and the HTML page.
    last = b["months"][1]["month"]
    r = admin.get_json("/t/%d/billing?month=%s" % (nw, last)).json()["billing"]
    assert r["statement"]["closed"] is True and len(r["chart"][0]["bars"]) == r["statement"]["month_days"]
    page = admin.get("/t/%d/billing?month=%s" % (nw, last))
    assert page.status == 200 and "Statement for %s" % last in page.text and "Download CSV" in page.text
    assert "Northwind Standard" in page.text and '<svg class="bars"' in page.text
    # The CSV: every line, the total the page shows, the breakdown.
    r = admin.get("/t/%d/billing/export?month=%s" % (nw, last))
    assert r.status == 200 and r.header("content-type").startswith("text/csv"), r
    assert "billing-%s" % last in r.header("content-disposition")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    total = [x for x in rows if x["section"] == "total"]
    assert len(total) == 1 and float(total[0]["amount"]) == float(
        admin.get_json("/t/%d/billing?month=%s" % (nw, last)).json()["billing"]["statement"]["due"])
    assert {x["metric"] for x in rows if x["section"] == "charge"} == {"tenants", "agents", "probes", "gateways"}
    assert sorted(x["msp"] for x in rows if x["section"] == "msp") == sorted(
        m["name"] for m in admin.get_json("/t/%d/billing?month=%s" % (nw, last)).json()["billing"]["by_msp"])
    shares = [x for x in rows if x["section"] == "breakdown" and x["metric"] == "share"]
    assert len(shares) == int(q(ctx, "SELECT count(*) FROM billing_breakdown WHERE account_id = %d AND month ="
                                     " '%s-01'" % (nw, last)))
    assert admin.get("/t/%d/billing/export?month=1999-01" % nw).status == 404
    # The navigation has it.
    assert "/t/%d/billing" % nw in admin.get("/t/%d" % nw).text


def test_only_the_accounts_admins_see_billing(ctx):
    nw = ctx.stack.tenant_id("Northwind Security")
    bf = ctx.stack.tenant_id("Bluefin IT")
    eg = ctx.stack.tenant_id("Evergreen MSP")
    # An MSP below the MSSP: never its MSSP's statement, nor one of its own.
    msp = ctx.login("owner@msp1.example")
    assert msp.get("/t/%d/billing" % nw).status in (403, 404)
    assert msp.get("/t/%d/billing/export?month=2026-11" % nw).status in (403, 404)
    mine = msp.get_json("/t/%d/billing" % bf)
    assert mine.status == 200 and mine.json()["billing"] == {"billed_above": True}, mine
    assert "/t/%d/billing" % bf not in msp.get("/t/%d" % bf).text
    # Analysts and viewers never see it.
    for who, t in (("analyst@northwind.example", nw), ("viewer@msp1.example", bf), ("admin@msp1.example", bf)):
        c = ctx.login(who)
        assert c.get("/t/%d/billing" % t).status in (403, 404), who
        assert c.get("/t/%d/billing/export?month=2026-11" % t).status in (403, 404), who
    # A standalone MSP's Owner: its own page, not billed yet.
    r = ctx.login("owner@evergreen.example").get_json("/t/%d/billing" % eg)
    assert r.status == 200 and r.json()["billing"] == {"account": None}, r
    # Another MSSP's admin: not Northwind's.
    n = uniq("Rival")
    q(ctx, "INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('mssp', '%s', 'eu', '{0}', 0)" % n)
    email = "rival-%d@example.com" % (int(time.time() * 1000) % 10000000)
    ctx.stack.new_user(email, (ctx.stack.tenant_id(n), "mssp_admin"))
    rival = ctx.login(email)
    assert rival.get("/t/%d/billing" % nw).status in (403, 404)
    assert rival.get_json("/t/%d/billing" % ctx.stack.tenant_id(n)).json()["billing"] == {"account": None}
    # The application's role reads no billing table directly.
    for table in ("billing_statements", "billing_breakdown", "billing_snapshots", "billing_accounts",
                  "price_books"):
        try:
            ctx.stack.psql("SELECT count(*) FROM %s" % table, user="portal_app")
        except RuntimeError as e:
            assert "permission denied" in str(e), e
        else:
            raise AssertionError("portal_app reads %s" % table)


def test_every_worker_shows_a_change_at_once(ctx):
    """The page is kept in each worker's page cache (page_cache.c) until the
    account's data version moves: an adjustment, the job, a price book
    saved. Twelve views after each change (every worker) show it."""
    w = world(ctx)
    a = w["root"]
    email = "biller-%d@example.com" % (int(time.time() * 1000) % 10000000)
    ctx.stack.new_user(email, (a, "mssp_admin"))
    admin = ctx.login(email)
    path = "/t/%d/billing?month=2026-03" % a

    def dues():
        return {admin.get_json(path).json()["billing"]["statement"]["due_text"] for _ in range(12)}

    before = dues()
    assert len(before) == 1, before
    r = ctx.stack.ctl("billing", "adjust", "--tenant", str(a), "--month", "2026-03", "--amount", "7.25",
                      "--reason", "Late probe installation fee")
    assert r.returncode == 0, r.stdout
    after = dues()
    assert len(after) == 1 and after != before, (before, after)
    assert float(after.pop().replace(",", "")) == float(before.pop().replace(",", "")) + 7.25
    # The price book's page section follows a new version at once too.
    versions = {len(admin.get_json(path).json()["billing"]["book"]["versions"]) for _ in range(12)}
    doc = {"name": w["book"], "from": "2027-01-01", "currency": "EUR", "metering": "max",
           "metrics": {"agents": GRAD}}
    bp = "/tmp/book-next-%d.json" % ctx.port
    with open(bp, "w") as f:
        json.dump(doc, f)
    assert ctx.stack.ctl("billing", "price-book", bp).returncode == 0
    assert {len(admin.get_json(path).json()["billing"]["book"]["versions"]) for _ in range(12)} == \
        {versions.pop() + 1}


# ------------------------------------------------- the statement as a PDF
def month_bounds(month):
    """The first and last day of "YYYY-MM"."""
    y, m = int(month[:4]), int(month[5:])
    return "%s-01" % month, "%s-%02d" % (month, calendar.monthrange(y, m)[1])


def report_jobs(client, tenant):
    r = client.get_json("/t/%d/reports" % tenant)
    assert r.status == 200, (r.status, r.body[:300])
    return r.json()


def pdf_words(ctx, body, name):
    path = os.path.join(ctx.stack.var, name)
    with open(path, "wb") as f:
        f.write(body)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], stdout=subprocess.PIPE, check=True, text=True).stdout
    return " ".join(text.split())


def made(client, tenant, job_id, timeout=180):
    def done():
        j = [x for x in report_jobs(client, tenant)["jobs"] if x["id"] == job_id]
        return j and j[0]["state"] in ("done", "failed") and j[0]
    return portal.wait_for("billing statement %d to be made" % job_id, done, timeout)


def test_the_statement_as_a_pdf_made_by_the_reporter(ctx):
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login(NW_ADMIN)
    last = admin.get_json("/t/%d/billing" % nw).json()["billing"]["months"][1]["month"]
    b = admin.get_json("/t/%d/billing?month=%s" % (nw, last)).json()["billing"]
    st = b["statement"]
    frm, to = month_bounds(last)
    page = admin.get("/t/%d/billing?month=%s" % (nw, last)).text
    assert "Make a PDF" in page and 'name="from" value="%s"' % frm in page and 'name="to" value="%s"' % to in page
    assert 'value="billing"' in admin.get("/t/%d/reports" % nw).text
    # Refused with the words next to the field, what was typed kept: not a
    # whole month, a month with no statement, someone who does not see
    # the billing.
    r = admin.post("/t/%d/reports" % nw, {"kind": "billing", "from": frm, "to": frm[:8] + "15", "paper": "a4"})
    assert r.status == 400 and "one calendar month" in r.text and 'value="%s15"' % frm[:8] in r.text, r.status
    first = admin.get_json("/t/%d/billing" % nw).json()["billing"]["months"][-1]["month"]
    before = "%04d-%02d" % ((int(first[:4]), int(first[5:]) - 1) if first[5:] != "01" else (int(first[:4]) - 1, 12))
    r = admin.post("/t/%d/reports" % nw, dict(zip(("from", "to"), month_bounds(before)), kind="billing", paper="a4"))
    assert r.status == 400 and "There is no statement for %s %s." % (
        calendar.month_name[int(before[5:])], before[:4]) in r.text, r.status
    analyst = ctx.login("analyst@northwind.example")
    assert 'value="billing"' not in analyst.get("/t/%d/reports" % nw).text
    r = analyst.post("/t/%d/reports" % nw, {"kind": "billing", "from": frm, "to": to, "paper": "a4"})
    assert r.status == 400 and "Billing statements are for the MSSP Admins" in r.text, r.status
    # Made off the request path, as the admin may see it.
    r = admin.post("/t/%d/reports" % nw, {"kind": "billing", "from": frm, "to": to, "paper": "a4"})
    assert r.status == 303, r
    job = [j for j in report_jobs(admin, nw)["jobs"] if j["kind"] == "billing" and j["mine"]][0]
    assert (job["kind_title"], job["from"], job["to"]) == ("Billing statement", frm, to), job
    job = made(admin, nw, job["id"])
    assert job["state"] == "done", job
    r = admin.get("/t/%d/reports/%d/pdf" % (nw, job["id"]))
    assert r.status == 200 and r.body.startswith(b"%PDF-"), r
    body = pdf_words(ctx, r.body, "billing-%d.pdf" % job["id"])
    assert "Billing statement" in body and "Statement for %s" % last in body, body[:400]
    assert "Total %s %s" % (st["currency"], st["due_text"]) in body, body
    assert "By MSP" in body and b["by_msp"][0]["name"] in body and "Price book: Northwind Standard" in body
    top = admin.get_json("/t/%d/billing?month=%s&sort=amount&dir=desc" % (nw, last)).json()["billing"]["companies"]
    assert top[0]["name"] in body and top[0]["amount_text"] in body
    # Nobody who does not see the billing sees the job or its file.
    assert job["id"] not in [j["id"] for j in report_jobs(analyst, nw)["jobs"]]
    assert analyst.get("/t/%d/reports/%d/pdf" % (nw, job["id"])).status == 404


def test_a_monthly_billing_statement_is_mailed_with_its_pdf(ctx):
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login(NW_ADMIN)
    addr = "billing-%d@finance.example" % (int(time.time() * 1000) % 10000000)
    form = {"kind": "billing", "paper": "a4", "cadence": "weekly", "delivery": "attachment", "recipients": addr}
    r = admin.post("/t/%d/reports/schedules" % nw, form)
    assert r.status == 400 and "once a month" in r.text and addr in r.text, r.status
    assert ctx.login("analyst@northwind.example").post("/t/%d/reports/schedules" % nw, dict(
        form, cadence="monthly")).status in (400, 403)
    r = admin.post("/t/%d/reports/schedules" % nw, dict(form, cadence="monthly"))
    assert r.status == 303, r
    sch = [s for s in report_jobs(admin, nw)["schedules"] if s["recipients"] == [addr]][0]
    assert sch["kind_title"] == "Billing statement" and sch["next_run_at"][8:10] == "01", sch
    since = len(ctx.stack.messages())
    try:
        q(ctx, "UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE id = %d" % sch["id"])
        # Due once the month has ended where the account counts its days:
        # 06:00 there on the 1st.
        portal.wait_for("the schedule to fire", lambda: q(
            ctx, "SELECT count(*) FROM report_jobs WHERE schedule_id = %d" % sch["id"]) == "1", 20)
        due = q(ctx, "SELECT j.next_try_at = greatest(j.created_at, (date_trunc('month', now() AT TIME ZONE 'UTC')"
                     " + interval '6 hours') AT TIME ZONE a.time_zone) FROM report_jobs j JOIN billing_accounts a"
                     " ON a.tenant_id = j.tenant_id WHERE j.schedule_id = %d" % sch["id"])
        assert due == "t", due
        msg = ctx.stack.wait_mail(lambda m: m["To"] == addr, since=since, timeout=180, what="the statement's mail")
        assert "Billing statement for Northwind Security" in msg["Subject"], msg["Subject"]
        files = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(files) == 1 and files[0].get_filename().startswith("billing-statement-"), files
        assert "Billing statement" in pdf_words(ctx, files[0].get_content(), "billing-mail.pdf")
    finally:
        assert admin.post("/t/%d/reports/schedules/%d/delete" % (nw, sch["id"]), {}).status == 303


def test_a_billed_msp_that_joins_an_mssp_is_billed_on_its_own_until_the_day_before(ctx):
    msp, name, owner_email = make_msp(ctx, companies=1)
    q(ctx, "INSERT INTO assets (tenant_id, root_id, external_id, kind, name, created_at)"
           " SELECT c.id, c.root_id, 'ag' || g, 'agent', 'h', now() - interval '70 days'"
           " FROM tenants c, generate_series(1, 4) g WHERE c.parent_id = %d" % msp)
    book = uniq("Solo book")
    doc = {"name": book, "from": "2026-01-01", "currency": "EUR", "metering": "max", "minimum": "50.00",
           "metrics": {"agents": {"mode": "graduated", "tiers": [{"up_to": None, "price": "3.00"}]}}}
    assert ctx.stack.ctl("billing", "price-book", "-", input=json.dumps(doc)).returncode == 0
    today = q(ctx, "SELECT (now() AT TIME ZONE 'UTC')::date")
    start = q(ctx, "SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month')::date")
    r = ctx.stack.ctl("billing", "assign", "--tenant", str(msp), "--book", book, "--starts-on", start)
    assert r.returncode == 0, r.stdout
    assert ctx.stack.ctl("billing", "run").returncode == 0
    owner = ctx.login(owner_email)
    assert owner.get_json("/t/%d/billing" % msp).json()["billing"]["months"][0]["closed"] is False
    # It joins Northwind.
    admin = ctx.login(NW_ADMIN)
    add_msp(admin, ctx, owner_email, name)
    rid = find(requests_of(admin, ctx), name)["id"]
    assert owner.post("/t/%d/requests/%d/decide" % (msp, rid), {"decision": "approve", "reason": "Go"}).status == 303
    # Its own account ended yesterday; every month up to then is closed,
    # the last one for its days only; the job leaves it alone after.
    assert q(ctx, "SELECT ends_on = '%s'::date - 1 FROM billing_accounts WHERE tenant_id = %d" % (today, msp)) == "t"
    rows = q(ctx, "SELECT month, closed, document FROM billing_statements WHERE account_id = %d ORDER BY month" % msp)
    months = [ln.split("|", 2) for ln in rows.splitlines()]
    assert all(c == "t" for _, c, _ in months), rows
    last = json.loads(months[-1][2])
    ended = q(ctx, "SELECT ('%s'::date - 1)::text" % today)
    assert last["parts"][-1]["to"] == ended and last["days_counted"] == int(ended[8:10]), last
    days, month_days = int(ended[8:10]), last["month_days"]
    assert abs(float(last["total"]) - 50.0 * days / month_days) < 0.02, last  # the minimum, for its days
    assert q(ctx, "SELECT count(*) FROM billing_days WHERE account_id = %d AND day >= '%s'" % (msp, today)) == "0"
    before = q(ctx, "SELECT md5(string_agg(document::text, '' ORDER BY month)) FROM billing_statements"
                    " WHERE account_id = %d" % msp)
    assert ctx.stack.ctl("billing", "run").returncode == 0
    assert q(ctx, "SELECT md5(string_agg(document::text, '' ORDER BY month)) FROM billing_statements"
                  " WHERE account_id = %d" % msp) == before
    # Its Owner still reads its statements until then; the MSSP does not.
    page = owner.get("/t/%d/billing" % msp)
    assert page.status == 200 and "was billed on its own until %s" % ended in page.text, page.status
    assert admin.get("/t/%d/billing" % msp).status in (403, 404)
