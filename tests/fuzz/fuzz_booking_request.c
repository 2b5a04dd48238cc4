/*
 * fuzz_booking_request.c - libFuzzer target for the booking body parser.
 *
 * The input bytes are a POST /api/bookings body, exactly as the worker
 * hands it over: not NUL-terminated at len (the worker's buffer is, but
 * the parser must not rely on it), any bytes at all.  A parse that
 * succeeds must also produce a canonical text; whatever happens, the
 * response is freed, so LeakSanitizer sees every path.
 *
 * The asserts restate what the parser promises its callers.  They also
 * catch overflows inside struct booking_request (one field into the
 * next), which AddressSanitizer cannot see.
 */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/booking_request.h"
#include "domain/ids.h"
#include "domain/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a successful parse promises, checked on every accepted input. */
static void
check_accepted(const struct booking_request *br)
{
	assert(ids_is_slug(br->concert_id));
	assert(strcmp(br->user_id, "u_fuzz") == 0);
	assert(ids_is_clean_utf8(br->user_id, strlen(br->user_id)));
	assert(strlen(br->user_id) <= BOOKING_USER_MAX_CHARS * 4);
	assert(strlen(br->idempotency_key) == IDS_UUID_LEN);
	assert(strcmp(br->payment_method, "card") == 0 ||
	       strcmp(br->payment_method, "test_decline") == 0);
	assert(br->total_cents >= 0 && br->total_cents <= MONEY_MAX_CENTS);
	assert(br->nlines >= 1 && br->nlines <= BOOKING_MAX_LINES);
	for (int i = 0; i < br->nlines; i++) {
		assert(ids_is_slug(br->lines[i].tier_id));
		assert(br->lines[i].quantity >= 1 &&
		       br->lines[i].quantity <= BOOKING_MAX_QUANTITY);
		if (i > 0) {
			assert(strcmp(br->lines[i - 1].tier_id,
			           br->lines[i].tier_id) < 0);
		}
	}
}

/*
 * A rejected input must answer 400 INVALID_REQUEST naming a field, or
 * 403 FORBIDDEN naming userId (a userId that is not the signed-in fan's).
 */
static void
check_rejected(const struct response *res)
{
	json_object *err, *code, *details, *field;

	assert(res->status == 400 || res->status == 403);
	assert(json_object_object_get_ex(res->body, "error", &err));
	assert(json_object_object_get_ex(err, "code", &code));
	assert(strcmp(json_object_get_string(code),
	           res->status == 400 ? "INVALID_REQUEST" : "FORBIDDEN") == 0);
	assert(json_object_object_get_ex(err, "details", &details));
	assert(json_object_object_get_ex(details, "field", &field));
	assert(res->status == 400 ||
	       strcmp(json_object_get_string(field), "userId") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct booking_request br;
	struct user_claim claim;
	struct response res;
	size_t blen;
	char *body, *canonical;

	/* An exact-size heap copy: ASan catches any read past len. */
	body = malloc(size == 0 ? 1 : size);
	if (body == NULL) {
		abort();
	}
	memcpy(body, data, size);

	response_init(&res);
	/* As the handler does: parsed, then bound to the fan the session names.
	 */
	if (booking_request_parse(body, size, &br, &claim, &res) == 0 &&
	    booking_request_bind(&br, &claim, "u_fuzz", &res) == 0) {
		check_accepted(&br);
		canonical = booking_request_canonical(&br);
		assert(canonical != NULL && canonical[0] == '[');
		free(canonical);
	} else {
		check_rejected(&res);
		(void)response_body(&res, &blen);
	}
	response_free(&res);
	free(body);
	return 0;
}
