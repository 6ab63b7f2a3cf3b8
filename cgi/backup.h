/* backup.h - `ctl backup` and `ctl restore`: the whole database (uploaded
 * logos and report files are in it) as one pg_dump archive, and that
 * archive into an empty database (docs/operations.md, "Backups"). */
#ifndef BACKUP_H
#define BACKUP_H

/* Dump the database conninfo names into out (made 0600 beside it as
 * OUT.partial, checked with pg_restore --list, then renamed into place),
 * or, when out is NULL, into dir/portal-YYYYMMDDTHHMMSSZ.dump. Prints the
 * path and its size; then, in dir, keeps the newest keep such archives
 * (0: all). 0 on success, 1 on failure (said on stderr). */
int backup_run(const char *conninfo, const char *out, const char *dir, int keep);

/* Restore the archive file into the database conninfo names, which must
 * hold no table yet and whose cluster must have the portal's roles; in one
 * transaction, then ANALYZE. 0 on success, 1 on failure. */
int restore_run(const char *conninfo, const char *file);

#endif
