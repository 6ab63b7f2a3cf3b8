/* audit.h - the audit log: who did what to which tenant, when, from where.
 * Rows are written in the request's transaction, so a change and its audit
 * row commit or roll back together. */
#ifndef AUDIT_H
#define AUDIT_H

#include <jansson.h>

#include "http.h"

/* Record action (e.g. "team.invite") by the signed-in user on tenant_id
 * (0: none), with an optional target ("user:12") and details (borrowed,
 * may be NULL). Needs req->sess; returns the database outcome. */
enum res audit_log(struct req *req, long long tenant_id, const char *action, const char *target,
                   json_t *details);
/* Events without a signed-in user (sign-in attempts, resets, sign-in
 * links) are audited by the database functions that decide them
 * (audit_account()): the app role cannot write an audit row for anyone else. */

#endif
