/* epoch.c - a counter every worker sees move (epoch.h). */
#include "epoch.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

int epoch_share(struct epoch *e)
{
	void *p = mmap(NULL, sizeof(*e->shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	e->shared = p;
	*e->shared = e->own;
	return 0;
}

void epoch_move(struct epoch *e)
{
	__atomic_add_fetch(e->shared ? e->shared : &e->own, 1, __ATOMIC_SEQ_CST);
}

unsigned long long epoch_read(const struct epoch *e)
{
	return __atomic_load_n(e->shared ? e->shared : &e->own, __ATOMIC_SEQ_CST);
}

int epoch_set_share(struct epoch_set *s)
{
	void *p = mmap(NULL, sizeof(s->own), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	memcpy(p, &s->own, sizeof(s->own));
	s->shared = p;
	return 0;
}

static struct epoch_set_mem *mem_of(struct epoch_set *s) { return s->shared ? s->shared : &s->own; }

/* The slot of name (Fibonacci hashing: neighbouring ids spread). */
static size_t slot_of(long long name)
{
	return (size_t)(((unsigned long long)name * 0x9E3779B97F4A7C15ULL) >> 52) % EPOCH_SET_SLOTS;
}

void epoch_set_move(struct epoch_set *s, long long name, unsigned long long tx)
{
	struct epoch_set_mem *m = mem_of(s);
	size_t i = slot_of(name);

	if (tx != 0 && __atomic_load_n(&m->tx[i], __ATOMIC_SEQ_CST) == tx)
		return;
	/* The counter first: whoever reads tx here knows it has moved. Two
	 * processes that both miss tx both move it (once too often, harmless). */
	__atomic_add_fetch(&m->count[i], 1, __ATOMIC_SEQ_CST);
	if (tx != 0)
		__atomic_store_n(&m->tx[i], tx, __ATOMIC_SEQ_CST);
}

void epoch_set_move_all(struct epoch_set *s)
{
	struct epoch_set_mem *m = mem_of(s);

	__atomic_add_fetch(&m->count[EPOCH_SET_SLOTS], 1, __ATOMIC_SEQ_CST);
	/* after the move: a slot forgotten early only moves again */
	for (size_t i = 0; i < EPOCH_SET_SLOTS; i++)
		if (__atomic_load_n(&m->tx[i], __ATOMIC_RELAXED) != 0)
			__atomic_store_n(&m->tx[i], 0, __ATOMIC_RELAXED);
}

unsigned long long epoch_set_read(const struct epoch_set *s, long long name)
{
	const struct epoch_set_mem *m = s->shared ? s->shared : &s->own;

	/* both only grow: the sum moves when either does */
	return __atomic_load_n(&m->count[EPOCH_SET_SLOTS], __ATOMIC_SEQ_CST) +
	       __atomic_load_n(&m->count[slot_of(name)], __ATOMIC_SEQ_CST);
}
