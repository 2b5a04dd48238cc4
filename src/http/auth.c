/*
 * auth.c - the session cookie and the CSRF rule at the HTTP edge.
 */
#include "config.h"

#include "base/errors.h"
#include "base/log.h"
#include "http/auth.h"
#include "http/cookie.h"
#include "http/csrf.h"
#include "http/replies.h"

bool
auth_secure(const struct api_context *ctx, const struct request *req)
{
	return ctx->has_site ? ctx->site.https : req->https;
}

int
auth_csrf_or_reply(const struct api_context *ctx, const struct request *req,
    struct response *res)
{
	/* Browsers send the public origin: compare with it when it is known. */
	const struct csrf_request c = {
	    .method = req->method,
	    .content_type = req->content_type,
	    .origin = req->origin,
	    .sec_fetch_site = req->sec_fetch_site,
	    .host = ctx->has_site ? ctx->site.host : req->host,
	    .https = auth_secure(ctx, req),
	};

	switch (csrf_check(&c)) {
	case CSRF_OK: return 0;
	case CSRF_NOT_JSON:
		response_error(res, 415, "UNSUPPORTED_MEDIA_TYPE",
		    "Content-Type must be application/json", NULL);
		return -1;
	case CSRF_CROSS_SITE:
		response_error(res, 403, "CSRF_REJECTED",
		    "Requests that change state must come from this site",
		    NULL);
		return -1;
	}
	return -1;
}

static void
reply_unauthenticated(struct response *res)
{
	response_error(res, 401, "UNAUTHENTICATED", "Sign in to do this", NULL);
}

int
auth_session_token(const struct api_context *ctx, const struct request *req,
    const char **token, size_t *len)
{
	return cookie_find_session(
	           req->cookie, auth_secure(ctx, req), token, len) == 0
	           ? 0
	           : -1;
}

int
auth_user_or_reply(struct api_context *ctx, const struct request *req,
    struct user *user, struct response *res)
{
	struct account_result r;
	const char *token;
	size_t len;

	/* Absent, malformed, duplicated or oversized: nobody is signed in. */
	if (auth_session_token(ctx, req, &token, &len) != 0) {
		reply_unauthenticated(res);
		return -1;
	}
	account_authenticate(&ctx->accounts, token, len, &r);
	return auth_result_or_reply(&r, user, res);
}

int
auth_result_or_reply(
    const struct account_result *r, struct user *user, struct response *res)
{
	switch (r->outcome) {
	case ACCOUNT_OK: *user = r->user; return 0;
	case ACCOUNT_FAILED: reply_error(res, r->error); return -1;
	default: reply_unauthenticated(res); return -1;
	}
}

int
auth_admin_or_reply(struct api_context *ctx, const struct request *req,
    struct user *user, struct response *res)
{
	if (auth_user_or_reply(ctx, req, user, res) != 0) {
		return -1;
	}
	if (user->role != ROLE_ADMIN) {
		response_error(res, 403, "FORBIDDEN",
		    "This is the box office's: sign in as an admin", NULL);
		return -1;
	}
	return 0;
}

int
auth_staff_or_reply(struct api_context *ctx, const struct request *req,
    struct user *user, struct response *res)
{
	if (auth_user_or_reply(ctx, req, user, res) != 0) {
		return -1;
	}
	if (user->role != ROLE_STAFF && user->role != ROLE_ADMIN) {
		response_error(res, 403, "FORBIDDEN",
		    "Check-in is the door staff's: sign in as staff", NULL);
		return -1;
	}
	return 0;
}

struct viewer
auth_viewer(const struct user *user)
{
	return (struct viewer){user->id, user->role == ROLE_ADMIN};
}

struct viewer
auth_tickets_viewer(const struct user *user)
{
	return (struct viewer){user->id, user->role != ROLE_FAN};
}

void
auth_set_cookie(const struct api_context *ctx, const struct request *req,
    struct response *res, const char *token)
{
	if (cookie_format_session(token, SESSION_ABSOLUTE_TTL_S,
	        auth_secure(ctx, req), res->set_cookie,
	        sizeof(res->set_cookie)) != 0) {
		log_error("the session cookie does not fit");
		response_internal(res);
	}
}

void
auth_clear_cookie(const struct api_context *ctx, const struct request *req,
    struct response *res)
{
	if (cookie_format_clear(auth_secure(ctx, req), res->set_cookie,
	        sizeof(res->set_cookie)) != 0) {
		res->set_cookie[0] = '\0';
	}
}

json_object *
auth_user_json(const struct user *user)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(user->id));
	json_object_object_add(o, "email", json_object_new_string(user->email));
	json_object_object_add(o, "name", json_object_new_string(user->name));
	json_object_object_add(
	    o, "role", json_object_new_string(account_role_name(user->role)));
	json_object_object_add(
	    o, "emailVerified", json_object_new_boolean(user->email_verified));
	return o;
}
