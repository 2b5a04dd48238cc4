/*
 * ticket_key.c - reading and making the tickets' signing key.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/ticket_key.h"

/* Reads exactly n bytes of fd into buf.  Returns 0, or -1 (errno set). */
static int
read_all(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			if (r == 0) {
				errno = EIO;
			}
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

static int
write_all(int fd, const unsigned char *buf, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t w = write(fd, buf + put, n - put);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0) {
			return -1;
		}
		put += (size_t)w;
	}
	return 0;
}

/* Whether st is a key file ticketd may trust; err says why not. */
static int
check_file(const char *path, const struct stat *st, char *err, size_t errlen)
{
	unsigned mode = (unsigned)st->st_mode & 07777;

	if (!S_ISREG(st->st_mode)) {
		snprintf(
		    err, errlen, "ticket key %s is not a regular file", path);
		return -1;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(err, errlen,
		    "ticket key %s belongs to uid %ld, not to ticketd's user "
		    "or root",
		    path, (long)st->st_uid);
		return -1;
	}
	if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen,
		    "ticket key %s is writable by %s (mode %04o): chmod 600 it",
		    path, (mode & S_IWOTH) ? "everyone" : "its group", mode);
		return -1;
	}
	if ((mode & S_IRWXO) != 0) {
		snprintf(err, errlen,
		    "ticket key %s is open to every user (mode %04o): chmod "
		    "600 it",
		    path, mode);
		return -1;
	}
	if (st->st_size != TICKET_CODE_SEED_BYTES) {
		snprintf(err, errlen,
		    "ticket key %s must hold exactly %d bytes, not %lld (make "
		    "one with ticketd --generate-ticket-key FILE)",
		    path, TICKET_CODE_SEED_BYTES, (long long)st->st_size);
		return -1;
	}
	return 0;
}

int
ticket_key_load(
    const char *path, struct ticket_keys **keys, char *err, size_t errlen)
{
	unsigned char seed[TICKET_CODE_SEED_BYTES];
	struct ticket_keys *k = NULL;
	struct stat st;
	int fd, rc = -1;

	*keys = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open ticket key %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat ticket key %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (check_file(path, &st, err, errlen) != 0) {
		goto out;
	}
	if (read_all(fd, seed, sizeof(seed)) != 0) {
		snprintf(err, errlen, "cannot read ticket key %s: %s", path,
		    strerror(errno));
		goto out;
	}
	/* Guard pages, no core dump, read-only once made. */
	if ((k = sodium_malloc(sizeof(*k))) == NULL) {
		snprintf(err, errlen, "no memory for the ticket key");
		goto out;
	}
	ticket_code_keypair(seed, k->pk, k->sk);
	sodium_mprotect_readonly(k);
	*keys = k;
	rc = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	close(fd);
	return rc;
}

void
ticket_key_free(struct ticket_keys *keys)
{
	/* sodium_free() wipes the memory first. */
	sodium_free(keys);
}

int
ticket_key_generate(
    const char *path, char *pk_text, size_t pk_len, char *err, size_t errlen)
{
	unsigned char seed[TICKET_CODE_SEED_BYTES];
	unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES];
	unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES];
	int fd, rc = -1;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialize");
		return -1;
	}
	/* Never over an existing key: codes signed with it would die. */
	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(
		    err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(seed, sizeof(seed));
	/* The umask may only have taken bits away; say 0600 exactly. */
	if (fchmod(fd, 0600) != 0 || write_all(fd, seed, sizeof(seed)) != 0 ||
	    fsync(fd) != 0) {
		snprintf(
		    err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	if (close(fd) != 0) {
		snprintf(
		    err, errlen, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		goto out;
	}
	ticket_code_keypair(seed, pk, sk);
	rc = ticket_code_public_key_text(pk, pk_text, pk_len) == 0 ? 0 : -1;
	if (rc != 0) {
		snprintf(err, errlen, "no room for the public key");
	}
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	return rc;
}
