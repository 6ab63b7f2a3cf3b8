/* children.c - create, rename and archive tenants below the one in
 * context. The database enforces the tree (tenants_tree_check()): this code
 * turns its refusals into messages next to the field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_child_create, 4,
        "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
        " VALUES ($1, $2, $3, $4::bigint, '{0}', 0)");
/* Not RETURNING: RLS checks returned rows against the visibility computed
 * when the statement started, which cannot include the new child yet. */
DB_STMT(st_child_id, 0, "SELECT currval('tenants_id_seq')");
/* Archiving is decided one level up: the actor must manage the parent. */
DB_STMT(st_parent_role, 1, "SELECT kind, effective_role(id) FROM tenants WHERE id = $1::bigint");
DB_STMT(st_tenant_rename, 2, "UPDATE tenants SET name = $2 WHERE id = $1::bigint AND status = 'active'");
DB_STMT(st_tenant_archive, 1,
        "UPDATE tenants SET status = 'archived' WHERE id = $1::bigint AND status = 'active'"
        " AND NOT EXISTS (SELECT 1 FROM tenants c WHERE c.parent_id = $1::bigint AND c.status = 'active')");

/* The kind of tenant that goes below a parent of this kind. */
static const char *child_kind(const char *kind)
{
	if (strcmp(kind, "mssp") == 0)
		return "msp";
	if (strcmp(kind, "msp") == 0)
		return "company";
	return NULL;
}

/* Translate a refusal of the tree trigger into a field message. */
static const char *tree_message(void)
{
	const char *m = db_last_message();

	if (strstr(m, "three levels") != NULL)
		return "Tenants nest at most three levels deep (MSSP › MSP › company): a company cannot have tenants "
		       "below it.";
	if (strstr(m, "region") != NULL)
		return "A tenant must be in the same region as the tenant above it.";
	if (strstr(m, "cannot be placed") != NULL)
		return "That kind of tenant cannot be placed here.";
	return NULL;
}

static enum res back(struct req *req, long long id, const char *done)
{
	char loc[96];

	snprintf(loc, sizeof(loc), "/t/%lld?done=%s", id, done);
	return http_redirect(req, loc);
}

enum res page_child_create(struct req *req)
{
	static const struct form_field fields[] = {
	    {.name = "name", .label = "Name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 120},
	    {.name = "region", .label = "Region", .kind = FORM_TEXT, .min = 2, .max = 40},
	};
	const struct tenant_ctx *t = req->tenant;
	const char *kind = child_kind(t->kind);
	json_t *values, *errors, *m = view_model(req);
	const char *params[4], *region;
	char pid[24];
	PGresult *res;
	enum res r;
	long long id;

	form_check(req, fields, 2, &values, &errors);
	if (kind == NULL && json_object_size(errors) == 0)
		json_object_set_new(errors, "name",
		                    json_string("Tenants nest at most three levels deep (MSSP › MSP › company): a company "
		                                "cannot have tenants below it."));
	region = json_string_value(json_object_get(values, "region"));
	if (region == NULL || *region == '\0')
		region = t->region;
	if (json_object_size(errors) == 0) {
		snprintf(pid, sizeof(pid), "%lld", t->id);
		params[0] = kind;
		params[1] = json_string_value(json_object_get(values, "name"));
		params[2] = region;
		params[3] = pid;
		r = db_run_guarded(&st_child_create, params);
		res = r == R_SUCCESS ? db_exec(&st_child_id, NULL, &r) : NULL;
		if (res != NULL) {
			id = atoll(PQgetvalue(res, 0, 0));
			PQclear(res);
			{
				json_t *d = json_pack("{s:s, s:s}", "name", params[1], "kind", kind);
				r = audit_log(req, t->id, "tenant.created", "tenant", d);
				json_decref(d);
			}
			json_decref(values);
			json_decref(errors);
			return r == R_SUCCESS ? back(req, id, "created") : r;
		}
		if (r == R_CONFLICT)
			json_object_set_new(errors, "name", json_string("A tenant with that name already exists here."));
		else if (r == R_BAD_INPUT && tree_message() != NULL)
			json_object_set_new(errors, strstr(db_last_message(), "region") ? "region" : "name",
			                    json_string(tree_message()));
		else {
			json_decref(values);
			json_decref(errors);
			return r;
		}
	}
	/* Re-render the page with the form, with the values and messages: an
	 * MSSP's MSPs page (where its two ways to add an MSP are), else the
	 * tenant page. */
	if (kind == NULL) /* a company has no create form: say it at the top */
		json_object_set(m, "error", json_object_get(errors, "name"));
	view_form(req, json_object_get(errors, "region") || kind == NULL ? R_CONFLICT : R_BAD_INPUT, "create", values,
	          errors);
	return strcmp(t->kind, "mssp") == 0 ? page_msps(req) : page_tenant(req);
}

enum res page_tenant_rename(struct req *req)
{
	static const struct form_field fields[] = {
	    {.name = "name", .label = "Name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 120},
	};
	json_t *values, *errors;
	const char *params[2];
	char id[24];
	enum res r;

	if (form_check(req, fields, 1, &values, &errors) == 0) {
		snprintf(id, sizeof(id), "%lld", req->tenant->id);
		params[0] = id;
		params[1] = json_string_value(json_object_get(values, "name"));
		r = db_run_guarded(&st_tenant_rename, params);
		if (r == R_SUCCESS) {
			json_t *d = json_pack("{s:s, s:s}", "from", req->tenant->name, "to", params[1]);
			r = audit_log(req, req->tenant->id, "tenant.renamed", NULL, d);
			json_decref(d);
			json_decref(values);
			json_decref(errors);
			return r == R_SUCCESS ? back(req, req->tenant->id, "renamed") : r;
		}
		if (r != R_CONFLICT) {
			json_decref(values);
			json_decref(errors);
			return r;
		}
		json_object_set_new(errors, "name", json_string("A tenant with that name already exists here."));
	}
	view_form(req, R_BAD_INPUT, "rename", values, errors);
	return page_tenant(req);
}

enum res page_tenant_archive(struct req *req)
{
	const char *params[1];
	char id[24];
	PGresult *res;
	enum res r;
	int n;

	if (req->tenant->parent_id == 0) {
		req->outcome = R_CONFLICT;
		json_object_set_new(view_model(req), "error",
		                    json_string("A top-level tenant cannot be archived here; ask the portal operator."));
		return page_tenant(req);
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->parent_id);
	params[0] = id;
	res = db_exec(&st_parent_role, params, &r);
	if (res == NULL)
		return r;
	n = PQntuples(res) == 1 && !PQgetisnull(res, 0, 1) &&
	    authz_can(authz_role(PQgetvalue(res, 0, 1)), PERM_SETTINGS, PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!n) {
		req->outcome = R_FORBIDDEN;
		json_object_set_new(view_model(req), "error",
		                    json_string("Only an administrator of the tenant above can archive this one."));
		return page_tenant(req);
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_tenant_archive, params, &r);
	if (res == NULL)
		return r;
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	if (n != 1) {
		req->outcome = R_CONFLICT;
		json_object_set_new(view_model(req), "error",
		                    json_string("Archive or move the tenants below this one first."));
		return page_tenant(req);
	}
	{
		json_t *d = json_pack("{s:s}", "name", req->tenant->name);
		r = audit_log(req, req->tenant->parent_id, "tenant.archived", NULL, d);
		json_decref(d);
	}
	return r == R_SUCCESS ? back(req, req->tenant->parent_id, "archived") : r;
}
