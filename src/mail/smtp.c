/*
 * smtp.c - one libcurl handle per mailer, reused so that consecutive
 * messages share the connection to the relay.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "base/log.h"
#include "mail/smtp.h"

struct smtp {
	CURL *curl;
	char *url;
	char where[256];
	bool credentials;
	bool loopback; /* a relay on this machine: nothing crosses a network */
	int timeout_s;
};

struct upload {
	const char *data;
	size_t len, off;
};

static size_t
read_body(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nitems, take = u->len - u->off;

	if (take > room) {
		take = room;
	}
	memcpy(buf, u->data + u->off, take);
	u->off += take;
	return take;
}

/* scheme://host[:port] of url, and whether it carries a user. */
static void
describe(struct smtp *s)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;

	snprintf(s->where, sizeof(s->where), "the SMTP relay");
	if (u != NULL &&
	    curl_url_set(u, CURLUPART_URL, s->url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		(void)curl_url_get(u, CURLUPART_PORT, &port, 0);
		snprintf(s->where, sizeof(s->where), "%s://%s%s%s", scheme,
		    host, port != NULL ? ":" : "", port != NULL ? port : "");
		s->credentials =
		    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK;
		s->loopback = strncmp(host, "127.", 4) == 0 ||
		              strcmp(host, "localhost") == 0 ||
		              strcmp(host, "[::1]") == 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_url_cleanup(u);
}

struct smtp *
smtp_new(const char *url, int timeout_s)
{
	struct smtp *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->url = strdup(url)) == NULL ||
	    (s->curl = curl_easy_init()) == NULL) {
		abort();
	}
	s->timeout_s = timeout_s;
	describe(s);
	return s;
}

const char *
smtp_where(const struct smtp *s)
{
	return s->where;
}

enum smtp_result
smtp_send(struct smtp *s, const char *from, const char *to, const char *msg,
    size_t len, char *why, size_t whylen)
{
	struct upload up = {msg, len, 0};
	struct curl_slist *rcpt = NULL;
	char from_arg[300], to_arg[300], err[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;

	snprintf(from_arg, sizeof(from_arg), "<%s>", from);
	snprintf(to_arg, sizeof(to_arg), "<%s>", to);
	rcpt = curl_slist_append(NULL, to_arg);
	curl_easy_reset(s->curl);
	curl_easy_setopt(s->curl, CURLOPT_URL, s->url);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, from_arg);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(s->curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(s->curl, CURLOPT_TIMEOUT, (long)s->timeout_s);
	curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, err);
	/*
	 * Tickets, links and passwords never cross a network in clear text:
	 * TLS (STARTTLS over smtp://) is required of any relay but one on
	 * loopback without a password (the development sink).
	 */
	curl_easy_setopt(s->curl, CURLOPT_USE_SSL,
	    s->credentials || !s->loopback ? (long)CURLUSESSL_ALL
	                                   : (long)CURLUSESSL_TRY);

	rc = curl_easy_perform(s->curl);
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK) {
		return SMTP_SENT;
	}
	snprintf(why, whylen, "%s: %s (SMTP %ld)", s->where,
	    err[0] != '\0' ? err : curl_easy_strerror(rc), code);
	/*
	 * libcurl reports the last reply, whichever command it answered: a
	 * 5xx to MAIL FROM or AUTH (a relay misconfigured, or down for
	 * everyone) would give up every email at once.  So every failure is
	 * tried again, with back-off, until the mailer's last attempt.
	 */
	return SMTP_RETRY;
}

void
smtp_free(struct smtp *s)
{
	if (s == NULL) {
		return;
	}
	curl_easy_cleanup(s->curl);
	free(s->url);
	free(s);
}
