/* plans.c - shared configuration plans (docs/plans.md): the Plans and
 * Configuration pages (a section's form: plans_form.c; the devices' API:
 * plans_api.c). The rules (who follows what, overrides, versions,
 * conflicts) are the database's (sql/functions/plans); this file reads and
 * writes through them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "db.h"
#include "jalloc.h"
#include "pages.h"
#include "plans_form.h"
#include "view.h"

DB_STMT(st_plans_page, 1, "SELECT plans_page($1::bigint)::text");
DB_STMT(st_plan_page, 4, "SELECT plan_page($1::bigint, $2::bigint, nullif($3, ''), $4)::text");
DB_STMT(st_config_page, 2, "SELECT config_page($1::bigint, nullif($2, '')::bigint)::text");
DB_STMT(st_plan_create, 2, "SELECT outcome, plan_id, message FROM plan_create($1::bigint, $2)");
DB_STMT(st_plan_clone, 3, "SELECT outcome, plan_id, message FROM plan_clone($1::bigint, $2::bigint, $3)");
DB_STMT(st_plan_share, 4, "SELECT outcome, message FROM plan_share($1::bigint, $2::bigint, $3::bigint, $4::boolean)");
DB_STMT(st_plan_save, 5,
        "SELECT outcome, version, doc::text, by, to_char(at, 'YYYY-MM-DD HH24:MI'), message"
        " FROM plan_section_save($1::bigint, $2::bigint, $3, $4::jsonb, nullif($5, '')::bigint, 'edit')");
DB_STMT(st_plan_restore, 4,
        "SELECT outcome, version, doc::text, by, to_char(at, 'YYYY-MM-DD HH24:MI'), message"
        " FROM plan_restore($1::bigint, $2::bigint, $3::bigint, nullif($4, '')::bigint)");
DB_STMT(st_override_save, 5,
        "SELECT outcome, version, doc::text, by, to_char(at, 'YYYY-MM-DD HH24:MI'), message"
        " FROM config_override_save($1::bigint, nullif($2, '')::bigint, $3, $4::jsonb, nullif($5, '')::bigint)");
DB_STMT(st_override_restore, 3,
        "SELECT outcome, version, doc::text, by, to_char(at, 'YYYY-MM-DD HH24:MI'), message"
        " FROM config_override_restore($1::bigint, $2::bigint, nullif($3, '')::bigint)");
DB_STMT(st_override_revert, 3, "SELECT outcome FROM config_override_revert($1::bigint, nullif($2, '')::bigint, $3)");
DB_STMT(st_diff, 2, "SELECT config_diff($1::jsonb, $2::jsonb)::text");

/* Audit action on the page's tenant with details (taken). */
static enum res audit(struct req *req, const char *action, json_t *details)
{
	enum res r = audit_log(req, req->tenant->id, action, NULL, details);

	json_decref(details);
	return r;
}

static const char *const notices[][2] = {
    {"created", "Plan created: share it with the accounts it is for."},
    {"cloned", "Plan cloned: it is yours now; share it with your accounts."},
    {"saved", "Saved: every account and device that follows it has it now."},
    {"unchanged", "Nothing changed."},
    {"shared", "Shared."},
    {"unshared", "No longer shared."},
    {"restored", "Restored, as a new version."},
    {"reverted", "Reverted: the section follows the plan again."},
    {"conflict", "Someone changed that section since you opened the page: see the history and try again."}};

static void notice(struct req *req)
{
	const char *done = http_query(req, "done");
	size_t i;

	for (i = 0; done != NULL && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(done, notices[i][0]) == 0)
			json_object_set_new(view_model(req), "notice", json_string(notices[i][1]));
}

/* GET /t/{id}/plans: the plan the tenant follows and those it owns. */
enum res page_plans(struct req *req)
{
	char id[24];
	const char *params[1] = {id};
	json_t *m = view_model(req), *v;
	enum res r;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if ((v = list_read_json(&st_plans_page, params, &r)) == NULL)
		return r;
	json_object_set_new(m, "plans", v);
	json_object_set_new(m, "can_own", json_boolean(strcmp(req->tenant->kind, "company") != 0 &&
	                                               authz_can(req->tenant->role, PERM_SETTINGS, req->tenant->kind)));
	json_object_set_new(m, "page_title", json_string("Plans"));
	notice(req);
	req->template = "plans";
	return R_SUCCESS;
}

/* An outcome row of a writer: 'ok' goes on, 'not_found' is a 404,
 * 'invalid' and 'conflict' come back to the form. */
static enum res outcome_of(PGresult *res)
{
	const char *o = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";

	return strcmp(o, "ok") == 0 || strcmp(o, "unchanged") == 0 ? R_SUCCESS
	       : strcmp(o, "invalid") == 0                         ? R_BAD_INPUT
	       : strcmp(o, "conflict") == 0                        ? R_CONFLICT
	                                                           : R_NOT_FOUND;
}

/* POST /t/{id}/plans (name) and POST /t/{id}/plans/{pid}/clone (name): a
 * new plan, or a copy of one the tenant owns or follows. */
static enum res create_or_clone(struct req *req, int clone)
{
	const char *name = http_form(req, "name"), *pid = http_route_param(req, 1);
	char id[24], loc[64];
	const char *params[3] = {id, clone ? pid : (name ? name : ""), name ? name : ""};
	PGresult *res;
	enum res r;

	if (clone && !http_is_id(pid))
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(clone ? &st_plan_clone : &st_plan_create, params, &r);
	if (res == NULL)
		return r;
	if ((r = outcome_of(res)) != R_SUCCESS) {
		if (r == R_BAD_INPUT)
			view_form(req, r, clone ? "clone" : "create", json_pack("{s:s}", "name", name ? name : ""),
			          json_pack("{s:s}", "name", PQgetvalue(res, 0, 2)));
		PQclear(res);
		return r == R_BAD_INPUT ? page_plans(req) : r;
	}
	snprintf(loc, sizeof(loc), "/t/%lld/plans/%s?done=%s", req->tenant->id, PQgetvalue(res, 0, 1),
	         clone ? "cloned" : "created");
	r = audit(req, clone ? "plan.cloned" : "plan.created",
	              json_pack("{s:s, s:s}", "plan", PQgetvalue(res, 0, 1), "name", name ? name : ""));
	PQclear(res);
	return r != R_SUCCESS ? r : http_redirect(req, loc);
}

enum res page_plan_create(struct req *req) { return create_or_clone(req, 0); }
enum res page_plan_clone(struct req *req) { return create_or_clone(req, 1); }

/* The most "Find an account" looks for (as the tenant switcher's search). */
#define FIND_MAX 120

/* plan_page() into the model as "plan_page", with a section's overrides
 * only when section is not NULL; else with the accounts it could be
 * shared with, those the query's "find" names ("find" in the model, and
 * "found" as looked for: one too long is refused beside its field,
 * "find_error", and all are listed). */
static enum res load_plan(struct req *req, const char *section)
{
	const char *pid = http_route_param(req, 1), *find = section ? NULL : http_query(req, "find");
	char id[24];
	const char *params[4] = {id, pid, section ? section : "", ""};
	json_t *v;
	enum res r;

	if (!http_is_id(pid))
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if (find != NULL && form_utf8_len(find) > FIND_MAX) { /* characters, as the field's maxlength counts */
		char msg[96];
		snprintf(msg, sizeof(msg), "Find an account by at most %d characters of its name.", FIND_MAX);
		req->outcome = R_BAD_INPUT;
		json_object_set_new(view_model(req), "find_error", json_string(msg));
	} else if (find != NULL) {
		params[3] = find;
	}
	json_object_set_new(view_model(req), "find", json_string(find ? find : ""));
	json_object_set_new(view_model(req), "found", json_string(params[3])); /* what was looked for */
	if ((v = list_read_json(&st_plan_page, params, &r)) == NULL)
		return r;
	if (json_is_array(json_object_get(v, "candidates"))) {
		size_t shown = json_array_size(json_object_get(v, "candidates"));
		json_int_t total = json_integer_value(json_object_get(v, "candidates_total"));
		char b[96];

		json_object_set_new(v, "candidates_total_text", json_string(view_count(total, "account", "accounts", b)));
		json_object_set_new(v, "candidates_shown", json_integer((json_int_t)shown));
		json_object_set_new(v, "candidates_more", json_boolean(total > (json_int_t)shown));
	}
	json_object_set_new(view_model(req), "plan_page", v);
	json_object_set_new(view_model(req), "page_title",
	                    json_string(json_string_value(json_object_get(json_object_get(v, "plan"), "name"))));
	return R_SUCCESS;
}

/* GET /t/{id}/plans/{pid}: a plan of the tenant, who it reaches, its
 * overrides and history. */
enum res page_plan(struct req *req)
{
	enum res r = load_plan(req, NULL);

	if (r != R_SUCCESS)
		return r;
	notice(req);
	req->template = "plans_plan";
	return R_SUCCESS;
}

/* POST /t/{id}/plans/{pid}/share (target, on=1|0). */
enum res page_plan_share(struct req *req)
{
	const char *pid = http_route_param(req, 1), *target = http_form(req, "target"), *on = http_form(req, "on");
	int share = on != NULL && strcmp(on, "1") == 0;
	char id[24], loc[80];
	const char *params[4] = {id, pid, target, share ? "true" : "false"};
	PGresult *res;
	enum res r;

	if (!http_is_id(pid) || !http_is_id(target))
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_plan_share, params, &r);
	if (res == NULL)
		return r;
	r = outcome_of(res);
	if (r == R_SUCCESS && strcmp(PQgetvalue(res, 0, 0), "ok") == 0)
		r = audit(req, share ? "plan.shared" : "plan.unshared",
		              json_pack("{s:s, s:s}", "plan", pid, "tenant", target));
	PQclear(res);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/plans/%s?done=%s", req->tenant->id, pid, share ? "shared" : "unshared");
	return http_redirect(req, loc);
}

/* The device of a configuration page (?device= or the form's device),
 * "" for the account itself, NULL when it is not an id. */
static const char *device_param(struct req *req)
{
	const char *d = strcmp(req->method, "POST") == 0 ? http_form(req, "device") : http_query(req, "device");

	if (d == NULL || *d == '\0')
		return "";
	return http_is_id(d) ? d : NULL;
}

/* POST /t/{id}/plans/{pid}/history/{hid}/restore and POST
 * /t/{id}/config/history/{hid}/restore (base: the section's version on the
 * page; device: the config page's): an earlier version made current again,
 * as a new version; back to the page it was asked from. */
static enum res restore(struct req *req, int plan)
{
	const char *pid = plan ? http_route_param(req, 1) : "", *hid = http_route_param(req, plan ? 2 : 1),
	           *base = http_form(req, "base"), *dev = plan ? "" : device_param(req), *done;
	char id[24], loc[96];
	/* plan_restore(tenant, plan, history, base); config_override_restore(tenant, history, base) */
	const char *params[4] = {id, pid, hid, NULL};

	base = base != NULL && http_is_id(base) ? base : "";
	if (plan)
		params[3] = base;
	else {
		params[1] = hid;
		params[2] = base;
	}
	PGresult *res;
	enum res r;

	if ((plan && !http_is_id(pid)) || !http_is_id(hid) || dev == NULL)
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(plan ? &st_plan_restore : &st_override_restore, params, &r);
	if (res == NULL)
		return r;
	r = outcome_of(res);
	done = r == R_CONFLICT ? "conflict" : r == R_SUCCESS && strcmp(PQgetvalue(res, 0, 0), "ok") == 0 ? "restored"
	                                                                                                  : "unchanged";
	if (strcmp(done, "restored") == 0)
		r = audit(req, plan ? "plan.restored" : "config.restored",
		          json_pack("{s:s, s:s, s:s}", "plan", pid, "history", hid, "version", PQgetvalue(res, 0, 1)));
	PQclear(res);
	if (r != R_SUCCESS && r != R_CONFLICT)
		return r;
	if (plan)
		snprintf(loc, sizeof(loc), "/t/%lld/plans/%s?done=%s", req->tenant->id, pid, done);
	else
		snprintf(loc, sizeof(loc), "/t/%lld/config?%s%s%sdone=%s", req->tenant->id, *dev ? "device=" : "", dev,
		         *dev ? "&" : "", done);
	return http_redirect(req, loc);
}

enum res page_plan_restore(struct req *req) { return restore(req, 1); }
enum res page_config_restore(struct req *req) { return restore(req, 0); }

/* The item of list (an array of objects) whose key is value, or NULL. */
static json_t *find_by(json_t *list, const char *key, const char *value)
{
	size_t i;

	for (i = 0; value != NULL && i < json_array_size(list); i++) {
		json_t *it = json_array_get(list, i);
		if (json_is_string(json_object_get(it, key)) && strcmp(json_string_value(json_object_get(it, key)), value) == 0)
			return it;
	}
	return NULL;
}


/* The form of a section into the model ("form"): its fields from doc,
 * the version the editor starts from (base, "" for none), where it posts,
 * the field errors. */
static void form_model(struct req *req, const struct cf_section *sec, const json_t *doc, const char *base,
                       const char *action, const json_t *errors)
{
	/* A plan's section offers a preview of what a change does. */
	json_t *form = json_pack("{s:o, s:s, s:s, s:b}", "fields", cf_form_model(sec, doc, errors), "base", base,
	                         "action", action, "preview", strstr(action, "/plans/") != NULL);

	if (json_object_get(errors, "") != NULL)
		json_object_set(form, "error", json_object_get(errors, ""));
	json_object_set_new(view_model(req), "form", form);
}

/* The diff of two documents (config_diff()) as a new array, or NULL. */
static json_t *diff_of(const char *before, const char *after, enum res *r)
{
	const char *params[2] = {before, after};

	return list_read_json(&st_diff, params, r);
}

/* What a section's form page shows besides the form, into the model
 * (plan_form(), config_section()): the section's entry, or NULL with *r
 * set. which: the plan, or the device ("" for the account). */
typedef json_t *form_page_fn(struct req *req, const struct cf_section *sec, const char *which, enum res *r);

/* The answer of a writer to a section's form: ok/unchanged go to done
 * (a redirect), invalid and conflict render the form again with what was
 * posted, on its page as page() reads it (only then: the writer checked
 * the plan, account and device itself, and a plan's page at L costs more
 * than its save; docs/performance.md, "Session 45"). Takes doc. */
static enum res section_answer(struct req *req, PGresult *res, const struct cf_section *sec, json_t *doc,
                               const char *which, form_page_fn *page, const char *action, const char *base,
                               const char *done, const char *audit_action)
{
	enum res r = outcome_of(res), r2;
	json_t *errors = json_object();
	char *posted = json_text(doc, JSON_COMPACT | JSON_SORT_KEYS);

	if (r == R_SUCCESS) {
		char loc[160];
		if (strcmp(PQgetvalue(res, 0, 0), "ok") == 0)
			r = audit(req, audit_action,
			              json_pack("{s:s, s:s}", "section", sec->key, "version", PQgetvalue(res, 0, 1)));
		snprintf(loc, sizeof(loc), "%s%sdone=%s", done, strchr(done, '?') ? "&" : "?",
		         strcmp(PQgetvalue(res, 0, 0), "ok") == 0 ? "saved" : "unchanged");
		free(posted);
		json_decref(errors);
		json_decref(doc);
		return r != R_SUCCESS ? r : http_redirect(req, loc);
	}
	if ((r == R_BAD_INPUT || r == R_CONFLICT) && page(req, sec, which, &r2) == NULL) {
		free(posted);
		json_decref(errors);
		json_decref(doc);
		return r2;
	}
	if (r == R_BAD_INPUT) {
		json_decref(errors);
		errors = cf_errors(sec, PQgetvalue(res, 0, 5));
	} else if (r == R_CONFLICT) {
		/* The other change, and what it changed against what was posted. */
		json_t *diff = posted ? diff_of(posted, PQgetvalue(res, 0, 2), &r2) : NULL;
		json_object_set_new(view_model(req), "conflict",
		                    json_pack("{s:s, s:s, s:s, s:o}", "version", PQgetvalue(res, 0, 1), "by",
		                              PQgetvalue(res, 0, 3), "at", PQgetvalue(res, 0, 4), "diff",
		                              diff ? diff : json_array()));
		base = PQgetvalue(res, 0, 1); /* saving again overwrites it, knowingly */
	} else {
		free(posted);
		json_decref(errors);
		json_decref(doc);
		return r;
	}
	form_model(req, sec, doc, base, action, errors);
	view_form(req, r, "posted", json_incref(doc), json_incref(errors));
	free(posted);
	json_decref(errors);
	json_decref(doc);
	return R_SUCCESS;
}

/* The page of a plan's section: plan_page() for that section; the
 * section's entry (doc, version, title) or NULL. */
static json_t *plan_section(struct req *req, const char *section, enum res *r)
{
	json_t *s;

	if ((*r = load_plan(req, section)) != R_SUCCESS)
		return NULL;
	s = find_by(json_object_get(json_object_get(view_model(req), "plan_page"), "sections"), "section", section);
	if (s == NULL)
		*r = R_NOT_FOUND;
	return s;
}

/* A plan's section's page (form_page_fn): plan_section() with the
 * section and the template in the model. */
static json_t *plan_form(struct req *req, const struct cf_section *sec, const char *plan, enum res *r)
{
	json_t *s = plan_section(req, sec->key, r);

	(void)plan; /* (the route's, which plan_section() reads) */
	if (s != NULL) {
		json_object_set(view_model(req), "section", s);
		req->template = "plans_section";
	}
	return s;
}

/* GET /t/{id}/plans/{pid}/sections/{section}: its form, the overrides
 * that shadow it. */
enum res page_plan_section(struct req *req)
{
	const struct cf_section *sec = cf_find(http_route_param(req, 2));
	char action[96], base[24];
	json_t *s;
	enum res r;

	if (sec == NULL || (s = plan_form(req, sec, http_route_param(req, 1), &r)) == NULL)
		return sec == NULL ? R_NOT_FOUND : r;
	snprintf(action, sizeof(action), "/t/%lld/plans/%s/sections/%s", req->tenant->id, http_route_param(req, 1),
	         sec->key);
	snprintf(base, sizeof(base), "%lld", (long long)json_integer_value(json_object_get(s, "version")));
	form_model(req, sec, json_object_get(s, "doc"), base, action, NULL);
	return R_SUCCESS;
}

/* Save the posted form of sec with st (plan_section_save() for which =
 * the plan, config_override_save() for which = the device or ""), from
 * base; answered by section_answer(). */
static enum res save_section(struct req *req, struct db_stmt *st, const char *which, const struct cf_section *sec,
                             form_page_fn *page, const char *action, const char *base, const char *done,
                             const char *audit_action)
{
	json_t *doc = cf_from_form(req, sec);
	char id[24], *text = json_text(doc, JSON_COMPACT | JSON_SORT_KEYS);
	const char *params[5] = {id, which, sec->key, text, base};
	PGresult *res;
	enum res r;

	if (text == NULL) {
		json_decref(doc);
		return R_INTERNAL;
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(st, params, &r);
	free(text);
	if (res == NULL) {
		json_decref(doc);
		return r;
	}
	r = section_answer(req, res, sec, doc, which, page, action, base, done, audit_action);
	PQclear(res);
	return r;
}

/* POST /t/{id}/plans/{pid}/sections/{section}: do=preview shows what the
 * change does (the diff, who it reaches, the overrides that shadow it);
 * do=save saves it if nobody changed the section since base. */
enum res page_plan_section_save(struct req *req)
{
	const struct cf_section *sec = cf_find(http_route_param(req, 2));
	const char *pid = http_route_param(req, 1), *base = http_form(req, "base"), *act = http_form(req, "do");
	char action[96], done[80];
	json_t *s;
	enum res r;

	if (sec == NULL || !http_is_id(pid))
		return R_NOT_FOUND;
	snprintf(action, sizeof(action), "/t/%lld/plans/%s/sections/%s", req->tenant->id, pid, sec->key);
	snprintf(done, sizeof(done), "/t/%lld/plans/%s", req->tenant->id, pid);
	base = base != NULL && http_is_id(base) ? base : "";
	if (act != NULL && strcmp(act, "preview") == 0) {
		json_t *doc, *diff = NULL;
		char *cur, *text;
		if ((s = plan_form(req, sec, pid, &r)) == NULL)
			return r;
		doc = cf_from_form(req, sec);
		cur = json_text(json_object_get(s, "doc"), JSON_COMPACT | JSON_SORT_KEYS);
		text = json_text(doc, JSON_COMPACT | JSON_SORT_KEYS);
		if (cur != NULL && text != NULL)
			diff = diff_of(cur, text, &r);
		free(cur);
		free(text);
		json_object_set_new(view_model(req), "preview", json_pack("{s:o}", "diff", diff ? diff : json_array()));
		form_model(req, sec, doc, base, action, NULL);
		json_decref(doc);
		return R_SUCCESS;
	}
	return save_section(req, &st_plan_save, pid, sec, plan_form, action, base, done, "plan.section_saved");
}

/* GET /t/{id}/config[?device=N]: the effective configuration of the
 * account or one of its devices. */
enum res page_config(struct req *req)
{
	const char *dev = device_param(req);
	char id[24];
	const char *params[2] = {id, dev};
	json_t *v;
	enum res r;

	if (dev == NULL)
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if ((v = list_read_json(&st_config_page, params, &r)) == NULL)
		return r;
	json_object_set_new(view_model(req), "config", v);
	json_object_set_new(view_model(req), "can_edit",
	                    json_boolean(authz_can(req->tenant->role, PERM_SETTINGS, req->tenant->kind)));
	json_object_set_new(view_model(req), "page_title", json_string("Configuration"));
	notice(req);
	req->template = "plans_config";
	return R_SUCCESS;
}

/* config_page() into the model; the section's entry of its catalogue (doc,
 * source, title) or NULL. */
static json_t *config_section(struct req *req, const struct cf_section *sec, const char *dev, enum res *r)
{
	char id[24];
	const char *params[2] = {id, dev};
	json_t *v, *s;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if ((v = list_read_json(&st_config_page, params, r)) == NULL)
		return NULL;
	json_object_set_new(view_model(req), "config", v);
	s = find_by(json_object_get(v, "catalogue"), "section", sec->key);
	if (s == NULL)
		*r = R_NOT_FOUND;
	else
		json_object_set(view_model(req), "section", s);
	json_object_set_new(view_model(req), "page_title", json_string("Configuration"));
	req->template = "plans_config_section";
	return s;
}

/* The base of an override's form: its version when the section is this
 * account's (or device's) own already, else "" (unlocking it). */
static void own_version(const json_t *s, const char *dev, char base[24])
{
	const json_t *src = json_object_get(s, "source");
	const char *from = json_string_value(json_object_get(src, "from"));

	base[0] = '\0';
	if (from != NULL && strcmp(from, *dev ? "device" : "account") == 0)
		snprintf(base, 24, "%lld", (long long)json_integer_value(json_object_get(src, "version")));
}

/* GET /t/{id}/config/{section}[?device=N]: the form of the account's (or
 * device's) own document of a section, from what it has now. */
enum res page_config_section(struct req *req)
{
	const struct cf_section *sec = cf_find(http_route_param(req, 1));
	const char *dev = device_param(req);
	char action[96], base[24];
	json_t *s;
	enum res r;

	if (sec == NULL || dev == NULL || (s = config_section(req, sec, dev, &r)) == NULL)
		return sec == NULL || dev == NULL ? R_NOT_FOUND : r;
	own_version(s, dev, base);
	snprintf(action, sizeof(action), "/t/%lld/config/%s", req->tenant->id, sec->key);
	form_model(req, sec, json_object_get(s, "doc"), base, action, NULL);
	return R_SUCCESS;
}

/* POST /t/{id}/config/{section} (device, base, the fields). */
enum res page_config_section_save(struct req *req)
{
	const struct cf_section *sec = cf_find(http_route_param(req, 1));
	const char *dev = device_param(req), *base = http_form(req, "base");
	char action[96], done[96];

	if (sec == NULL || dev == NULL)
		return R_NOT_FOUND;
	snprintf(action, sizeof(action), "/t/%lld/config/%s", req->tenant->id, sec->key);
	snprintf(done, sizeof(done), "/t/%lld/config%s%s", req->tenant->id, *dev ? "?device=" : "", dev);
	base = base != NULL && http_is_id(base) ? base : "";
	return save_section(req, &st_override_save, dev, sec, config_section, action, base, done,
	                    "config.override_saved");
}

/* 1 if p is a plan page's path, /t/N/plans/M (digits only). */
static int plan_path(const char *p)
{
	size_t a, b;

	if (p == NULL || strncmp(p, "/t/", 3) != 0)
		return 0;
	a = strspn(p + 3, "0123456789");
	if (a == 0 || a > 18 || strncmp(p + 3 + a, "/plans/", 7) != 0)
		return 0;
	b = strspn(p + 10 + a, "0123456789");
	return b > 0 && b <= 18 && p[10 + a + b] == '\0';
}

/* POST /t/{id}/config/{section}/revert (device; back: the plan page it
 * was asked from). */
enum res page_config_revert(struct req *req)
{
	const struct cf_section *sec = cf_find(http_route_param(req, 1));
	const char *dev = device_param(req), *back = http_form(req, "back");
	char id[24], loc[128];
	const char *params[3] = {id, dev, sec ? sec->key : ""};
	PGresult *res;
	enum res r;
	int done;

	if (sec == NULL || dev == NULL)
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_override_revert, params, &r);
	if (res == NULL)
		return r;
	r = outcome_of(res);
	done = r == R_SUCCESS && strcmp(PQgetvalue(res, 0, 0), "ok") == 0;
	PQclear(res);
	if (done)
		r = audit(req, "config.reverted",
		              json_pack("{s:s, s:s}", "section", sec->key, "device", dev));
	if (r != R_SUCCESS)
		return r;
	/* Back to a plan page of a tenant above (its overrides list), or here. */
	if (plan_path(back))
		snprintf(loc, sizeof(loc), "%s?done=%s", back, done ? "reverted" : "unchanged");
	else
		snprintf(loc, sizeof(loc), "/t/%lld/config?%s%s%sdone=%s", req->tenant->id, *dev ? "device=" : "", dev,
		         *dev ? "&" : "", done ? "reverted" : "unchanged");
	return http_redirect(req, loc);
}
