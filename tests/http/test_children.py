"""Owners and Admins create, rename and archive the tenants below them; the
database's tree rules (three levels, one region) come back as messages."""
import time


def tid(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))


def uniq(prefix):
    return "%s %d" % (prefix, int(time.time() * 1000) % 10000000)


def test_msp_owner_adds_renames_and_archives_a_company(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    owner = ctx.login("owner@msp1.example")
    name = uniq("Newco")
    r = owner.post("/t/%d/children" % bluefin, {"name": name, "region": "eu"})
    assert r.status == 303, r
    new = int(r.header("Location").split("/t/")[1].split("?")[0])
    page = owner.get_json("/t/%d" % new).json()
    assert page["tenant"]["kind"] == "company"
    assert [a["name"] for a in page["ancestors"]] == ["Bluefin IT"]  # the MSSP above is not visible
    assert ctx.stack.psql("SELECT parent_id, root_id = (SELECT root_id FROM tenants WHERE id = %d) FROM tenants"
                          " WHERE id = %d" % (bluefin, new)) == "%d|t" % bluefin
    r = owner.post("/t/%d/rename" % new, {"name": name + " Renamed"})
    assert r.status == 303
    assert owner.get_json("/t/%d" % new).json()["tenant"]["name"] == name + " Renamed"
    r = owner.post("/t/%d/archive" % new, {})
    assert r.status == 303 and r.header("Location").startswith("/t/%d" % bluefin)
    assert owner.get("/t/%d" % new).status == 404
    names = [c["name"] for c in owner.get_json("/t/%d" % bluefin).json()["children"]]
    assert name + " Renamed" not in names
    actions = [e["action"] for e in owner.get_json("/t/%d/audit?action=tenant." % bluefin).json()["entries"]]
    assert {"tenant.created", "tenant.renamed", "tenant.archived"} <= set(actions)


def test_a_fourth_level_is_refused_with_a_message(ctx):
    company = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % tid(ctx, "Bluefin IT")))
    owner = ctx.login("owner@msp1.example")
    r = owner.post("/t/%d/children" % company, {"name": "Too Deep"})
    assert r.status == 409 and "at most three levels" in r.text
    # A company page has no create form; the JSON answer keeps the values.
    j = owner.request("POST", "/t/%d/children.json" % company, body="name=Too+Deep&csrf=" + owner.csrf(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert j.status == 409 and "three levels" in j.json()["create"]["errors"]["name"]
    assert j.json()["create"]["values"]["name"] == "Too Deep"
    assert ctx.stack.psql("SELECT count(*) FROM tenants WHERE name = 'Too Deep'") == "0"


def test_another_region_is_refused_by_the_database_with_a_message(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    owner = ctx.login("owner@msp1.example")
    name = uniq("Faraway")
    r = owner.post("/t/%d/children" % bluefin, {"name": name, "region": "us"})
    assert r.status == 409 and "same region as the tenant above" in r.text
    assert 'value="us"' in r.text and 'value="%s"' % name in r.text
    assert ctx.stack.psql("SELECT count(*) FROM tenants WHERE name = '%s'" % name) == "0"
    # The page still works after the refusal (the transaction was kept usable).
    assert "Add a company" in r.text


def test_duplicate_names_and_empty_names(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    owner = ctx.login("owner@msp1.example")
    existing = owner.get_json("/t/%d" % bluefin).json()["children"][0]["name"]
    r = owner.post("/t/%d/children" % bluefin, {"name": existing})
    assert r.status == 400 and "already exists here" in r.text
    r = owner.post("/t/%d/children" % bluefin, {"name": "   "})
    assert r.status == 400 and "Name is required." in r.text


def test_archiving_needs_an_empty_tenant_and_a_parent(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    admin = ctx.login("admin@northwind.example")
    r = admin.post("/t/%d/archive" % bluefin, {})
    assert r.status == 409 and "tenants below this one first" in r.text
    r = admin.post("/t/%d/archive" % tid(ctx, "Northwind Security"), {})
    assert r.status == 409 and "top-level tenant" in r.text
    assert admin.get("/t/%d" % bluefin).status == 200


def test_viewers_and_analysts_cannot_manage_tenants(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    for who in ("viewer@msp1.example", "analyst@msp1.example"):
        c = ctx.login(who)
        assert c.post("/t/%d/children" % bluefin, {"name": "Nope"}).status == 403
        assert c.post("/t/%d/rename" % bluefin, {"name": "Nope"}).status == 403
        assert 'class="card manage"' not in c.get("/t/%d" % bluefin).text  # no Manage card
    assert ctx.stack.psql("SELECT count(*) FROM tenants WHERE name = 'Nope'") == "0"


def test_disabling_the_last_owner_through_the_page_is_refused(ctx):
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('msp', 'Solo MSP', 'eu', '{0}', 0)")
    solo = tid(ctx, "Solo MSP")
    for email, role in (("solo.owner@example.com", "owner"), ("solo.admin@example.com", "admin")):
        ctx.stack.psql("INSERT INTO users (email, name, password_hash) SELECT '%s', '%s', password_hash FROM users"
                       " WHERE email = 'owner@msp1.example'" % (email, role))
        ctx.stack.psql("INSERT INTO memberships (user_id, tenant_id, role) SELECT id, %d, '%s' FROM users"
                       " WHERE email = '%s'" % (solo, role, email))
    mssp_admin_like = ctx.login("solo.admin@example.com")
    team = mssp_admin_like.get_json("/t/%d/team" % solo).json()
    owner_id = next(m["user_id"] for m in team["members"] if m["role"] == "owner")
    # An admin may not touch the owner at all...
    assert mssp_admin_like.post("/t/%d/team/%d/status" % (solo, owner_id), {"status": "disabled"}).status == 403
    # ...and an owner demoting the only other owner is refused by the database with a message.
    ctx.stack.psql("UPDATE memberships SET role = 'owner' WHERE user_id = (SELECT id FROM users WHERE email ="
                   " 'solo.admin@example.com')")
    second = ctx.login("solo.admin@example.com")
    ctx.stack.psql("UPDATE users SET status = 'disabled' WHERE email = 'solo.owner@example.com'")
    me = next(m for m in second.get_json("/t/%d/team" % solo).json()["members"] if m["is_self"])
    assert me["role"] == "owner"
    ctx.stack.psql("UPDATE users SET status = 'active' WHERE email = 'solo.owner@example.com'")
    first = ctx.login("solo.owner@example.com")
    r = first.post("/t/%d/team/%d/role" % (solo, me["user_id"]), {"role": "viewer"})
    assert r.status == 303  # two owners: fine
    r = second.post("/t/%d/team/%d/role" % (solo, owner_id), {"role": "viewer"})
    assert r.status == 403  # now a viewer: no team permission
    r = first.post("/t/%d/team/%d/status" % (solo, me["user_id"]), {"status": "disabled"})
    assert r.status == 303
    # The last active owner removing... themselves is refused as self-edit; the database guards the rest.
    r = first.post("/t/%d/team/%d/role" % (solo, owner_id), {"role": "viewer"})
    assert r.status == 409 and "your own role" in r.text
