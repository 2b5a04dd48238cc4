/*
 * env.c - bounded integers from the environment.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "base/env.h"
#include "base/log.h"

int
env_int(const char *name, int def, int min, int max)
{
	const char *text = getenv(name);
	char *end;
	long v;

	if (text == NULL) {
		return def;
	}
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		log_warn(
		    "%s=%s is not %d..%d: using %d", name, text, min, max, def);
		return def;
	}
	return (int)v;
}
