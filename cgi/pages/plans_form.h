/* plans_form.h - the form of a configuration section (docs/plans.md,
 * "Sections"): each field of its document as people edit it, turned into
 * the document and back. The document's rules are the database's
 * (config_doc_error()). */
#ifndef PLANS_FORM_H
#define PLANS_FORM_H

#include <jansson.h>

#include "http.h"

struct cf_field;
struct cf_section {
	const char *key;
	const struct cf_field *fields; /* NULL-key terminated */
};

/* The section called key, or NULL. */
const struct cf_section *cf_find(const char *key);
/* The section's document from the posted form (a new object). */
json_t *cf_from_form(struct req *req, const struct cf_section *sec);
/* The form's fields with their values from doc and the field errors
 * ({field: message}, may be NULL), for templates/partials/plans_form.mustache
 * (a new array). */
json_t *cf_form_model(const struct cf_section *sec, const json_t *doc, const json_t *errors);
/* {field: message} for a database message naming a field ("rules[3].action:
 * ..." names rules); "" for the whole section (a new object). */
json_t *cf_errors(const struct cf_section *sec, const char *message);

#endif
