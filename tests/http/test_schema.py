"""The sql/ folder (docs/architecture.md, "The sql/ folder"): numbered
migrations for tables and data, one file per function, view, trigger set
and policy set holding its current definition, and the schema those make,
dumped and checked in as sql/schema.sql.

Each dump test builds its own database in the stack's cluster, runs the
stack's own ctl migrate on it and compares `pg_dump --schema-only`,
normalised, with the other side. When sql/schema.sql is out of date the
new dump is left in tests/out/schema.sql: read the difference, then copy
it over if the change is meant."""
import difflib
import glob
import os
import re
import shutil
import subprocess
import tarfile
import tempfile

import portal

ROOT = portal.ROOT
SQL = os.path.join(ROOT, "sql")
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
# The migrations as they were before definitions moved out of them: sql/
# of commit 1539d4c (sql/001 to sql/052, every function, trigger and policy
# body in them), made with `git archive --format=tar 1539d4c sql | gzip -9n`.
# A fixed file, so it cannot drift, and it needs no git history to read.
PREMOVE = os.path.join(ROOT, "tests", "schema", "premove-sql.tar.gz")
DUMP_HEADER = ("-- sql/schema.sql - the schema `ctl migrate` makes, as pg_dump --schema-only\n"
               "-- prints it (comments and SET lines dropped). Generated: do not edit; the\n"
               "-- test tests/http/test_schema.py writes the current one to tests/out/schema.sql.\n")

CREATE = re.compile(r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(FUNCTION|VIEW|POLICY)|(?:CONSTRAINT\s+)?(TRIGGER))"
                    r"\s+([A-Za-z_][A-Za-z_0-9.]*)(?:\s*\(|\s+(?:.|\n)*?\bON\s+([A-Za-z_][A-Za-z_0-9.]*))?",
                    re.I)
# A list's reader is made by list_reader() (sql/functions/lists/list_reader.sql):
# its definition file's one statement calls it with the reader's name.
MADE = re.compile(r"\bSELECT\s+list_reader\(\s*'([A-Za-z_][A-Za-z_0-9]*)'", re.I)


def _without_comments(text):
    return "\n".join(line.split("--", 1)[0] for line in text.split("\n"))


def _tree_files():
    return sorted(p for p in glob.glob(os.path.join(SQL, "**", "*.sql"), recursive=True)
                  if os.path.relpath(p, SQL) != "schema.sql")


def _creates():
    """(kind, name, table, relative path) of every CREATE of a function,
    view, trigger or policy in sql/, and of every list reader made."""
    out = []
    for path in _tree_files():
        with open(path) as f:
            text = _without_comments(f.read())
        for m in CREATE.finditer(text):
            kind = (m.group(1) or m.group(2)).lower()
            out.append((kind, m.group(3).split(".")[-1], m.group(4), os.path.relpath(path, SQL)))
        for m in MADE.finditer(text):
            out.append(("function", m.group(1), None, os.path.relpath(path, SQL)))
    return out


def _as_user(cmd):
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%d" % portal._gid("mssp-portal"), "--init-groups",
               "--"] + cmd
    return cmd


def _psql(ctx, db, sql, user="postgres"):
    cmd = _as_user(["psql", "-X", "-q", "-t", "-A", "-h", os.path.join(ctx.stack.var, "run"), "-U", user,
                    "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql])
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _fresh_db(ctx, name):
    _psql(ctx, "postgres", "DROP DATABASE IF EXISTS %s" % name)
    _psql(ctx, "postgres", "CREATE DATABASE %s OWNER portal_owner" % name)


def _drop_db(ctx, name):
    _psql(ctx, "postgres", "DROP DATABASE IF EXISTS %s" % name)


def _ctl(ctx, db, *args, sql_dir=None):
    """The stack's ctl as the owner role on database db; sql_dir defaults
    to the staged copy of sql/ the stack migrated the portal database from."""
    cmd, env = ctx.stack.ctl_command()
    env = dict(os.environ, **env)
    env["PORTAL_DB_OWNER"] = "host=%s/run dbname=%s user=portal_owner" % (ctx.stack.var, db)
    env["PORTAL_SQL"] = sql_dir or os.path.join(ctx.stack.var, "app", "sql")
    return subprocess.run(cmd + list(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _dump(ctx, db):
    cmd = _as_user([os.path.join(PGBIN, "pg_dump"), "-h", os.path.join(ctx.stack.var, "run"), "-U", "postgres",
                    "--schema-only", db])
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 0, r.stderr
    return normalise(r.stdout)


def normalise(dump):
    """pg_dump's text without what changes from one run to the next or one
    PostgreSQL minor release to the next: comments (the versions), SET
    lines, the search_path reset, the \\restrict key; blank lines folded."""
    out = []
    for line in dump.split("\n"):
        if line.startswith(("--", "SET ", "\\restrict", "\\unrestrict")) or \
                line.startswith("SELECT pg_catalog.set_config('search_path'"):
            continue
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return DUMP_HEADER + "\n" + "\n".join(out).strip("\n") + "\n"


def _diff(a, b, an, bn):
    d = list(difflib.unified_diff(a.splitlines(), b.splitlines(), an, bn, lineterm="", n=2))
    return "\n".join(d[:60]) + ("\n... %d more lines" % (len(d) - 60) if len(d) > 60 else "")


def test_every_function_view_trigger_and_policy_has_exactly_one_create_in_the_tree(ctx):
    seen = {}
    problems = []
    for kind, name, table, path in _creates():
        key = (kind, name, table if kind in ("trigger", "policy") else None)
        seen.setdefault(key, []).append(path)
        if path.startswith("demo/"):
            continue  # the demo seed's pg_temp helpers: not the schema
        parts = path.split("/")
        if kind == "function" and not (parts[0] == "functions" and len(parts) == 3 and parts[2] == name + ".sql"):
            problems.append("function %s is defined in %s, not in sql/functions/FEATURE/%s.sql" % (name, path, name))
        if kind == "view" and not (parts[0] == "views" and len(parts) == 3 and parts[2] == name + ".sql"):
            problems.append("view %s is defined in %s, not in sql/views/FEATURE/%s.sql" % (name, path, name))
        if kind == "trigger" and not (parts[0] == "triggers" and len(parts) == 3 and parts[1] == table):
            problems.append("trigger %s on %s is defined in %s, not in sql/triggers/%s/" % (name, table, path, table))
        if kind == "policy" and path != "policies/%s.sql" % table:
            problems.append("policy %s on %s is defined in %s, not in sql/policies/%s.sql" % (name, table, path, table))
    for key, paths in sorted(seen.items()):
        if len(paths) != 1:
            problems.append("%s %s has %d definitions: %s" % (key[0], key[1], len(paths), ", ".join(paths)))
    assert seen and not problems, "\n".join(problems)
    # Numbered migrations hold tables, columns, indexes, constraints and
    # data changes only; one may drop a function, view, trigger or policy
    # (IF EXISTS: a fresh database never had it) whose signature or return
    # type changes or that goes (docs/architecture.md, "Changing things"),
    # never make or alter one.
    for path in sorted(glob.glob(os.path.join(SQL, "[0-9]*.sql"))):
        with open(path) as f:
            text = _without_comments(f.read())
        assert not re.search(r"\b(CREATE|ALTER)\s+(OR\s+REPLACE\s+)?(FUNCTION|VIEW|TRIGGER|POLICY)\b", text, re.I), \
            "%s defines a function, view, trigger or policy" % os.path.basename(path)
        assert not re.search(r"\bDROP\s+(FUNCTION|VIEW|TRIGGER|POLICY)\s+(?!IF\s+EXISTS\b)", text, re.I), \
            "%s drops a function, view, trigger or policy without IF EXISTS" % os.path.basename(path)


def test_the_database_has_what_the_tree_defines_and_nothing_else(ctx):
    creates = _creates()
    tree = {
        "function": sorted({n for k, n, _, p in creates if k == "function" and not p.startswith("demo/")}),
        "trigger": sorted({"%s.%s" % (t, n) for k, n, t, _ in creates if k == "trigger"}),
        "policy": sorted({"%s.%s" % (t, n) for k, n, t, _ in creates if k == "policy"}),
        "view": sorted({n for k, n, _, _ in creates if k == "view"}),
    }
    db = {
        "function": ctx.stack.psql("SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
                                   " ORDER BY 1").split(),
        "trigger": ctx.stack.psql("SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c"
                                  " ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                                  " AND c.relnamespace = 'public'::regnamespace ORDER BY 1").split(),
        "policy": ctx.stack.psql("SELECT tablename || '.' || policyname FROM pg_policies"
                                 " WHERE schemaname = 'public' ORDER BY 1").split(),
        "view": ctx.stack.psql("SELECT relname FROM pg_class WHERE relkind IN ('v', 'm')"
                               " AND relnamespace = 'public'::regnamespace ORDER BY 1").split(),
    }
    for kind in tree:
        assert sorted(db[kind]) == tree[kind], (kind, sorted(set(db[kind]) ^ set(tree[kind])))
    # Every definition file is recorded with its checksum.
    files = sorted(os.path.relpath(p, SQL) for p in _tree_files()
                   if os.path.relpath(p, SQL).split("/")[0] in ("functions", "views", "triggers", "policies"))
    assert ctx.stack.psql("SELECT path FROM schema_definitions ORDER BY 1").split() == files


def test_a_fresh_database_migrates_to_the_schema_checked_in(ctx):
    _fresh_db(ctx, "schema_fresh")
    try:
        r = _ctl(ctx, "schema_fresh", "migrate")
        assert r.returncode == 0, r.stdout
        got = _dump(ctx, "schema_fresh")
        want = ""
        if os.path.exists(os.path.join(SQL, "schema.sql")):
            with open(os.path.join(SQL, "schema.sql")) as f:
                want = f.read()
        if got != want:
            out = os.path.join(ROOT, "tests", "out")
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "schema.sql"), "w") as f:
                f.write(got)
        assert got == want, ("sql/schema.sql is not what a fresh database migrates to (the new dump is in"
                             " tests/out/schema.sql):\n" + _diff(want, got, "sql/schema.sql", "fresh database"))

        # Nothing left to do: the plan says so, and a second run applies nothing.
        r = _ctl(ctx, "schema_fresh", "migrate", "--plan")
        assert r.returncode == 0 and " 0 of " in r.stdout.splitlines()[0], r.stdout
        assert "then 0 of" in r.stdout.splitlines()[0], r.stdout
        r = _ctl(ctx, "schema_fresh", "migrate")
        assert r.returncode == 0 and "migrate: 0 applied" in r.stdout and "definitions 0 applied" in r.stdout, r.stdout
    finally:
        _drop_db(ctx, "schema_fresh")


def test_a_changed_function_file_is_applied_again_with_what_requires_it(ctx):
    _fresh_db(ctx, "schema_change")
    try:
        assert _ctl(ctx, "schema_change", "migrate").returncode == 0
        # As if functions/access/app_scope.sql had been edited since it
        # was applied.
        path = "functions/access/app_scope.sql"
        _psql(ctx, "schema_change", "UPDATE schema_definitions SET sha256 = 'edited' WHERE path = '%s'" % path)
        # The files that require it, and the files that require those, ...
        requires = {}
        for p in _tree_files():
            with open(p) as f:
                names = re.findall(r"^-- requires:(.*)$", f.read(), re.M)
            requires[os.path.relpath(p, SQL)] = {n for line in names for n in re.split(r"[\s,]+", line) if n}
        applied, grew = {"app_scope"}, True
        while grew:
            new = {os.path.basename(f)[:-4] for f, req in requires.items() if req & applied and f.startswith("functions/")}
            grew = not new <= applied
            applied |= new
        dependents = sorted(f for f, req in requires.items() if req & applied)
        assert len(dependents) > 10, "policies and functions require app_scope"
        plan = _ctl(ctx, "schema_change", "migrate", "--plan")
        assert plan.returncode == 0, plan.stdout
        lines = plan.stdout.splitlines()
        assert lines[0].startswith("plan: 0 of ") and "then %d of" % (1 + len(dependents)) in lines[0], lines[0]
        applied = [ln.split()[2] for ln in lines if re.match(r"\s+\d+ apply ", ln)]
        assert applied[0] == path, applied
        assert sorted(applied[1:]) == dependents, applied
        for ln in lines:
            if re.match(r"\s+\d+ apply ", ln) and ln.split()[2] != path:
                assert re.search(r"requires \w+, which is applied", ln), ln
        order = [ln.split()[2] for ln in lines if re.match(r"\s+\d+ (apply|keep) ", ln)]
        assert order.index(path) < min(order.index(d) for d in dependents)
        before = _dump(ctx, "schema_change")
        r = _ctl(ctx, "schema_change", "migrate")
        assert r.returncode == 0 and "definitions %d applied" % (1 + len(dependents)) in r.stdout, r.stdout
        assert _dump(ctx, "schema_change") == before
        assert _psql(ctx, "schema_change", "SELECT count(*) FROM schema_definitions WHERE sha256 = 'edited'") == "0"
    finally:
        _drop_db(ctx, "schema_change")


def test_a_database_made_before_the_move_migrates_to_the_same_schema(ctx):
    """A database made by the migrations as they were before definitions
    moved out of them (PREMOVE, applied as that commit's ctl did:
    each file in a transaction, recorded in schema_migrations) migrates to
    exactly the schema a fresh database gets."""
    old = tempfile.mkdtemp(prefix="premove-", dir=ctx.stack.var)
    os.chmod(old, 0o755)
    try:
        with tarfile.open(PREMOVE) as tar:
            tar.extractall(old, members=[m for m in tar.getmembers() if m.name.startswith("sql/")])
        for dirpath, dirs, files in os.walk(old):
            for n in dirs:
                os.chmod(os.path.join(dirpath, n), 0o755)
            for n in files:
                os.chmod(os.path.join(dirpath, n), 0o644)
        names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(old, "sql", "[0-9]*.sql")))
        assert names[-1] == "052_identity_from_token.sql", names[-1:]
        script = os.path.join(old, "premove.psql")
        with open(script, "w") as f:
            f.write("SET client_min_messages = warning;\n"
                    "CREATE TABLE schema_migrations (version text PRIMARY KEY,"
                    " applied_at timestamptz NOT NULL DEFAULT now());\n")
            for n in names:
                f.write("BEGIN;\n\\i %s\nINSERT INTO schema_migrations (version) VALUES ('%s');\nCOMMIT;\n"
                        % (os.path.join(old, "sql", n), n))
        os.chmod(script, 0o644)
        for d in ("premove", "schema_fresh2"):
            _fresh_db(ctx, d)
        cmd = _as_user(["psql", "-X", "-q", "-h", os.path.join(ctx.stack.var, "run"), "-U", "portal_owner",
                        "-d", "premove", "-v", "ON_ERROR_STOP=1", "-f", script])
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert r.returncode == 0, r.stdout[-3000:]

        # What it lacks are the migrations written since the move, if any.
        later = sorted(n for n in (os.path.basename(p) for p in glob.glob(os.path.join(portal.ROOT, "sql", "[0-9]*.sql")))
                       if n > names[-1])
        r = _ctl(ctx, "premove", "migrate", "--plan")
        assert r.returncode == 0 and r.stdout.startswith(
            "plan: %d of %d migrations" % (len(later), len(names) + len(later))), r.stdout[:500]
        r = _ctl(ctx, "premove", "migrate")
        assert r.returncode == 0 and "migrate: %d applied" % len(later) in r.stdout, r.stdout[-3000:]
        assert _ctl(ctx, "schema_fresh2", "migrate").returncode == 0
        moved, fresh = _dump(ctx, "premove"), _dump(ctx, "schema_fresh2")
        assert moved == fresh, _diff(fresh, moved, "fresh database", "made before the move, migrated")
    finally:
        for d in ("premove", "schema_fresh2"):
            _drop_db(ctx, d)
        shutil.rmtree(old, ignore_errors=True)


def test_a_database_stopped_halfway_before_the_move_is_refused(ctx):
    """Before the move, migrations backfilled with functions they defined;
    those now come after every migration, so a database that stopped
    before sql/052 cannot go on with this tree, and ctl says how."""
    _fresh_db(ctx, "schema_halfway")
    try:
        _psql(ctx, "schema_halfway", "CREATE TABLE schema_migrations (version text PRIMARY KEY,"
                                     " applied_at timestamptz NOT NULL DEFAULT now());"
                                     " INSERT INTO schema_migrations VALUES ('001_core.sql');"
                                     " ALTER TABLE schema_migrations OWNER TO portal_owner")
        r = _ctl(ctx, "schema_halfway", "migrate")
        assert r.returncode == 1 and "stopped before 052_identity_from_token.sql" in r.stdout, r.stdout
        assert _psql(ctx, "schema_halfway", "SELECT to_regclass('schema_definitions') IS NULL") == "t"
    finally:
        _drop_db(ctx, "schema_halfway")
