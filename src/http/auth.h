/*
 * auth.h - who is asking: the session cookie, the CSRF rule for requests
 * that change state, and the cookie a sign-in sets.
 */
#ifndef TICKETD_AUTH_H
#define TICKETD_AUTH_H

#include "domain/account.h"
#include "http/context.h"

/*
 * For a request that changes state: 415 UNSUPPORTED_MEDIA_TYPE unless
 * its body is JSON, 403 CSRF_REJECTED when it comes from another site
 * (Origin, Sec-Fetch-Site).  Returns 0, or -1 after answering.
 */
int auth_csrf_or_reply(const struct api_context *ctx, const struct request *req,
    struct response *res);

/*
 * The session token in req's cookie (the __Host- name when the site is
 * HTTPS) into *token (pointing into the header) and *len.  Returns 0, or
 * -1 when there is none usable: absent, malformed, duplicated, oversized.
 */
int auth_session_token(const struct api_context *ctx, const struct request *req,
    const char **token, size_t *len);

/*
 * The user of an authentication's result into *user, or answers 401
 * UNAUTHENTICATED (the error's status when it failed) and returns -1.
 */
int auth_result_or_reply(
    const struct account_result *r, struct user *user, struct response *res);

/*
 * The signed-in user behind req's session cookie into *user, or answers
 * 401 UNAUTHENTICATED (503 when the database cannot say) and returns -1.
 */
int auth_user_or_reply(struct api_context *ctx, const struct request *req,
    struct user *user, struct response *res);

/*
 * The same, for the box office's routes: a signed-in fan is answered 403
 * FORBIDDEN.  Returns 0, or -1 with res answered.
 */
int auth_admin_or_reply(struct api_context *ctx, const struct request *req,
    struct user *user, struct response *res);

/*
 * The same for the door: staff and admins pass, a signed-in fan is
 * answered 403 FORBIDDEN.  Returns 0, or -1 with res answered.
 */
int auth_staff_or_reply(struct api_context *ctx, const struct request *req,
    struct user *user, struct response *res);

/* The viewer of a booking the user is. */
struct viewer auth_viewer(const struct user *user);

/*
 * The viewer of a booking's tickets the user is: staff see every
 * booking's, as admins do (to print them again at the box office).
 */
struct viewer auth_tickets_viewer(const struct user *user);

/*
 * Whether the site is served over HTTPS: the public origin's scheme when
 * one is configured (TLS ends in front of nginx), else nginx's own word.
 * The session cookie is then Secure and named __Host-ticketd_session.
 */
bool auth_secure(const struct api_context *ctx, const struct request *req);

/* Sets the session cookie of token on res. */
void auth_set_cookie(const struct api_context *ctx, const struct request *req,
    struct response *res, const char *token);

/* Sets the cookie that clears the session on res. */
void auth_clear_cookie(const struct api_context *ctx, const struct request *req,
    struct response *res);

/* {id,email,name,role} */
json_object *auth_user_json(const struct user *user);

#endif
