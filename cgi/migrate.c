/* migrate.c - `ctl migrate` and `ctl migrate --plan` (migrate.h).
 *
 * Order of one run, all in one transaction:
 *  1. every numbered migration not yet in schema_migrations, in name order;
 *     just before one of them, the definition files that name it in a
 *     "-- needed-by:" line (a function an index or a generated column of
 *     that migration uses) when they are new or changed;
 *  2. the definition files, in dependency order: a file runs after every
 *     file its "-- requires:" lines name (a function an SQL body, a
 *     policy or a trigger calls), ties broken by path. A file is applied
 *     when it is new, when its SHA-256 changed, or when a file it requires
 *     is applied in the same run (a policy is made again after its
 *     function); the others are left alone;
 *  3. rows of schema_definitions whose file is gone are deleted.
 * A database made before definition files existed (schema_definitions
 * missing) must have every migration up to PREMOVE_LAST already: the older
 * migrations' backfills called functions that now come after them. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "migrate.h"
#include "token.h"

/* The last numbered migration written before definitions moved out of
 * them; see the comment at the top. */
#define PREMOVE_LAST "052_identity_from_token.sql"
#define MAX_FILES 4096
#define MAX_REQUIRES 64

static const char *const def_dirs[] = {"functions", "views", "triggers", "policies"};

enum def_state { DEF_SAME, DEF_NEW, DEF_CHANGED };

struct def {
	char *path; /* relative to the sql folder */
	char *name; /* basename without .sql: what "requires" names (functions/, views/) */
	char *text;
	char sha[65];
	char *requires[MAX_REQUIRES];
	size_t nreq;
	size_t req_ix[MAX_REQUIRES]; /* indices into the definition array */
	char *needed_by;             /* a numbered migration, or NULL */
	enum def_state state;
	int apply;   /* 1: applied in this run */
	int done;    /* applied already (before a migration) */
	int placed;  /* topological sort */
	const char *why_req; /* the required file that made it apply */
};

struct plan {
	char *migs[MAX_FILES];
	size_t nmigs;
	struct def defs[MAX_FILES];
	size_t ndefs;
	size_t order[MAX_FILES];
};

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (!buf_ok(&b)) {
		buf_free(&b);
		return NULL;
	}
	if (b.data == NULL)
		buf_puts(&b, "");
	return buf_take(&b);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_def(const void *a, const void *b)
{
	return strcmp(((const struct def *)a)->path, ((const struct def *)b)->path);
}

static int ends_with(const char *s, const char *tail)
{
	size_t l = strlen(s), t = strlen(tail);
	return l >= t && strcmp(s + l - t, tail) == 0;
}

/* Collect the *.sql files under dir/rel, recursively. */
static int walk(struct plan *p, const char *dir, const char *rel)
{
	char full[4096];
	DIR *d;
	struct dirent *e;
	int ret = 0;

	snprintf(full, sizeof(full), "%s/%s", dir, rel);
	d = opendir(full);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL && ret == 0) {
		char sub[4096], path[8192];
		struct stat sb;

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, sub);
		if (stat(path, &sb) != 0) {
			ret = -1;
		} else if (S_ISDIR(sb.st_mode)) {
			ret = walk(p, dir, sub);
		} else if (ends_with(e->d_name, ".sql")) {
			if (p->ndefs == MAX_FILES) {
				fprintf(stderr, "ctl: more than %d definition files\n", MAX_FILES);
				ret = -1;
			} else {
				p->defs[p->ndefs++].path = strdup(sub);
			}
		}
	}
	closedir(d);
	return ret;
}

/* The header's "-- requires: a, b" and "-- needed-by: NNN_x.sql" lines
 * (the comment and blank lines before the first statement). */
static int parse_header(struct def *f)
{
	const char *s = f->text;

	while (*s != '\0') {
		const char *eol = strchr(s, '\n'), *t = s;
		size_t len = eol ? (size_t)(eol - s) : strlen(s);

		while (t < s + len && (*t == ' ' || *t == '\t' || *t == '\r'))
			t++;
		if (t < s + len && strncmp(t, "--", 2) != 0)
			break;
		if (strncmp(t, "-- requires:", 12) == 0 || strncmp(t, "-- needed-by:", 13) == 0) {
			int req = t[3] == 'r';
			const char *q = t + (req ? 12 : 13), *end = s + len;
			while (q < end) {
				const char *w;
				while (q < end && (*q == ' ' || *q == ',' || *q == '\t' || *q == '\r'))
					q++;
				w = q;
				while (q < end && *q != ' ' && *q != ',' && *q != '\t' && *q != '\r')
					q++;
				if (q == w)
					continue;
				if (!req) {
					free(f->needed_by);
					f->needed_by = strndup(w, (size_t)(q - w));
				} else if (f->nreq == MAX_REQUIRES) {
					fprintf(stderr, "ctl: %s: more than %d requires\n", f->path, MAX_REQUIRES);
					return -1;
				} else {
					f->requires[f->nreq++] = strndup(w, (size_t)(q - w));
				}
			}
		}
		if (eol == NULL)
			break;
		s = eol + 1;
	}
	return 0;
}

static int is_referable(const struct def *f)
{
	return strncmp(f->path, "functions/", 10) == 0 || strncmp(f->path, "views/", 6) == 0;
}

/* Read the tree: numbered migrations and definition files, each file's
 * checksum and header, then the dependency order. */
static int load_tree(struct plan *p, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t i, j, n;

	if (d == NULL) {
		fprintf(stderr, "ctl: cannot open %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && p->nmigs < MAX_FILES) {
		size_t l = strlen(e->d_name);
		if (l > 8 && e->d_name[0] >= '0' && e->d_name[0] <= '9' && ends_with(e->d_name, ".sql"))
			p->migs[p->nmigs++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(p->migs, p->nmigs, sizeof(p->migs[0]), cmp_str);

	for (i = 0; i < sizeof(def_dirs) / sizeof(def_dirs[0]); i++) {
		if (walk(p, dir, def_dirs[i]) != 0) {
			fprintf(stderr, "ctl: cannot read %s/%s: %s\n", dir, def_dirs[i], strerror(errno));
			return -1;
		}
	}
	qsort(p->defs, p->ndefs, sizeof(p->defs[0]), cmp_def);
	for (i = 0; i < p->ndefs; i++) {
		struct def *f = &p->defs[i];
		char path[8192];
		const char *base = strrchr(f->path, '/');

		base = base ? base + 1 : f->path;
		f->name = strndup(base, strlen(base) - 4);
		snprintf(path, sizeof(path), "%s/%s", dir, f->path);
		f->text = read_all(path);
		if (f->text == NULL) {
			fprintf(stderr, "ctl: cannot read %s\n", path);
			return -1;
		}
		tok_sha256_hex(f->text, strlen(f->text), f->sha);
		if (parse_header(f) != 0)
			return -1;
		if (f->needed_by != NULL && f->nreq > 0) {
			fprintf(stderr, "ctl: %s: a file applied before a migration (needed-by) may require nothing\n",
			        f->path);
			return -1;
		}
		if (is_referable(f)) {
			for (j = 0; j < i; j++) {
				if (is_referable(&p->defs[j]) && strcmp(p->defs[j].name, f->name) == 0) {
					fprintf(stderr, "ctl: %s and %s define the same name\n", p->defs[j].path, f->path);
					return -1;
				}
			}
		}
	}
	/* Resolve the names required, then order: Kahn's algorithm, taking the
	 * smallest path among the files whose requirements are all placed. */
	for (i = 0; i < p->ndefs; i++) {
		struct def *f = &p->defs[i];
		for (j = 0; j < f->nreq; j++) {
			size_t k;
			for (k = 0; k < p->ndefs; k++)
				if (is_referable(&p->defs[k]) && strcmp(p->defs[k].name, f->requires[j]) == 0)
					break;
			if (k == p->ndefs) {
				fprintf(stderr, "ctl: %s requires %s, which no file under functions/ or views/ defines\n",
				        f->path, f->requires[j]);
				return -1;
			}
			f->req_ix[j] = k;
		}
	}
	for (n = 0; n < p->ndefs; n++) {
		for (i = 0; i < p->ndefs; i++) {
			struct def *f = &p->defs[i];
			int ready = !f->placed;
			for (j = 0; ready && j < f->nreq; j++)
				ready = p->defs[f->req_ix[j]].placed;
			if (ready)
				break;
		}
		if (i == p->ndefs) {
			fprintf(stderr, "ctl: the requires lines of these files form a cycle:\n");
			for (i = 0; i < p->ndefs; i++)
				if (!p->defs[i].placed)
					fprintf(stderr, "  %s\n", p->defs[i].path);
			return -1;
		}
		p->defs[i].placed = 1;
		p->order[n] = i;
	}
	return 0;
}

static void free_tree(struct plan *p)
{
	size_t i, j;

	for (i = 0; i < p->nmigs; i++)
		free(p->migs[i]);
	for (i = 0; i < p->ndefs; i++) {
		struct def *f = &p->defs[i];
		free(f->path);
		free(f->name);
		free(f->text);
		free(f->needed_by);
		for (j = 0; j < f->nreq; j++)
			free(f->requires[j]);
	}
}

static int ok(PGresult *res, const char *what, const char *text)
{
	ExecStatusType s = PQresultStatus(res);
	const char *pos;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
		return 1;
	pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	if (pos != NULL && text != NULL) {
		long at = atol(pos), line = 1, i;
		for (i = 0; i < at - 1 && text[i] != '\0'; i++)
			line += text[i] == '\n';
		fprintf(stderr, "ctl: %s, line %ld: %s", what, line, PQresultErrorMessage(res));
	} else {
		fprintf(stderr, "ctl: %s: %s", what, PQresultErrorMessage(res));
	}
	return 0;
}

static int run(PGconn *c, const char *sql, const char *what)
{
	PGresult *res = PQexec(c, sql);
	int r = ok(res, what, sql);

	PQclear(res);
	return r;
}

static int record(PGconn *c, const char *sql, const char *a, const char *b)
{
	const char *params[2] = {a, b};
	PGresult *res = PQexecParams(c, sql, b ? 2 : 1, NULL, params, NULL, NULL, 0);
	int r = ok(res, "record", NULL);

	PQclear(res);
	return r;
}

static const char *state_name(const struct def *f)
{
	if (f->state == DEF_NEW)
		return "new";
	if (f->state == DEF_CHANGED)
		return "changed";
	return f->why_req ? "requires" : "unchanged";
}

/* Name each definition file applied: on a database that had definitions
 * (an update: what changed is worth reading), not on a new one (every file
 * is new; the summary line counts them). */
static int say_each_def;

static int apply_def(PGconn *c, struct def *f, int plan)
{
	char what[4200];

	if (plan)
		return 1;
	snprintf(what, sizeof(what), "sql/%s", f->path);
	if (!run(c, f->text, what))
		return 0;
	if (!record(c,
	            "INSERT INTO schema_definitions (path, sha256) VALUES ($1, $2)"
	            " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, applied_at = now()",
	            f->path, f->sha))
		return 0;
	f->done = 1;
	if (!say_each_def)
		return 1;
	if (f->why_req)
		printf("migrate: defined %s (requires %s, applied)\n", f->path, f->why_req);
	else
		printf("migrate: defined %s (%s)\n", f->path, state_name(f));
	return 1;
}

int migrate_run(PGconn *c, const char *sql_dir, int plan)
{
	struct plan *p = calloc(1, sizeof(*p));
	PGresult *res = NULL;
	int ret = 1, had_defs, had_migs, applied = 0, defined = 0, ndef_apply = 0;
	size_t i, j, pending = 0;
	unsigned char *mig_done = NULL;

	if (p == NULL || load_tree(p, sql_dir) != 0)
		goto out;
	mig_done = calloc(p->nmigs + 1, 1);
	if (mig_done == NULL)
		goto out;
	if (!run(c, "BEGIN", "begin"))
		goto out;
	/* One migrator at a time; released with the transaction. */
	if (!run(c, "SELECT pg_advisory_xact_lock(7352001)", "lock"))
		goto rollback;
	res = PQexec(c, "SELECT to_regclass('schema_migrations') IS NOT NULL, to_regclass('schema_definitions') IS NOT NULL");
	if (!ok(res, "schema tables", NULL))
		goto rollback;
	had_migs = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	had_defs = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	say_each_def = had_defs;
	PQclear(res);
	res = NULL;
	if (!plan && !run(c,
	                  "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,"
	                  " applied_at timestamptz NOT NULL DEFAULT now());"
	                  "CREATE TABLE IF NOT EXISTS schema_definitions (path text PRIMARY KEY,"
	                  " sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
	                  "schema tables"))
		goto rollback;

	if (had_migs) {
		res = PQexec(c, "SELECT version FROM schema_migrations");
		if (!ok(res, "schema_migrations", NULL))
			goto rollback;
		for (int r = 0; r < PQntuples(res); r++)
			for (i = 0; i < p->nmigs; i++)
				if (strcmp(p->migs[i], PQgetvalue(res, r, 0)) == 0)
					mig_done[i] = 1;
		if (!had_defs && PQntuples(res) > 0) {
			int premove = 0;
			for (int r = 0; r < PQntuples(res); r++)
				premove |= strcmp(PQgetvalue(res, r, 0), PREMOVE_LAST) == 0;
			if (!premove) {
				fprintf(stderr,
				        "ctl: this database stopped before %s, from before sql/ held definition files:\n"
				        "ctl: migrate it to %s with the tree of that time first (docs/architecture.md,\n"
				        "ctl: \"The sql/ folder\")\n",
				        PREMOVE_LAST, PREMOVE_LAST);
				goto rollback;
			}
		}
		PQclear(res);
		res = NULL;
	}
	if (had_defs) {
		res = PQexec(c, "SELECT path, sha256 FROM schema_definitions");
		if (!ok(res, "schema_definitions", NULL))
			goto rollback;
	}
	/* What each file is: new, changed, or the same as recorded; then the
	 * files a file applied in this run makes apply again (in order, so a
	 * requirement is decided before the files that need it). */
	for (i = 0; i < p->ndefs; i++) {
		struct def *f = &p->defs[i];
		f->state = DEF_NEW;
		for (int r = 0; res != NULL && r < PQntuples(res); r++) {
			if (strcmp(PQgetvalue(res, r, 0), f->path) == 0) {
				f->state = strcmp(PQgetvalue(res, r, 1), f->sha) == 0 ? DEF_SAME : DEF_CHANGED;
				break;
			}
		}
	}
	for (i = 0; i < p->ndefs; i++) {
		struct def *f = &p->defs[p->order[i]];
		f->apply = f->state != DEF_SAME;
		for (j = 0; !f->apply && j < f->nreq; j++) {
			if (p->defs[f->req_ix[j]].apply) {
				f->apply = 1;
				f->why_req = f->requires[j];
			}
		}
		ndef_apply += f->apply;
	}
	for (i = 0; i < p->nmigs; i++)
		pending += !mig_done[i];

	if (plan) {
		printf("plan: %lu of %lu migrations to apply, then %d of %lu definition files\n", (unsigned long)pending,
		       (unsigned long)p->nmigs, ndef_apply, (unsigned long)p->ndefs);
		if (!had_defs)
			printf("plan: (no schema_definitions yet: every definition file is new)\n");
	}
	/* 1. The numbered migrations, each after the files it needs. */
	for (i = 0; i < p->nmigs; i++) {
		char path[4096], what[4200];
		char *sql;

		if (mig_done[i])
			continue;
		for (j = 0; j < p->ndefs; j++) {
			struct def *f = &p->defs[j];
			if (f->apply && f->needed_by != NULL && strcmp(f->needed_by, p->migs[i]) == 0) {
				if (plan)
					printf("  define     %s (%s; needed by %s)\n", f->path, state_name(f), p->migs[i]);
				else if (!apply_def(c, f, plan))
					goto rollback;
				f->done = 1;
				defined++;
			}
		}
		if (plan) {
			printf("  migration  %s\n", p->migs[i]);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", sql_dir, p->migs[i]);
		sql = read_all(path);
		if (sql == NULL) {
			fprintf(stderr, "ctl: cannot read %s\n", path);
			goto rollback;
		}
		snprintf(what, sizeof(what), "sql/%s", p->migs[i]);
		if (!run(c, sql, what)) {
			free(sql);
			goto rollback;
		}
		free(sql);
		if (!record(c, "INSERT INTO schema_migrations (version) VALUES ($1)", p->migs[i], NULL))
			goto rollback;
		printf("migrate: applied %s\n", p->migs[i]);
		applied++;
	}
	/* 2. The definition files, in dependency order. */
	if (plan)
		printf("definitions, in the order they run (each after the files its requires lines name):\n");
	for (i = 0; i < p->ndefs; i++) {
		struct def *f = &p->defs[p->order[i]];
		if (plan) {
			struct buf why = BUF_INIT;
			if (f->done)
				buf_printf(&why, "applied before %s (needed-by)", f->needed_by);
			else if (f->why_req)
				buf_printf(&why, "requires %s, which is applied", f->why_req);
			else
				buf_puts(&why, state_name(f));
			if (f->nreq > 0) {
				buf_puts(&why, "; after ");
				for (j = 0; j < f->nreq; j++)
					buf_printf(&why, "%s%s", j ? ", " : "", f->requires[j]);
			}
			printf("  %4lu %-5s %-60s %s\n", (unsigned long)(i + 1), f->apply && !f->done ? "apply" : "keep",
			       f->path, buf_ok(&why) && why.data ? why.data : "");
			buf_free(&why);
			if (f->apply && !f->done)
				defined++;
			continue;
		}
		if (!f->apply || f->done)
			continue;
		if (!apply_def(c, f, plan))
			goto rollback;
		defined++;
	}
	/* 3. Forget the files that are gone (a migration dropped their object). */
	for (int r = 0; res != NULL && r < PQntuples(res); r++) {
		const char *path = PQgetvalue(res, r, 0);
		for (i = 0; i < p->ndefs; i++)
			if (strcmp(p->defs[i].path, path) == 0)
				break;
		if (i < p->ndefs)
			continue;
		if (plan) {
			printf("  gone  %s (its row in schema_definitions goes)\n", path);
		} else {
			if (!record(c, "DELETE FROM schema_definitions WHERE path = $1", path, NULL))
				goto rollback;
			printf("migrate: forgot %s (no such file)\n", path);
		}
	}
	if (plan) {
		ret = 0;
		goto rollback;
	}
	if (!run(c, "COMMIT", "commit"))
		goto out;
	printf("migrate: %d applied, %lu total\n", applied, (unsigned long)p->nmigs);
	printf("migrate: definitions %d applied, %lu total\n", defined, (unsigned long)p->ndefs);
	ret = 0;
	goto out;
rollback:
	PQclear(PQexec(c, "ROLLBACK"));
out:
	PQclear(res);
	free(mig_done);
	if (p != NULL) {
		free_tree(p);
		free(p);
	}
	return ret;
}
