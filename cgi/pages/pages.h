/* pages.h - handlers of every page, one file per feature area. */
#ifndef PAGES_H
#define PAGES_H

#include "http.h"

/* health.c */
enum res page_healthz(struct req *req);
/* auth.c */
enum res page_login_form(struct req *req);
enum res page_login(struct req *req);
enum res page_logout(struct req *req);
/* home.c */
enum res page_home(struct req *req);

#endif
