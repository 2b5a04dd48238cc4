/*
 * paging.h - the cursor of a list answered page by page: the id of the
 * last item of the page before, given back in meta.nextCursor.
 */
#ifndef TICKETD_PAGING_H
#define TICKETD_PAGING_H

#include <stddef.h>

#include "http/request.h"
#include "http/response.h"

/*
 * The ?cursor= of req into after (len bytes), *cursor pointing at it, or
 * NULL when there is none (the first page).  Returns 0, or -1 after
 * replying 400 for a cursor this API never gave.
 */
int paging_cursor_or_reply(const struct request *req, char *after, size_t len,
    const char **cursor, struct response *res);

/*
 * Replies 200 with a page's items and meta.nextCursor: next, the id of
 * the page's last item when there is more, or NULL (null: the last page).
 * Takes ownership of items.
 */
void paging_reply(struct response *res, json_object *items, const char *next);

#endif
