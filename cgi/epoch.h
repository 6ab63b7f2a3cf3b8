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

/* Counters under names (a tenant's id), hashed into EPOCH_SET_SLOTS
 * slots, plus one that moves them all: a cache entry about a name keeps
 * epoch_set_read() of it from before it read, and is good while that
 * value stays. Two names in one slot move together (an entry let go too
 * early, never one kept too long).
 *
 * Every process that shares the set hears the same change (each drains its
 * own database connection, a few ms apart): beside each slot's counter is
 * the last transaction it was moved for, so the first process to hear a
 * transaction moves the counter and the others leave it (an entry cached
 * between two hearings of one change is not let go at the second). */
#define EPOCH_SET_SLOTS 4096

struct epoch_set_mem {
	unsigned long long count[EPOCH_SET_SLOTS + 1]; /* [EPOCH_SET_SLOTS]: all */
	unsigned long long tx[EPOCH_SET_SLOTS];        /* moved for it last; 0: none */
};

struct epoch_set {
	struct epoch_set_mem own;    /* until epoch_set_share() */
	struct epoch_set_mem *shared; /* NULL: own */
};

/* As epoch_share(): the counters in shared memory, 0 or -1. */
int epoch_set_share(struct epoch_set *s);
/* Move name's counter for a change made by transaction tx (a database's
 * xid8, which never repeats), unless a process sharing the set has moved
 * it for tx already: that move came after tx committed, so it covers
 * every entry this one would let go. tx 0 (not known): always. */
void epoch_set_move(struct epoch_set *s, long long name, unsigned long long tx);
/* Move every name's, and forget the transactions (a new connection may be
 * to another database, whose transactions repeat numbers). */
void epoch_set_move_all(struct epoch_set *s);
/* What changes when name's counter or all of them move. */
unsigned long long epoch_set_read(const struct epoch_set *s, long long name);

#endif
