/*
 * create_concert.c - the operators' command line into the box office: one
 * concert from standard input, checked exactly as the API checks it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "daemon/create_concert.h"
#include "http/concert_request.h"
#include "store/concert_admin_store.h"
#include "store/statements.h"

/* A body as large as the API takes. */
#define INPUT_MAX 65536

/* Prints the error answered in res: "field: message". */
static void
print_refusal(const struct response *res)
{
	json_object *err, *msg, *details, *field;

	if (!json_object_object_get_ex(res->body, "error", &err) ||
	    !json_object_object_get_ex(err, "message", &msg)) {
		fprintf(stderr, "ticketd: the concert is not valid\n");
		return;
	}
	if (json_object_object_get_ex(err, "details", &details) &&
	    json_object_object_get_ex(details, "field", &field)) {
		fprintf(stderr, "ticketd: %s: %s\n",
		    json_object_get_string(field), json_object_get_string(msg));
		return;
	}
	fprintf(stderr, "ticketd: %s\n", json_object_get_string(msg));
}

static int
refuse(const struct concert_admin_result *r)
{
	switch (r->outcome) {
	case ADMIN_INVALID:
		fprintf(stderr, "ticketd: %s: %s\n", r->field, r->message);
		return 2;
	case ADMIN_DUPLICATE_TIER:
		fprintf(stderr, "ticketd: two tiers are named \"%s\"\n",
		    r->tier_name);
		return 2;
	case ADMIN_FAILED:
		fprintf(stderr, "ticketd: the database failed: %s\n",
		    td_strerror(r->error));
		return 1;
	default:
		fprintf(stderr, "ticketd: the concert was refused\n");
		return 2;
	}
}

int
create_concert_main(const struct settings *cfg)
{
	struct concert_admin_store port;
	struct concert_admin_result r;
	struct concert_draft *d = malloc(sizeof(*d));
	char *body = malloc(INPUT_MAX + 1);
	struct store s = {.txn_semid = -1};
	struct response res;
	size_t len;
	int rc = 1;

	if (d == NULL || body == NULL) {
		abort();
	}
	len = fread(body, 1, INPUT_MAX + 1, stdin);
	if (len > INPUT_MAX) {
		fprintf(stderr, "ticketd: the concert is over %d bytes\n",
		    INPUT_MAX);
		goto out;
	}
	body[len] = '\0';
	response_init(&res);
	if (concert_request_parse(body, len, d, &res) != 0) {
		print_refusal(&res);
		response_free(&res);
		rc = 2;
		goto out;
	}
	response_free(&res);

	s.primary = db_new(
	    &cfg->db, cfg->database_url, "ticketd-cli", statements, Q_COUNT);
	if (db_connect(s.primary) != 0) {
		fprintf(stderr, "ticketd: cannot connect to the database\n");
		db_free(s.primary);
		goto out;
	}
	concert_admin_store_bind(&port, &s);
	if (concert_admin_create(&port, d, &r) == ADMIN_DONE) {
		printf("%s\n", r.concert_id);
		rc = 0;
	} else {
		rc = refuse(&r);
	}
	db_free(s.primary);
out:
	free(body);
	free(d);
	return rc;
}
