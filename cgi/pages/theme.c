/* theme.c - POST /theme: the light/dark choice without JavaScript. The
 * header's toggle is a form; www/js/theme.js intercepts it when scripts
 * run, otherwise the browser posts here and comes back to the page. */
#include <string.h>

#include "pages.h"
#include "session.h"

enum res page_theme(struct req *req)
{
	const char *theme = http_form(req, "theme");
	const char *next = http_form(req, "next");

	/* A preference, not a change of data: no session needed, but only
	 * from this site's own pages. */
	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if (theme == NULL || (strcmp(theme, "light") != 0 && strcmp(theme, "dark") != 0))
		return R_BAD_INPUT;
	/* Readable by theme.js (not HttpOnly): it is a display preference. */
	http_header(req, "Set-Cookie",
	            strcmp(theme, "dark") == 0 ? "theme=dark; Path=/; Max-Age=31536000; SameSite=Lax"
	                                       : "theme=light; Path=/; Max-Age=31536000; SameSite=Lax");
	return http_redirect(req, next != NULL && next[0] == '/' ? next : "/");
}
