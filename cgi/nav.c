/* nav.c - a tenant page's navigation: the sections of the left navigation
 * (those the viewer's role and the tenant's kind allow, the current one
 * marked), the breadcrumbs of the tenants above it the viewer may open,
 * and the section a tenant switch keeps. One table, read by every page. */
#include "nav.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

enum { K_MSSP = 1, K_MSP = 2, K_COMPANY = 4, K_ALL = 7 };

struct nav_item {
	const char *key;   /* stable name: the model's section, tests */
	const char *group; /* the heading it sits under */
	const char *label; /* NULL: the dashboard, named by kind */
	const char *path;  /* after /t/{id} */
	enum perm perm;
	unsigned kinds;
	int keep; /* a tenant switch may land on the same section */
};

static const struct nav_item items[] = {
    {"overview", "Dashboards", NULL, "", PERM_VIEW, K_ALL, 1},
    {"assets", "Security", "Assets", "/assets", PERM_VIEW, K_ALL, 1},
    {"vulnerabilities", "Security", "Vulnerabilities", "/vulnerabilities", PERM_VIEW, K_ALL, 1},
    {"incidents", "Security", "Incidents", "/incidents", PERM_VIEW, K_ALL, 1},
    {"threats", "Security", "Threats", "/threats", PERM_VIEW, K_MSSP | K_MSP, 1},
    {"analytics", "Reports", "Analytics", "/analytics", PERM_VIEW, K_MSSP | K_MSP, 1},
    {"sla", "Reports", "SLA", "/sla", PERM_VIEW, K_ALL, 1},
    {"report", "Reports", "Executive report", "/reports/executive", PERM_VIEW, K_ALL, 1},
    {"reports", "Reports", "PDF reports", "/reports", PERM_VIEW, K_ALL, 1},
    {"msps", "Manage", "MSPs", "/msps", PERM_VIEW, K_MSSP, 0},
    {"requests", "Manage", "MSSP requests", "/requests", PERM_VIEW, K_MSP, 0},
    {"plans", "Manage", "Plans", "/plans", PERM_VIEW, K_MSSP | K_MSP, 1},
    {"config", "Manage", "Configuration", "/config", PERM_VIEW, K_ALL, 1},
    {"billing", "Manage", "Billing", "/billing", PERM_BILLING, K_MSSP | K_MSP, 0},
    {"team", "Manage", "Team", "/team", PERM_TEAM, K_ALL, 0},
    {"audit", "Manage", "Audit log", "/audit", PERM_AUDIT, K_ALL, 0},
    {"api_keys", "Manage", "API keys", "/api-keys", PERM_API_KEYS, K_ALL, 0},
    {"mail", "Manage", "Email", "/mail", PERM_SETTINGS, K_ALL, 0},
    {"settings", "Manage", "Settings", "/settings", PERM_SETTINGS, K_ALL, 0},
};
#define NITEMS (sizeof(items) / sizeof(items[0]))

static unsigned kind_bit(const char *kind)
{
	return strcmp(kind, "mssp") == 0 ? K_MSSP : strcmp(kind, "msp") == 0 ? K_MSP : K_COMPANY;
}

static const char *dashboard_label(const char *kind)
{
	return strcmp(kind, "mssp") == 0 ? "Global dashboard"
	       : strcmp(kind, "msp") == 0 ? "MSP dashboard"
	                                  : "Company dashboard";
}

/* The item a route pattern belongs to: the longest path that prefixes the
 * pattern after "/t/{id}" at a segment boundary ("/incidents/{iid}" is
 * Incidents, "/settings/branding" Settings, "" the dashboard). */
static const struct nav_item *current(const char *pattern)
{
	const struct nav_item *best = NULL;
	size_t bestlen = 0;

	if (pattern == NULL || strncmp(pattern, "/t/{id}", 7) != 0)
		return NULL;
	pattern += 7;
	for (size_t i = 0; i < NITEMS; i++) {
		size_t n = strlen(items[i].path);
		if (strncmp(pattern, items[i].path, n) == 0 && (pattern[n] == '\0' || pattern[n] == '/') &&
		    (best == NULL || n > bestlen)) {
			best = &items[i];
			bestlen = n;
		}
	}
	/* Only a bare "/t/{id}" is the dashboard: a route no section claims
	 * ("/t/{id}/export") marks none. */
	return best != NULL && (bestlen > 0 || *pattern == '\0') ? best : NULL;
}

const char *nav_section_path(const char *kind, const char *section)
{
	for (size_t i = 0; section != NULL && i < NITEMS; i++)
		if (strcmp(items[i].key, section) == 0)
			return items[i].keep && (items[i].kinds & kind_bit(kind)) ? items[i].path : "";
	return "";
}

json_t *nav_model(const struct req *req)
{
	const struct tenant_ctx *t = req->tenant;
	const struct nav_item *cur = current(req->route ? req->route->pattern : NULL);
	json_t *nav = json_object(), *groups = json_array(), *group = NULL, *list = NULL;
	const char *gname = NULL;

	for (size_t i = 0; i < NITEMS; i++) {
		const struct nav_item *it = &items[i];
		char href[64];
		json_t *row;
		if (!(it->kinds & kind_bit(t->kind)) || !authz_can(t->role, it->perm, t->kind))
			continue;
		if (it->perm == PERM_BILLING && t->parent_id != 0)
			continue; /* billed through the account at the top (billing_may_see()) */
		if (gname == NULL || strcmp(gname, it->group) != 0) {
			gname = it->group;
			list = json_array();
			group = json_object();
			json_object_set_new_nocheck(group, "label", json_string(gname));
			json_object_set_new_nocheck(group, "items", list);
			json_array_append_new(groups, group);
		}
		/* Set one by one, as trend_model() does: json_pack() reads its
		 * format again for each of the twenty items of every page. The
		 * keys and the items' names are this file's (UTF-8). */
		snprintf(href, sizeof(href), "/t/%lld%s", t->id, it->path);
		row = json_object();
		json_object_set_new_nocheck(row, "key", json_string_nocheck(it->key));
		json_object_set_new_nocheck(row, "label",
		                            json_string_nocheck(it->label ? it->label : dashboard_label(t->kind)));
		json_object_set_new_nocheck(row, "href", json_string_nocheck(href));
		json_object_set_new_nocheck(row, "current", json_boolean(it == cur));
		json_array_append_new(list, row);
	}
	json_object_set_new(nav, "groups", groups);
	json_object_set_new(nav, "section", json_string(cur != NULL && cur->keep ? cur->key : "overview"));
	json_object_set_new(nav, "dashboard", json_string(dashboard_label(t->kind)));
	{
		/* Breadcrumbs: the tenants above it the viewer may open (root
		 * first, from the context), this one, the section, and the page
		 * below a section (named by its page_title, in the template). */
		json_t *crumbs = t->path != NULL ? json_loads(t->path, 0, NULL) : NULL;
		json_t *c;
		size_t k;
		int sub = cur != NULL && strcmp(req->route->pattern + 7, cur->path) != 0;
		char href[64];
		if (!json_is_array(crumbs)) {
			json_decref(crumbs);
			crumbs = json_array();
		}
		json_array_foreach(crumbs, k, c)
		{
			snprintf(href, sizeof(href), "/t/%lld", (long long)json_integer_value(json_object_get(c, "id")));
			json_object_set_new(c, "href", json_string(href));
			json_object_set_new(c, "current", json_false());
		}
		snprintf(href, sizeof(href), "/t/%lld", t->id);
		json_array_append_new(crumbs, json_pack("{s:s, s:s, s:b}", "name", t->name, "href", href, "current",
		                                        cur != NULL && cur->path[0] == '\0' && !sub));
		if (cur != NULL && cur->path[0] != '\0') {
			snprintf(href, sizeof(href), "/t/%lld%s", t->id, cur->path);
			json_array_append_new(crumbs, json_pack("{s:s, s:s, s:b}", "name", cur->label, "href", href,
			                                        "current", !sub));
		}
		/* A tenant's own dashboard at the top of the tree needs none. */
		if (json_array_size(crumbs) > 1 || sub)
			json_object_set_new(nav, "crumbs", crumbs);
		else
			json_decref(crumbs);
		json_object_set_new(nav, "sub", json_boolean(sub));
	}
	return nav;
}
