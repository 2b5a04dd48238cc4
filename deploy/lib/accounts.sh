# Accounts made by operators' scripts (deploy/add-admin, deploy/up's demo accounts), straight in
# the database: the password is hashed by `ticketd --hash-password` (Argon2id, read from standard
# input, never in argv), and every value reaches PostgreSQL as a psql variable, never spliced
# into SQL text. Sourced after common.sh, with DATABASE_URL set.
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

# account_exists EMAIL: exits 0 when an account has this (normalised) email.
account_exists() {
	local n

	n=$(psql -X -q -At -v ON_ERROR_STOP=1 -v "email=$1" "$DATABASE_URL" <<'SQL'
SELECT count(*) FROM users WHERE email = lower(btrim(:'email'));
SQL
	)
	[ "$n" = 1 ]
}

# account_upsert EMAIL NAME ROLE [HASH]: creates the account, or sets the role (and the hash,
# when one is given) of an existing one. Prints the account's id.
account_upsert() {
	local email=$1 name=$2 role=$3 hash=${4:-}

	psql -X -q -At -v ON_ERROR_STOP=1 -v "email=$email" -v "name=$name" -v "role=$role" \
		-v "hash=$hash" "$DATABASE_URL" <<'SQL'
INSERT INTO users (id, email, name, password_hash, role)
VALUES ('u_' || replace(gen_random_uuid()::text, '-', ''), lower(btrim(:'email')), :'name',
        CASE WHEN :'hash' = '' THEN '!' ELSE :'hash' END, :'role')
ON CONFLICT (email) DO UPDATE
SET role = EXCLUDED.role,
    password_hash = CASE WHEN :'hash' = '' THEN users.password_hash ELSE EXCLUDED.password_hash END
RETURNING id;
SQL
}
