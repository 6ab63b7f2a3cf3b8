/* routes.c - every URL the portal serves. Keep sorted by feature area. */
#include "pages/pages.h"
#include "router.h"

const struct route routes[] = {
    {"GET", "/healthz", page_healthz, ACCESS_PUBLIC, 0, "healthz"},
    {"GET", "/login", page_login_form, ACCESS_PUBLIC, 0, "login_form"},
    {"POST", "/login", page_login, ACCESS_PUBLIC, ROUTE_NO_CSRF, "login"},
    {"POST", "/logout", page_logout, ACCESS_USER, 0, "logout"},
    {"GET", "/", page_home, ACCESS_USER, 0, "home"},
};

const unsigned nroutes = sizeof(routes) / sizeof(routes[0]);
