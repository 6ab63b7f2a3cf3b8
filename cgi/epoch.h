/* epoch.h - a counter every worker sees move: a cache's entries are good
 * only in the epoch they were read in, and a change moves it (the context
 * cache, cgi/session.c; the ETag cache, cgi/etag_cache.c). */
#ifndef EPOCH_H
#define EPOCH_H

struct epoch {
	unsigned long long own;     /* this process's, until epoch_share() */
	unsigned long long *shared; /* NULL: own */
};

/* The master, before it forks the workers: the counter in shared memory.
 * 0, or -1 if it cannot be (each process then keeps its own). */
int epoch_share(struct epoch *e);
/* Move it (every process that shares it sees the new value). */
void epoch_move(struct epoch *e);
/* Its value now. */
unsigned long long epoch_read(const struct epoch *e);

#endif
