/*
 * env.h - the few knobs that only tests turn (reload and respawn waits),
 * read from the environment.  Real settings live in daemon/settings.c.
 */
#ifndef TICKETD_ENV_H
#define TICKETD_ENV_H

/*
 * The integer in environment variable name, or def when it is unset; a
 * value that is not a whole number in min..max is logged and gives def.
 */
int env_int(const char *name, int def, int min, int max);

#endif
