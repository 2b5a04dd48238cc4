/*
 * main.c - ticketd: settings, sockets, then the master.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "listener.h"
#include "log.h"
#include "master.h"
#include "settings.h"

static int
load_settings(struct settings *cfg, int argc, char **argv)
{
	char err[256];
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			settings_usage(stdout);
			exit(0);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("%s\n", PACKAGE_STRING);
			exit(0);
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else {
			fprintf(stderr, "ticketd: unknown argument %s (try --help)\n", argv[i]);
			return -1;
		}
	}

	if ((file != NULL && settings_load_file(cfg, file, err, sizeof(err)) != 0) ||
	    settings_load_env(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "ticketd: %s\n", err);
		return -1;
	}
	return 0;
}

static void
write_pidfile(const char *path)
{
	FILE *fp;

	if (*path == '\0') {
		return;
	}
	fp = fopen(path, "w");
	if (fp == NULL) {
		log_warn("cannot write %s: %s", path, strerror(errno));
		return;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
}

int
main(int argc, char **argv)
{
	struct settings cfg;
	int read_fd, book_fd, rc = 1;

	settings_defaults(&cfg);
	if (load_settings(&cfg, argc, argv) != 0) {
		settings_free(&cfg);
		return 2;
	}
	log_init(log_level_parse(cfg.log_level), "master");

	if (FCGX_Init() != 0) {
		log_error("libfcgi failed to initialize");
		goto out;
	}
	read_fd = listener_open(cfg.read_socket, cfg.backlog);
	book_fd = read_fd < 0 ? -1 : listener_open(cfg.book_socket, cfg.backlog);
	if (read_fd < 0 || book_fd < 0) {
		goto out;
	}
	write_pidfile(cfg.pidfile);

	rc = master_run(&cfg, read_fd, book_fd);

	listener_unlink(cfg.read_socket);
	listener_unlink(cfg.book_socket);
	if (*cfg.pidfile != '\0') {
		unlink(cfg.pidfile);
	}
out:
	settings_free(&cfg);
	return rc;
}
