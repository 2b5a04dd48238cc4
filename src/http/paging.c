/*
 * paging.c - the cursor of a list answered page by page.
 */
#include "config.h"

#include "base/errors.h"
#include "domain/ids.h"
#include "http/paging.h"
#include "http/replies.h"

int
paging_cursor_or_reply(const struct request *req, char *after, size_t len,
    const char **cursor, struct response *res)
{
	int rc = request_query(req, "cursor", after, len);

	*cursor = NULL;
	if (rc == TD_ERR_NOT_FOUND) {
		return 0;
	}
	if (rc != 0 || !ids_is_slug(after)) {
		response_invalid(
		    res, "cursor", "cursor is not one this API gave");
		return -1;
	}
	*cursor = after;
	return 0;
}

void
paging_reply(struct response *res, json_object *items, const char *next)
{
	json_object *meta = json_object_new_object();

	json_object_object_add(meta, "nextCursor",
	    next != NULL ? json_object_new_string(next) : NULL);
	response_data(res, 200, items, meta);
}
