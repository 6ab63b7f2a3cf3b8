/* page_share.c - pages computed once for all of a master's workers
 * (page_share.h). */
#include "page_share.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "config.h"

enum slot_state { SLOT_EMPTY, SLOT_COMPUTING, SLOT_READY };

/* A slot: its header, then data[] holds the key (NUL-terminated), the
 * model and the markup, in that order. Every field is read and written
 * under mu only. */
struct slot {
	pthread_mutex_t mu; /* process-shared and robust: a worker killed holding it is noticed */
	enum slot_state state;
	struct page_stamp stamp;
	pid_t pid;          /* SLOT_COMPUTING: the worker that claimed it */
	struct timespec at; /* SLOT_COMPUTING: when (CLOCK_MONOTONIC) */
	time_t valid_until; /* SLOT_READY: 0, or when the page lapses */
	size_t key_len, json_len, html_len;
	int has_html;
	char data[];
};

#define SLOT_SIZE (sizeof(struct slot) + PAGE_SHARE_BYTES)

static unsigned char *slots; /* PAGE_SHARE_SLOTS of SLOT_SIZE, shared; NULL: off */
static struct slot *claim;   /* the slot this worker claimed, or NULL */

static struct slot *slot_at(size_t i)
{
	return (struct slot *)(void *)(slots + i * SLOT_SIZE);
}

int page_share_init(void)
{
	pthread_mutexattr_t a;
	void *p = mmap(NULL, PAGE_SHARE_SLOTS * SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int ok = 1;

	if (p == MAP_FAILED)
		return -1;
	slots = p;
	if (pthread_mutexattr_init(&a) != 0)
		ok = 0;
	else {
		ok = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) == 0 &&
		     pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) == 0;
		for (size_t i = 0; ok && i < PAGE_SHARE_SLOTS; i++)
			ok = pthread_mutex_init(&slot_at(i)->mu, &a) == 0;
		pthread_mutexattr_destroy(&a);
	}
	if (!ok) {
		munmap(p, PAGE_SHARE_SLOTS * SLOT_SIZE);
		slots = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Lock s: 0, or -1 when it cannot be (not held then; the caller goes
 * without the slot). A holder that died left the slot half-written: it is
 * emptied. */
static int slot_lock(struct slot *s)
{
	int e = pthread_mutex_lock(&s->mu);

	if (e == EOWNERDEAD) {
		s->state = SLOT_EMPTY;
		e = pthread_mutex_consistent(&s->mu);
		if (e != 0)
			pthread_mutex_unlock(&s->mu);
	}
	return e == 0 ? 0 : -1;
}

static size_t slot_of(const char *key, size_t len)
{
	unsigned long long h = 1469598103934665603ULL; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	return (size_t)(h % PAGE_SHARE_SLOTS);
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int same_page(const struct slot *s, const char *key, size_t key_len, const struct page_stamp *st)
{
	return s->key_len == key_len && memcmp(s->data, key, key_len) == 0 && s->stamp.epoch == st->epoch &&
	       s->stamp.hour == st->hour;
}

/* Whether the claim on s is still being worked on. */
static int claim_alive(const struct slot *s)
{
	return ms_since(&s->at) < PAGE_SHARE_CLAIM_MS && (kill(s->pid, 0) == 0 || errno == EPERM);
}

/* The slot of key (its length into *key_len), or NULL when nothing is
 * shared or the key is too long to keep. */
static struct slot *slot_for(const char *key, size_t *key_len)
{
	*key_len = strlen(key);
	if (slots == NULL || *key_len >= PAGE_SHARE_KEY_MAX)
		return NULL;
	return slot_at(slot_of(key, *key_len));
}

enum page_share_got page_share_get(const char *key, const struct page_stamp *st, time_t now, struct buf *json,
                                   struct buf *html, time_t *valid_until)
{
	size_t key_len;
	struct slot *s = slot_for(key, &key_len);
	struct timespec began;

	if (s == NULL || claim != NULL)
		return PAGE_SHARE_NONE;
	clock_gettime(CLOCK_MONOTONIC, &began);
	for (;;) {
		if (slot_lock(s) != 0)
			return PAGE_SHARE_NONE;
		if (s->state == SLOT_READY && same_page(s, key, key_len, st) &&
		    (s->valid_until == 0 || now < s->valid_until)) {
			buf_append(json, s->data + key_len + 1, s->json_len);
			if (s->has_html)
				buf_append(html, s->data + key_len + 1 + s->json_len, s->html_len);
			*valid_until = s->valid_until;
			pthread_mutex_unlock(&s->mu);
			return PAGE_SHARE_HIT;
		}
		if (s->state == SLOT_COMPUTING && claim_alive(s)) {
			int mine = same_page(s, key, key_len, st);
			pthread_mutex_unlock(&s->mu);
			if (!mine || ms_since(&began) >= config_get()->page_share_wait)
				return PAGE_SHARE_NONE; /* another page's turn, or too long: computed here */
			usleep(200);
			continue;
		}
		/* A page of a later change is not replaced by an earlier one
		 * (the epoch only grows). */
		if (s->state == SLOT_READY && s->key_len == key_len && memcmp(s->data, key, key_len) == 0 &&
		    s->stamp.epoch > st->epoch) {
			pthread_mutex_unlock(&s->mu);
			return PAGE_SHARE_NONE;
		}
		s->state = SLOT_COMPUTING;
		memcpy(s->data, key, key_len + 1);
		s->key_len = key_len;
		s->stamp = *st;
		s->pid = getpid();
		clock_gettime(CLOCK_MONOTONIC, &s->at);
		s->json_len = s->html_len = 0;
		s->has_html = 0;
		pthread_mutex_unlock(&s->mu);
		claim = s;
		return PAGE_SHARE_CLAIMED;
	}
}

void page_share_drop(const char *key, const struct page_stamp *st)
{
	size_t key_len;
	struct slot *s = slot_for(key, &key_len);

	if (s == NULL || slot_lock(s) != 0)
		return;
	if (s->state == SLOT_READY && same_page(s, key, key_len, st))
		s->state = SLOT_EMPTY;
	pthread_mutex_unlock(&s->mu);
}

int page_share_claimed(void)
{
	return claim != NULL;
}

void page_share_put(const char *json, size_t json_len, const char *html, size_t html_len, time_t valid_until)
{
	struct slot *s = claim;

	if (s == NULL)
		return;
	claim = NULL;
	if (slot_lock(s) != 0)
		return;
	/* Still this worker's claim (one that lapsed may have been taken). */
	if (s->state == SLOT_COMPUTING && s->pid == getpid()) {
		if (s->key_len + 1 + json_len + (html ? html_len : 0) > PAGE_SHARE_BYTES)
			s->state = SLOT_EMPTY;
		else {
			memcpy(s->data + s->key_len + 1, json, json_len);
			s->json_len = json_len;
			if ((s->has_html = html != NULL))
				memcpy(s->data + s->key_len + 1 + json_len, html, html_len);
			s->html_len = html ? html_len : 0;
			s->valid_until = valid_until;
			s->state = SLOT_READY;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

void page_share_release(void)
{
	struct slot *s = claim;

	if (s == NULL)
		return;
	claim = NULL;
	if (slot_lock(s) != 0)
		return;
	if (s->state == SLOT_COMPUTING && s->pid == getpid())
		s->state = SLOT_EMPTY;
	pthread_mutex_unlock(&s->mu);
}
