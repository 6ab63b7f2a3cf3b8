"""Backups (docs/operations.md, "Backups"): `ctl backup` writes the whole
database as one pg_dump archive (mode 0600); `ctl restore` puts it into an
empty database, and a portal started on that database answers the same
dashboards, to the byte of their JSON, for the same signed-in session."""
import json
import os
import tempfile

import portal

RESTORED = "portal_restored_test"


def pages(client, ids):
    """The JSON of each page, without what differs per response (the CSRF
    token is masked afresh in each)."""
    out = {}
    for path in ["/t/%d" % ids[0], "/t/%d?sort=critical&dir=desc" % ids[1], "/t/%d" % ids[2],
                 "/t/%d/incidents" % ids[0], "/t/%d/vulnerabilities" % ids[1], "/t/%d/assets" % ids[2]]:
        r = client.get_json(path)
        assert r.status == 200, (path, r)
        doc = r.json()
        doc.pop("csrf", None)
        out[path] = json.dumps(doc, sort_keys=True)
    return out


def test_a_backup_restored_into_an_empty_database_serves_the_same_dashboards(ctx):
    stack = ctx.stack
    admin = ctx.login("admin@northwind.example")
    nw = stack.tenant_id("Northwind Security")
    bf = stack.tenant_id("Bluefin IT")
    co = int(stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % bf))
    before = pages(admin, (nw, bf, co))
    folder = tempfile.mkdtemp(prefix="portal-backup-", dir=os.path.join(stack.var))
    os.chmod(folder, 0o777)
    r = stack.ctl("backup", "--dir", folder)
    assert r.returncode == 0, r.stdout
    path = r.stdout.split("\t")[0].strip()
    assert os.path.dirname(path) == folder and os.path.basename(path).startswith("portal-"), r.stdout
    assert os.stat(path).st_mode & 0o777 == 0o600, oct(os.stat(path).st_mode)
    assert not [f for f in os.listdir(folder) if f.endswith(".partial")]

    # Into the live database: refused, nothing touched.
    tenants = stack.psql("SELECT count(*) FROM tenants")
    r = stack.ctl("restore", path)
    assert r.returncode == 1 and "already holds" in r.stdout and "restore into an empty one" in r.stdout, r.stdout
    assert stack.psql("SELECT count(*) FROM tenants") == tenants

    stack.psql("DROP DATABASE IF EXISTS %s" % RESTORED, user="postgres")
    stack.psql("CREATE DATABASE %s OWNER portal_owner" % RESTORED, user="postgres")
    try:
        owner = "host=%s/run dbname=%s user=portal_owner" % (stack.var, RESTORED)
        r = stack.ctl("restore", path, env={"PORTAL_DB_OWNER": owner})
        assert r.returncode == 0, r.stdout
        assert "restored %s into %s: %s tenants" % (path, RESTORED, tenants) in r.stdout, r.stdout
        # A portal on the restored database, configured as the running one.
        with portal.second_master(stack, "restored",
                                  PORTAL_DB="host=%s/run dbname=%s user=portal_app" % (stack.var, RESTORED)) as (
                restored, _, _):
            restored.cookies = admin.cookies  # the same session (sessions are rows of the backup)
            after = pages(restored, (nw, bf, co))
        for p in before:
            assert after[p] == before[p], p
    finally:
        stack.psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % RESTORED, user="postgres")


def test_restore_refuses_what_is_not_an_archive(ctx):
    folder = tempfile.mkdtemp(prefix="portal-backup-", dir=ctx.stack.var)
    bad = os.path.join(folder, "not-a-backup.dump")
    with open(bad, "w") as f:
        f.write("-- a SQL file, not an archive\n")
    os.chmod(folder, 0o755)
    os.chmod(bad, 0o644)
    r = ctx.stack.ctl("restore", bad)
    assert r.returncode == 1 and "is not an archive of ctl backup" in r.stdout, r.stdout
    r = ctx.stack.ctl("restore", os.path.join(folder, "missing.dump"))
    assert r.returncode == 1 and "No such file" in r.stdout, r.stdout
    r = ctx.stack.ctl("backup", "--dir", os.path.join(folder, "no-such-folder"))
    assert r.returncode == 1 and "no such folder" in r.stdout, r.stdout


def test_a_folder_of_backups_keeps_the_newest(ctx):
    folder = tempfile.mkdtemp(prefix="portal-backup-", dir=ctx.stack.var)
    os.chmod(folder, 0o777)
    old = ["portal-2026010%dT000000Z.dump" % d for d in (1, 2, 3)]
    for name in old + ["notes.txt"]:
        with open(os.path.join(folder, name), "w") as f:
            f.write("an older archive\n")
    r = ctx.stack.ctl("backup", "--dir", folder, "--keep", "2")
    assert r.returncode == 0, r.stdout
    new = os.path.basename(r.stdout.split("\t")[0])
    assert sorted(os.listdir(folder)) == sorted([old[2], new, "notes.txt"]), (os.listdir(folder), r.stdout)
    assert r.stdout.count("removed ") == 2, r.stdout
    r = ctx.stack.ctl("backup", "--out", os.path.join(folder, "x.dump"), "--keep", "2")
    assert r.returncode == 2 and "--keep applies to a folder" in r.stdout, r.stdout
