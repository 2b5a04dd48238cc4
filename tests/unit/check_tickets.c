/*
 * check_tickets.c - a booking's tickets, the check-in decisions against a
 * fake store, the door's name, and the key file's rules.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/errors.h"
#include "daemon/ticket_key.h"
#include "domain/ticket.h"
#include "unit_main.h"

static struct ticket_keys keys;

static void
setup(void)
{
	unsigned char seed[TICKET_CODE_SEED_BYTES];

	ck_assert_int_ge(sodium_init(), 0);
	randombytes_buf(seed, sizeof(seed));
	ticket_code_keypair(seed, keys.pk, keys.sk);
}

static void
add_item(struct booking *b, const char *tier_id, const char *name, int qty)
{
	struct booking_item *it = &b->items[b->nitems++];

	strcpy(it->tier_id, tier_id);
	strcpy(it->tier_name, name);
	it->quantity = qty;
	it->price_cents = 1000;
}

static struct booking
booking(enum booking_status status)
{
	struct booking b;

	memset(&b, 0, sizeof(b));
	strcpy(b.id, "bk_0123456789abcdef0123456789abcdef");
	strcpy(b.concert_id, "c_fedcba9876543210fedcba9876543210");
	b.status = status;
	return b;
}

/* --- a booking's tickets ------------------------------------------------ */

START_TEST(tickets_follow_tier_ids_in_byte_order)
{
	struct booking b = booking(BOOKING_STATUS_CONFIRMED);
	struct ticket t[TICKETS_MAX];
	struct ticket_claim c;
	int n;

	/* Out of order, and "tier_B" < "tier_a" in bytes (not in a locale). */
	add_item(&b, "tier_a", "GA", 2);
	add_item(&b, "tier_B", "VIP", 1);
	add_item(&b, "tier_0", "FRONT", 1);
	ck_assert_int_eq(tickets_of_booking(&b, &keys, t, TICKETS_MAX, &n), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(t[0].item->tier_name, "FRONT");
	ck_assert_str_eq(t[1].item->tier_name, "VIP");
	ck_assert_str_eq(t[2].item->tier_name, "GA");
	ck_assert_str_eq(t[3].item->tier_name, "GA");
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(t[i].index, i);
		ck_assert_int_eq(ticket_code_verify(
		                     t[i].code, strlen(t[i].code), keys.pk, &c),
		    0);
		ck_assert_int_eq(c.index, i);
		ck_assert_str_eq(c.booking_id, b.id);
		ck_assert_str_eq(c.concert_id, b.concert_id);
	}
}
END_TEST

START_TEST(quantity_three_is_three_tickets)
{
	struct booking b = booking(BOOKING_STATUS_CONFIRMED);
	struct ticket t[TICKETS_MAX];
	int n;

	add_item(&b, "tier_ga", "GA", 3);
	ck_assert_int_eq(tickets_of_booking(&b, &keys, t, TICKETS_MAX, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_ne(t[0].code, t[1].code);
	ck_assert_str_ne(t[1].code, t[2].code);
}
END_TEST

START_TEST(the_largest_booking_fits)
{
	struct booking b = booking(BOOKING_STATUS_CONFIRMED);
	struct ticket t[TICKETS_MAX];
	char tier[16];
	int n;

	for (int i = 0; i < BOOKING_MAX_LINES; i++) {
		snprintf(tier, sizeof(tier), "tier_%02d", i);
		add_item(&b, tier, "T", BOOKING_MAX_QUANTITY);
	}
	ck_assert_int_eq(tickets_of_booking(&b, &keys, t, TICKETS_MAX, &n), 0);
	ck_assert_int_eq(n, TICKETS_MAX);
	ck_assert_int_eq(t[TICKETS_MAX - 1].index, 99);
	ck_assert_int_eq(tickets_of_booking(&b, &keys, t, TICKETS_MAX - 1, &n),
	    TD_ERR_TOO_LARGE);
}
END_TEST

START_TEST(a_cancelled_booking_has_no_tickets)
{
	static const enum booking_status void_statuses[] = {
	    BOOKING_STATUS_CANCELLED, BOOKING_STATUS_PAYMENT_FAILED,
	    BOOKING_STATUS_REJECTED};
	struct ticket t[TICKETS_MAX];
	int n = 5;

	for (size_t i = 0; i < 3; i++) {
		struct booking b = booking(void_statuses[i]);

		add_item(&b, "tier_ga", "GA", 2);
		ck_assert_int_eq(
		    tickets_of_booking(&b, &keys, t, TICKETS_MAX, &n),
		    TD_ERR_CONFLICT);
		ck_assert_int_eq(n, 0);
	}
}
END_TEST

/* --- check-in over a fake store ---------------------------------------- */

struct fake {
	int calls;
	int error;
	struct admission answer;
	struct ticket_claim claim;
	char door[CHECKIN_DOOR_MAX + 1];
	char staff[IDS_SLUG_MAX + 1];
};

static int
fake_admit(void *ctx, const struct ticket_claim *claim, const char *door,
    const char *staff_id, struct admission *out)
{
	struct fake *f = ctx;

	f->calls++;
	f->claim = *claim;
	snprintf(f->door, sizeof(f->door), "%s", door);
	snprintf(f->staff, sizeof(f->staff), "%s", staff_id);
	*out = f->answer;
	return f->error;
}

static struct fake fake;
static const struct checkin_store store = {&fake, fake_admit};
static char code[TICKET_CODE_MAX_LEN + 1];

static void
checkin_setup(void)
{
	struct ticket_claim c = {"bk_0123456789abcdef0123456789abcdef", 4,
	    "c_fedcba9876543210fedcba9876543210"};

	memset(&fake, 0, sizeof(fake));
	ck_assert_int_eq(ticket_code_sign(&c, keys.sk, code, sizeof(code)), 0);
}

static enum checkin_outcome
admit(const char *text, const char *concert, struct checkin_result *r)
{
	const struct checkin_request req = {
	    text, strlen(text), concert, "North gate", "u_staff"};

	return checkin_admit(&store, keys.pk, &req, r);
}

START_TEST(a_good_code_goes_to_the_store)
{
	struct checkin_result r;

	fake.answer.outcome = CHECKIN_ADMITTED;
	strcpy(fake.answer.tier_name, "VIP");
	ck_assert_int_eq(admit(code, "c_fedcba9876543210fedcba9876543210", &r),
	    CHECKIN_ADMITTED);
	ck_assert_int_eq(fake.calls, 1);
	ck_assert_str_eq(
	    fake.claim.booking_id, "bk_0123456789abcdef0123456789abcdef");
	ck_assert_int_eq(fake.claim.index, 4);
	ck_assert_str_eq(fake.door, "North gate");
	ck_assert_str_eq(fake.staff, "u_staff");
	ck_assert_str_eq(r.admission.tier_name, "VIP");
}
END_TEST

START_TEST(a_bad_code_never_reaches_the_store)
{
	struct checkin_result r;
	char bad[sizeof(code)];

	memcpy(bad, code, sizeof(code));
	bad[50] = bad[50] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(admit(bad, "c_fedcba9876543210fedcba9876543210", &r),
	    CHECKIN_INVALID_TICKET);
	ck_assert_int_eq(admit("", "c_x", &r), CHECKIN_INVALID_TICKET);
	ck_assert_int_eq(fake.calls, 0);
}
END_TEST

START_TEST(another_concerts_door_admits_nobody)
{
	struct checkin_result r;

	ck_assert_int_eq(admit(code, "concert_001", &r), CHECKIN_WRONG_CONCERT);
	ck_assert_int_eq(fake.calls, 0);
	/* The ticket's own concert, to send the fan the right way. */
	ck_assert_str_eq(
	    r.claim.concert_id, "c_fedcba9876543210fedcba9876543210");
}
END_TEST

START_TEST(the_stores_answers_pass_through)
{
	static const enum checkin_outcome answers[] = {CHECKIN_ADMITTED,
	    CHECKIN_ALREADY_ADMITTED, CHECKIN_CANCELLED,
	    CHECKIN_INVALID_TICKET};
	struct checkin_result r;

	for (size_t i = 0; i < 4; i++) {
		fake.answer.outcome = answers[i];
		strcpy(fake.answer.door, "East");
		ck_assert_int_eq(
		    admit(code, "c_fedcba9876543210fedcba9876543210", &r),
		    answers[i]);
		ck_assert_str_eq(r.admission.door, "East");
	}
}
END_TEST

START_TEST(a_store_error_fails)
{
	struct checkin_result r;

	fake.error = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(admit(code, "c_fedcba9876543210fedcba9876543210", &r),
	    CHECKIN_FAILED);
	ck_assert_int_eq(r.error, TD_ERR_UNAVAILABLE);
}
END_TEST

START_TEST(a_store_answer_it_cannot_give_fails)
{
	struct checkin_result r;

	fake.answer.outcome = CHECKIN_WRONG_CONCERT;
	ck_assert_int_eq(admit(code, "c_fedcba9876543210fedcba9876543210", &r),
	    CHECKIN_FAILED);
	ck_assert_int_eq(r.error, TD_ERR_INTERNAL);
}
END_TEST

START_TEST(outcome_names_parse)
{
	enum checkin_outcome o;

	ck_assert_int_eq(checkin_outcome_parse("admitted", &o), 0);
	ck_assert_int_eq(o, CHECKIN_ADMITTED);
	ck_assert_int_eq(checkin_outcome_parse("already_admitted", &o), 0);
	ck_assert_int_eq(o, CHECKIN_ALREADY_ADMITTED);
	ck_assert_int_eq(checkin_outcome_parse("cancelled", &o), 0);
	ck_assert_int_eq(o, CHECKIN_CANCELLED);
	ck_assert_int_eq(checkin_outcome_parse("invalid", &o), 0);
	ck_assert_int_eq(o, CHECKIN_INVALID_TICKET);
	ck_assert_int_eq(checkin_outcome_parse("admit", &o), TD_ERR_INVALID);
}
END_TEST

/* --- the door's name ----------------------------------------------------- */

static const struct {
	const char *door;
	bool valid;
} doors[] = {
    {"North gate", true},
    {"A", true},
    {"Tür 3 – Süd", true},
    {"", false},
    {"   ", false},
    {"gate\t1", false},
    {"gate\n1", false},
    {"\xc3\x28", false}, /* not UTF-8 */
    /* 64 characters, then 65. */
    {"0123456789012345678901234567890123456789012345678901234567890123", true},
    {"01234567890123456789012345678901234567890123456789012345678901234",
        false},
};

START_TEST(door_names)
{
	ck_assert_msg(checkin_door_is_valid(doors[_i].door,
	                  strlen(doors[_i].door)) == doors[_i].valid,
	    "door \"%s\"", doors[_i].door);
}
END_TEST

START_TEST(door_of_64_two_byte_characters)
{
	char door[2 * 65 + 1] = "";

	for (int i = 0; i < 64; i++) {
		strcat(door, "\xc3\xa9"); /* é */
	}
	ck_assert(checkin_door_is_valid(door, strlen(door)));
	strcat(door, "\xc3\xa9");
	ck_assert(!checkin_door_is_valid(door, strlen(door)));
}
END_TEST

/* --- the key file ------------------------------------------------------- */

#define DIR_TEMPLATE "/tmp/ticketd-key-XXXXXX"
static char dir[sizeof(DIR_TEMPLATE)];
static char path[sizeof(dir) + 16];

static void
key_setup(void)
{
	memcpy(dir, DIR_TEMPLATE, sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ticket.key", dir);
}

static void
key_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* A key file of n bytes and the given mode. */
static void
write_key(size_t n, mode_t mode)
{
	unsigned char bytes[64] = {1, 2, 3};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, n), (ssize_t)n);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(generated_key_loads_and_matches_its_public_key)
{
	char pk_text[TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1], err[512];
	char loaded_text[TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1];
	struct ticket_keys *k;
	struct stat st;

	ck_assert_int_eq(ticket_key_generate(
	                     path, pk_text, sizeof(pk_text), err, sizeof(err)),
	    0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, 32);
	ck_assert_int_eq(ticket_key_load(path, &k, err, sizeof(err)), 0);
	ticket_code_public_key_text(k->pk, loaded_text, sizeof(loaded_text));
	ck_assert_str_eq(loaded_text, pk_text);
	ticket_key_free(k);
}
END_TEST

START_TEST(generate_never_overwrites)
{
	char pk_text[64], err[512];
	unsigned char before[32], after[32];
	int fd;

	write_key(32, 0600);
	fd = open(path, O_RDONLY);
	ck_assert_int_eq(read(fd, before, 32), 32);
	close(fd);
	ck_assert_int_eq(ticket_key_generate(
	                     path, pk_text, sizeof(pk_text), err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "File exists"));
	fd = open(path, O_RDONLY);
	ck_assert_int_eq(read(fd, after, 32), 32);
	close(fd);
	ck_assert_int_eq(memcmp(before, after, 32), 0);
}
END_TEST

static const struct {
	size_t size;
	mode_t mode;
	const char *error; /* NULL: loads */
} key_files[] = {
    {32, 0600, NULL},
    {32, 0400, NULL},
    {32, 0640, NULL},
    {32, 0644, "open to every user"},
    {32, 0604, "open to every user"},
    {32, 0601, "open to every user"},
    {32, 0660, "writable by its group"},
    {32, 0622, "writable by everyone"},
    {31, 0600, "exactly 32 bytes"},
    {33, 0600, "exactly 32 bytes"},
    {0, 0600, "exactly 32 bytes"},
};

START_TEST(key_file_rules)
{
	struct ticket_keys *k = NULL;
	char err[512] = "";
	int rc;

	write_key(key_files[_i].size, key_files[_i].mode);
	rc = ticket_key_load(path, &k, err, sizeof(err));
	if (key_files[_i].error == NULL) {
		ck_assert_msg(
		    rc == 0, "mode %04o: %s", key_files[_i].mode, err);
		ck_assert_ptr_nonnull(k);
		ticket_key_free(k);
		return;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_ptr_null(k);
	ck_assert_msg(strstr(err, key_files[_i].error) != NULL, "mode %04o: %s",
	    key_files[_i].mode, err);
	/* The error names the file, never the key. */
	ck_assert_ptr_nonnull(strstr(err, path));
}
END_TEST

START_TEST(key_file_must_exist_and_be_a_file)
{
	struct ticket_keys *k;
	char err[512];

	ck_assert_int_eq(ticket_key_load(path, &k, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_int_eq(ticket_key_load(dir, &k, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

START_TEST(key_file_of_another_user_is_refused)
{
	struct ticket_keys *k;
	char err[512];

	if (geteuid() != 0) {
		return; /* only root can give a file away */
	}
	write_key(32, 0600);
	ck_assert_int_eq(chown(path, 4242, 4242), 0);
	ck_assert_int_eq(ticket_key_load(path, &k, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "belongs to uid 4242"));
}
END_TEST

START_TEST(the_same_seed_signs_the_same_codes)
{
	struct ticket_claim c = {"b", 0, "c"};
	char a[TICKET_CODE_MAX_LEN + 1], b[TICKET_CODE_MAX_LEN + 1], err[512];
	struct ticket_keys *k1, *k2;

	write_key(32, 0600);
	ck_assert_int_eq(ticket_key_load(path, &k1, err, sizeof(err)), 0);
	ck_assert_int_eq(ticket_key_load(path, &k2, err, sizeof(err)), 0);
	ck_assert_int_eq(ticket_code_sign(&c, k1->sk, a, sizeof(a)), 0);
	ck_assert_int_eq(ticket_code_sign(&c, k2->sk, b, sizeof(b)), 0);
	ck_assert_str_eq(a, b);
	ticket_key_free(k1);
	ticket_key_free(k2);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tickets");
	TCase *list = tcase_create("list");
	TCase *checkin = tcase_create("checkin");
	TCase *door = tcase_create("door");
	TCase *key = tcase_create("key_file");

	tcase_add_unchecked_fixture(list, setup, NULL);
	tcase_add_test(list, tickets_follow_tier_ids_in_byte_order);
	tcase_add_test(list, quantity_three_is_three_tickets);
	tcase_add_test(list, the_largest_booking_fits);
	tcase_add_test(list, a_cancelled_booking_has_no_tickets);
	suite_add_tcase(s, list);

	tcase_add_unchecked_fixture(checkin, setup, NULL);
	tcase_add_checked_fixture(checkin, checkin_setup, NULL);
	tcase_add_test(checkin, a_good_code_goes_to_the_store);
	tcase_add_test(checkin, a_bad_code_never_reaches_the_store);
	tcase_add_test(checkin, another_concerts_door_admits_nobody);
	tcase_add_test(checkin, the_stores_answers_pass_through);
	tcase_add_test(checkin, a_store_error_fails);
	tcase_add_test(checkin, a_store_answer_it_cannot_give_fails);
	tcase_add_test(checkin, outcome_names_parse);
	suite_add_tcase(s, checkin);

	tcase_add_loop_test(
	    door, door_names, 0, (int)(sizeof(doors) / sizeof(doors[0])));
	tcase_add_test(door, door_of_64_two_byte_characters);
	suite_add_tcase(s, door);

	tcase_add_checked_fixture(key, key_setup, key_teardown);
	tcase_add_test(key, generated_key_loads_and_matches_its_public_key);
	tcase_add_test(key, generate_never_overwrites);
	tcase_add_loop_test(key, key_file_rules, 0,
	    (int)(sizeof(key_files) / sizeof(key_files[0])));
	tcase_add_test(key, key_file_must_exist_and_be_a_file);
	tcase_add_test(key, key_file_of_another_user_is_refused);
	tcase_add_test(key, the_same_seed_signs_the_same_codes);
	suite_add_tcase(s, key);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
