/* audit.c - audit log rows. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "jalloc.h"
#include "session.h"

DB_STMT(st_audit, 6,
        "INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, ip, details)"
        " SELECT $1::bigint, (SELECT root_id FROM tenants WHERE id = $1::bigint), $2::bigint, $3, $4, $5, $6::jsonb");

enum res audit_log(struct req *req, long long tenant_id, const char *action, const char *target,
                   json_t *details)
{
	char tid[24], uid[24];
	const char *params[6];
	char *ds;
	enum res r;

	if (req->sess == NULL)
		return R_INTERNAL;
	snprintf(tid, sizeof(tid), "%lld", tenant_id);
	snprintf(uid, sizeof(uid), "%lld", req->sess->user_id);
	ds = details ? json_text(details, JSON_COMPACT) : NULL;
	params[0] = tenant_id > 0 ? tid : NULL;
	params[1] = uid;
	params[2] = action;
	params[3] = target;
	params[4] = req->remote_addr;
	params[5] = ds ? ds : "{}";
	r = db_run(&st_audit, params);
	free(ds);
	return r;
}
