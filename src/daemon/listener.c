/*
 * listener.c - the FastCGI listening sockets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "daemon/listener.h"
#include "base/log.h"

static int
is_unix_path(const char *spec)
{
	return strchr(spec, ':') == NULL;
}

static void
make_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	if (strlen(path) >= sizeof(dir)) {
		return;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir) {
		return;
	}
	*slash = '\0';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		log_warn("mkdir %s: %s", dir, strerror(errno));
	}
}

int
listener_open(const char *spec, int backlog)
{
	int fd;

	if (is_unix_path(spec)) {
		/* sockaddr_un holds 108 bytes with the NUL. */
		if (strlen(spec) >= 108) {
			log_error(
			    "socket path %s is longer than 107 bytes", spec);
			return -1;
		}
		make_parent_dir(spec);
	}

	fd = FCGX_OpenSocket(spec, backlog);
	if (fd < 0) {
		log_error("cannot listen on %s: %s", spec, strerror(errno));
		return -1;
	}
	if (is_unix_path(spec) && chmod(spec, 0660) != 0) {
		log_warn("chmod %s: %s", spec, strerror(errno));
	}
	log_info("listening on %s (backlog %d)", spec, backlog);
	return fd;
}

static int
is_listening_socket(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int
listener_inherit(int *read_fd, int *book_fd, int *from_systemd)
{
	const char *ours = getenv("TICKETD_LISTEN_FDS");
	const char *pid = getenv("LISTEN_PID");
	const char *count = getenv("LISTEN_FDS");

	*from_systemd = 0;
	if (ours != NULL && *ours != '\0') {
		if (sscanf(ours, "%d,%d", read_fd, book_fd) != 2) {
			log_error(
			    "TICKETD_LISTEN_FDS=%s is not READ,BOOK", ours);
			return -1;
		}
		unsetenv("TICKETD_LISTEN_FDS");
	} else if (pid != NULL && count != NULL &&
	           atol(pid) == (long)getpid()) {
		if (atoi(count) != 2) {
			log_error("systemd passed %s sockets, expected 2 "
			          "(read, book)",
			    count);
			return -1;
		}
		*read_fd = 3;
		*book_fd = 4;
		*from_systemd = 1;
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	} else {
		return 0;
	}

	if (!is_listening_socket(*read_fd) || !is_listening_socket(*book_fd)) {
		log_error(
		    "inherited fds %d,%d are not sockets", *read_fd, *book_fd);
		return -1;
	}
	log_info("serving inherited sockets (fds %d, %d)", *read_fd, *book_fd);
	return 1;
}

void
listener_unlink(const char *spec)
{
	if (is_unix_path(spec)) {
		unlink(spec);
	}
}
