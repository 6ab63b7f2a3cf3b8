/* main_portal.c - the FastCGI application server (master + workers). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "server.h"

int main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: portal\n  configured by environment: see docs/operations.md\n");
		return 0;
	}
	log_set_name("portal");
	config_load();
	return server_run();
}
