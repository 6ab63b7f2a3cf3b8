/* backup.c - pg_dump and pg_restore, run as the owner role. The archive is
 * pg_dump's custom format: one consistent snapshot of every table (the
 * logos and reports are rows), compressed, restorable table by table. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "backup.h"
#include "tmpdir.h"

extern char **environ;

/* Run argv (searched in PATH) with stdout to the file out (NULL: ours);
 * its exit status, or -1 when it could not be started or was killed. */
static int run(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, err;

	posix_spawn_file_actions_init(&fa);
	if (out != NULL)
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0) {
		fprintf(stderr, "ctl: %s could not be started: %s\n", argv[0], strerror(err));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* fsync path (a file, or a folder so that a rename in it holds). */
static int sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Keep the newest keep archives named portal-*.dump in folder (their
 * names sort by time), delete the others. */
static void prune(const char *folder, int keep)
{
	DIR *d = opendir(folder);
	struct dirent *e;
	char **names = NULL, path[4200];
	size_t n = 0, cap = 0, i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "portal-", 7) != 0 || len < 12 || strcmp(e->d_name + len - 5, ".dump") != 0)
			continue;
		if (n == cap) {
			char **grown = realloc(names, (cap = cap ? 2 * cap : 32) * sizeof(*names));
			if (grown == NULL)
				break;
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		if (n - i > (size_t)keep) {
			snprintf(path, sizeof(path), "%s/%s", folder, names[i]);
			if (unlink(path) == 0)
				printf("removed %s (keeping the newest %d)\n", path, keep);
		}
		free(names[i]);
	}
	free(names);
}

int backup_run(const char *conninfo, const char *out, const char *dir, int keep)
{
	char path[4096], tmp[4200], folder[4096];
	struct stat st;
	mode_t old;
	int r;

	if (out == NULL) {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		if ((size_t)snprintf(path, sizeof(path), "%s/portal-%s.dump", dir && *dir ? dir : ".", stamp) >=
		    sizeof(path)) {
			fprintf(stderr, "ctl: backup folder name too long\n");
			return 1;
		}
	} else if ((size_t)snprintf(path, sizeof(path), "%s", out) >= sizeof(path)) {
		fprintf(stderr, "ctl: backup file name too long\n");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "%s.partial", path);
	snprintf(folder, sizeof(folder), "%s", path);
	if (stat(dirname(folder), &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ctl: %s: no such folder\n", folder);
		return 1;
	}
	{
		char *dump[] = {"pg_dump", "--format=custom", "--no-password", "--file", tmp, "--dbname", (char *)conninfo,
		                NULL};
		char *list[] = {"pg_restore", "--list", tmp, NULL};
		old = umask(077); /* the archive holds every tenant's data */
		unlink(tmp);
		r = run(dump, NULL);
		umask(old);
		if (r != 0) {
			fprintf(stderr, "ctl: pg_dump failed (exit %d); nothing was written to %s\n", r, path);
			unlink(tmp);
			return 1;
		}
		if (run(list, "/dev/null") != 0) {
			fprintf(stderr, "ctl: pg_restore cannot read the archive pg_dump wrote; %s was not written\n", path);
			unlink(tmp);
			return 1;
		}
	}
	if (sync_path(tmp) != 0 || rename(tmp, path) != 0 || sync_path(folder) != 0) {
		fprintf(stderr, "ctl: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return 1;
	}
	if (stat(path, &st) != 0) {
		fprintf(stderr, "ctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%s\t%lld bytes\n", path, (long long)st.st_size);
	if (out == NULL && keep > 0)
		prune(folder, keep);
	return 0;
}

/* The first value of a one-row query, or NULL (said on stderr); the caller
 * frees it with PQclear(*res). */
static const char *one(PGconn *c, const char *sql, PGresult **res)
{
	*res = PQexec(c, sql);
	if (PQresultStatus(*res) != PGRES_TUPLES_OK || PQntuples(*res) != 1) {
		fprintf(stderr, "ctl: %s", PQerrorMessage(c));
		return NULL;
	}
	return PQgetvalue(*res, 0, 0);
}

/* Whether the table of contents entry p ("EXTENSION - NAME OWNER" or
 * "COMMENT - EXTENSION NAME OWNER") names the portal's own extension. */
static int portal_extension(const char *p)
{
	static const char name[] = "pg_trgm";

	p += strncmp(p, "EXTENSION - ", 12) == 0 ? 12 : 20;
	return strncmp(p, name, sizeof(name) - 1) == 0 && (p[sizeof(name) - 1] == ' ' || p[sizeof(name) - 1] == '\n');
}

/* The archive's table of contents without the extensions that are not
 * the portal's, written to list: a DBA's (pg_stat_statements, say) the
 * owner role may not create, and it is theirs to add again. Each one left
 * out is said. The portal's own (sql/072: pg_trgm, a trusted extension
 * the database's owner creates) is restored with the rest. 0, or -1 when
 * the list cannot be read or written. */
static int list_without_extensions(const char *file, const char *folder, const char *list)
{
	char all[288], line[4096];
	char *argv[] = {"pg_restore", "--list", (char *)file, NULL};
	FILE *in, *out;
	int r = 0;

	snprintf(all, sizeof(all), "%s/all", folder);
	if (run(argv, all) != 0) {
		unlink(all);
		return -1;
	}
	in = fopen(all, "r");
	out = fopen(list, "w");
	if (in == NULL || out == NULL)
		r = -1;
	while (r == 0 && fgets(line, sizeof(line), in) != NULL) {
		/* "2; 3079 16384 EXTENSION - pg_stat_statements",
		 * "4100; 0 0 COMMENT - EXTENSION pg_stat_statements" */
		const char *p = line;
		int fields = 0;
		while (*p != '\0' && fields < 3) {
			p += strcspn(p, " ");
			p += strspn(p, " ");
			fields++;
		}
		if (line[0] != ';' && (strncmp(p, "EXTENSION ", 10) == 0 || strncmp(p, "COMMENT - EXTENSION ", 20) == 0) &&
		    !portal_extension(p)) {
			if (strncmp(p, "EXTENSION ", 10) == 0)
				fprintf(stderr, "ctl: left out of the restore (not the portal's; add it again if you use it): %s",
				        p);
			continue;
		}
		if (fputs(line, out) == EOF)
			r = -1;
	}
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		r = -1;
	unlink(all);
	return r;
}

/* Remove restore_run's folder and the lists in it. */
static void drop_lists(const char *folder)
{
	char path[288];

	snprintf(path, sizeof(path), "%s/list", folder);
	unlink(path);
	snprintf(path, sizeof(path), "%s/all", folder);
	unlink(path);
	rmdir(folder);
}

int restore_run(const char *conninfo, const char *file)
{
	PGconn *c;
	PGresult *res;
	const char *v;
	/* A folder of our own (0700) for the two lists: no name in /tmp that
	 * another user could have made first. */
	char folder[256], list[288];
	char *restore[] = {"pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-password",
	                   "--use-list", list, "--dbname", (char *)conninfo, (char *)file, NULL};
	int r;

	if (access(file, R_OK) != 0) {
		fprintf(stderr, "ctl: %s: %s\n", file, strerror(errno));
		return 1;
	}
	if (tmpdir_make(folder, sizeof(folder), "portal-restore") != 0) {
		fprintf(stderr, "ctl: %s: %s\n", folder, strerror(errno));
		return 1;
	}
	snprintf(list, sizeof(list), "%s/list", folder);
	if (list_without_extensions(file, folder, list) != 0) {
		fprintf(stderr, "ctl: %s is not an archive of ctl backup (pg_restore --list fails)\n", file);
		drop_lists(folder);
		return 1;
	}
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "ctl: cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		drop_lists(folder);
		return 1;
	}
	/* Into an empty database only: a restore never mixes two portals' rows. */
	v = one(c, "SELECT count(*) FROM pg_class k JOIN pg_namespace n ON n.oid = k.relnamespace"
	           " WHERE n.nspname = 'public' AND k.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')", &res);
	if (v == NULL || strcmp(v, "0") != 0) {
		if (v != NULL)
			fprintf(stderr,
			        "ctl: the database %s already holds %s tables and sequences: restore into an empty one"
			        " (docs/operations.md, \"Backups\")\n",
			        PQdb(c), v);
		PQclear(res);
		PQfinish(c);
		drop_lists(folder);
		return 1;
	}
	PQclear(res);
	/* The archive grants to the portal's roles: they must exist in the cluster. */
	v = one(c, "SELECT coalesce(string_agg(r, ', '), '') FROM unnest(ARRAY['portal_app', 'portal_mailer',"
	           " 'portal_reporter']) r WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r)", &res);
	if (v == NULL || *v != '\0') {
		if (v != NULL)
			fprintf(stderr, "ctl: the cluster has no role %s: create the portal's roles first (docs/operations.md)\n",
			        v);
		PQclear(res);
		PQfinish(c);
		drop_lists(folder);
		return 1;
	}
	PQclear(res);
	r = run(restore, NULL);
	drop_lists(folder);
	if (r != 0) {
		fprintf(stderr, "ctl: pg_restore failed (exit %d): nothing was restored (one transaction)\n", r);
		PQfinish(c);
		return 1;
	}
	PQclear(PQexec(c, "SET client_min_messages = error")); /* not the catalogs the owner may not analyse */
	res = PQexec(c, "ANALYZE");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fprintf(stderr, "ctl: ANALYZE after the restore: %s", PQerrorMessage(c));
	PQclear(res);
	v = one(c, "SELECT (SELECT count(*) FROM tenants) || ' tenants, ' || (SELECT count(*) FROM users) || ' users'",
	        &res);
	if (v != NULL)
		printf("restored %s into %s: %s\n", file, PQdb(c), v);
	PQclear(res);
	PQfinish(c);
	return v != NULL ? 0 : 1;
}
