/* migrate.h - `ctl migrate`: the numbered migrations, then the definition
 * files (docs/architecture.md, "The sql/ folder").
 *
 * sql/NNN_*.sql are applied once each, in name order, and recorded in
 * schema_migrations. sql/functions/, sql/views/, sql/triggers/ and
 * sql/policies/ hold one definition per file (its current text only); a
 * file is applied again when its SHA-256 differs from the one recorded in
 * schema_definitions, or when a file it requires is applied. Everything
 * runs in one transaction. */
#ifndef MIGRATE_H
#define MIGRATE_H

#include <libpq-fe.h>

/* Bring the database on c up to the tree in sql_dir and print what was
 * applied; with plan set, apply nothing and print what would be applied,
 * in which order and why. 0 on success, 1 on any error (then nothing of
 * this run is kept). */
int migrate_run(PGconn *c, const char *sql_dir, int plan);

#endif
