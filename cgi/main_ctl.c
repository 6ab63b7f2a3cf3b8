/* main_ctl.c - the admin command line: migrate, create-admin, seed-demo,
 * check, routes, user-status, host-approve, api-key, report, billing, backup,
 * restore. Runs as the owner role
 * (PORTAL_DB_OWNER), except `check`, which also connects as the app role
 * to prove what the app can do. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "api.h"
#include "backup.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "log.h"
#include "migrate.h"
#include "pages/pages.h"
#include "pwhash.h"
#include "router.h"
#include "routes.h"
#include "token.h"
#include "view.h"

static void usage(void)
{
	fprintf(stderr,
	        "usage: ctl COMMAND [options]\n"
	        "  migrate [--plan]              apply new sql/NNN_*.sql migrations in order, then the\n"
	        "                                definition files (sql/functions, views, triggers, policies)\n"
	        "                                that changed, in one transaction; --plan prints what would\n"
	        "                                be applied, in which order and why, and applies nothing\n"
	        "  create-admin --mssp NAME --region R --email E --name N\n"
	        "                                create an MSSP and its first MSSP Admin;\n"
	        "                                the password is read from PORTAL_ADMIN_PASSWORD or stdin\n"
	        "  create-msp --msp NAME --region R --email E --name N\n"
	        "                                create a standalone MSP (no MSSP yet) and its Owner;\n"
	        "                                the Owner then adds companies in the portal\n"
	        "  seed-demo [--size S|M|L]      load demo tenants and users (idempotent)\n"
	        "  check                         verify config, database, RLS and templates\n"
	        "  routes                        print the route table as JSON\n"
	        "  user-status EMAIL active|disabled\n"
	        "                                enable or disable an account everywhere (the operator's\n"
	        "                                call: tenants manage memberships); disabling ends its sessions\n"
	        "  host-approve HOST [--tenant ID]\n"
	        "                                verify a tenant's pending portal host name without its DNS\n"
	        "                                TXT record (the operator checked it another way); --tenant\n"
	        "                                picks one when several tenants claim the name\n"
	        "  api-key --tenant ID --name NAME\n"
	        "                                make an ingest API key for a tenant and print it (shown\n"
	        "                                once); an active key of that name there is revoked first\n"
	        "                                (the demo feeder's key: scripts/stack)\n"
	        "  report --tenant ID --from YYYY-MM-DD --to YYYY-MM-DD [--kind executive|consolidated]\n"
	        "         [--paper a4|letter] --out FILE.pdf|FILE.json|FILE.csv\n"
	        "                                the executive report of a tenant over the days from..to\n"
	        "                                (UTC, both included) as the operator sees it: the figures\n"
	        "                                (JSON) or every table (CSV), as the Reports page gives them\n"
	        "  billing price-book FILE.json  add a price book version (FILE - : stdin; docs/billing.md)\n"
	        "  billing books                 list the price books and their versions\n"
	        "  billing assign --tenant ID --book NAME [--time-zone TZ] [--activity-days N]\n"
	        "                 [--starts-on YYYY-MM-DD]\n"
	        "                                bill a top-level tenant on a book (UTC, 30 days, the\n"
	        "                                first of this month by default)\n"
	        "  billing run                   take the daily snapshots and close the ended months now\n"
	        "                                (the reporter does it every BILLING_RUN_SECONDS)\n"
	        "  billing adjust --tenant ID --month YYYY-MM --amount X --reason TEXT\n"
	        "                                add an adjustment line to a closed month (X < 0: a credit)\n"
	        "  backup [--out FILE | --dir DIR [--keep N]]\n"
	        "                                the whole database (logos and reports included) as one\n"
	        "                                pg_dump archive, mode 0600; by default\n"
	        "                                $PORTAL_BACKUP_DIR/portal-YYYYMMDDTHHMMSSZ.dump; --keep N\n"
	        "                                then deletes all but the newest N archives there\n"
	        "  restore FILE                  an archive of ctl backup into the empty database\n"
	        "                                PORTAL_DB_OWNER names, in one transaction\n");
}

static PGconn *connect_or_die(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "ctl: cannot connect (%s): %s", conninfo, PQerrorMessage(c));
		PQfinish(c);
		exit(1);
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

/* A tenant id given on the command line (digits only), or 0. */
static long long tenant_arg(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *s != '\0' && *end == '\0' && v > 0 ? v : 0;
}

static int exec_ok(PGconn *c, PGresult *res, const char *what)
{
	ExecStatusType s = PQresultStatus(res);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return 1;
	fprintf(stderr, "ctl: %s failed: %s", what, PQresultErrorMessage(res));
	(void)c;
	return 0;
}

/* The whole of path ("-": standard input), malloc'd; NULL with errno. */
static char *read_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	if (f != stdin)
		fclose(f);
	return buf_take(&b);
}

/* ---------------------------------------------------------------- migrate */
/* migrate [--plan]: migrate.c, one transaction. */
static int cmd_migrate(int argc, char **argv)
{
	int plan = argc == 2 && strcmp(argv[1], "--plan") == 0, ret;
	PGconn *c;

	if (argc > 1 && !plan) {
		usage();
		return 2;
	}
	c = connect_or_die(config_get()->db_owner);
	ret = migrate_run(c, config_get()->sql_dir, plan);
	PQfinish(c);
	return ret;
}

/* ---------------------------------------------------------------- passwords */
static int read_password(char *out, size_t len)
{
	const char *env = getenv("PORTAL_ADMIN_PASSWORD");
	size_t n;

	if (env != NULL) {
		snprintf(out, len, "%s", env);
	} else {
		if (isatty(0))
			fprintf(stderr, "Password for the new admin: ");
		if (fgets(out, (int)len, stdin) == NULL)
			return -1;
		out[strcspn(out, "\r\n")] = '\0';
	}
	n = strlen(out);
	if (n < PW_MIN_LEN || n > PW_MAX_LEN) {
		fprintf(stderr, "ctl: the password must have %d to %d characters\n", PW_MIN_LEN, PW_MAX_LEN);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- create-admin */
/* create-admin (an MSSP and its MSSP Admin) and create-msp (a standalone
 * MSP and its Owner) differ only in the tenant kind and the role. */
static int create_root(int argc, char **argv, const char *kind, const char *role)
{
	static const struct option opts[] = {{"mssp", required_argument, NULL, 'm'},
	                                     {"msp", required_argument, NULL, 'm'},
	                                     {"region", required_argument, NULL, 'r'},
	                                     {"email", required_argument, NULL, 'e'},
	                                     {"name", required_argument, NULL, 'n'},
	                                     {NULL, 0, NULL, 0}};
	const char *mssp = NULL, *region = "eu", *email = NULL, *name = NULL;
	char pw[PW_MAX_LEN + 2], hash[PW_HASH_MAX];
	const char *params[7];
	PGconn *c;
	PGresult *res;
	int ch, ret = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'm': mssp = optarg; break;
		case 'r': region = optarg; break;
		case 'e': email = optarg; break;
		case 'n': name = optarg; break;
		default: usage(); return 2;
		}
	}
	if (mssp == NULL || email == NULL || name == NULL) {
		usage();
		return 2;
	}
	if (!form_is_email(email)) {
		fprintf(stderr, "ctl: %s is not an email address the portal can mail (see form_is_email)\n", email);
		return 2;
	}
	if (read_password(pw, sizeof(pw)) != 0 || pw_hash(pw, hash) != 0)
		return 1;
	c = connect_or_die(config_get()->db_owner);
	params[0] = mssp;
	params[1] = region;
	params[2] = email;
	params[3] = name;
	params[4] = hash;
	params[5] = kind;
	params[6] = role;
	res = PQexecParams(c,
	                   "WITH t AS (INSERT INTO tenants (kind, name, region, ancestors, root_id)"
	                   "           VALUES ($6, $1, $2, '{0}', 0) RETURNING id),"
	                   " u AS (INSERT INTO users (email, name, password_hash, password_changed_at)"
	                   "       VALUES ($3, $4, $5, now()) RETURNING id)"
	                   " INSERT INTO memberships (user_id, tenant_id, role)"
	                   " SELECT u.id, t.id, $7 FROM t, u RETURNING tenant_id, user_id",
	                   7, NULL, params, NULL, NULL, 0);
	if (exec_ok(c, res, kind)) {
		printf("created %s %s (tenant %s) with %s %s (user %s)\n", strcmp(kind, "mssp") == 0 ? "MSSP" : "MSP",
		       mssp, PQgetvalue(res, 0, 0), strcmp(role, "owner") == 0 ? "owner" : "admin", email,
		       PQgetvalue(res, 0, 1));
		ret = 0;
	}
	PQclear(res);
	PQfinish(c);
	memset(pw, 0, sizeof(pw));
	return ret;
}

/* ---------------------------------------------------------------- user-status */
/* The operator disables or re-enables an account as a whole, in one
 * transaction with its audit row (no tenant: the account is the person's). */
static int cmd_user_status(int argc, char **argv)
{
	const char *params[2];
	PGconn *c;
	PGresult *res;
	int ret = 1;

	if (argc != 3 || (strcmp(argv[2], "active") != 0 && strcmp(argv[2], "disabled") != 0)) {
		usage();
		return 2;
	}
	params[0] = argv[1];
	params[1] = argv[2];
	c = connect_or_die(config_get()->db_owner);
	res = PQexecParams(c,
	                   "WITH u AS (UPDATE users SET status = $2, disabled_by_operator = ($2 = 'disabled')"
	                   "             WHERE lower(email) = lower(btrim($1))"
	                   "             AND status IN ('active', 'disabled')"
	                   "             AND (status <> $2 OR disabled_by_operator <> ($2 = 'disabled')) RETURNING id),"
	                   " s AS (DELETE FROM sessions WHERE $2 = 'disabled' AND user_id IN (SELECT id FROM u)),"
	                   " a AS (INSERT INTO audit_log (user_id, action, target)"
	                   "       SELECT id, 'operator.account_' || $2, 'user:' || id FROM u)"
	                   " SELECT id FROM u",
	                   2, NULL, params, NULL, NULL, 0);
	if (exec_ok(c, res, "user-status")) {
		if (PQntuples(res) == 1) {
			printf("user %s (%s): %s\n", argv[1], PQgetvalue(res, 0, 0), argv[2]);
			ret = 0;
		} else {
			fprintf(stderr, "ctl: no account %s that is not %s already (an invited account accepts first)\n",
			        argv[1], argv[2]);
		}
	}
	PQclear(res);
	PQfinish(c);
	return ret;
}

/* ---------------------------------------------------------------- host-approve */
/* The operator verifies a pending portal host name (branding_host_verify()'s rule), in one
 * statement with its audit row. Several tenants may claim a name while it
 * is pending: --tenant picks one; a name verified for another tenant
 * cannot be approved for a second. */
static int cmd_host_approve(int argc, char **argv)
{
	const char *params[2] = {NULL, NULL};
	const char *host = NULL;
	long long tenant = 0, target = 0;
	int pending = 0, ret = 1;
	PGconn *c;
	PGresult *res;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc) {
			if ((tenant = tenant_arg(argv[++i])) <= 0) {
				usage();
				return 2;
			}
		} else if (host == NULL && argv[i][0] != '-') {
			host = argv[i];
		} else {
			usage();
			return 2;
		}
	}
	if (host == NULL) {
		usage();
		return 2;
	}
	params[0] = host;
	c = connect_or_die(config_get()->db_owner);
	res = PQexecParams(c,
	                   "SELECT b.tenant_id, t.name, b.host_verified_at IS NOT NULL FROM branding b"
	                   " JOIN tenants t ON t.id = b.tenant_id WHERE b.host = lower(btrim($1)) ORDER BY b.tenant_id",
	                   1, NULL, params, NULL, NULL, 0);
	if (!exec_ok(c, res, "host-approve")) {
		PQclear(res);
		PQfinish(c);
		return 1;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		long long id = atoll(PQgetvalue(res, i, 0));
		if (strcmp(PQgetvalue(res, i, 2), "t") == 0) {
			if (tenant == 0 || tenant == id) {
				printf("host %s: already verified for tenant %lld (%s)\n", host, id, PQgetvalue(res, i, 1));
				ret = 0;
			} else {
				fprintf(stderr, "ctl: host %s is verified for tenant %lld (%s) already\n", host, id,
				        PQgetvalue(res, i, 1));
			}
			PQclear(res);
			PQfinish(c);
			return ret;
		}
		if (tenant == 0 || tenant == id) {
			pending++;
			target = id;
		}
	}
	if (pending != 1) {
		if (pending == 0)
			fprintf(stderr, "ctl: no tenant%s claims host %s\n", tenant ? " of that id" : "", host);
		else {
			fprintf(stderr, "ctl: %d tenants claim host %s; choose one with --tenant ID:\n", pending, host);
			for (int i = 0; i < PQntuples(res); i++)
				fprintf(stderr, "  %s  %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
		}
		PQclear(res);
		PQfinish(c);
		return 1;
	}
	PQclear(res);
	{
		char tid[24];
		snprintf(tid, sizeof(tid), "%lld", target);
		params[1] = tid;
		res = PQexecParams(c,
		                   "WITH b AS (UPDATE branding SET host_verified_at = now(), host_verified_by = 'operator'"
		                   "             WHERE tenant_id = $2::bigint AND host = lower(btrim($1))"
		                   "             AND host_verified_at IS NULL RETURNING tenant_id, root_id, host),"
		                   " a AS (INSERT INTO audit_log (tenant_id, root_id, action, target, details)"
		                   "       SELECT tenant_id, root_id, 'operator.host_approved', 'host:' || host,"
		                   "              jsonb_build_object('host', host, 'method', 'operator') FROM b)"
		                   " SELECT tenant_id FROM b",
		                   2, NULL, params, NULL, NULL, 0);
		if (exec_ok(c, res, "host-approve")) {
			if (PQntuples(res) == 1) {
				printf("host %s: verified for tenant %s (operator)\n", host, tid);
				ret = 0;
			} else {
				fprintf(stderr, "ctl: host %s changed meanwhile; run the command again\n", host);
			}
		}
	}
	PQclear(res);
	PQfinish(c);
	return ret;
}

/* ---------------------------------------------------------------- api-key */
/* The operator makes an ingest key for a tenant (as the API keys page
 * does: only its SHA-256 is stored), in one statement with its audit row;
 * an active key of the same name on that tenant is revoked in the same
 * statement, so running it again replaces the key. Prints the key. */
static int cmd_api_key(int argc, char **argv)
{
	const char *params[4] = {NULL, NULL, NULL, NULL};
	const char *name = NULL;
	long long tenant = 0;
	char key[API_KEY_LEN + 1], hash[65], prefix[API_KEY_SHOWN + 1], tid[24];
	int ret = 1;
	PGconn *c;
	PGresult *res;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc) {
			if ((tenant = tenant_arg(argv[++i])) <= 0) {
				usage();
				return 2;
			}
		} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
			name = argv[++i];
		} else {
			usage();
			return 2;
		}
	}
	if (tenant == 0 || name == NULL) {
		usage();
		return 2;
	}
	if (api_key_new(key, hash, prefix) != 0) {
		fprintf(stderr, "ctl: no random bytes\n");
		return 1;
	}
	snprintf(tid, sizeof(tid), "%lld", tenant);
	params[0] = tid;
	params[1] = name;
	params[2] = prefix;
	params[3] = hash;
	c = connect_or_die(config_get()->db_owner);
	res = PQexecParams(c,
	                   "WITH t AS (SELECT id, root_id FROM tenants WHERE id = $1::bigint AND status = 'active'),"
	                   " r AS (UPDATE api_keys SET revoked_at = now() WHERE tenant_id = (SELECT id FROM t)"
	                   "       AND name = btrim($2) AND revoked_at IS NULL RETURNING id),"
	                   " k AS (INSERT INTO api_keys (tenant_id, root_id, name, prefix, key_hash)"
	                   "       SELECT id, root_id, btrim($2), $3, $4 FROM t RETURNING id, tenant_id, root_id),"
	                   " a AS (INSERT INTO audit_log (tenant_id, root_id, action, target, details)"
	                   "       SELECT tenant_id, root_id, 'operator.api_key_created', 'api_key:' || id,"
	                   "              jsonb_build_object('name', btrim($2), 'prefix', $3,"
	                   "                                 'replaced', (SELECT count(*) FROM r)) FROM k)"
	                   " SELECT id FROM k",
	                   4, NULL, params, NULL, NULL, 0);
	if (exec_ok(c, res, "api-key")) {
		if (PQntuples(res) == 1) {
			printf("%s\n", key);
			ret = 0;
		} else {
			fprintf(stderr, "ctl: no active tenant %s\n", tid);
		}
	}
	tok_wipe(key, sizeof(key));
	PQclear(res);
	PQfinish(c);
	return ret;
}

/* ---------------------------------------------------------------- seed-demo */
static int cmd_seed_demo(int argc, char **argv)
{
	static const struct option opts[] = {{"size", required_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
	const char *size = "S";
	const char *pw = getenv("PORTAL_DEMO_PASSWORD");
	char hash[PW_HASH_MAX], path[4096];
	const char *params[2];
	PGconn *c;
	PGresult *res;
	char *sql;
	int ch, ret = 1;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 's') {
			usage();
			return 2;
		}
		size = optarg;
	}
	if (strcmp(size, "S") != 0 && strcmp(size, "M") != 0 && strcmp(size, "L") != 0) {
		fprintf(stderr, "ctl: --size must be S, M or L\n");
		return 2;
	}
	if (pw == NULL)
		pw = "portal-demo-2026";
	if (pw_hash(pw, hash) != 0)
		return 1;
	snprintf(path, sizeof(path), "%s/demo/seed_demo.sql", config_get()->sql_dir);
	sql = read_file(path);
	if (sql == NULL) {
		fprintf(stderr, "ctl: cannot read %s\n", path);
		return 1;
	}
	c = connect_or_die(config_get()->db_owner);
	res = PQexec(c, sql);
	free(sql);
	if (!exec_ok(c, res, "seed definitions"))
		goto out;
	PQclear(res);
	params[0] = size;
	params[1] = hash;
	res = PQexecParams(c, "SELECT pg_temp.seed_demo($1, $2)", 2, NULL, params, NULL, NULL, 0);
	if (exec_ok(c, res, "seed-demo")) {
		printf("%s\n", PQgetvalue(res, 0, 0));
		ret = 0;
	}
out:
	PQclear(res);
	PQfinish(c);
	return ret;
}

/* ---------------------------------------------------------------- check */
static int cmd_check(void)
{
	const struct config *cfg = config_get();
	struct mus_error err;
	PGconn *c;
	PGresult *res;
	int failed = 0, i;

	if (view_init(cfg->templates, &err) != R_SUCCESS) {
		printf("FAIL templates: %s:%d:%d: %s\n", err.name, err.line, err.col, err.msg);
		failed++;
	} else {
		printf("ok   templates compile (%s)\n", cfg->templates);
	}
	view_free();

	c = connect_or_die(cfg->db);
	printf("ok   database reachable as the app role\n");
	res = PQexec(c, "SELECT r.rolsuper OR r.rolbypassrls,"
	                " EXISTS (SELECT 1 FROM pg_class k WHERE k.relowner = r.oid AND k.relkind = 'r'"
	                "         AND k.relnamespace = 'public'::regnamespace)"
	                " FROM pg_roles r WHERE r.rolname = current_user");
	if (exec_ok(c, res, "role check") && PQntuples(res) == 1) {
		if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
			printf("FAIL the app role can bypass Row-Level Security\n");
			failed++;
		} else if (strcmp(PQgetvalue(res, 0, 1), "t") == 0) {
			printf("FAIL the app role owns tables (RLS would not bind it)\n");
			failed++;
		} else {
			printf("ok   the app role owns no table and cannot bypass RLS\n");
		}
	}
	PQclear(res);
	/* Every table with a tenant_id column must have RLS enabled and forced. */
	res = PQexec(c, "SELECT k.relname, k.relrowsecurity, k.relforcerowsecurity FROM pg_class k"
	                " JOIN pg_attribute a ON a.attrelid = k.oid AND a.attname IN ('tenant_id')"
	                " WHERE k.relkind IN ('r', 'p') AND k.relnamespace = 'public'::regnamespace"
	                " ORDER BY 1");
	if (exec_ok(c, res, "rls check")) {
		int bad = 0;
		for (i = 0; i < PQntuples(res); i++) {
			if (strcmp(PQgetvalue(res, i, 1), "t") != 0 || strcmp(PQgetvalue(res, i, 2), "t") != 0) {
				printf("FAIL table %s has tenant_id but RLS is not enabled and forced\n", PQgetvalue(res, i, 0));
				bad++;
			}
		}
		if (!bad)
			printf("ok   RLS enabled and forced on all %d tenant-scoped tables\n", PQntuples(res));
		failed += bad;
	} else {
		failed++;
	}
	PQclear(res);
	PQfinish(c);

	c = connect_or_die(cfg->db_owner);
	res = PQexec(c, "SELECT count(*) FROM schema_migrations");
	if (exec_ok(c, res, "migrations"))
		printf("ok   %s migrations applied\n", PQgetvalue(res, 0, 0));
	else
		failed++;
	PQclear(res);
	PQfinish(c);
	printf(failed ? "check: %d problem(s)\n" : "check: all good\n", failed);
	return failed ? 1 : 0;
}

/* ---------------------------------------------------------------- routes */
static int cmd_routes(void)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; i < nroutes; i++)
	{
		static const char *const access[] = {"public", "user", "tenant", "api"};
		json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "name", routes[i].name, "method",
		                      routes[i].method, "pattern", routes[i].pattern, "access",
		                      access[routes[i].access], "csrf",
		                      route_is_write(routes[i].method) && !(routes[i].flags & ROUTE_NO_CSRF), "secret",
		                      (routes[i].flags & ROUTE_SECRET) != 0);
		if (routes[i].access == ACCESS_TENANT)
			json_object_set_new(r, "perm", json_string(authz_perm_name(routes[i].perm)));
		json_array_append_new(a, r);
	}
	{
		/* The matrix as data: the access tests derive expectations from it. */
		json_t *out = json_object(), *mx = json_object();
		static const char *const kinds[] = {"mssp", "msp", "company"};
		for (int p = 0; p < PERM_COUNT; p++) {
			json_t *byrole = json_object();
			for (int ro = 1; ro < ROLE_COUNT; ro++) {
				json_t *ks = json_array();
				for (int k = 0; k < 3; k++)
					if (authz_can((enum role)ro, (enum perm)p, kinds[k]))
						json_array_append_new(ks, json_string(kinds[k]));
				json_object_set_new(byrole, authz_role_name((enum role)ro), ks);
			}
			json_object_set_new(mx, authz_perm_name((enum perm)p), byrole);
		}
		json_object_set_new(out, "routes", a);
		json_object_set_new(out, "permissions", mx);
		a = out;
	}
	json_dumpf(a, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(a);
	return 0;
}

/* ------------------------------------------------------------------ report */
/* The operator's report of a tenant, as a file (docs/reports.md). */
static int cmd_report(int argc, char **argv)
{
	struct report_request q = {0};
	struct mus_error merr;
	char err[512];

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--tenant") == 0)
			q.tenant = argv[i + 1];
		else if (strcmp(argv[i], "--from") == 0)
			q.from = argv[i + 1];
		else if (strcmp(argv[i], "--to") == 0)
			q.to = argv[i + 1];
		else if (strcmp(argv[i], "--kind") == 0)
			q.kind = argv[i + 1];
		else if (strcmp(argv[i], "--paper") == 0)
			q.paper = argv[i + 1];
		else if (strcmp(argv[i], "--out") == 0)
			q.path = argv[i + 1];
	}
	if (q.tenant == NULL || q.from == NULL || q.to == NULL || q.path == NULL || argc % 2 == 0) {
		usage();
		return 2;
	}
	if (view_init(config_get()->templates, &merr) != R_SUCCESS) {
		fprintf(stderr, "ctl report: templates: %s:%d:%d: %s\n", merr.name, merr.line, merr.col, merr.msg);
		return 1;
	}
	db_init(config_get()->db_owner);
	if (report_file(&q, err, sizeof(err)) != 0) {
		fprintf(stderr, "ctl report: %s\n", err);
		db_close();
		view_free();
		return 1;
	}
	db_close();
	view_free();
	printf("%s\n", q.path);
	return 0;
}

/* ---------------------------------------------------------------- billing */
/* One statement of billing's (sql/functions/billing), its rows printed
 * tab-separated; its error as PostgreSQL words it. 0, or 1. */
static int billing_exec(PGconn *c, const char *sql, int n, const char *const *params, const char *what)
{
	PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok) {
		const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		fprintf(stderr, "ctl billing %s: %s\n", what, m ? m : PQerrorMessage(c));
	}
	for (int i = 0; ok && i < PQntuples(res); i++)
		for (int k = 0; k < PQnfields(res); k++)
			printf("%s%s", PQgetvalue(res, i, k), k + 1 < PQnfields(res) ? "\t" : "\n");
	PQclear(res);
	return ok ? 0 : 1;
}

/* An option's value: argv[i + 1] of "--name VALUE" pairs, or NULL. */
static const char *opt_value(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* billing price-book|books|assign|run|adjust (docs/billing.md). */
static int cmd_billing(int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	PGconn *c;
	int ret;

	if (strcmp(sub, "price-book") == 0 && argc == 3) {
		char *doc = read_file(argv[2]);
		const char *params[1];
		if (doc == NULL) {
			fprintf(stderr, "ctl billing price-book: %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		params[0] = doc;
		c = connect_or_die(config_get()->db_owner);
		ret = billing_exec(c, "SELECT 'price book version ' || billing_book_save($1::jsonb) || ' saved'", 1, params,
		                   "price-book");
		free(doc);
	} else if (strcmp(sub, "books") == 0 && argc == 2) {
		c = connect_or_die(config_get()->db_owner);
		ret = billing_exec(c,
		                   "SELECT b.name, v.effective_from, v.currency, v.metering, v.minimum, v.metrics::text,"
		                   " (SELECT string_agg(t.name || ' (' || t.id || ')', ', ' ORDER BY t.id)"
		                   "    FROM billing_accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.book_id = b.id)"
		                   " FROM price_books b JOIN price_book_versions v ON v.book_id = b.id"
		                   " ORDER BY b.name, v.effective_from",
		                   0, NULL, "books");
	} else if (strcmp(sub, "assign") == 0 && argc % 2 == 0) {
		const char *tz = opt_value(argc, argv, "--time-zone"), *days = opt_value(argc, argv, "--activity-days");
		const char *params[5] = {opt_value(argc, argv, "--tenant"), opt_value(argc, argv, "--book"),
		                         tz ? tz : "UTC", days ? days : "30", opt_value(argc, argv, "--starts-on")};
		if (params[0] == NULL || tenant_arg(params[0]) == 0 || params[1] == NULL ||
		    strspn(params[3], "0123456789") != strlen(params[3]) || strlen(params[3]) > 4) {
			usage();
			return 2;
		}
		c = connect_or_die(config_get()->db_owner);
		ret = billing_exec(c,
		                   "SELECT billing_assign($1::bigint, $2, $3, $4::int, $5::date),"
		                   " 'tenant ' || $1 || ' billed on ' || $2",
		                   5, params, "assign");
	} else if (strcmp(sub, "run") == 0 && argc == 2) {
		c = connect_or_die(config_get()->db_owner);
		ret = billing_exec(c, "SELECT billing_run() || ' days taken'", 0, NULL, "run");
	} else if (strcmp(sub, "adjust") == 0 && argc == 10) {
		const char *month = opt_value(argc, argv, "--month");
		char day[16];
		const char *params[4] = {opt_value(argc, argv, "--tenant"), day, opt_value(argc, argv, "--amount"),
		                         opt_value(argc, argv, "--reason")};
		if (params[0] == NULL || tenant_arg(params[0]) == 0 || month == NULL || strlen(month) != 7 ||
		    params[2] == NULL || params[3] == NULL) {
			usage();
			return 2;
		}
		snprintf(day, sizeof(day), "%s-01", month);
		c = connect_or_die(config_get()->db_owner);
		ret = billing_exec(c, "SELECT 'adjustment ' || billing_adjust($1::bigint, $2::date, $3::numeric, $4) || ' added'",
		                   4, params, "adjust");
	} else {
		usage();
		return 2;
	}
	PQfinish(c);
	return ret;
}

static int cmd_backup(int argc, char **argv)
{
	const char *out = NULL, *dir = getenv("PORTAL_BACKUP_DIR");
	int keep = 0, i;

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--out") == 0)
			out = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0)
			dir = argv[++i];
		else if (i + 1 < argc && strcmp(argv[i], "--keep") == 0 && (keep = atoi(argv[++i])) > 0)
			continue;
		else {
			usage();
			return 2;
		}
	}
	if (out != NULL && keep > 0) {
		fprintf(stderr, "ctl: --keep applies to a folder of archives (--dir), not to --out\n");
		return 2;
	}
	return backup_run(config_get()->db_owner, out, dir, keep);
}

int main(int argc, char **argv)
{
	const char *cmd;

	log_set_name("ctl");
	config_load();
	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	argc--;
	argv++;
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(argc, argv);
	if (strcmp(cmd, "create-admin") == 0)
		return create_root(argc, argv, "mssp", "mssp_admin");
	if (strcmp(cmd, "create-msp") == 0)
		return create_root(argc, argv, "msp", "owner");
	if (strcmp(cmd, "seed-demo") == 0)
		return cmd_seed_demo(argc, argv);
	if (strcmp(cmd, "check") == 0)
		return cmd_check();
	if (strcmp(cmd, "routes") == 0)
		return cmd_routes();
	if (strcmp(cmd, "user-status") == 0)
		return cmd_user_status(argc, argv);
	if (strcmp(cmd, "host-approve") == 0)
		return cmd_host_approve(argc, argv);
	if (strcmp(cmd, "api-key") == 0)
		return cmd_api_key(argc, argv);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc, argv);
	if (strcmp(cmd, "billing") == 0)
		return cmd_billing(argc, argv);
	if (strcmp(cmd, "backup") == 0)
		return cmd_backup(argc, argv);
	if (strcmp(cmd, "restore") == 0) {
		if (argc != 2) {
			usage();
			return 2;
		}
		return restore_run(config_get()->db_owner, argv[1]);
	}
	usage();
	return 2;
}
