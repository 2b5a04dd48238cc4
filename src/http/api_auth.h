/*
 * api_auth.h - POST /api/auth/register, /api/auth/login and
 * /api/auth/logout.  Register and login hash a password (Argon2id, tens
 * of milliseconds of CPU): nginx sends them to the booking pool, never the
 * read pool, and at most TICKETD_HASH_SLOTS hash at once.
 */
#ifndef TICKETD_API_AUTH_H
#define TICKETD_API_AUTH_H

#include "http/context.h"

/*
 * How long a sign-in waits for a hashing slot before a 503: short, since
 * the waiting worker is a booking worker and a rush of sign-ins must not
 * starve bookings.
 */
#define AUTH_HASH_WAIT_MS 200

handler_fn api_auth_register;
handler_fn api_auth_login;
handler_fn api_auth_logout;

/* Account emails: a verification link's token, asking for a new one,
 * asking for a password reset, and setting the password with its token. */
handler_fn api_auth_verify_email;
handler_fn api_auth_verify_resend;
handler_fn api_auth_reset_request;
handler_fn api_auth_reset_confirm;

#endif
