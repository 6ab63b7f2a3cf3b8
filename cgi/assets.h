/* assets.h - the content-hashed names of the static files.
 *
 * scripts/assets gives each static file a twin NAME.HASH.EXT and writes
 * assets.json in the static folder (PORTAL_WWW); nginx serves the twins
 * with a year of immutable caching. Pages link them through the model's
 * "static" object, which view.c adds while a template renders: one key per
 * file, its path with every character but letters and digits turned into
 * '_' ("css/portal.css" -> {{static.css_portal_css}}), its value the URL
 * ("/static/css/portal.0123456789ab.css"). Without a manifest there is no
 * "static", and the layout falls back to the plain names. */
#ifndef ASSETS_H
#define ASSETS_H

#include <jansson.h>

#include "result.h"

/* Read www/assets.json (in the master, at start and on SIGHUP: workers
 * inherit it) and keep its "static" object. No file: R_SUCCESS, no object.
 * An unreadable or malformed one: R_INTERNAL, logged, and what was loaded
 * before is kept. */
enum res assets_load(const char *www);
/* The "static" object (borrowed; valid until the next assets_load or
 * assets_free), or NULL when there is no manifest. */
json_t *assets_model(void);
/* Release it. */
void assets_free(void);

#endif
