/*
 * concert_request.h - the body of POST and PATCH /api/admin/concerts.
 */
#ifndef TICKETD_CONCERT_REQUEST_H
#define TICKETD_CONCERT_REQUEST_H

#include <stddef.h>

#include "domain/concert_admin.h"
#include "http/response.h"

/*
 * Parses body into d: each member the body has, in its documented form
 * (the domain decides what a creation needs).  Returns 0, or
 * TD_ERR_INVALID with a 400 INVALID_REQUEST naming the field in res.
 */
int concert_request_parse(const char *body, size_t len, struct concert_draft *d,
    struct response *res);

#endif
