/*
 * log.h - one-line log records on stderr.
 *
 * Every record is written with a single write(2) so lines from the master
 * and the prefork workers never interleave mid-line.
 */
#ifndef TICKETD_LOG_H
#define TICKETD_LOG_H

enum log_level { LL_ERROR = 0, LL_WARN, LL_INFO, LL_DEBUG };

/* Parses "error", "warn", "info" or "debug"; returns -1 for anything else. */
int log_level_parse(const char *name);

/* Sets the minimum level and the role shown in each record ("master", "read",
 * "book"). */
void log_init(int level, const char *role);

/*
 * Appends the log to path from now on (created 0640): the file is opened
 * onto stderr, so whatever else writes there (a sanitizer's report) lands
 * in it too.  Returns 0, or -1 with errno set.
 */
int log_open_file(const char *path);

/*
 * Asks for the log file to be opened again before the next record (after
 * logrotate moved it away).  Async-signal-safe: it only sets a flag.
 */
void log_reopen_request(void);

/* Opens the log file again now if asked to.  Returns 1 when it did. */
int log_reopen_pending(void);

void log_msg(enum log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LL_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LL_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LL_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LL_DEBUG, __func__, __VA_ARGS__)

#endif
