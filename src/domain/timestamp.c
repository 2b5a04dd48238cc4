/*
 * timestamp.c - strict ISO 8601 parsing: only the forms the API documents,
 * every field range-checked, no locale and no time zone database.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/errors.h"
#include "domain/timestamp.h"

/* Reads exactly n digits at *p; returns the number or -1. */
static int
digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9') {
			return -1;
		}
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/*
 * "YYYY-MM-DDTHH:MM[:SS]" at *p into tm; leaves *p after it.  Returns 0 or
 * TD_ERR_INVALID.
 */
static int
parse_wall_clock(const char **p, struct tm *tm)
{
	int year, month, day, hour, minute, second = 0;

	if ((year = digits(p, 4)) < 1970 || *(*p)++ != '-' ||
	    (month = digits(p, 2)) < 1 || month > 12 || *(*p)++ != '-' ||
	    (day = digits(p, 2)) < 1 || day > days_in_month(year, month) ||
	    *(*p)++ != 'T' || (hour = digits(p, 2)) < 0 || hour > 23 ||
	    *(*p)++ != ':' || (minute = digits(p, 2)) < 0 || minute > 59) {
		return TD_ERR_INVALID;
	}
	if (**p == ':') {
		(*p)++;
		if ((second = digits(p, 2)) < 0 || second > 59) {
			return TD_ERR_INVALID;
		}
	}
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = year - 1900;
	tm->tm_mon = month - 1;
	tm->tm_mday = day;
	tm->tm_hour = hour;
	tm->tm_min = minute;
	tm->tm_sec = second;
	return 0;
}

int
timestamp_parse_instant(const char *s, int64_t *ms)
{
	const char *p = s;
	struct tm tm;
	int frac_ms = 0, offset_s = 0, scale = 100;

	if (strlen(s) > TIMESTAMP_INSTANT_MAX ||
	    parse_wall_clock(&p, &tm) != 0) {
		return TD_ERR_INVALID;
	}
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9') {
			return TD_ERR_INVALID;
		}
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10) {
			frac_ms += (*p - '0') * scale;
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, h, m;

		if ((h = digits(&p, 2)) < 0 || h > 18 || *p++ != ':' ||
		    (m = digits(&p, 2)) < 0 || m > 59) {
			return TD_ERR_INVALID;
		}
		offset_s = sign * (h * 3600 + m * 60);
	} else {
		return TD_ERR_INVALID;
	}
	if (*p != '\0') {
		return TD_ERR_INVALID;
	}
	*ms = ((int64_t)timegm(&tm) - offset_s) * 1000 + frac_ms;
	return 0;
}

bool
timestamp_local_canonical(const char *s, char *out)
{
	const char *p = s;
	struct tm tm;

	if (strlen(s) > TIMESTAMP_LOCAL_LEN || parse_wall_clock(&p, &tm) != 0 ||
	    *p != '\0') {
		return false;
	}
	/* The fields are range-checked: the text is exactly 19 bytes. */
	snprintf(out, TIMESTAMP_LOCAL_LEN + 1, "%04u-%02u-%02uT%02u:%02u:%02u",
	    (unsigned)(tm.tm_year + 1900) % 10000,
	    (unsigned)(tm.tm_mon + 1) % 100, (unsigned)tm.tm_mday % 100,
	    (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
	    (unsigned)tm.tm_sec % 100);
	return true;
}

void
timestamp_format_utc_ms(int64_t ms, char *out, int len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, (size_t)len, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
	    (unsigned)(tm.tm_year + 1900) % 10000,
	    (unsigned)(tm.tm_mon + 1) % 100, (unsigned)tm.tm_mday % 100,
	    (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
	    (unsigned)tm.tm_sec % 100, (unsigned)(ms % 1000) % 1000);
}
