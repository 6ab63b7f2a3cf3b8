/* epoch.c - a counter every worker sees move (epoch.h). */
#include "epoch.h"

#include <stddef.h>
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
