/* outbox.h - queue an email in mail_outbox, in the request's transaction.
 *
 * The mailer process (main_mailer.c) sends queued rows over SMTP, so a
 * message is queued exactly when the change that causes it commits, and
 * nothing is lost while SMTP is down. */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <jansson.h>

#include "http.h"

/* Render templates email/NAME_subject, email/NAME_text and email/NAME_html
 * with model (borrowed; "brand" and "base_url" are added to it unless
 * present: the brand and host of tenant_id, the recipient's tenant, or the
 * portal's own brand and PORTAL_BASE_URL when tenant_id is 0; never the
 * request's Host) and insert the message for `to` into mail_outbox on the
 * request's connection (tenant_id 0: no tenant). R_BAD_INPUT for an unusable address,
 * R_INTERNAL for a template error, else the database outcome. */
enum res outbox_queue(long long tenant_id, const char *to, const char *name, json_t *model);
/* The marker a link's model carries where its token goes ("link":
 * base_url "/reset/" OUTBOX_LINK_TOKEN): the database puts the token in
 * (auth_link_mail()), so the worker never holds it. */
#define OUTBOX_LINK_TOKEN "@@link-token@@"
/* Render email NAME like outbox_queue() (brand of tenant_id) and queue it
 * through auth_link_mail() for the pending link link_id (from
 * auth_link_request in this transaction), to the link's account. */
enum res outbox_queue_link(long long link_id, long long tenant_id, const char *name, json_t *model);
/* Render email NAME (a scheduled report made: "report", docs/reports.md)
 * with model like outbox_queue() and queue it to `to` with report_mail_queue():
 * the job's PDF attached (attach), or a signed link where the model's link
 * holds "@@link-token@@". On the reporter's connection (role
 * portal_reporter), in its transaction. R_TOO_MANY past the tenant's daily
 * limit of report mail, R_BAD_INPUT for an unusable address. */
enum res outbox_queue_report(long long job_id, long long tenant_id, const char *to, const char *name, int attach,
                             json_t *model);
/* The effective brand of tenant_id (the recipient's tenant) as a new
 * object; the portal's own for 0, or when the database has no answer.
 * Never the request's Host: an email's brand and links are the
 * recipient's. */
json_t *outbox_brand(long long tenant_id);
/* Take one from the mail limit named key (a kind and what it counts:
 * "invite-tenant:42", "reset-address:<sha256>"): R_SUCCESS while fewer than
 * max were taken in the last window_seconds, else R_TOO_MANY and nothing
 * is taken; a database error as it is. Counted in the database, so every
 * worker shares it and it holds across restarts. */
enum res outbox_limit(const char *key, int max, int window_seconds);
/* outbox_limit() for kind ("reset-address", ...) and an email address,
 * keyed by the SHA-256 of the address as typed, trimmed and lower-cased
 * (the same for an address with or without an account). */
enum res outbox_limit_address(const char *kind, const char *email, int max, int window_seconds);

#endif
