/* server.h - the prefork master and its FastCGI workers.
 *
 * The master binds the unix socket (mode from config, so only nginx's user
 * reaches it), forks N workers, replaces a worker that dies, lets workers
 * retire after max_requests, starts a new generation on SIGHUP (the old one
 * finishes its requests first, so none is dropped) and drains on SIGTERM. */
#ifndef SERVER_H
#define SERVER_H

/* Run the master until SIGTERM/SIGINT; returns the process exit code. */
int server_run(void);
/* Handle one accepted request (exposed for the worker loop). */
struct FCGX_Request;

#endif
