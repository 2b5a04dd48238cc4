/*
 * check_accounts.c - sign-up, sign-in, sessions and sign-out against a
 * fake account store (no database): every decision, one test each.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "domain/account.h"
#include "unit_main.h"

#define PW "correct horse battery"
#define NOW INT64_C(1800000000)

struct fake {
	int create_err, find_login_err, find_session_err, revoke_err;
	struct login_record login;
	struct session_record session;
	int creates, finds, failures, starts, session_finds, touches, revokes;
	char hash[PASSWORD_HASH_MAX];
	char token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	struct user created;
	char failed_email[ACCOUNT_EMAIL_MAX + 1];
};

static struct fake fake;
static struct account_store store;

/* The hashing gate: counts who went in and out, and can be full. */
static struct {
	int enters, leaves, busy;
} gates;

static int
gate_enter(void *ctx)
{
	if (gates.busy) {
		return TD_ERR_BUSY;
	}
	gates.enters++;
	return 0;
}

static void
gate_leave(void *ctx)
{
	gates.leaves++;
}

static const struct hash_gate gate = {NULL, gate_enter, gate_leave};
static struct account_result out;
static char known_hash[PASSWORD_HASH_MAX]; /* of PW, made once */

static int
fake_create_user(void *ctx, const struct user *u, const char *password_hash,
    const char *token_hash)
{
	fake.creates++;
	fake.created = *u;
	snprintf(fake.hash, sizeof(fake.hash), "%s", password_hash);
	snprintf(fake.token_hash, sizeof(fake.token_hash), "%s", token_hash);
	return fake.create_err;
}

static int
fake_find_login(
    void *ctx, const char *email, const char *address, struct login_record *rec)
{
	fake.finds++;
	ck_assert_str_eq(address, "192.0.2.1");
	*rec = fake.login;
	return fake.find_login_err;
}

static int
fake_record_failure(void *ctx, const char *email, const char *address)
{
	ck_assert_str_eq(address, "192.0.2.1");
	fake.failures++;
	snprintf(fake.failed_email, sizeof(fake.failed_email), "%s", email);
	return 0;
}

static int
fake_start_session(void *ctx, const char *email, const char *address,
    const char *user_id, const char *token_hash, const char *password_hash)
{
	ck_assert_str_eq(address, "192.0.2.1");
	fake.starts++;
	snprintf(fake.token_hash, sizeof(fake.token_hash), "%s", token_hash);
	return 0;
}

static int
fake_find_session(void *ctx, const char *token_hash, struct session_record *rec)
{
	fake.session_finds++;
	*rec = fake.session;
	return fake.find_session_err;
}

static int
fake_touch_session(void *ctx, const char *token_hash)
{
	fake.touches++;
	return 0;
}

static int
fake_revoke_session(void *ctx, const char *token_hash)
{
	fake.revokes++;
	return fake.revoke_err;
}

static void
setup(void)
{
	ck_assert_int_eq(password_init(), PASSWORD_OK);
	if (known_hash[0] == '\0') {
		ck_assert_int_eq(
		    password_hash(PW, strlen(PW), known_hash), PASSWORD_OK);
	}
	memset(&fake, 0, sizeof(fake));
	memset(&gates, 0, sizeof(gates));
	store = (struct account_store){&fake, fake_create_user, fake_find_login,
	    fake_record_failure, fake_start_session, fake_find_session,
	    fake_touch_session, fake_revoke_session};

	/* A known fan with no failures; a live session seen just now. */
	fake.login.exists = true;
	snprintf(fake.login.user.id, sizeof(fake.login.user.id), "u_1");
	snprintf(fake.login.user.email, sizeof(fake.login.user.email),
	    "fan@example.com");
	snprintf(fake.login.password_hash, sizeof(fake.login.password_hash),
	    "%s", known_hash);
	fake.login.now_s = NOW;
	fake.session.user = fake.login.user;
	fake.session.created_s = NOW - 3600;
	fake.session.last_seen_s = NOW - 10;
	fake.session.now_s = NOW;
}

static enum account_outcome
signup(const char *email, const char *pw, const char *name)
{
	return account_register(&store, &gate, email, strlen(email), pw,
	    strlen(pw), name, strlen(name), &out);
}

static enum account_outcome
signin(const char *email, const char *pw)
{
	enum account_outcome o = account_login(&store, &gate, email,
	    strlen(email), pw, strlen(pw), "192.0.2.1", &out);

	ck_assert_int_eq(gates.enters, gates.leaves); /* never a slot kept */
	return o;
}

START_TEST(register_signs_up_and_in)
{
	char hash[SESSION_TOKEN_HASH_HEX_LEN + 1];

	ck_assert_int_eq(
	    signup("  Fan@Example.COM ", PW, " Ann Lee "), ACCOUNT_OK);
	ck_assert_str_eq(fake.created.email, "fan@example.com");
	ck_assert_str_eq(fake.created.name, "Ann Lee");
	ck_assert_int_eq(fake.created.role, ROLE_FAN);
	ck_assert_int_eq(strncmp(fake.created.id, "u_", 2), 0);
	ck_assert_int_eq(password_verify(fake.hash, PW, strlen(PW)), 0);
	/* The store gets the token's hash, never the token. */
	ck_assert_uint_eq(strlen(out.token), SESSION_TOKEN_LEN);
	session_token_hash(out.token, hash);
	ck_assert_str_eq(fake.token_hash, hash);
	ck_assert_str_ne(fake.token_hash, out.token);
}
END_TEST

static const struct {
	const char *email, *password, *name, *field;
} bad_signups[] = {
    {"fan", PW, "Ann", "email"},
    {"fan@example", PW, "Ann", "email"},
    {"@example.com", PW, "Ann", "email"},
    {"fan@@example.com", PW, "Ann", "email"},
    {"fan @example.com", PW, "Ann", "email"},
    {"fan@exa mple.com", PW, "Ann", "email"},
    {"fan@example..com", PW, "Ann", "email"},
    {"fan@example.com.", PW, "Ann", "email"},
    {"fan@.com", PW, "Ann", "email"},
    {"fan@example.com", "short9byt", "Ann", "password"},
    {"fan@example.com", "", "Ann", "password"},
    {"fan@example.com", PW, "", "name"},
    {"fan@example.com", PW, "   ", "name"},
    {"fan@example.com", PW, "a\tb", "name"},
};

START_TEST(register_refuses_bad_fields)
{
	ck_assert_int_eq(signup(bad_signups[_i].email, bad_signups[_i].password,
	                     bad_signups[_i].name),
	    ACCOUNT_INVALID);
	ck_assert_str_eq(out.field, bad_signups[_i].field);
	ck_assert_int_eq(fake.creates, 0);
}
END_TEST

START_TEST(register_bounds)
{
	char pw[130], name[102], email[300];

	memset(pw, 'p', 128);
	pw[128] = '\0';
	ck_assert_int_eq(signup("a@b.co", pw, "Ann"), ACCOUNT_OK);
	memset(pw, 'p', 129);
	pw[129] = '\0';
	ck_assert_int_eq(signup("a@b.co", pw, "Ann"), ACCOUNT_INVALID);
	ck_assert_str_eq(out.field, "password");
	memset(pw, 'p', 10);
	pw[10] = '\0';
	ck_assert_int_eq(signup("a@b.co", pw, "Ann"), ACCOUNT_OK);

	memset(name, 'n', 100);
	name[100] = '\0';
	ck_assert_int_eq(signup("a@b.co", PW, name), ACCOUNT_OK);
	memset(name, 'n', 101);
	name[101] = '\0';
	ck_assert_int_eq(signup("a@b.co", PW, name), ACCOUNT_INVALID);
	ck_assert_str_eq(out.field, "name");

	memset(email, 'e', 255);
	memcpy(email + 245, "@b.example", 11);
	ck_assert_int_eq(signup(email, PW, "Ann"), ACCOUNT_INVALID);
	ck_assert_str_eq(out.field, "email");
}
END_TEST

START_TEST(register_email_taken)
{
	fake.create_err = TD_ERR_CONFLICT;
	ck_assert_int_eq(
	    signup("fan@example.com", PW, "Ann"), ACCOUNT_EMAIL_TAKEN);
	ck_assert_str_eq(out.token, ""); /* no session was started */
}
END_TEST

START_TEST(register_store_fails)
{
	fake.create_err = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(signup("fan@example.com", PW, "Ann"), ACCOUNT_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
	ck_assert_str_eq(out.token, "");
}
END_TEST

START_TEST(login_succeeds)
{
	ck_assert_int_eq(signin(" FAN@example.com", PW), ACCOUNT_OK);
	ck_assert_str_eq(out.user.id, "u_1");
	ck_assert_int_eq(fake.starts, 1);
	ck_assert_int_eq(fake.failures, 0);
	ck_assert_uint_eq(strlen(out.token), SESSION_TOKEN_LEN);
}
END_TEST

START_TEST(login_wrong_password)
{
	ck_assert_int_eq(signin("fan@example.com", "wrong password"),
	    ACCOUNT_BAD_CREDENTIALS);
	ck_assert_int_eq(fake.failures, 1);
	ck_assert_int_eq(fake.starts, 0);
	ck_assert_str_eq(out.token, "");
}
END_TEST

/* The same answer and the same bookkeeping as a wrong password. */
START_TEST(login_unknown_email)
{
	fake.login.exists = false;
	ck_assert_int_eq(
	    signin("nobody@example.com", PW), ACCOUNT_BAD_CREDENTIALS);
	ck_assert_int_eq(fake.failures, 1);
	ck_assert_str_eq(fake.failed_email, "nobody@example.com");
	ck_assert_int_eq(fake.starts, 0);
}
END_TEST

START_TEST(login_malformed_email)
{
	ck_assert_int_eq(signin("not an email", PW), ACCOUNT_BAD_CREDENTIALS);
	ck_assert_int_eq(fake.finds, 0);
}
END_TEST

/* Every failure costs a hash: the malformed email and the placeholder too. */
START_TEST(login_hashes_on_every_path)
{
	ck_assert_int_eq(signin("not an email", PW), ACCOUNT_BAD_CREDENTIALS);
	ck_assert_int_eq(gates.enters, 1);
	fake.login.exists = false;
	ck_assert_int_eq(
	    signin("nobody@example.com", PW), ACCOUNT_BAD_CREDENTIALS);
	ck_assert_int_eq(gates.enters, 2);
	fake.login.exists = true;
	snprintf(
	    fake.login.password_hash, sizeof(fake.login.password_hash), "!");
	ck_assert_int_eq(
	    signin("fan@example.com", "!"), ACCOUNT_BAD_CREDENTIALS);
	ck_assert_int_eq(gates.enters, 3);
}
END_TEST

START_TEST(login_gate_full)
{
	gates.busy = 1;
	ck_assert_int_eq(signin("fan@example.com", PW), ACCOUNT_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_BUSY);
	ck_assert_int_eq(fake.failures, 0); /* a refusal to try is no failure */
	ck_assert_int_eq(fake.starts, 0);
}
END_TEST

START_TEST(register_gate_full)
{
	gates.busy = 1;
	ck_assert_int_eq(signup("fan@example.com", PW, "Ann"), ACCOUNT_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_BUSY);
	ck_assert_int_eq(fake.creates, 0);
}
END_TEST

/* Everyone's failures slow everyone down only in far greater numbers. */
START_TEST(login_throttle_email_wide)
{
	fake.login.email_failures = 5 * ACCOUNT_EMAIL_SPREAD - 1;
	fake.login.email_last_failed_s = NOW;
	ck_assert_int_eq(signin("fan@example.com", PW), ACCOUNT_OK);
	fake.login.email_failures = 5 * ACCOUNT_EMAIL_SPREAD;
	ck_assert_int_eq(signin("fan@example.com", PW), ACCOUNT_THROTTLED);
	ck_assert_int_eq(out.retry_after_s, 1);
}
END_TEST

START_TEST(login_store_fails)
{
	fake.find_login_err = TD_ERR_BUSY;
	ck_assert_int_eq(signin("fan@example.com", PW), ACCOUNT_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_BUSY);
}
END_TEST

/* failures, seconds since the last, what a sign-in gets. */
static const struct {
	int failures;
	int64_t since;
	int retry_after;
} throttles[] = {
    {4, 0, 0},                                 /* under the free failures */
    {5, 0, 1},                                 /* the 6th try waits 1 s */
    {5, 1, 0},                                 /* and may go after it */
    {6, 0, 2},                                 /* then 2 s */
    {6, 1, 1}, {8, 3, 5},                      /* then 8 s */
    {20, 0, 300},                              /* at most 5 minutes */
    {20, 299, 1}, {20, 300, 0}, {20, 3600, 0}, /* old failures are forgiven */
};

START_TEST(login_throttle)
{
	fake.login.failures = throttles[_i].failures;
	fake.login.last_failed_s = NOW - throttles[_i].since;
	if (throttles[_i].retry_after > 0) {
		ck_assert_int_eq(
		    signin("fan@example.com", PW), ACCOUNT_THROTTLED);
		ck_assert_int_eq(out.retry_after_s, throttles[_i].retry_after);
		ck_assert_int_eq(fake.starts, 0);
		ck_assert_int_eq(fake.failures, 0); /* a wait is no failure */
	} else {
		ck_assert_int_eq(signin("fan@example.com", PW), ACCOUNT_OK);
	}
}
END_TEST

START_TEST(wait_after_failures)
{
	ck_assert_int_eq(account_wait_after(0), 0);
	ck_assert_int_eq(account_wait_after(4), 0);
	ck_assert_int_eq(account_wait_after(5), 1);
	ck_assert_int_eq(account_wait_after(7), 4);
	ck_assert_int_eq(account_wait_after(13), 256);
	ck_assert_int_eq(account_wait_after(14), ACCOUNT_MAX_WAIT_S);
	ck_assert_int_eq(account_wait_after(1000), ACCOUNT_MAX_WAIT_S);
}
END_TEST

static char token[SESSION_TOKEN_LEN + 1];

static enum account_outcome
authenticate(void)
{
	return account_authenticate(&store, token, strlen(token), &out);
}

static void
setup_token(void)
{
	setup();
	session_token_new(token);
}

START_TEST(session_authenticates)
{
	ck_assert_int_eq(authenticate(), ACCOUNT_OK);
	ck_assert_str_eq(out.user.id, "u_1");
	ck_assert_int_eq(fake.touches, 0); /* seen 10 s ago: no write */
}
END_TEST

START_TEST(session_touched_when_stale)
{
	fake.session.last_seen_s = NOW - SESSION_TOUCH_INTERVAL_S;
	ck_assert_int_eq(authenticate(), ACCOUNT_OK);
	ck_assert_int_eq(fake.touches, 1);
}
END_TEST

START_TEST(session_forged_shape)
{
	snprintf(token, sizeof(token), "short");
	ck_assert_int_eq(authenticate(), ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.session_finds, 0);
}
END_TEST

START_TEST(session_unknown_or_revoked)
{
	fake.find_session_err = TD_ERR_NOT_FOUND;
	ck_assert_int_eq(authenticate(), ACCOUNT_UNAUTHENTICATED);
}
END_TEST

START_TEST(session_past_absolute_expiry)
{
	fake.session.created_s = NOW - SESSION_ABSOLUTE_TTL_S;
	ck_assert_int_eq(authenticate(), ACCOUNT_UNAUTHENTICATED);
	fake.session.created_s = NOW - SESSION_ABSOLUTE_TTL_S + 1;
	ck_assert_int_eq(authenticate(), ACCOUNT_OK);
}
END_TEST

START_TEST(session_past_idle_expiry)
{
	fake.session.last_seen_s = NOW - SESSION_IDLE_TTL_S;
	ck_assert_int_eq(authenticate(), ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.touches, 0);
}
END_TEST

START_TEST(session_store_fails)
{
	fake.find_session_err = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(authenticate(), ACCOUNT_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
}
END_TEST

START_TEST(logout_revokes)
{
	ck_assert_int_eq(
	    account_logout(&store, token, strlen(token), &out), ACCOUNT_OK);
	ck_assert_int_eq(fake.revokes, 1);
}
END_TEST

START_TEST(logout_of_an_expired_session)
{
	fake.session.created_s = NOW - SESSION_ABSOLUTE_TTL_S;
	ck_assert_int_eq(account_logout(&store, token, strlen(token), &out),
	    ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.revokes, 0);
}
END_TEST

START_TEST(logout_raced_by_another_logout)
{
	fake.revoke_err = TD_ERR_NOT_FOUND;
	ck_assert_int_eq(account_logout(&store, token, strlen(token), &out),
	    ACCOUNT_UNAUTHENTICATED);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("accounts");
	TCase *reg = tcase_create("register");
	TCase *login = tcase_create("login");
	TCase *sess = tcase_create("sessions");

	/* Argon2id hashes take tens of milliseconds each. */
	tcase_set_timeout(reg, 30);
	tcase_set_timeout(login, 30);
	tcase_add_checked_fixture(reg, setup, NULL);
	tcase_add_test(reg, register_signs_up_and_in);
	tcase_add_loop_test(reg, register_refuses_bad_fields, 0,
	    sizeof(bad_signups) / sizeof(bad_signups[0]));
	tcase_add_test(reg, register_bounds);
	tcase_add_test(reg, register_email_taken);
	tcase_add_test(reg, register_store_fails);
	tcase_add_test(reg, register_gate_full);
	suite_add_tcase(s, reg);

	tcase_add_checked_fixture(login, setup, NULL);
	tcase_add_test(login, login_succeeds);
	tcase_add_test(login, login_wrong_password);
	tcase_add_test(login, login_unknown_email);
	tcase_add_test(login, login_malformed_email);
	tcase_add_test(login, login_store_fails);
	tcase_add_test(login, login_hashes_on_every_path);
	tcase_add_test(login, login_gate_full);
	tcase_add_test(login, login_throttle_email_wide);
	tcase_add_loop_test(
	    login, login_throttle, 0, sizeof(throttles) / sizeof(throttles[0]));
	tcase_add_test(login, wait_after_failures);
	suite_add_tcase(s, login);

	tcase_add_checked_fixture(sess, setup_token, NULL);
	tcase_add_test(sess, session_authenticates);
	tcase_add_test(sess, session_touched_when_stale);
	tcase_add_test(sess, session_forged_shape);
	tcase_add_test(sess, session_unknown_or_revoked);
	tcase_add_test(sess, session_past_absolute_expiry);
	tcase_add_test(sess, session_past_idle_expiry);
	tcase_add_test(sess, session_store_fails);
	tcase_add_test(sess, logout_revokes);
	tcase_add_test(sess, logout_of_an_expired_session);
	tcase_add_test(sess, logout_raced_by_another_logout);
	suite_add_tcase(s, sess);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
