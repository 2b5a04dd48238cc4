/*
 * create_concert.h - ticketd --create-concert: deploy/add-concert's way in,
 * through the very parser and rules of POST /api/admin/concerts.
 */
#ifndef TICKETD_CREATE_CONCERT_H
#define TICKETD_CREATE_CONCERT_H

#include "daemon/settings.h"

/*
 * Reads a concert's JSON (the API's body) on standard input, creates it
 * in DATABASE_URL's database and prints its id.  Returns the exit status:
 * 0, 2 for a refused concert (the reason on standard error), 1 for a
 * failure.
 */
int create_concert_main(const struct settings *cfg);

#endif
