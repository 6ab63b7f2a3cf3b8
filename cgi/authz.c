/* authz.c - the permission matrix and the tenant in context. */
#include "authz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_NONE] = "none",       [ROLE_VIEWER] = "viewer",           [ROLE_ANALYST] = "analyst",
    [ROLE_ADMIN] = "admin",     [ROLE_OWNER] = "owner",             [ROLE_MSSP_ANALYST] = "mssp_analyst",
    [ROLE_MSSP_ADMIN] = "mssp_admin",
};
static const char *const role_labels[ROLE_COUNT] = {
    [ROLE_NONE] = "None",   [ROLE_VIEWER] = "Viewer", [ROLE_ANALYST] = "Analyst",
    [ROLE_ADMIN] = "Admin", [ROLE_OWNER] = "Owner",   [ROLE_MSSP_ANALYST] = "MSSP Analyst",
    [ROLE_MSSP_ADMIN] = "MSSP Admin",
};
static const char *const perm_names[PERM_COUNT] = {
    [PERM_VIEW] = "view",       [PERM_INCIDENTS] = "incidents", [PERM_SETTINGS] = "settings",
    [PERM_TEAM] = "team",       [PERM_AUDIT] = "audit",         [PERM_API_KEYS] = "api_keys",
    [PERM_BILLING] = "billing", [PERM_ONBOARD] = "onboard",     [PERM_APPROVE] = "approve",
};

/* Which kinds of tenant a permission applies to. */
#define K_MSSP 1u
#define K_MSP 2u
#define K_COMPANY 4u
#define K_ALL (K_MSSP | K_MSP | K_COMPANY)

/* The matrix: matrix[perm][role] = kinds of tenant on which it is granted. */
static const unsigned matrix[PERM_COUNT][ROLE_COUNT] = {
    [PERM_VIEW] = {[ROLE_VIEWER] = K_ALL, [ROLE_ANALYST] = K_ALL, [ROLE_ADMIN] = K_ALL, [ROLE_OWNER] = K_ALL,
                   [ROLE_MSSP_ANALYST] = K_ALL, [ROLE_MSSP_ADMIN] = K_ALL},
    [PERM_INCIDENTS] = {[ROLE_ANALYST] = K_ALL, [ROLE_ADMIN] = K_ALL, [ROLE_OWNER] = K_ALL,
                        [ROLE_MSSP_ANALYST] = K_ALL, [ROLE_MSSP_ADMIN] = K_ALL},
    [PERM_SETTINGS] = {[ROLE_ADMIN] = K_ALL, [ROLE_OWNER] = K_ALL, [ROLE_MSSP_ADMIN] = K_ALL},
    [PERM_TEAM] = {[ROLE_ADMIN] = K_ALL, [ROLE_OWNER] = K_ALL, [ROLE_MSSP_ADMIN] = K_ALL},
    [PERM_AUDIT] = {[ROLE_ADMIN] = K_ALL, [ROLE_OWNER] = K_ALL, [ROLE_MSSP_ADMIN] = K_ALL},
    [PERM_API_KEYS] = {[ROLE_ADMIN] = K_ALL, [ROLE_OWNER] = K_ALL, [ROLE_MSSP_ADMIN] = K_ALL},
    [PERM_BILLING] = {[ROLE_OWNER] = K_MSP, [ROLE_MSSP_ADMIN] = K_MSSP},
    [PERM_ONBOARD] = {[ROLE_MSSP_ADMIN] = K_MSSP},
    [PERM_APPROVE] = {[ROLE_ADMIN] = K_MSP, [ROLE_OWNER] = K_MSP},
};

static unsigned kind_bit(const char *kind)
{
	if (kind == NULL)
		return 0;
	if (strcmp(kind, "mssp") == 0)
		return K_MSSP;
	if (strcmp(kind, "msp") == 0)
		return K_MSP;
	if (strcmp(kind, "company") == 0)
		return K_COMPANY;
	return 0;
}

enum role authz_role(const char *name)
{
	int i;

	for (i = 1; name != NULL && i < ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

const char *authz_role_name(enum role r) { return (unsigned)r < ROLE_COUNT ? role_names[r] : "none"; }
const char *authz_role_label(enum role r) { return (unsigned)r < ROLE_COUNT ? role_labels[r] : "None"; }

const char *authz_kind_label(const char *kind)
{
	if (strcmp(kind, "mssp") == 0)
		return "MSSP";
	if (strcmp(kind, "msp") == 0)
		return "MSP";
	return "Company";
}
const char *authz_perm_name(enum perm p) { return (unsigned)p < PERM_COUNT ? perm_names[p] : "?"; }

int authz_can(enum role r, enum perm p, const char *kind)
{
	if ((unsigned)r >= ROLE_COUNT || (unsigned)p >= PERM_COUNT)
		return 0;
	return (matrix[p][r] & kind_bit(kind)) != 0;
}

unsigned authz_grantable(enum role r, const char *kind)
{
	unsigned k = kind_bit(kind);

	if (!authz_can(r, PERM_TEAM, kind))
		return 0;
	if (k == K_MSSP)
		return r == ROLE_MSSP_ADMIN ? (1u << ROLE_MSSP_ADMIN) | (1u << ROLE_MSSP_ANALYST) : 0;
	if (r == ROLE_ADMIN)
		return (1u << ROLE_ADMIN) | (1u << ROLE_ANALYST) | (1u << ROLE_VIEWER);
	return (1u << ROLE_OWNER) | (1u << ROLE_ADMIN) | (1u << ROLE_ANALYST) | (1u << ROLE_VIEWER);
}

DB_STMT(st_tenant_ctx, 1,
        "SELECT t.id, coalesce(t.parent_id, 0), t.root_id, t.name, t.kind, t.region, effective_role(t.id),"
        " my_tenant_crumbs(t.id) FROM tenants t WHERE t.id = $1::bigint AND t.status = 'active'");

struct tenant_ctx *authz_tenant_from_row(struct req *req, long long id, PGresult *res, const int col[AUTHZ_TENANT_NCOLS])
{
	struct tenant_ctx *t;

	if (PQgetisnull(res, 0, col[5]) || (t = arena_alloc(&req->arena, sizeof(*t))) == NULL)
		return NULL;
	t->id = id;
	t->parent_id = PQgetisnull(res, 0, col[0]) ? 0 : atoll(PQgetvalue(res, 0, col[0]));
	t->root_id = atoll(PQgetvalue(res, 0, col[1]));
	t->name = arena_strdup(&req->arena, PQgetvalue(res, 0, col[2]));
	t->kind = arena_strdup(&req->arena, PQgetvalue(res, 0, col[3]));
	t->region = arena_strdup(&req->arena, PQgetvalue(res, 0, col[4]));
	t->role = authz_role(PQgetvalue(res, 0, col[5]));
	t->version = -1; /* unknown: no dashboard cache (the caller may set it) */
	t->hour = 0;
	t->scope = NULL;
	t->path = PQgetisnull(res, 0, col[6]) ? NULL : arena_strdup(&req->arena, PQgetvalue(res, 0, col[6]));
	return t->name && t->kind && t->region ? t : NULL;
}

/* The row of tenant id (st_tenant_ctx: its context and the user's role),
 * or NULL with *r set: R_NOT_FOUND when RLS hides it or the user has no
 * role there (no existence leak), else the database's outcome. */
static PGresult *tenant_row(const char *id, enum res *r)
{
	const char *params[1] = {id};
	PGresult *res = db_exec(&st_tenant_ctx, params, r);

	if (res != NULL && (PQntuples(res) != 1 || PQgetisnull(res, 0, 6))) {
		PQclear(res);
		*r = R_NOT_FOUND;
		return NULL;
	}
	return res;
}

enum res authz_tenant(struct req *req, enum perm perm)
{
	const char *idp = http_route_param(req, 0);
	struct tenant_ctx *t;
	PGresult *res;
	enum res r;
	char *end;
	long long id;

	if (!http_is_id(idp))
		return R_NOT_FOUND;
	id = strtoll(idp, &end, 10);
	/* Read with the session (sess_load) for a GET: checked here. */
	if (req->tenant != NULL && req->tenant->id == id)
		return authz_can(req->tenant->role, perm, req->tenant->kind) ? R_SUCCESS : R_FORBIDDEN;
	if ((res = tenant_row(idp, &r)) == NULL)
		return r;
	{
		static const int col[AUTHZ_TENANT_NCOLS] = {1, 2, 3, 4, 5, 6, 7}; /* st_tenant_ctx */
		t = authz_tenant_from_row(req, id, res, col);
	}
	PQclear(res);
	if (t == NULL)
		return R_INTERNAL;
	req->tenant = t;
	if (!authz_can(t->role, perm, t->kind))
		return R_FORBIDDEN;
	return R_SUCCESS;
}

enum res authz_object(long long tenant_id, enum perm perm)
{
	char id[24];
	PGresult *res;
	enum res r;

	snprintf(id, sizeof(id), "%lld", tenant_id);
	if ((res = tenant_row(id, &r)) == NULL)
		return r;
	r = authz_can(authz_role(PQgetvalue(res, 0, 6)), perm, PQgetvalue(res, 0, 4)) ? R_SUCCESS : R_FORBIDDEN;
	PQclear(res);
	return r;
}
