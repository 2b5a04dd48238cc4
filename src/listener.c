/*
 * listener.c - the FastCGI listening sockets.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "listener.h"
#include "log.h"

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
			log_error("socket path %s is longer than 107 bytes", spec);
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

void
listener_unlink(const char *spec)
{
	if (is_unix_path(spec)) {
		unlink(spec);
	}
}
