/* test_cdp.c - printing HTML to PDF with Debian's Chromium over the
 * DevTools pipe (cgi/cdp.c): a PDF comes back, two prints share one
 * browser, a page cannot reach the network, a page that does not exist is
 * an error, not a hang. Needs Debian's chromium (make test installs it). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cdp.h"
#include "tap.h"

/* A listening socket on 127.0.0.1 (its port in *port): a page that reached
 * it would show as a connection waiting. */
static int listener(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t n = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s, 8) != 0 ||
	    getsockname(s, (struct sockaddr *)&a, &n) != 0)
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int main(void)
{
	char dir[] = "/tmp/test-cdp-XXXXXX", page[128], page2[128], html[2048];
	unsigned char *pdf = NULL;
	size_t len = 0;
	struct cdp c;
	int port = 0, ls = listener(&port), r;

	if (access("/usr/lib/chromium/chromium-headless-shell", X_OK) != 0 || mkdtemp(dir) == NULL) {
		printf("not ok 1 - /usr/lib/chromium/chromium-headless-shell and a temporary directory are needed\n");
		return 1;
	}
	snprintf(page, sizeof(page), "%s/report.html", dir);
	snprintf(page2, sizeof(page2), "%s/second.html", dir);
	snprintf(html, sizeof(html),
	         "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>R</title>"
	         "<style>@page { size: A4; margin: 15mm; } h1 { font: 20pt sans-serif; }</style></head><body>"
	         "<h1>Executive report</h1><svg width=\"200\" height=\"40\"><rect width=\"120\" height=\"20\"/></svg>"
	         "<img src=\"http://127.0.0.1:%d/beacon.png\" alt=\"\">"
	         "<link rel=\"stylesheet\" href=\"http://127.0.0.1:%d/x.css\">"
	         "<script>fetch('http://127.0.0.1:%d/js')</script></body></html>",
	         port, port, port);
	TAP_OK(ls >= 0 && write_file(page, html) == 0 &&
	           write_file(page2, "<!doctype html><title>2</title><h1>Second</h1>") == 0,
	       "the pages and a listener to catch a leak");

	TAP_OK(cdp_start(&c, NULL) == 0, "the browser starts (%s)", c.error);
	r = cdp_print(&c, page, 1, 30000, &pdf, &len);
	TAP_OK(r == 0 && len > 1000 && memcmp(pdf, "%PDF-", 5) == 0, "a PDF comes back (%zu bytes; %s)", len,
	       r ? c.error : "");
	TAP_OK(r == 0 && memmem(pdf, len, "/Outlines", 9) != NULL && memmem(pdf, len, "/StructTreeRoot", 15) != NULL,
	       "tagged, with an outline from the headings");
	free(pdf);
	pdf = NULL;
	TAP_OK(accept(ls, NULL, NULL) < 0, "the page reached nothing on the network (image, style, script)");
	TAP_OK(cdp_print(&c, "relative.html", 1, 1000, &pdf, &len) != 0 && strstr(c.error, "absolute") != NULL,
	       "a relative path is refused");
	r = cdp_print(&c, page2, 0, 30000, &pdf, &len);
	TAP_OK(r == 0 && memcmp(pdf, "%PDF-", 5) == 0, "a second print with the same browser (%s)", r ? c.error : "");
	TAP_OK(r == 0 && memmem(pdf, len, "/StructTreeRoot", 15) == NULL && memmem(pdf, len, "/Outlines", 9) == NULL,
	       "untagged when asked: no structure, no outline");
	free(pdf);
	pdf = NULL;
	snprintf(html, sizeof(html), "%s/missing.html", dir);
	r = cdp_print(&c, html, 1, 15000, &pdf, &len);
	TAP_OK(r != 0 && pdf == NULL && c.pid == 0, "a page that is not there: an error, and the browser stopped (%s)",
	       c.error);
	cdp_stop(&c);
	TAP_OK(access(c.dir, F_OK) != 0 || c.dir[0] == '\0', "the browser's directory is gone");
	unlink(page);
	unlink(page2);
	rmdir(dir);
	close(ls);
	return tap_done();
}
