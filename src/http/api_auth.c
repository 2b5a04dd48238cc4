/*
 * api_auth.c - signing up, in and out.
 */
#include "config.h"

#include <time.h>

#include "base/errors.h"
#include "http/api_auth.h"
#include "http/auth.h"
#include "http/json_body.h"
#include "http/replies.h"
#include "store/txn_slots.h"

/* The members of a sign-up or sign-in body. */
struct credentials {
	const char *email, *password, *name;
	int email_len, password_len, name_len;
};

/*
 * Parses {email,password[,name]} into c (strings owned by the returned
 * object, which the caller puts).  Returns NULL after answering.
 */
static json_object *
credentials_or_reply(const struct api_context *ctx, const struct request *req,
    int with_name, struct credentials *c, struct response *res)
{
	json_object *obj;

	if (auth_csrf_or_reply(ctx, req, res) != 0) {
		return NULL;
	}
	obj = json_body_parse(req->body, req->body_len, res);
	if (obj == NULL) {
		return NULL;
	}
	if ((c->email_len = json_body_string(obj, "email", &c->email, 0, res)) <
	        0 ||
	    (c->password_len = json_body_string(
	         obj, "password", &c->password, 1, res)) < 0 ||
	    (with_name && (c->name_len = json_body_string(
	                       obj, "name", &c->name, 0, res)) < 0)) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* Answers what an account flow decided; 2xx carry the user and a cookie. */
static void
reply_account(const struct api_context *ctx, const struct request *req,
    const struct account_result *r, int status, struct response *res)
{
	json_object *data, *details;

	switch (r->outcome) {
	case ACCOUNT_OK:
		data = json_object_new_object();
		json_object_object_add(data, "user", auth_user_json(&r->user));
		response_data(res, status, data, NULL);
		auth_set_cookie(ctx, req, res, r->token);
		return;
	case ACCOUNT_INVALID:
		response_invalid(res, r->field, r->message);
		return;
	case ACCOUNT_EMAIL_TAKEN:
		response_error(res, 409, "EMAIL_TAKEN",
		    "An account with this email exists; sign in instead", NULL);
		return;
	case ACCOUNT_BAD_CREDENTIALS:
	case ACCOUNT_UNAUTHENTICATED:
		response_error(res, 401, "INVALID_CREDENTIALS",
		    "The email or the password is not right", NULL);
		return;
	case ACCOUNT_THROTTLED:
		details = json_object_new_object();
		json_object_object_add(details, "retryAfter",
		    json_object_new_int(r->retry_after_s));
		response_error(res, 429, "RATE_LIMITED",
		    "Too many failed sign-ins for this email; wait and retry",
		    details);
		res->retry_after = r->retry_after_s;
		return;
	case ACCOUNT_FAILED: reply_error(res, r->error); return;
	}
}

/* One of the few hashing slots (store/txn_slots.c), or TD_ERR_BUSY soon. */
static int
hash_enter(void *ctx)
{
	const struct api_context *api = ctx;

	return txn_slots_acquire(api->hash_semid, AUTH_HASH_WAIT_MS) == 0
	           ? 0
	           : TD_ERR_BUSY;
}

static void
hash_leave(void *ctx)
{
	const struct api_context *api = ctx;

	txn_slots_release(api->hash_semid);
}

void
api_auth_register(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	const struct hash_gate gate = {ctx, hash_enter, hash_leave};
	struct account_result r;
	struct credentials c;
	json_object *body = credentials_or_reply(ctx, req, 1, &c, res);

	if (body == NULL) {
		return;
	}
	account_register(&ctx->accounts, &gate, c.email, (size_t)c.email_len,
	    c.password, (size_t)c.password_len, c.name, (size_t)c.name_len, &r);
	json_object_put(body);
	reply_account(ctx, req, &r, 201, res);
}

void
api_auth_login(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	const struct hash_gate gate = {ctx, hash_enter, hash_leave};
	struct account_result r;
	struct credentials c;
	json_object *body = credentials_or_reply(ctx, req, 0, &c, res);

	if (body == NULL) {
		return;
	}
	account_login(&ctx->accounts, &gate, c.email, (size_t)c.email_len,
	    c.password, (size_t)c.password_len, req->remote_addr, &r);
	json_object_put(body);
	reply_account(ctx, req, &r, 200, res);
}

void
api_auth_logout(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct account_result r;
	const char *token;
	size_t len;

	if (auth_csrf_or_reply(ctx, req, res) != 0) {
		return;
	}
	if (auth_session_token(ctx, req, &token, &len) != 0 ||
	    account_logout(&ctx->accounts, token, len, &r) ==
	        ACCOUNT_UNAUTHENTICATED) {
		response_error(
		    res, 401, "UNAUTHENTICATED", "Nobody is signed in", NULL);
		/* A cookie that no longer signs anyone in goes too. */
		auth_clear_cookie(ctx, req, res);
		return;
	}
	if (r.outcome == ACCOUNT_FAILED) {
		reply_error(res, r.error);
		return;
	}
	response_empty(res, 204);
	auth_clear_cookie(ctx, req, res);
}

/* Answers a verification or reset that did not go through. */
static void
reply_mail_refusal(struct response *res, const struct account_mail_result *r)
{
	switch (r->outcome) {
	case MAIL_INVALID_TOKEN:
		response_error(res, 400, "INVALID_TOKEN",
		    "This link is not valid (or was used already): ask for a "
		    "new one",
		    NULL);
		return;
	case MAIL_TOKEN_EXPIRED:
		response_error(res, 400, "TOKEN_EXPIRED",
		    "This link has expired: ask for a new one", NULL);
		return;
	case MAIL_INVALID: response_invalid(res, r->field, r->message); return;
	case MAIL_FAILED: reply_error(res, r->error); return;
	case MAIL_OK: return;
	}
}

/* {member: string} of a body, after the CSRF rule.  NULL: answered. */
static json_object *
body_or_reply(const struct api_context *ctx, const struct request *req,
    struct response *res)
{
	if (auth_csrf_or_reply(ctx, req, res) != 0) {
		return NULL;
	}
	return json_body_parse(req->body, req->body_len, res);
}

void
api_auth_verify_email(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct account_mail_result r;
	json_object *obj, *data;
	const char *token;
	int len;

	if ((obj = body_or_reply(ctx, req, res)) == NULL) {
		return;
	}
	if ((len = json_body_string(obj, "token", &token, 0, res)) >= 0) {
		if (!ctx->has_link_key) {
			response_unavailable(res, "Email links are not set up");
		} else if (account_verify_email(&ctx->account_mail,
		               ctx->link_key, token, (size_t)len,
		               (int64_t)time(NULL), &r) == MAIL_OK) {
			data = json_object_new_object();
			json_object_object_add(
			    data, "user", auth_user_json(&r.user));
			response_data(res, 200, data, NULL);
		} else {
			reply_mail_refusal(res, &r);
		}
	}
	json_object_put(obj);
}

void
api_auth_verify_resend(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct user user;
	int err;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    auth_user_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	err = ctx->account_mail.resend_verification(
	    ctx->account_mail.ctx, user.id);
	if (err != 0) {
		reply_error(res, err);
		return;
	}
	/* Owed unless verified or asked for a minute ago: either way, 202. */
	response_data(res, 202, json_object_new_object(), NULL);
}

void
api_auth_reset_request(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct account_mail_result r;
	json_object *obj;
	const char *email;
	int len;

	if ((obj = body_or_reply(ctx, req, res)) == NULL) {
		return;
	}
	if ((len = json_body_string(obj, "email", &email, 0, res)) >= 0) {
		if (account_request_reset(&ctx->account_mail, email,
		        (size_t)len, &r) == MAIL_OK) {
			/* The same answer for every address: no account is
			 * told. */
			response_data(res, 202, json_object_new_object(), NULL);
		} else {
			reply_mail_refusal(res, &r);
		}
	}
	json_object_put(obj);
}

void
api_auth_reset_confirm(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	const struct hash_gate gate = {ctx, hash_enter, hash_leave};
	struct account_mail_result r;
	json_object *obj;
	const char *token, *password;
	int tlen, plen;

	if ((obj = body_or_reply(ctx, req, res)) == NULL) {
		return;
	}
	if ((tlen = json_body_string(obj, "token", &token, 0, res)) >= 0 &&
	    (plen = json_body_string(obj, "password", &password, 1, res)) >=
	        0) {
		if (account_reset_password(&ctx->account_mail, &gate, token,
		        (size_t)tlen, password, (size_t)plen, &r) == MAIL_OK) {
			/* Every session is revoked, this browser's too. */
			response_empty(res, 204);
			auth_clear_cookie(ctx, req, res);
		} else {
			reply_mail_refusal(res, &r);
		}
	}
	json_object_put(obj);
}
