/* brand.h - the effective brand of a tenant as a view-model object.
 *
 * Every query of the brand_for_* SQL functions (brand_for_tenant() ...)
 * returns the same columns; brand_from_row() turns one row into
 * {tenant_id, page_title, footer, footer_html, logo_light, logo_dark,
 * logo: {light, dark}, host}, where footer_html is markup built here from
 * the plain-text footer (everything escaped; only [text](https://...) and
 * [text](http://...) become links) and logo.light/logo.dark fall back to
 * each other so the header always has an image for both themes when one
 * logo is set. */
#ifndef BRAND_H
#define BRAND_H

#include <jansson.h>
#include <libpq-fe.h>

#include "buf.h"

/* Columns every brand_for_* call selects, in this order. */
#define BRAND_COLUMNS                                                                                   \
	"tenant_id, page_title, footer, logo_light, logo_dark, host, page_title_src, page_title_src_name, " \
	"footer_src, footer_src_name, logo_light_src, logo_light_src_name, logo_dark_src, logo_dark_src_name"

json_t *brand_default(void);
/* Row `row` of res (a BRAND_COLUMNS statement) as a brand, a new object;
 * with_sources adds "sources": {field: {tenant_id, name}}. */
json_t *brand_from_row(PGresult *res, int row, int with_sources);
/* The same from any result: col holds the numbers of its tenant id, page
 * title, footer, light logo, dark logo and host columns. */
#define BRAND_NCOLS 6
json_t *brand_from_cols(PGresult *res, int row, const int col[BRAND_NCOLS]);
/* Footer text -> HTML (escaped; markdown-style http(s) links only). */
void brand_footer_html(struct buf *out, const char *s);
/* The same footer as plain text: links become "text (url)". */
void brand_footer_text(struct buf *out, const char *s);

#endif
