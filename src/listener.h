/*
 * listener.h - the FastCGI listening sockets the master opens before it
 * forks, shared by every worker of a pool (Linux wakes one accept per
 * connection).
 */
#ifndef TICKETD_LISTENER_H
#define TICKETD_LISTENER_H

/*
 * Opens spec - a unix socket path, ":port" or "host:port" - with the
 * given backlog (a full queue is an immediate 502 from nginx, so keep it
 * large).  A unix socket gets mode 0660 and its directory is created.
 * Returns the fd, or -1 after logging why.
 */
int listener_open(const char *spec, int backlog);

/* Removes a unix socket's path (nothing for TCP). */
void listener_unlink(const char *spec);

#endif
