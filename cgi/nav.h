/* nav.h - a tenant page's navigation, breadcrumbs and section (nav.c). */
#ifndef NAV_H
#define NAV_H

#include <jansson.h>

#include "authz.h"
#include "http.h"

/* The model's "nav" of req's tenant page (req->tenant set): {groups:
 * [{label, items: [{key, label, href, current}]}], section, dashboard,
 * crumbs: [{id, name, href, current?}]}. A new object, the caller's. */
json_t *nav_model(const struct req *req);

/* The path after /t/{id} that the section key of another tenant's page
 * leads to on a tenant of this kind: the same section when it exists
 * there and is one a switch keeps (the dashboards and lists), else ""
 * (the dashboard). A static string. */
const char *nav_section_path(const char *kind, const char *section);

#endif
