/* test_page_share.c - pages computed once for all of a master's workers
 * (cgi/page_share.c): the first to miss claims, a second process waits
 * for its page and copies it; a claim whose worker died, or that ended
 * without a page, is taken by the next; a page is found only under its
 * own key and stamps and before it lapses; an earlier change does not
 * replace a later one; what does not fit is not kept. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "page_share.h"
#include "tap.h"

static enum page_share_got get(const char *key, unsigned long long epoch, time_t now, struct buf *json,
                               struct buf *html)
{
	struct page_stamp st = {epoch, 1000};
	time_t until = -1;

	buf_reset(json);
	buf_reset(html);
	return page_share_get(key, &st, now, json, html, &until);
}

int main(void)
{
	struct buf json = BUF_INIT, html = BUF_INIT;
	static char big[PAGE_SHARE_BYTES];
	pid_t pid;
	int status, claimed[2], go[2];
	char c;

	setenv("PORTAL_PAGE_SHARE_WAIT_MS", "1000", 1); /* the waits below end by a page, not the clock */
	config_load();
	TAP_OK(get("a", 1, 100, &json, &html) == PAGE_SHARE_NONE, "before the master maps it, nothing is shared");
	TAP_OK(page_share_init() == 0, "the slots are mapped");
	TAP_OK(get("a", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "a first miss claims the page");
	TAP_OK(page_share_claimed(), "and the worker holds the claim");
	TAP_OK(get("b", 1, 100, &json, &html) == PAGE_SHARE_NONE, "a worker holding a claim neither waits nor claims");
	page_share_put("{\"x\":1}", 7, "<p>x</p>", 8, 200);
	TAP_OK(!page_share_claimed(), "putting the page ends the claim");
	TAP_OK(get("a", 1, 100, &json, &html) == PAGE_SHARE_HIT && json.len == 7 &&
	           strcmp(json.data, "{\"x\":1}") == 0 && html.len == 8 && strcmp(html.data, "<p>x</p>") == 0,
	       "the page is copied out, model and markup");
	TAP_OK(get("a", 2, 100, &json, &html) == PAGE_SHARE_CLAIMED, "another epoch is not that page: claimed");
	page_share_release();
	TAP_OK(get("a", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "a claim released without a page leaves none");
	page_share_put("{}", 2, NULL, 0, 0);
	TAP_OK(get("a", 1, 100, &json, &html) == PAGE_SHARE_HIT && json.len == 2 && html.len == 0,
	       "a model without markup (a JSON view) is shared without it");

	/* A later change's page is not replaced by an earlier one. */
	TAP_OK(get("a", 3, 100, &json, &html) == PAGE_SHARE_CLAIMED, "epoch 3 claimed");
	page_share_put("{\"e\":3}", 7, NULL, 0, 0);
	TAP_OK(get("a", 2, 100, &json, &html) == PAGE_SHARE_NONE, "a reader still at epoch 2 computes for itself");
	TAP_OK(get("a", 3, 100, &json, &html) == PAGE_SHARE_HIT, "and epoch 3's page stays");

	/* A copy a reader could not load is dropped, and computed again. */
	TAP_OK(get("u", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "u claimed");
	page_share_put("{\"cut", 5, NULL, 0, 0);
	TAP_OK(get("u", 1, 100, &json, &html) == PAGE_SHARE_HIT, "its copy is handed out as it was kept");
	{
		struct page_stamp other = {2, 1000}, same = {1, 1000};
		page_share_drop("u", &other);
		TAP_OK(get("u", 1, 100, &json, &html) == PAGE_SHARE_HIT, "dropping another stamp's page leaves it");
		page_share_drop("u", &same);
	}
	TAP_OK(get("u", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "once dropped, the next miss claims it again");
	page_share_release();

	/* It lapses. */
	TAP_OK(get("l", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "l claimed");
	page_share_put("{}", 2, NULL, 0, 150);
	TAP_OK(get("l", 1, 149, &json, &html) == PAGE_SHARE_HIT, "found before it lapses");
	TAP_OK(get("l", 1, 150, &json, &html) == PAGE_SHARE_CLAIMED, "claimed again once it has");
	page_share_release();

	/* Too large for a slot. */
	memset(big, 'x', sizeof(big));
	TAP_OK(get("g", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "g claimed");
	page_share_put(big, sizeof(big), NULL, 0, 0);
	TAP_OK(get("g", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "a page larger than a slot is not kept");
	page_share_release();

	/* Another worker computes: this one waits and copies its page. */
	TAP_OK(pipe(claimed) == 0, "a pipe");
	if ((pid = fork()) == 0) {
		struct buf j = BUF_INIT, h = BUF_INIT;
		if (get("w", 1, 100, &j, &h) != PAGE_SHARE_CLAIMED || write(claimed[1], "c", 1) != 1)
			_exit(1);
		usleep(100 * 1000);
		page_share_put("{\"by\":\"child\"}", 14, "<b>c</b>", 8, 0);
		_exit(0);
	}
	TAP_OK(read(claimed[0], &c, 1) == 1, "the other worker has claimed w");
	TAP_OK(get("w", 1, 100, &json, &html) == PAGE_SHARE_HIT && strcmp(json.data, "{\"by\":\"child\"}") == 0,
	       "a worker missing a page another is computing waits for it and copies it");
	TAP_OK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "the other claimed it");

	/* A worker slow to compute holds the others up for the wait at most. */
	setenv("PORTAL_PAGE_SHARE_WAIT_MS", "20", 1);
	config_load();
	TAP_OK(pipe(go) == 0, "a pipe back");
	if ((pid = fork()) == 0) {
		struct buf j = BUF_INIT, h = BUF_INIT;
		if (get("s", 1, 100, &j, &h) != PAGE_SHARE_CLAIMED || write(claimed[1], "c", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	TAP_OK(read(claimed[0], &c, 1) == 1, "another worker has claimed s and computes it until told");
	TAP_OK(get("s", 1, 100, &json, &html) == PAGE_SHARE_NONE, "this one stops waiting and computes it too");
	TAP_OK(write(go[1], "g", 1) == 1 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	           WEXITSTATUS(status) == 0,
	       "the other is told and ends");

	/* A worker that died holding a claim does not hold the others up. */
	if ((pid = fork()) == 0) {
		struct buf j = BUF_INIT, h = BUF_INIT;
		_exit(get("d", 1, 100, &j, &h) == PAGE_SHARE_CLAIMED ? 0 : 1);
	}
	TAP_OK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "a worker claimed d and died");
	TAP_OK(get("d", 1, 100, &json, &html) == PAGE_SHARE_CLAIMED, "its claim is taken at once");
	page_share_release();

	buf_free(&json);
	buf_free(&html);
	return tap_done();
}
