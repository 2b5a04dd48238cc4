/*
 * checkin_store.h - check-in's store (domain/ticket.h) over PostgreSQL:
 * admit_ticket() of sql/migrations/010_tickets_checkin.sql.
 */
#ifndef TICKETD_CHECKIN_STORE_H
#define TICKETD_CHECKIN_STORE_H

#include "domain/ticket.h"
#include "store/store.h"

/* Fills port with the functions that run against s (which must outlive it). */
void checkin_store_bind(struct store *s, struct checkin_store *port);

#endif
