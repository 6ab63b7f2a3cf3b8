/* findings.c - the assets and vulnerabilities of a tenant and everything
 * below it, filtered and paginated (the company drill-down). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "view.h"

/* Both readers (vulnerability_page(), asset_page()) apply the visibility
 * rule and answer no row for a tenant the viewer may not see; otherwise a
 * page of up to 50 rows, its columns the rows' keys, with the total and
 * the cursors "next" and "prev" (row ids of the pages after and before:
 * keyset pages) in the first row (pages.h: list_into()). */
DB_STMT(st_vulns, 6, "SELECT * FROM vulnerability_page($1::bigint, $2, $3, $4, $5::bigint, $6::bigint)");
DB_STMT(st_assets, 4, "SELECT * FROM asset_page($1::bigint, $2, $3::bigint, $4::bigint)");

enum res page_vulnerabilities(struct req *req)
{
	static const char *const sevs[] = {"critical", "high", "medium", "low", NULL};
	static const char *const statuses[] = {"open", "fixed", "all", NULL};
	const char *severity = http_choice(http_query(req, "severity"), sevs, "");
	const char *status = http_choice(http_query(req, "status"), statuses, "open");
	const char *cve = http_query(req, "cve");
	char id[24], cvebuf[FORM_CVE_MAX + 1] = "";
	const char *params[6] = {id, severity, cvebuf, status, list_cursor(req, "after"), list_cursor(req, "before")};
	json_t *m = view_model(req), *filter;
	enum res r;

	if (cve == NULL)
		cve = "";
	if (*cve != '\0' && !form_cve(cve, cvebuf)) { /* a filter: any case, the stored spelling */
		req->outcome = R_BAD_INPUT;
		json_object_set_new(m, "cve_error", json_string("Use a CVE id like CVE-2024-3400."));
		cve = "";
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	r = list_into(&st_vulns, params, m, "vulnerabilities");
	if (r != R_SUCCESS)
		return r;
	req->template = "findings_vulnerabilities";
	filter = json_pack("{s:s, s:s, s:s}", "severity", severity, "status", status, "cve",
	                   http_query(req, "cve") ? http_query(req, "cve") : "");
	json_object_set_new(m, "filter", view_flags(view_flags(filter, status, statuses), severity, sevs));
	json_object_set_new(m, "page_title", json_string("Vulnerabilities"));
	return R_SUCCESS;
}

enum res page_assets(struct req *req)
{
	static const char *const kinds[] = {"probe", "agent", "gateway", "discovered", "external", NULL};
	const char *kind = http_choice(http_query(req, "kind"), kinds, "");
	char id[24];
	const char *params[4] = {id, kind, list_cursor(req, "after"), list_cursor(req, "before")};
	json_t *m = view_model(req);
	enum res r;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	r = list_into(&st_assets, params, m, "assets");
	if (r != R_SUCCESS)
		return r;
	req->template = "findings_assets";
	json_object_set_new(m, "filter", view_flags(json_pack("{s:s}", "kind", kind), kind, kinds));
	json_object_set_new(m, "page_title", json_string("Assets"));
	return R_SUCCESS;
}
