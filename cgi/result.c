/* result.c - mapping of outcomes to HTTP statuses and names. */
#include "result.h"

static const struct {
	int status;
	const char *name;
	const char *message;
} res_table[] = {
	[R_SUCCESS] = {200, "ok", "OK."},
	[R_NOT_MODIFIED] = {304, "not_modified", "Not modified."},
	[R_BAD_INPUT] = {400, "bad_request", "The request could not be understood."},
	[R_UNAUTH] = {401, "unauthorized", "Please sign in to continue."},
	[R_FORBIDDEN] = {403, "forbidden", "You do not have permission to do that."},
	[R_NOT_FOUND] = {404, "not_found", "The page you asked for does not exist."},
	[R_METHOD] = {405, "method_not_allowed", "That method is not allowed here."},
	[R_CONFLICT] = {409, "conflict", "That conflicts with the current state."},
	[R_GONE] = {410, "gone", "That resource is no longer available."},
	[R_TOO_LARGE] = {413, "too_large", "The request is too large."},
	[R_TOO_MANY] = {429, "too_many_requests", "Too many requests. Please wait a while and try again."},
	[R_UPSTREAM] = {502, "bad_gateway", "A service the portal asked did not answer as it should. Please try again."},
	[R_UNAVAILABLE] = {503, "unavailable", "The service is temporarily unavailable. Please try again shortly."},
	[R_INTERNAL] = {500, "internal_error", "Something went wrong on our side."},
};

int res_status(enum res r)
{
	if ((unsigned)r >= sizeof(res_table) / sizeof(res_table[0]))
		return 500;
	return res_table[r].status;
}

const char *res_name(enum res r)
{
	if ((unsigned)r >= sizeof(res_table) / sizeof(res_table[0]))
		return "internal_error";
	return res_table[r].name;
}

const char *res_message(enum res r)
{
	if ((unsigned)r >= sizeof(res_table) / sizeof(res_table[0]))
		return res_table[R_INTERNAL].message;
	return res_table[r].message;
}
