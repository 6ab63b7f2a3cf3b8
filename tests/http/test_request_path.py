"""The request path, one way down (docs/architecture.md, "One request"):
the page's common parts are read once, under the request's identity, and
the same model answers as HTML or as JSON. The test stack logs, before each
request's line, the statements it ran (PORTAL_REQUEST_LOG=2)."""
import re
import time

import portal

LINE = re.compile(r"^\S+ portal\[(\d+)\] info: (.*)$")


def statements(ctx, client, path, uid, headers=None):
    """(response, names of the statements the request ran) for GET path by
    the signed-in user uid."""
    seen = len(ctx.stack.log())
    r = client.get(path, headers=headers)
    shown = path.split("?", 1)[0]

    def find():
        last = {}
        for line in ctx.stack.log()[seen:].splitlines():
            m = LINE.match(line)
            if m is None:
                continue
            pid, text = m.groups()
            if text.startswith("statements GET %s:" % shown):
                last[pid] = text.split(":", 1)[1].split()
            elif text.startswith("GET %s %d " % (shown, r.status)) and text.split()[4:5] == ["user=%d" % uid] \
                    and pid in last:
                return last[pid]
        return None

    return r, portal.wait_for("the statements of GET %s" % path, find)


def test_a_viewer_s_notifications_read_the_settings_link_once(ctx):
    c = ctx.login("viewer@company.example")
    uid = ctx.stack.user_id("viewer@company.example")
    for headers in (None, {"Accept": "application/json"}):
        r, names = statements(ctx, c, "/notifications", uid, headers)
        assert r.status == 200, r
        assert names.count("st_settings_home") == 1, names
        if headers is None:
            assert "settings-link" not in r.text  # a viewer has no Settings link
        else:
            assert "settings_link" not in r.json(), r.json()


def test_an_admin_s_global_page_has_its_settings_link_from_one_read(ctx):
    c = ctx.login("admin@northwind.example")
    uid = ctx.stack.user_id("admin@northwind.example")
    r, names = statements(ctx, c, "/notifications.json", uid)
    assert r.status == 200, r
    assert names.count("st_settings_home") == 1, names
    link = r.json().get("settings_link")
    assert link and re.fullmatch(r"/t/\d+/settings", link), r.json()
    r, names = statements(ctx, c, "/notifications", uid)
    assert names.count("st_settings_home") == 1, names
    assert 'href="%s"' % link in r.text


def test_a_dashboard_commits_in_its_one_statement_s_round_trip(ctx):
    # The identity and dashboard_page() go in one round trip
    # (db_exec_last()), one implicit transaction up to the pipeline's Sync:
    # no BEGIN, and no COMMIT after it. (The trace names the transaction
    # control a request sends: st_begin, COMMIT, ROLLBACK.)
    c = ctx.login("admin@northwind.example")
    uid = ctx.stack.user_id("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    # a search no other request made: not in the page cache
    r, names = statements(ctx, c, "/t/%d?q=nothing-%d" % (nw, time.time_ns()), uid)
    assert r.status == 200 and "Northwind Security" in r.text, r
    assert names[-1] == "st_page" and "st_begin" not in names and "COMMIT" not in names, names
    # A page of several statements under the identity begins its
    # transaction and commits it: what the trace would show above if the
    # dashboard sent them.
    r, names = statements(ctx, c, "/notifications", uid)
    assert r.status == 200, r
    assert names.count("st_begin") == 1 and names[-1] == "COMMIT", names


def test_the_json_twin_carries_the_page_s_common_parts(ctx):
    c = ctx.login("admin@northwind.example")
    for path in ("/", "/tenants", "/account"):
        j = c.get_json(path).json()
        assert j["brand"]["page_title"] and j["user"]["email"] == "admin@northwind.example", (path, j)
        # Masked afresh in each response (BREACH): the session's token behind it.
        assert portal.unmask_csrf(j["csrf"]) == portal.unmask_csrf(c.csrf()), path


def test_every_json_error_has_one_shape(ctx):
    owner = ctx.login("owner@msp1.example")
    answers = [
        ctx.client().get("/no/such/page.json"),                       # a page's JSON twin
        ctx.client().request("GET", "/api/v1/assets"),                 # the retired API
        ctx.client().request("POST", "/api/v2/assets", body="{}",     # the API without a key
                             headers={"Content-Type": "application/json"}),
        owner.request("POST", "/notifications/read-all", body="",      # a form without its token
                      headers={"Accept": "application/json",
                               "Content-Type": "application/x-www-form-urlencoded"}),
    ]
    for r in answers:
        err = r.json()["error"]
        assert set(err) == {"status", "code", "message"}, (r, err)
        assert err["status"] == r.status and err["code"] and err["message"], (r, err)
