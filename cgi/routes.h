/* routes.h - every URL the portal serves, in one table (routes.c).
 *
 * The server matches requests against it (route_match); `ctl routes`
 * prints it as JSON so the access-matrix tests are generated from it and
 * cover new pages automatically. */
#ifndef ROUTES_H
#define ROUTES_H

#include "router.h"

extern const struct route routes[];
extern const unsigned nroutes;

#endif
