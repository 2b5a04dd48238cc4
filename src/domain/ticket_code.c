/*
 * ticket_code.c - ticket codes: a compact payload signed with Ed25519.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "base/errors.h"
#include "domain/ticket_code.h"

_Static_assert(TICKET_CODE_PUBLIC_KEY_BYTES == crypto_sign_PUBLICKEYBYTES,
    "the public key size is Ed25519's");
_Static_assert(TICKET_CODE_SECRET_KEY_BYTES == crypto_sign_SECRETKEYBYTES,
    "the secret key size is Ed25519's");
_Static_assert(TICKET_CODE_SEED_BYTES == crypto_sign_SEEDBYTES,
    "the seed size is Ed25519's");
_Static_assert(TICKET_CODE_SIGNATURE_BYTES == crypto_sign_BYTES,
    "the signature size is Ed25519's");
_Static_assert(TICKET_CODE_B64_LEN(TICKET_CODE_BIN_MAX) + 1 ==
                   sodium_base64_ENCODED_LEN(TICKET_CODE_BIN_MAX,
                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
    "TICKET_CODE_B64_LEN must be libsodium's unpadded length");
_Static_assert(IDS_SLUG_MAX < 0x80, "a text id's length fits below the tag");

#define PACKED_TAG 0x80
#define PACKED_PREFIX_MAX 8
#define PACKED_HEX 32
#define PACKED_BYTES (PACKED_HEX / 2)

/* The bytes that are signed: the prefix and the payload. */
struct signed_text {
	unsigned char buf[TICKET_CODE_PREFIX_LEN + TICKET_CODE_BIN_MAX];
	size_t len;
};

static bool
is_slug_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool
is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		        (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

/* The length of id's prefix when it has the packed shape, else -1. */
static int
packed_prefix(const char *id, size_t len)
{
	if (len < PACKED_HEX || len - PACKED_HEX > PACKED_PREFIX_MAX ||
	    !is_lower_hex(id + len - PACKED_HEX, PACKED_HEX)) {
		return -1;
	}
	return (int)(len - PACKED_HEX);
}

/* Appends id to t in its one encoding.  id is a slug. */
static void
put_id(struct signed_text *t, const char *id)
{
	size_t len = strlen(id);
	int p = packed_prefix(id, len);
	size_t bin_len;

	if (p < 0) {
		t->buf[t->len++] = (unsigned char)len;
		memcpy(t->buf + t->len, id, len);
		t->len += len;
		return;
	}
	t->buf[t->len++] = (unsigned char)(PACKED_TAG | p);
	memcpy(t->buf + t->len, id, (size_t)p);
	t->len += (size_t)p;
	/* Checked to be 32 lowercase hex digits: this cannot fail. */
	(void)sodium_hex2bin(t->buf + t->len, PACKED_BYTES, id + p, PACKED_HEX,
	    NULL, &bin_len, NULL);
	t->len += PACKED_BYTES;
}

/*
 * Reads one id from p (at most end) into out (IDS_SLUG_MAX + 1 bytes).
 * Returns the bytes it took, or 0 when they are not an id in its one
 * encoding.
 */
static size_t
get_id(const unsigned char *p, const unsigned char *end, char *out)
{
	size_t avail = (size_t)(end - p), n, len;

	if (avail < 2) {
		return 0;
	}
	if ((p[0] & PACKED_TAG) == 0) {
		n = p[0];
		if (n == 0 || n > IDS_SLUG_MAX || avail < 1 + n) {
			return 0;
		}
		for (size_t i = 0; i < n; i++) {
			if (!is_slug_char(p[1 + i])) {
				return 0;
			}
		}
		memcpy(out, p + 1, n);
		out[n] = '\0';
		/* That id would have been packed: not a code we issue. */
		return packed_prefix(out, n) < 0 ? 1 + n : 0;
	}
	n = p[0] & ~PACKED_TAG;
	if (n > PACKED_PREFIX_MAX || avail < 1 + n + PACKED_BYTES) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_slug_char(p[1 + i])) {
			return 0;
		}
	}
	memcpy(out, p + 1, n);
	sodium_bin2hex(out + n, PACKED_HEX + 1, p + 1 + n, PACKED_BYTES);
	len = n + PACKED_HEX;
	out[len] = '\0';
	return 1 + n + PACKED_BYTES;
}

void
ticket_code_keypair(const unsigned char seed[TICKET_CODE_SEED_BYTES],
    unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES],
    unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES])
{
	crypto_sign_seed_keypair(pk, sk, seed);
}

int
ticket_code_sign(const struct ticket_claim *claim,
    const unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES], char *out, size_t len)
{
	struct signed_text t = {.len = 0};
	size_t payload_len, b64_len;

	if (!ids_is_slug(claim->booking_id) ||
	    !ids_is_slug(claim->concert_id) || claim->index < 0 ||
	    claim->index > TICKET_CODE_INDEX_MAX) {
		return TD_ERR_INVALID;
	}

	memcpy(t.buf, TICKET_CODE_PREFIX, TICKET_CODE_PREFIX_LEN);
	t.len = TICKET_CODE_PREFIX_LEN;
	put_id(&t, claim->booking_id);
	t.buf[t.len++] = (unsigned char)claim->index;
	put_id(&t, claim->concert_id);
	payload_len = t.len - TICKET_CODE_PREFIX_LEN;

	b64_len = TICKET_CODE_B64_LEN(payload_len + crypto_sign_BYTES);
	if (len < TICKET_CODE_PREFIX_LEN + b64_len + 1) {
		return TD_ERR_TOO_LARGE;
	}
	crypto_sign_detached(t.buf + t.len, NULL, t.buf, t.len, sk);
	t.len += crypto_sign_BYTES;

	memcpy(out, TICKET_CODE_PREFIX, TICKET_CODE_PREFIX_LEN);
	sodium_bin2base64(out + TICKET_CODE_PREFIX_LEN,
	    len - TICKET_CODE_PREFIX_LEN, t.buf + TICKET_CODE_PREFIX_LEN,
	    t.len - TICKET_CODE_PREFIX_LEN,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int
ticket_code_verify(const char *code, size_t len,
    const unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES],
    struct ticket_claim *out)
{
	struct signed_text t;
	const unsigned char *p, *end, *sig;
	size_t bin_len, n;

	memset(out, 0, sizeof(*out));
	if (len < TICKET_CODE_MIN_LEN || len > TICKET_CODE_MAX_LEN ||
	    memcmp(code, TICKET_CODE_PREFIX, TICKET_CODE_PREFIX_LEN) != 0) {
		return TD_ERR_INVALID;
	}

	/*
	 * The alphabet first: libsodium 1.0.18 reads a byte above 0x7f as
	 * '_' (its constant-time compare of a negative char).  It refuses a
	 * length no encoding has and unused low bits that are not zero: one
	 * code, one spelling.  No b64_end: all of it must decode.
	 */
	for (size_t i = TICKET_CODE_PREFIX_LEN; i < len; i++) {
		if (!is_slug_char((unsigned char)code[i])) {
			return TD_ERR_INVALID;
		}
	}
	memcpy(t.buf, TICKET_CODE_PREFIX, TICKET_CODE_PREFIX_LEN);
	if (sodium_base642bin(t.buf + TICKET_CODE_PREFIX_LEN,
	        TICKET_CODE_BIN_MAX, code + TICKET_CODE_PREFIX_LEN,
	        len - TICKET_CODE_PREFIX_LEN, NULL, &bin_len, NULL,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    bin_len < TICKET_CODE_BIN_MIN) {
		return TD_ERR_INVALID;
	}
	t.len = TICKET_CODE_PREFIX_LEN + bin_len - crypto_sign_BYTES;
	sig = t.buf + t.len;

	/* Only signed bytes reach the parser below. */
	if (crypto_sign_verify_detached(sig, t.buf, t.len, pk) != 0) {
		return TD_ERR_INVALID;
	}

	p = t.buf + TICKET_CODE_PREFIX_LEN;
	end = sig;
	if ((n = get_id(p, end, out->booking_id)) == 0) {
		goto invalid;
	}
	p += n;
	if (p == end) {
		goto invalid;
	}
	out->index = *p++;
	if ((n = get_id(p, end, out->concert_id)) == 0 || p + n != end) {
		goto invalid;
	}
	return 0;

invalid:
	memset(out, 0, sizeof(*out));
	return TD_ERR_INVALID;
}

int
ticket_code_public_key_text(
    const unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES], char *out, size_t len)
{
	if (len < TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1) {
		return TD_ERR_TOO_LARGE;
	}
	sodium_bin2base64(out, len, pk, TICKET_CODE_PUBLIC_KEY_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}
