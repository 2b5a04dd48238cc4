/*
 * check_ticket_code.c - the signed ticket code: its format, what it
 * refuses, and that the public key alone checks it.
 */
#include <check.h>
#include <string.h>

#include <sodium.h>

#include "base/errors.h"
#include "domain/ticket_code.h"
#include "unit_main.h"

#define BOOKING "bk_0123456789abcdef0123456789abcdef"
#define CONCERT "c_fedcba9876543210fedcba9876543210"

/*
 * A code a door device must accept: the seed 00 01 .. 1f signed
 * {BOOKING, 2, CONCERT}.  Only the public key is below, so this checks
 * what an offline device does, and pins the format (a change breaks it).
 */
#define VECTOR_PK                                                              \
	"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8"
#define VECTOR_PK_TEXT "A6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg"
#define VECTOR_CODE                                                            \
	"T1.g2JrXwEjRWeJq83vASNFZ4mrze8CgmNf_ty6mHZUMhD-"                      \
	"3LqYdlQyEMY9X3vRyLqbagOl"                                             \
	"ihATZ2CwRyOs_WyUNPjwNVI66Id4dpi4eiHrsOlxx63XF_NmisV89l1eCp-"          \
	"keNRG2FhMlw"                                                          \
	"k"

static unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES];
static unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES];

static void
setup(void)
{
	unsigned char seed[TICKET_CODE_SEED_BYTES];

	ck_assert_int_ge(sodium_init(), 0);
	randombytes_buf(seed, sizeof(seed));
	ticket_code_keypair(seed, pk, sk);
}

static struct ticket_claim
claim(const char *booking, int index, const char *concert)
{
	struct ticket_claim c;

	memset(&c, 0, sizeof(c));
	strcpy(c.booking_id, booking);
	c.index = index;
	strcpy(c.concert_id, concert);
	return c;
}

/* The code of c under the suite's key. */
static void
sign(const struct ticket_claim *c, char out[TICKET_CODE_MAX_LEN + 1])
{
	ck_assert_int_eq(
	    ticket_code_sign(c, sk, out, TICKET_CODE_MAX_LEN + 1), 0);
}

static int
verify(const char *code, size_t len, struct ticket_claim *out)
{
	return ticket_code_verify(code, len, pk, out);
}

START_TEST(round_trip)
{
	struct ticket_claim c = claim(BOOKING, 7, CONCERT), out;
	char code[TICKET_CODE_MAX_LEN + 1];

	sign(&c, code);
	ck_assert_int_eq(strncmp(code, "T1.", 3), 0);
	ck_assert_int_eq(verify(code, strlen(code), &out), 0);
	ck_assert_str_eq(out.booking_id, BOOKING);
	ck_assert_int_eq(out.index, 7);
	ck_assert_str_eq(out.concert_id, CONCERT);
}
END_TEST

START_TEST(ticketd_ids_make_142_characters)
{
	struct ticket_claim c = claim(BOOKING, 99, CONCERT);
	char code[TICKET_CODE_MAX_LEN + 1];

	sign(&c, code);
	ck_assert_uint_eq(strlen(code), 142);
}
END_TEST

START_TEST(signing_is_deterministic)
{
	struct ticket_claim c = claim(BOOKING, 1, CONCERT);
	char a[TICKET_CODE_MAX_LEN + 1], b[TICKET_CODE_MAX_LEN + 1];

	sign(&c, a);
	sign(&c, b);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(tickets_of_a_booking_differ)
{
	struct ticket_claim c0 = claim(BOOKING, 0, CONCERT);
	struct ticket_claim c1 = claim(BOOKING, 1, CONCERT);
	char a[TICKET_CODE_MAX_LEN + 1], b[TICKET_CODE_MAX_LEN + 1];

	sign(&c0, a);
	sign(&c1, b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(vector_verifies_with_the_public_key_alone)
{
	unsigned char only_pk[TICKET_CODE_PUBLIC_KEY_BYTES];
	char text[TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1];
	struct ticket_claim out;
	size_t n;

	ck_assert_int_eq(sodium_hex2bin(only_pk, sizeof(only_pk), VECTOR_PK, 64,
	                     NULL, &n, NULL),
	    0);
	ck_assert_int_eq(
	    ticket_code_verify(VECTOR_CODE, strlen(VECTOR_CODE), only_pk, &out),
	    0);
	ck_assert_str_eq(out.booking_id, BOOKING);
	ck_assert_int_eq(out.index, 2);
	ck_assert_str_eq(out.concert_id, CONCERT);

	/* What GET /api/checkin/key publishes for that key. */
	ck_assert_int_eq(
	    ticket_code_public_key_text(only_pk, text, sizeof(text)), 0);
	ck_assert_str_eq(text, VECTOR_PK_TEXT);
}
END_TEST

START_TEST(vector_is_what_its_seed_signs)
{
	unsigned char seed[TICKET_CODE_SEED_BYTES], vpk[32], vsk[64];
	struct ticket_claim c = claim(BOOKING, 2, CONCERT);
	char code[TICKET_CODE_MAX_LEN + 1];

	for (int i = 0; i < TICKET_CODE_SEED_BYTES; i++) {
		seed[i] = (unsigned char)i;
	}
	ticket_code_keypair(seed, vpk, vsk);
	ck_assert_int_eq(ticket_code_sign(&c, vsk, code, sizeof(code)), 0);
	ck_assert_str_eq(code, VECTOR_CODE);
}
END_TEST

/* Every byte of a code, set to every other value: never accepted. */
START_TEST(every_single_byte_change_is_rejected)
{
	struct ticket_claim c = claim(BOOKING, 3, CONCERT), out;
	char code[TICKET_CODE_MAX_LEN + 1], bad[TICKET_CODE_MAX_LEN + 1];
	size_t len;
	int tried = 0;

	sign(&c, code);
	len = strlen(code);
	for (size_t i = 0; i < len; i++) {
		for (int v = 0; v < 256; v++) {
			if (v == (unsigned char)code[i]) {
				continue;
			}
			memcpy(bad, code, len + 1);
			bad[i] = (char)v;
			ck_assert_msg(verify(bad, len, &out) == TD_ERR_INVALID,
			    "byte %zu set to %d was accepted", i, v);
			tried++;
		}
	}
	ck_assert_int_eq(tried, (int)len * 255);
	/* A rejected code leaves no claim behind. */
	ck_assert_str_eq(out.booking_id, "");
}
END_TEST

START_TEST(another_keys_signature_is_rejected)
{
	unsigned char seed[TICKET_CODE_SEED_BYTES], pk2[32], sk2[64];
	struct ticket_claim c = claim(BOOKING, 0, CONCERT), out;
	char code[TICKET_CODE_MAX_LEN + 1];

	randombytes_buf(seed, sizeof(seed));
	ticket_code_keypair(seed, pk2, sk2);
	ck_assert_int_eq(ticket_code_sign(&c, sk2, code, sizeof(code)), 0);
	ck_assert_int_eq(verify(code, strlen(code), &out), TD_ERR_INVALID);
	/* ...and its own key accepts it: the refusal is the key's. */
	ck_assert_int_eq(ticket_code_verify(code, strlen(code), pk2, &out), 0);
}
END_TEST

START_TEST(every_truncation_is_rejected)
{
	struct ticket_claim c = claim(BOOKING, 5, CONCERT), out;
	char code[TICKET_CODE_MAX_LEN + 1];

	sign(&c, code);
	for (size_t n = 0; n < strlen(code); n++) {
		ck_assert_msg(verify(code, n, &out) == TD_ERR_INVALID,
		    "the first %zu characters were accepted", n);
	}
}
END_TEST

START_TEST(oversized_is_rejected)
{
	struct ticket_claim c = claim(BOOKING, 5, CONCERT), out;
	char code[TICKET_CODE_MAX_LEN + 1], big[2 * TICKET_CODE_MAX_LEN];
	size_t len;

	sign(&c, code);
	len = strlen(code);
	for (size_t extra = 1; extra <= 8; extra++) {
		memcpy(big, code, len);
		memset(big + len, 'A', extra);
		ck_assert_msg(verify(big, len + extra, &out) == TD_ERR_INVALID,
		    "%zu characters more were accepted", extra);
	}
	/* Longer than any code: refused before anything is decoded. */
	memset(big, 'A', sizeof(big));
	memcpy(big, "T1.", 3);
	ck_assert_int_eq(verify(big, sizeof(big), &out), TD_ERR_INVALID);
	ck_assert_int_eq(
	    verify(big, TICKET_CODE_MAX_LEN + 1, &out), TD_ERR_INVALID);
}
END_TEST

static const char *const garbage[] = {
    "",
    "T1.",
    "T1",
    "hello",
    "T2.g2JrXwEjRWeJq83vASNFZ4mrze8CgmNf_ty6mHZUMhD-3LqYdlQyEMY9X3vRyLqbagOl"
    "ihATZ2CwRyOs_WyUNPjwNVI66Id4dpi4eiHrsOlxx63XF_NmisV89l1eCp-keNRG2FhMlwk",
    "t1.g2JrXwEjRWeJq83vASNFZ4mrze8CgmNf_ty6mHZUMhD-3LqYdlQyEMY9X3vRyLqbagOl"
    "ihATZ2CwRyOs_WyUNPjwNVI66Id4dpi4eiHrsOlxx63XF_NmisV89l1eCp-keNRG2FhMlwk",
    /* Standard base64's alphabet and padding. */
    "T1.g2JrXwEjRWeJq83vASNFZ4mrze8CgmNf/ty6mHZUMhD+3LqYdlQyEMY9X3vRyLqbagOl"
    "ihATZ2CwRyOs/WyUNPjwNVI66Id4dpi4eiHrsOlxx63XF/NmisV89l1eCp+keNRG2FhMlwk",
    "T1.g2JrXwEjRWeJq83vASNFZ4mrze8CgmNf_ty6mHZUMhD-3LqYdlQyEMY9X3vRyLqbagOl"
    "ihATZ2CwRyOs_WyUNPjwNVI66Id4dpi4eiHrsOlxx63XF_NmisV89l1eCp-keNRG2FhMlwk=",
    " T1.g2JrXwEjRWeJq83vASNFZ4mrze8CgmNf_ty6mHZUMhD-3LqYdlQyEMY9X3vRyLqbagO"
    "lihATZ2CwRyOs_WyUNPjwNVI66Id4dpi4eiHrsOlxx63XF_NmisV89l1eCp-keNRG2FhMlwk",
    "T1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
};

START_TEST(garbage_is_rejected)
{
	struct ticket_claim out;
	const char *g = garbage[_i];

	ck_assert_int_eq(verify(g, strlen(g), &out), TD_ERR_INVALID);
}
END_TEST

START_TEST(a_nul_inside_is_rejected)
{
	unsigned char only_pk[32];
	char code[sizeof(VECTOR_CODE)];
	struct ticket_claim out;
	size_t n;

	sodium_hex2bin(only_pk, 32, VECTOR_PK, 64, NULL, &n, NULL);
	memcpy(code, VECTOR_CODE, sizeof(code));
	code[40] = '\0';
	ck_assert_int_eq(
	    ticket_code_verify(code, sizeof(code) - 1, only_pk, &out),
	    TD_ERR_INVALID);
}
END_TEST

/*
 * Payloads signed with the right key that are still no code we issue:
 * the parser after the signature refuses them too.
 */
#define PAYLOAD_ROOM (TICKET_CODE_BIN_MAX + 8) /* a little over the most */
#define CODE_ROOM (3 + TICKET_CODE_B64_LEN(PAYLOAD_ROOM + 64) + 1)

/* The code of n bytes of payload (at most PAYLOAD_ROOM), signed with sk. */
static void
signed_code(const unsigned char *payload, size_t n, char code[CODE_ROOM])
{
	unsigned char msg[3 + PAYLOAD_ROOM + 64];

	memcpy(msg, "T1.", 3);
	memcpy(msg + 3, payload, n);
	crypto_sign_detached(msg + 3 + n, NULL, msg, 3 + n, sk);
	memcpy(code, "T1.", 3);
	sodium_bin2base64(code + 3, CODE_ROOM - 3, msg + 3, n + 64,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
verify_signed_payload(const unsigned char *payload, size_t n)
{
	char code[CODE_ROOM];
	struct ticket_claim out;

	signed_code(payload, n, code);
	return verify(code, strlen(code), &out);
}

/* The payload of {BOOKING, 2, "concert_001"} as ticketd encodes it. */
static size_t
good_payload(unsigned char *p)
{
	size_t n = 0, bin;

	p[n++] = 0x80 | 3;
	memcpy(p + n, "bk_", 3);
	n += 3;
	sodium_hex2bin(p + n, 16, BOOKING + 3, 32, NULL, &bin, NULL);
	n += 16;
	p[n++] = 2;
	p[n++] = 11;
	memcpy(p + n, "concert_001", 11);
	return n + 11;
}

START_TEST(signed_good_payload_is_accepted)
{
	unsigned char p[TICKET_CODE_BIN_MAX];

	/* The control for the cases below: the crafting itself is right. */
	ck_assert_int_eq(verify_signed_payload(p, good_payload(p)), 0);
}
END_TEST

START_TEST(signed_trailing_bytes_are_rejected)
{
	unsigned char p[TICKET_CODE_BIN_MAX];
	size_t n = good_payload(p);

	p[n] = 0;
	ck_assert_int_eq(verify_signed_payload(p, n + 1), TD_ERR_INVALID);
}
END_TEST

START_TEST(signed_missing_concert_is_rejected)
{
	unsigned char p[TICKET_CODE_BIN_MAX];

	good_payload(p);
	/* The booking and the index, then a concert of zero bytes. */
	p[21] = 0;
	ck_assert_int_eq(verify_signed_payload(p, 22), TD_ERR_INVALID);
}
END_TEST

START_TEST(signed_packable_id_as_text_is_rejected)
{
	unsigned char p[TICKET_CODE_BIN_MAX];
	size_t n = 0;

	/* The booking id spelled as text although it packs: one code only. */
	p[n++] = 35;
	memcpy(p + n, BOOKING, 35);
	n += 35;
	p[n++] = 0;
	p[n++] = 1;
	p[n++] = 'c';
	ck_assert_int_eq(verify_signed_payload(p, n), TD_ERR_INVALID);
}
END_TEST

START_TEST(signed_non_slug_id_is_rejected)
{
	unsigned char p[TICKET_CODE_BIN_MAX];
	size_t n = 0;

	p[n++] = 3;
	memcpy(p + n, "a/b", 3);
	n += 3;
	p[n++] = 0;
	p[n++] = 1;
	p[n++] = 'c';
	ck_assert_int_eq(verify_signed_payload(p, n), TD_ERR_INVALID);
}
END_TEST

START_TEST(signed_long_packed_prefix_is_rejected)
{
	unsigned char p[TICKET_CODE_BIN_MAX];
	size_t n = 0;

	p[n++] = 0x80 | 9; /* at most 8 */
	memcpy(p + n, "abcdefghi", 9);
	n += 9;
	memset(p + n, 0xab, 16);
	n += 16;
	p[n++] = 0;
	p[n++] = 1;
	p[n++] = 'c';
	ck_assert_int_eq(verify_signed_payload(p, n), TD_ERR_INVALID);
}
END_TEST

/*
 * Signed payloads mutated at random (bytes changed, cut, added): each is
 * refused, or says a claim whose own code is exactly this one.  So the
 * parser accepts one spelling of a claim, and the signer writes it.
 */
START_TEST(mutated_signed_payloads_are_refused_or_canonical)
{
	unsigned char good[TICKET_CODE_BIN_MAX], p[PAYLOAD_ROOM];
	char code[CODE_ROOM], again[TICKET_CODE_MAX_LEN + 1];
	size_t good_len = good_payload(good), n;
	struct ticket_claim out;
	int accepted = 0;

	for (int round = 0; round < 5000; round++) {
		memcpy(p, good, good_len);
		n = good_len;
		for (uint32_t k = randombytes_uniform(4) + 1; k > 0; k--) {
			switch (randombytes_uniform(3)) {
			case 0:
				p[randombytes_uniform((uint32_t)n)] =
				    (unsigned char)randombytes_uniform(256);
				break;
			case 1: n -= n > 1 ? randombytes_uniform(3) : 0; break;
			default:
				if (n < sizeof(p)) {
					p[n++] =
					    (unsigned char)randombytes_uniform(
					        256);
				}
			}
		}
		signed_code(p, n, code);
		if (verify(code, strlen(code), &out) != 0) {
			continue;
		}
		accepted++;
		ck_assert(ids_is_slug(out.booking_id));
		ck_assert(ids_is_slug(out.concert_id));
		ck_assert_int_eq(
		    ticket_code_sign(&out, sk, again, sizeof(again)), 0);
		ck_assert_str_eq(again, code);
	}
	/* Index and id bytes change without breaking the shape: some pass. */
	ck_assert_int_gt(accepted, 0);
}
END_TEST

START_TEST(text_ids_round_trip)
{
	static const char *const ids[][2] = {
	    {"legacy-booking-1", "concert_001"},
	    {"bk_0123456789ABCDEF0123456789ABCDEF", CONCERT}, /* upper case */
	    {"x", "y"},
	    {"thisprefixistoolong_0123456789abcdef0123456789abcdef", "c"},
	    {"0123456789abcdef0123456789abcdef", "c_"}, /* packs, no prefix */
	};
	struct ticket_claim c, out;
	char code[TICKET_CODE_MAX_LEN + 1];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		c = claim(ids[i][0], (int)i, ids[i][1]);
		sign(&c, code);
		ck_assert_int_eq(verify(code, strlen(code), &out), 0);
		ck_assert_str_eq(out.booking_id, ids[i][0]);
		ck_assert_str_eq(out.concert_id, ids[i][1]);
		ck_assert_int_eq(out.index, (int)i);
	}
}
END_TEST

START_TEST(longest_ids_make_the_longest_code)
{
	char id[IDS_SLUG_MAX + 1], code[TICKET_CODE_MAX_LEN + 1];
	struct ticket_claim c, out;

	memset(id, 'z', IDS_SLUG_MAX);
	id[IDS_SLUG_MAX] = '\0';
	c = claim(id, TICKET_CODE_INDEX_MAX, id);
	sign(&c, code);
	ck_assert_uint_eq(strlen(code), TICKET_CODE_MAX_LEN);
	ck_assert_int_eq(verify(code, strlen(code), &out), 0);
	ck_assert_int_eq(out.index, TICKET_CODE_INDEX_MAX);

	/* And it needs every byte of its buffer. */
	ck_assert_int_eq(ticket_code_sign(&c, sk, code, TICKET_CODE_MAX_LEN),
	    TD_ERR_TOO_LARGE);
}
END_TEST

START_TEST(shortest_ids_make_the_shortest_code)
{
	struct ticket_claim c = claim("a", 0, "b"), out;
	char code[TICKET_CODE_MAX_LEN + 1];

	sign(&c, code);
	ck_assert_uint_eq(strlen(code), TICKET_CODE_MIN_LEN);
	ck_assert_int_eq(verify(code, strlen(code), &out), 0);
}
END_TEST

START_TEST(sign_refuses_what_no_code_can_say)
{
	struct ticket_claim c;
	char code[TICKET_CODE_MAX_LEN + 1];

	c = claim(BOOKING, -1, CONCERT);
	ck_assert_int_eq(
	    ticket_code_sign(&c, sk, code, sizeof(code)), TD_ERR_INVALID);
	c = claim(BOOKING, TICKET_CODE_INDEX_MAX + 1, CONCERT);
	ck_assert_int_eq(
	    ticket_code_sign(&c, sk, code, sizeof(code)), TD_ERR_INVALID);
	c = claim("", 0, CONCERT);
	ck_assert_int_eq(
	    ticket_code_sign(&c, sk, code, sizeof(code)), TD_ERR_INVALID);
	c = claim(BOOKING, 0, "a b");
	ck_assert_int_eq(
	    ticket_code_sign(&c, sk, code, sizeof(code)), TD_ERR_INVALID);
	c = claim(BOOKING, 0, CONCERT);
	ck_assert_int_eq(ticket_code_sign(&c, sk, code, 100), TD_ERR_TOO_LARGE);
}
END_TEST

START_TEST(public_key_text_is_43_characters)
{
	char text[TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1];

	ck_assert_int_eq(
	    ticket_code_public_key_text(pk, text, sizeof(text)), 0);
	ck_assert_uint_eq(strlen(text), 43);
	ck_assert_int_eq(
	    ticket_code_public_key_text(pk, text, 43), TD_ERR_TOO_LARGE);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ticket_code");
	TCase *format = tcase_create("format");
	TCase *refusals = tcase_create("refusals");

	tcase_add_unchecked_fixture(format, setup, NULL);
	tcase_add_test(format, round_trip);
	tcase_add_test(format, ticketd_ids_make_142_characters);
	tcase_add_test(format, signing_is_deterministic);
	tcase_add_test(format, tickets_of_a_booking_differ);
	tcase_add_test(format, vector_verifies_with_the_public_key_alone);
	tcase_add_test(format, vector_is_what_its_seed_signs);
	tcase_add_test(format, text_ids_round_trip);
	tcase_add_test(format, longest_ids_make_the_longest_code);
	tcase_add_test(format, shortest_ids_make_the_shortest_code);
	tcase_add_test(format, sign_refuses_what_no_code_can_say);
	tcase_add_test(format, public_key_text_is_43_characters);
	suite_add_tcase(s, format);

	tcase_add_unchecked_fixture(refusals, setup, NULL);
	/* 36,000 verifications: room for a slow sanitizer build. */
	tcase_set_timeout(refusals, 120);
	tcase_add_test(refusals, every_single_byte_change_is_rejected);
	tcase_add_test(refusals, another_keys_signature_is_rejected);
	tcase_add_test(refusals, every_truncation_is_rejected);
	tcase_add_test(refusals, oversized_is_rejected);
	tcase_add_loop_test(refusals, garbage_is_rejected, 0,
	    (int)(sizeof(garbage) / sizeof(garbage[0])));
	tcase_add_test(refusals, a_nul_inside_is_rejected);
	tcase_add_test(refusals, signed_good_payload_is_accepted);
	tcase_add_test(refusals, signed_trailing_bytes_are_rejected);
	tcase_add_test(refusals, signed_missing_concert_is_rejected);
	tcase_add_test(refusals, signed_packable_id_as_text_is_rejected);
	tcase_add_test(refusals, signed_non_slug_id_is_rejected);
	tcase_add_test(refusals, signed_long_packed_prefix_is_rejected);
	tcase_add_test(
	    refusals, mutated_signed_payloads_are_refused_or_canonical);
	suite_add_tcase(s, refusals);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
