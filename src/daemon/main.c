/*
 * main.c - ticketd: settings, sockets, then the master.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "daemon/create_concert.h"
#include "daemon/listener.h"
#include "base/log.h"
#include "daemon/master.h"
#include "daemon/settings.h"
#include "daemon/ticket_key.h"
#include "domain/password.h"

/*
 * ticketd --hash-password: the Argon2id hash of the password on standard
 * input (one line), for operators' scripts (deploy/add-admin) that make
 * accounts without the API.  The password never appears in argv.
 */
static int
hash_password(void)
{
	char pw[PASSWORD_MAX_BYTES + 2], hash[PASSWORD_HASH_MAX];
	size_t len;
	int rc;

	if (fgets(pw, sizeof(pw), stdin) == NULL) {
		fprintf(stderr, "ticketd: no password on standard input\n");
		return 2;
	}
	len = strcspn(pw, "\n");
	pw[len] = '\0';
	rc = password_check_policy(pw, len);
	if (rc != PASSWORD_OK) {
		fprintf(stderr, "ticketd: the password must be 10 to 128 bytes "
		                "of UTF-8\n");
		return 2;
	}
	if (password_init() != PASSWORD_OK ||
	    password_hash(pw, len, hash) != PASSWORD_OK) {
		fprintf(stderr, "ticketd: cannot hash the password\n");
		return 1;
	}
	printf("%s\n", hash);
	return 0;
}

/*
 * ticketd --generate-ticket-key FILE: a new signing key for tickets in
 * FILE (never over an existing one); prints its public key.
 */
static int
generate_ticket_key(const char *path)
{
	char pk[TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1], err[512];

	if (ticket_key_generate(path, pk, sizeof(pk), err, sizeof(err)) != 0) {
		fprintf(stderr, "ticketd: %s\n", err);
		return 1;
	}
	fprintf(stderr,
	    "ticketd: wrote a new ticket key to %s; its public "
	    "key (Ed25519, base64url):\n",
	    path);
	printf("%s\n", pk);
	return 0;
}

/* ticketd --create-concert: see daemon/create_concert.h. */
static int create_concert;

static int
load_settings(struct settings *cfg, int argc, char **argv)
{
	char err[256];
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			settings_usage(stdout);
			exit(0);
		} else if (strcmp(argv[i], "--hash-password") == 0) {
			exit(hash_password());
		} else if (strcmp(argv[i], "--generate-ticket-key") == 0 &&
		           i + 1 < argc) {
			exit(generate_ticket_key(argv[i + 1]));
		} else if (strcmp(argv[i], "--create-concert") == 0) {
			create_concert = 1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("%s\n", PACKAGE_STRING);
			exit(0);
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			file = argv[++i];
		} else {
			fprintf(stderr,
			    "ticketd: unknown argument %s (try --help)\n",
			    argv[i]);
			return -1;
		}
	}

	if ((file != NULL &&
	        settings_load_file(cfg, file, err, sizeof(err)) != 0) ||
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

/* The binary a graceful reload execs: the one at the same path now. */
static void
find_exe(const char *argv0, char *exe, size_t len)
{
	ssize_t n;

	if (strchr(argv0, '/') != NULL && realpath(argv0, exe) != NULL) {
		return;
	}
	n = readlink("/proc/self/exe", exe, len - 1);
	exe[n > 0 ? n : 0] = '\0';
}

static int
open_sockets(const struct settings *cfg, int *read_fd, int *book_fd, int *owned)
{
	int from_systemd, rc;

	rc = listener_inherit(read_fd, book_fd, &from_systemd);
	if (rc != 0) {
		/* systemd owns its sockets; ours pass from master to master. */
		*owned = !from_systemd;
		return rc < 0 ? -1 : 0;
	}
	*owned = 1;
	*read_fd = listener_open(cfg->read_socket, cfg->backlog);
	*book_fd =
	    *read_fd < 0 ? -1 : listener_open(cfg->book_socket, cfg->backlog);
	return *read_fd < 0 || *book_fd < 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct settings cfg;
	char exe[PATH_MAX];
	int read_fd, book_fd, owned, handed_over = 0, rc = 1;

	settings_defaults(&cfg);
	if (load_settings(&cfg, argc, argv) != 0) {
		settings_free(&cfg);
		return 2;
	}
	if (create_concert) {
		log_init(cfg.log_level, "create-concert");
		rc = create_concert_main(&cfg);
		settings_free(&cfg);
		return rc;
	}
	log_init(cfg.log_level, "master");
	if (*cfg.log_file != '\0' && log_open_file(cfg.log_file) != 0) {
		log_error("cannot open the log file %s: %s", cfg.log_file,
		    strerror(errno));
		settings_free(&cfg);
		return 1;
	}

	if (FCGX_Init() != 0) {
		log_error("libfcgi failed to initialize");
		goto out;
	}
	if (open_sockets(&cfg, &read_fd, &book_fd, &owned) != 0) {
		goto out;
	}
	write_pidfile(cfg.pidfile);
	find_exe(argv[0], exe, sizeof(exe));

	rc = master_run(&cfg, read_fd, book_fd, exe, argv, &handed_over);

	/* After a reload the paths and the pidfile belong to the new master. */
	if (!handed_over) {
		if (owned) {
			listener_unlink(cfg.read_socket);
			listener_unlink(cfg.book_socket);
		}
		if (*cfg.pidfile != '\0') {
			unlink(cfg.pidfile);
		}
	}
out:
	settings_free(&cfg);
	return rc;
}
