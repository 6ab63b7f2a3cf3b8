/* test_epoch.c - the counters a master's workers share (cgi/epoch.c): a
 * name's counter moves for a change, once per transaction however many
 * processes hear it, and its neighbours' stay; moving all moves every
 * name and forgets the transactions. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "epoch.h"
#include "tap.h"

static struct epoch_set set; /* 64 KB: not on the stack */

int main(void)
{
	unsigned long long a, b;
	long long other = 0;
	pid_t pid;
	int status = -1;

	TAP_OK(epoch_set_share(&set) == 0, "the set is in shared memory");
	/* a name in another slot than 7's */
	for (long long n = 8; other == 0; n++) {
		unsigned long long before = epoch_set_read(&set, n);
		epoch_set_move(&set, 7, 0);
		if (epoch_set_read(&set, n) == before)
			other = n;
	}
	a = epoch_set_read(&set, 7);
	b = epoch_set_read(&set, other);

	/* another process of the master hears transaction 100 first */
	if ((pid = fork()) == 0) {
		epoch_set_move(&set, 7, 100);
		_exit(0);
	}
	TAP_OK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status), "the other process ran");
	TAP_OK(epoch_set_read(&set, 7) == a + 1, "its move is seen here");
	epoch_set_move(&set, 7, 100);
	TAP_OK(epoch_set_read(&set, 7) == a + 1, "hearing the same transaction again does not move it");
	TAP_OK(epoch_set_read(&set, other) == b, "a name in another slot stays");

	epoch_set_move(&set, 7, 101);
	TAP_OK(epoch_set_read(&set, 7) == a + 2, "the next transaction moves it");
	epoch_set_move(&set, other, 101);
	TAP_OK(epoch_set_read(&set, other) == b + 1, "the same transaction moves another slot's name");
	epoch_set_move(&set, 7, 100);
	TAP_OK(epoch_set_read(&set, 7) == a + 3, "an earlier transaction heard late moves it (only the last is kept)");
	epoch_set_move(&set, 7, 0);
	epoch_set_move(&set, 7, 0);
	TAP_OK(epoch_set_read(&set, 7) == a + 5, "a change of no known transaction moves it every time");

	epoch_set_move(&set, 7, 102);
	epoch_set_move_all(&set);
	TAP_OK(epoch_set_read(&set, 7) == a + 7 && epoch_set_read(&set, other) == b + 2, "moving all moves every name");
	epoch_set_move(&set, 7, 102);
	TAP_OK(epoch_set_read(&set, 7) == a + 8, "and forgets the transactions (another database's numbers repeat)");
	return tap_done();
}
