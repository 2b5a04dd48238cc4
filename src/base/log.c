/*
 * log.c - one-line log records on stderr.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static int log_level = LL_INFO;
static const char *log_role = "master";

static const char *log_path;
static volatile sig_atomic_t reopen_wanted;

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

static int
open_onto_stderr(const char *path)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		return -1;
	}
	if (dup2(fd, STDERR_FILENO) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

int
log_open_file(const char *path)
{
	if (open_onto_stderr(path) != 0) {
		return -1;
	}
	log_path = path;
	return 0;
}

void
log_reopen_request(void)
{
	reopen_wanted = 1;
}

int
log_reopen_pending(void)
{
	if (!reopen_wanted || log_path == NULL) {
		return 0;
	}
	reopen_wanted = 0;
	/* On failure the old file goes on: better than no log at all. */
	if (open_onto_stderr(log_path) != 0) {
		log_error("cannot reopen %s: %s", log_path, strerror(errno));
		return 0;
	}
	return 1;
}

void
log_msg(enum log_level level, const char *func, const char *fmt, ...)
{
	char line[1024];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n, m;

	log_reopen_pending();
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
