/* authz.h - roles, permissions and the tenant in context.
 *
 * The permission matrix (docs/permissions.md) is the table in authz.c and
 * nothing else: handlers ask authz_can(), routes name the permission they
 * need, and the access-matrix tests read both through `ctl routes`. */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <libpq-fe.h>

#include "http.h"

enum role {
	ROLE_NONE = 0,
	ROLE_VIEWER,
	ROLE_ANALYST,
	ROLE_ADMIN,
	ROLE_OWNER,
	ROLE_MSSP_ANALYST,
	ROLE_MSSP_ADMIN,
	ROLE_COUNT
};

enum perm {
	PERM_VIEW = 0,  /* dashboards, inventory, vulnerabilities, incidents */
	PERM_INCIDENTS, /* acknowledge and resolve incidents */
	PERM_SETTINGS,  /* white labelling, plans, tenant settings */
	PERM_TEAM,      /* invite, change roles, disable, assign analysts */
	PERM_AUDIT,     /* read the audit log */
	PERM_API_KEYS,  /* create and revoke ingest API keys */
	PERM_BILLING,   /* billing (MSSP level) */
	PERM_ONBOARD,   /* add MSPs to the MSSP (MSSP level) */
	PERM_APPROVE,   /* approve or reject an MSSP's request (MSP level) */
	PERM_COUNT
};

/* The tenant a /t/{id}/... request is about, with the user's role on it. */
struct tenant_ctx {
	long long id;
	long long parent_id; /* 0 for a root */
	long long root_id;
	const char *name;    /* arena strings */
	const char *kind;    /* "mssp", "msp", "company" */
	const char *region;
	enum role role;
	/* For the dashboard cache (cgi/pages/dashboard.c), when read with the
	 * session: the tenant's data version (-1: unknown, do not cache), the
	 * UTC hour (epoch) and the viewer's scope, as the database has them. */
	long long version;
	long long hour;
	const char *scope;
	/* The tenants above it the user may open, root first, as a JSON array
	 * of {id, name} (tenant_crumbs()); NULL: none. */
	const char *path;
};

/* Role from its database name ("mssp_admin"...); ROLE_NONE if unknown. */
enum role authz_role(const char *name);
const char *authz_role_name(enum role r);
/* Human label ("MSSP Admin"). */
const char *authz_role_label(enum role r);
/* Human label of a tenant kind: "MSSP", "MSP", "Company". */
const char *authz_kind_label(const char *kind);
const char *authz_perm_name(enum perm p);
/* May role r do p on a tenant of this kind ("mssp", "msp", "company")? */
int authz_can(enum role r, enum perm p, const char *kind);
/* Roles an actor with role r may grant on a tenant of this kind, as a
 * bitmask of (1 << role). Admins cannot create Owners. */
unsigned authz_grantable(enum role r, const char *kind);

/* Load the tenant of route parameter 0 and the user's role on it into
 * req->tenant. R_NOT_FOUND when the id is malformed or the user may not see
 * the tenant (no existence leak); R_FORBIDDEN when the role lacks perm. */
enum res authz_tenant(struct req *req, enum perm perm);
/* The one rule for an action on an object (an incident, ...): the viewer's
 * effective role on the object's OWN tenant grants perm, whatever tenant
 * the URL names (docs/permissions.md). R_SUCCESS, R_FORBIDDEN, or
 * R_NOT_FOUND for a tenant the viewer may not see. */
enum res authz_object(long long tenant_id, enum perm perm);
/* The tenant context from row 0 of res, the columns numbered in col:
 * parent (NULL for a root), root, name, kind, region, the user's role, the
 * breadcrumbs (tenant_crumbs(), may be NULL). An arena copy with no
 * dashboard-cache stamp (version -1), or NULL when the
 * role is NULL (not visible) or memory runs out. */
#define AUTHZ_TENANT_NCOLS 7
struct tenant_ctx *authz_tenant_from_row(struct req *req, long long id, PGresult *res,
                                         const int col[AUTHZ_TENANT_NCOLS]);

#endif
