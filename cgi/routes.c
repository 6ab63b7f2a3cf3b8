/* routes.c - every URL the portal serves. Keep sorted by feature area.
 * Columns: method, pattern, handler, access, flags, name, permission (the
 * permission only matters for ACCESS_TENANT routes). */
#include "pages/pages.h"
#include "router.h"

const struct route routes[] = {
    {"GET", "/healthz", page_healthz, ACCESS_PUBLIC, 0, "healthz", PERM_VIEW},
    {"GET", "/login", page_login_form, ACCESS_PUBLIC, 0, "login_form", PERM_VIEW},
    {"POST", "/login", page_login, ACCESS_PUBLIC, ROUTE_NO_CSRF, "login", PERM_VIEW},
    {"POST", "/logout", page_logout, ACCESS_USER, 0, "logout", PERM_VIEW},
    {"GET", "/forgot", page_forgot_form, ACCESS_PUBLIC, 0, "forgot_form", PERM_VIEW},
    {"POST", "/forgot", page_forgot, ACCESS_PUBLIC, ROUTE_NO_CSRF, "forgot", PERM_VIEW},
    {"GET", "/reset/{token}", page_reset_form, ACCESS_PUBLIC, ROUTE_SECRET, "reset_form", PERM_VIEW},
    {"POST", "/reset/{token}", page_reset, ACCESS_PUBLIC, ROUTE_SECRET | ROUTE_NO_CSRF, "reset", PERM_VIEW},
    {"GET", "/account/password", page_password_form, ACCESS_USER, 0, "password_form", PERM_VIEW},
    {"POST", "/account/password", page_password, ACCESS_USER, 0, "password", PERM_VIEW},
    {"GET", "/", page_home, ACCESS_USER, 0, "home", PERM_VIEW},
    {"GET", "/tenants", page_tenants, ACCESS_USER, 0, "tenants", PERM_VIEW},
    {"GET", "/t/{id}", page_tenant, ACCESS_TENANT, 0, "tenant", PERM_VIEW},
    {"POST", "/t/{id}/children", page_child_create, ACCESS_TENANT, 0, "tenant_child_create", PERM_SETTINGS},
    {"POST", "/t/{id}/rename", page_tenant_rename, ACCESS_TENANT, 0, "tenant_rename", PERM_SETTINGS},
    {"POST", "/t/{id}/archive", page_tenant_archive, ACCESS_TENANT, 0, "tenant_archive", PERM_SETTINGS},
    {"GET", "/t/{id}/team", page_team, ACCESS_TENANT, 0, "team", PERM_TEAM},
    {"POST", "/t/{id}/team/invite", page_team_invite, ACCESS_TENANT, 0, "team_invite", PERM_TEAM},
    {"POST", "/t/{id}/team/{uid}/role", page_team_role, ACCESS_TENANT, 0, "team_role", PERM_TEAM},
    {"POST", "/t/{id}/team/{uid}/status", page_team_status, ACCESS_TENANT, 0, "team_status", PERM_TEAM},
    {"POST", "/t/{id}/team/{uid}/remove", page_team_remove, ACCESS_TENANT, 0, "team_remove", PERM_TEAM},
    {"POST", "/t/{id}/team/{uid}/assign", page_team_assign, ACCESS_TENANT, 0, "team_assign", PERM_TEAM},
    {"POST", "/t/{id}/team/{uid}/unassign", page_team_unassign, ACCESS_TENANT, 0, "team_unassign", PERM_TEAM},
    {"GET", "/invite/{token}", page_invite_form, ACCESS_PUBLIC, ROUTE_SECRET, "invite_form", PERM_VIEW},
    {"POST", "/invite/{token}", page_invite_accept, ACCESS_PUBLIC, ROUTE_SECRET | ROUTE_NO_CSRF, "invite_accept", PERM_VIEW},
    {"GET", "/t/{id}/msps", page_msps, ACCESS_TENANT, 0, "msps", PERM_VIEW},
    {"POST", "/t/{id}/msps/add", page_msps_add, ACCESS_TENANT, 0, "msps_add", PERM_ONBOARD},
    {"POST", "/t/{id}/msps/requests/{rid}/cancel", page_msps_cancel, ACCESS_TENANT, 0, "msps_cancel", PERM_ONBOARD},
    {"POST", "/t/{id}/msps/requests/{rid}/resend", page_msps_resend, ACCESS_TENANT, 0, "msps_resend", PERM_ONBOARD},
    {"GET", "/t/{id}/requests", page_requests, ACCESS_TENANT, 0, "requests", PERM_VIEW},
    {"GET", "/t/{id}/requests/{rid}", page_request, ACCESS_TENANT, 0, "request", PERM_VIEW},
    {"POST", "/t/{id}/requests/{rid}/decide", page_request_decide, ACCESS_TENANT, 0, "request_decide", PERM_APPROVE},
    {"GET", "/requests/{token}", page_request_link, ACCESS_USER, ROUTE_SECRET, "request_link", PERM_VIEW},
    {"GET", "/requests/id/{rid}", page_request_by_id, ACCESS_USER, 0, "request_by_id", PERM_VIEW},
    {"GET", "/notifications", page_notifications, ACCESS_USER, 0, "notifications", PERM_VIEW},
    {"POST", "/notifications/{nid}/read", page_notification_read, ACCESS_USER, 0, "notification_read", PERM_VIEW},
    {"POST", "/notifications/read-all", page_notifications_read_all, ACCESS_USER, 0, "notifications_read_all", PERM_VIEW},
    {"GET", "/t/{id}/audit", page_audit, ACCESS_TENANT, 0, "audit", PERM_AUDIT},
    {"GET", "/t/{id}/audit/export", page_audit_export, ACCESS_TENANT, 0, "audit_export", PERM_AUDIT},
    {"GET", "/t/{id}/mail", page_mail, ACCESS_TENANT, 0, "mail", PERM_SETTINGS},
    {"POST", "/t/{id}/mail/{mid}/retry", page_mail_retry, ACCESS_TENANT, 0, "mail_retry", PERM_SETTINGS},
};

const unsigned nroutes = sizeof(routes) / sizeof(routes[0]);
