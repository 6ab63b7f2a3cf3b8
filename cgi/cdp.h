/* cdp.h - a headless Chromium (Debian's chromium-headless-shell) printing HTML files to
 * PDF over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
 * messages ended by a NUL byte, the browser reading fd 3 and writing fd
 * 4). The route and its measurements: docs/reports.md, "The PDF route".
 *
 * One browser serves many prints; each print gets its own browser context
 * (no cache, storage or cookies shared between reports), with scripts off
 * and every request other than file: and data: failed inside the browser;
 * the browser itself resolves no name and has a proxy to nowhere. */
#ifndef CDP_H
#define CDP_H

#include <stddef.h>
#include <sys/types.h>

struct cdp {
	pid_t pid;    /* the browser, or 0 */
	int to, from; /* our ends of its fds 3 and 4 */
	long next_id; /* the next command's id */
	char *buf;    /* bytes read and not yet a whole message (malloc'd, owned) */
	size_t len, cap;
	char dir[256];   /* its --user-data-dir, removed by cdp_stop() */
	int no_sandbox;  /* started without Chromium's sandbox (root, or no user namespaces) */
	char error[160]; /* why the last call failed */
};

/* Start the browser at path (NULL: /usr/lib/chromium/chromium-headless-shell,
 * Debian's chromium-headless-shell package: Chromium's headless-only build,
 * 200 MB where the whole browser takes 300; /usr/lib/chromium/chromium works
 * too), in a process group of its own. 0, or -1 with c->error set. */
int cdp_start(struct cdp *c, const char *path);
/* Print the HTML file html_path (absolute, of letters, digits and / . _ -)
 * to PDF: *pdf (malloc'd, the caller frees it) and *pdf_len. The page's
 * own @page rules set the paper (preferCSSPageSize). tagged: a tagged PDF
 * (its structure for screen readers) with an outline from the headings;
 * 0: neither, which prints a long table in less than half the time and a
 * fifth of the bytes. Gives up after timeout_ms. 0, or -1 with c->error
 * set: a refused path leaves the browser as it was; any other failure
 * stops it (start another). */
int cdp_print(struct cdp *c, const char *html_path, int tagged, int timeout_ms, unsigned char **pdf,
              size_t *pdf_len);
/* Close the browser (SIGKILL after 5 s) and remove its directory. */
void cdp_stop(struct cdp *c);

#endif
