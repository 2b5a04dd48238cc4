# Accounts made by operators' scripts (deploy/add-admin, deploy/up's demo accounts), straight in
# the database: the password is hashed by `ticketd --hash-password` (Argon2id, read from standard
# input, never in argv), and every value reaches PostgreSQL through psql's environment
# (\getenv), neither spliced into SQL text nor visible in the process list. Sourced after
# common.sh, with DATABASE_URL set.
# shellcheck shell=bash

# A random password of 24 URL-safe characters (144 bits).
random_password() {
	head -c 18 /dev/urandom | base64 | tr '+/' '-_'
}

# The Argon2id hash of the password on standard input.
hash_password() {
	local bin=${TICKETD_BIN:-$REPO_ROOT/build/ticketd}

	[ -x "$bin" ] || die "no daemon at $bin to hash the password (deploy/up builds it)"
	"$bin" --hash-password
}

# account_sql SQL: runs SQL with :'email', :'name', :'role', :'hash' taken from the environment
# (ACCOUNT_EMAIL, ACCOUNT_NAME, ACCOUNT_ROLE, ACCOUNT_HASH); prints the result.
account_sql() {
	{
		printf '%s\n' '\getenv email ACCOUNT_EMAIL' '\getenv name ACCOUNT_NAME' \
			'\getenv role ACCOUNT_ROLE' '\getenv hash ACCOUNT_HASH'
		printf '%s\n' "$1"
	} | psql -X -q -At -v ON_ERROR_STOP=1 "$DATABASE_URL"
}

# account_role EMAIL: the role of the account with this (normalised) email, or nothing.
account_role() {
	ACCOUNT_EMAIL=$1 ACCOUNT_NAME='' ACCOUNT_ROLE='' ACCOUNT_HASH='' \
		account_sql "SELECT role FROM users WHERE email = lower(btrim(:'email'));"
}

# account_upsert EMAIL NAME ROLE [HASH]: creates the account, or sets the role (and the hash,
# when one is given) of an existing one, revoking its sessions whenever either changes (a
# session never gains a role it was not signed in with). Prints the account's id.
account_upsert() {
	ACCOUNT_EMAIL=$1 ACCOUNT_NAME=$2 ACCOUNT_ROLE=$3 ACCOUNT_HASH=${4:-} account_sql "
WITH u AS (
    INSERT INTO users (id, email, name, password_hash, role)
    VALUES ('u_' || replace(gen_random_uuid()::text, '-', ''), lower(btrim(:'email')), :'name',
            CASE WHEN :'hash' = '' THEN '!' ELSE :'hash' END, :'role')
    ON CONFLICT (email) DO UPDATE
    SET role = EXCLUDED.role,
        password_hash = CASE WHEN :'hash' = '' THEN users.password_hash
                             ELSE EXCLUDED.password_hash END
    RETURNING id
), revoked AS (
    UPDATE sessions SET revoked_at = now()
    WHERE user_id = (SELECT id FROM u) AND revoked_at IS NULL
)
SELECT id FROM u;"
}
