/*
 * log.c - one-line log records on stderr.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static int log_level = LL_INFO;
static const char *log_role = "master";

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int
log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++) {
		if (strcmp(name, level_names[i]) == 0) {
			return (int)i;
		}
	}
	return -1;
}

void
log_init(int level, const char *role)
{
	log_level = level;
	log_role = role;
}

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	char line[1024];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n, m;

	if ((int)level > log_level) {
		return;
	}

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ticketd[%ld] %s %s: %s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, now.tv_nsec / 1000000, (long)getpid(), log_role,
	    level_names[level], func);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		return;
	}

	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0) {
		return;
	}
	n += m;
	if ((size_t)n > sizeof(line) - 2) {
		n = (int)sizeof(line) - 2;
	}
	line[n++] = '\n';

	/* A failed log write has nowhere better to be reported. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		return;
	}
}
