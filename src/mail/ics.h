/*
 * ics.h - a concert as an iCalendar event (RFC 5545), for the calendar
 * entry a booking's email carries.
 */
#ifndef TICKETD_ICS_H
#define TICKETD_ICS_H

#include <stdbool.h>
#include <stdio.h>

#include "store/outbox_store.h"

/*
 * Writes a VCALENDAR with one VEVENT for the booking's concert to f (CRLF
 * lines, folded at 75 octets).  cancelled: METHOD:CANCEL with the same UID,
 * so a calendar that has the event removes it.  uid_domain names the
 * sender (the UID is stable per booking).
 */
void ics_write(FILE *f, const struct mail_booking *mb, const char *uid_domain,
    bool cancelled);

#endif
