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

/*
 * Takes the two listening sockets from a previous master
 * (TICKETD_LISTEN_FDS="READ,BOOK", set by a graceful reload) or from
 * systemd socket activation (LISTEN_PID/LISTEN_FDS: fds 3 and 4, read
 * then book).  A restart so never rebinds the paths, and connections
 * queued on them survive it.  Returns 1 when inherited (and clears the
 * variables), 0 when there is nothing to inherit, -1 on a bad value.
 * *from_systemd says whether systemd owns the sockets.
 */
int listener_inherit(int *read_fd, int *book_fd, int *from_systemd);

/* Removes a unix socket's path (nothing for TCP). */
void listener_unlink(const char *spec);

#endif
