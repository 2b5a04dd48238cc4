/*
 * api_me.c - the signed-in fan, and their bookings page by page.
 */
#include "config.h"

#include "base/errors.h"
#include "http/api_me.h"
#include "http/auth.h"
#include "http/booking_json.h"
#include "http/paging.h"
#include "http/replies.h"
#include "store/booking_store.h"

void
api_me(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	struct user user;

	if (auth_user_or_reply(ctx, req, &user, res) == 0) {
		response_data(res, 200, auth_user_json(&user), NULL);
	}
}

void
api_me_bookings(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	/* One more than a page: its presence says there is a next page. */
	struct booking page[ME_BOOKINGS_PAGE + 1];
	char after[IDS_SLUG_MAX + 1];
	const char *cursor;
	json_object *list;
	struct user user;
	int n, err, shown;

	if (auth_user_or_reply(ctx, req, &user, res) != 0 ||
	    paging_cursor_or_reply(req, after, sizeof(after), &cursor, res) !=
	        0) {
		return;
	}
	err = booking_store_of_user(
	    &ctx->store, user.id, cursor, page, ME_BOOKINGS_PAGE + 1, &n);
	if (err != 0) {
		reply_error(res, err);
		return;
	}
	shown = n > ME_BOOKINGS_PAGE ? ME_BOOKINGS_PAGE : n;
	list = json_object_new_array_ext(shown);
	for (int i = 0; i < shown; i++) {
		json_object_array_add(list, booking_json(&page[i]));
	}
	paging_reply(
	    res, list, n > ME_BOOKINGS_PAGE ? page[shown - 1].id : NULL);
}

void
api_config(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	json_object *data = json_object_new_object();

	json_object_object_add(data, "testPayments",
	    json_object_new_boolean(ctx->payment->test_methods));
	response_data(res, 200, data, NULL);
	res->cache_control = "no-cache";
}
