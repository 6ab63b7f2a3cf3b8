/* brand.c - the effective brand as a view-model object (see brand.h). */
#include "brand.h"

#include <stdlib.h>
#include <string.h>

json_t *brand_default(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:n, s:n, s:n, s:n}", "page_title", "MSSP Portal", "footer",
	                 "MSSP Portal", "footer_html", "MSSP Portal", "footer_text", "MSSP Portal", "tenant_id",
	                 "logo_light", "logo_dark", "host");
}

/* A link target we accept: http(s)://, then no space, quote, angle bracket
 * or parenthesis, at most 2000 bytes. Returns its length or 0. */
static size_t url_len(const char *s, size_t n)
{
	size_t i, start;

	if (n >= 8 && strncmp(s, "https://", 8) == 0)
		start = 8;
	else if (n >= 7 && strncmp(s, "http://", 7) == 0)
		start = 7;
	else
		return 0;
	for (i = start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '(' || c == ')' ||
		    c == '\\' || c == '`')
			break;
	}
	return i > start && i <= 2000 ? i : 0;
}

/* The footer with its [text](https://...) links as HTML (escaped, <a>) or
 * as plain text ("text (url)") for the text part of emails. */
static void footer_render(struct buf *out, const char *s, int html)
{
	size_t n = strlen(s), i = 0, run = 0;

	while (i < n) {
		if (s[i] == '[') {
			const char *close = memchr(s + i + 1, ']', n - i - 1);
			if (close != NULL && close > s + i + 1 && close[1] == '(' &&
			    memchr(s + i + 1, '[', (size_t)(close - s - i - 1)) == NULL) {
				const char *u = close + 2;
				size_t ul = url_len(u, n - (size_t)(u - s));
				size_t tl = (size_t)(close - s - i - 1);
				if (ul > 0 && u[ul] == ')') {
					if (html) {
						buf_html(out, s + run, i - run);
						buf_puts(out, "<a href=\"");
						buf_html(out, u, ul);
						buf_puts(out, "\" rel=\"noopener noreferrer\">");
						buf_html(out, s + i + 1, tl);
						buf_puts(out, "</a>");
					} else {
						buf_append(out, s + run, i - run);
						buf_append(out, s + i + 1, tl);
						buf_puts(out, " (");
						buf_append(out, u, ul);
						buf_putc(out, ')');
					}
					i = (size_t)(u - s) + ul + 1;
					run = i;
					continue;
				}
			}
		}
		i++;
	}
	if (html)
		buf_html(out, s + run, n - run);
	else
		buf_append(out, s + run, n - run);
}

void brand_footer_html(struct buf *out, const char *s) { footer_render(out, s, 1); }
void brand_footer_text(struct buf *out, const char *s) { footer_render(out, s, 0); }

static json_t *str_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static json_t *source(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return json_null();
	return json_pack("{s:I, s:s}", "tenant_id", (json_int_t)atoll(PQgetvalue(res, row, col)), "name",
	                 PQgetvalue(res, row, col + 1));
}

json_t *brand_from_cols(PGresult *res, int row, const int col[BRAND_NCOLS])
{
	struct buf html = BUF_INIT;
	json_t *b = json_object(), *light, *dark;

	json_object_set_new(b, "tenant_id",
	                    PQgetisnull(res, row, col[0]) ? json_null() : json_integer(atoll(PQgetvalue(res, row, col[0]))));
	json_object_set_new(b, "page_title", json_string(PQgetvalue(res, row, col[1])));
	json_object_set_new(b, "footer", json_string(PQgetvalue(res, row, col[2])));
	brand_footer_html(&html, PQgetvalue(res, row, col[2]));
	json_object_set_new(b, "footer_html", buf_ok(&html) && html.data ? json_string(html.data) : json_string(""));
	{
		struct buf text = BUF_INIT;
		brand_footer_text(&text, PQgetvalue(res, row, col[2]));
		json_object_set_new(b, "footer_text", buf_ok(&text) && text.data ? json_string(text.data) : json_string(""));
		buf_free(&text);
	}
	buf_free(&html);
	light = str_or_null(res, row, col[3]);
	dark = str_or_null(res, row, col[4]);
	json_object_set(b, "logo_light", light);
	json_object_set(b, "logo_dark", dark);
	if (!json_is_null(light) || !json_is_null(dark))
		json_object_set_new(b, "logo", json_pack("{s:O, s:O}", "light", json_is_null(light) ? dark : light,
		                                         "dark", json_is_null(dark) ? light : dark));
	json_decref(light);
	json_decref(dark);
	json_object_set_new(b, "host", str_or_null(res, row, col[5]));
	return b;
}

json_t *brand_from_row(PGresult *res, int row, int with_sources)
{
	static const int col[BRAND_NCOLS] = {0, 1, 2, 3, 4, 5}; /* BRAND_COLUMNS */
	json_t *b = brand_from_cols(res, row, col);

	if (with_sources)
		json_object_set_new(b, "sources",
		                    json_pack("{s:o, s:o, s:o, s:o}", "page_title", source(res, row, 6), "footer",
		                              source(res, row, 8), "logo_light", source(res, row, 10), "logo_dark",
		                              source(res, row, 12)));
	return b;
}
