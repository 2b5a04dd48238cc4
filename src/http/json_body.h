/*
 * json_body.h - a request body as one strict JSON object.
 *
 * json-c is lenient where we must not be: it ignores what follows the
 * first value, and its getters convert between types ("7", true and 1.9
 * all become integers).  Every helper here checks the type first and, on
 * failure, answers 400 INVALID_REQUEST naming the field itself (the
 * caller just returns).
 */
#ifndef TICKETD_JSON_BODY_H
#define TICKETD_JSON_BODY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "http/response.h"

#define JSON_BODY_DEPTH 8

/*
 * Parses body (len bytes): one JSON object, nothing after it but blanks,
 * at most JSON_BODY_DEPTH deep, valid UTF-8.  Returns the object (the
 * caller json_object_put()s it), or NULL after answering.
 */
json_object *json_body_parse(
    const char *body, size_t len, struct response *res);

/*
 * A required string member key: its text in *out (owned by obj) and its
 * length, or TD_ERR_INVALID after answering.  A string with a NUL inside
 * is refused; so are control characters, unless allow_controls.
 */
int json_body_string(json_object *obj, const char *key, const char **out,
    int allow_controls, struct response *res);

/*
 * An amount of money from a JSON number, parsed from its own text (never
 * through a double): 0 to MONEY_MAX_CENTS, at most two decimals.  Returns
 * 0, or TD_ERR_INVALID for anything else (a string, a negative number).
 */
int json_body_money(json_object *v, int64_t *cents);

#endif
