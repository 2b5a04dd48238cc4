# Shared helpers for the deploy/ scripts. Sourced, never executed.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
export REPO_ROOT

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# The newest PostgreSQL server binaries Debian installed (PG_BINDIR overrides).
pg_bindir() {
	local dir

	if [ -n "${PG_BINDIR:-}" ]; then
		printf '%s\n' "$PG_BINDIR"
		return
	fi
	dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
	[ -n "$dir" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
	printf '%s\n' "$dir"
}

# psql, pg_isready and the rest of the client tools of the server's own version, ahead of
# Debian's /usr/bin/psql: that is a Perl wrapper choosing a version, and costs about 100 ms
# of CPU a call on a small machine (measured on 2 cores: 140 ms against 44 ms for the binary),
# which the tests and the cluster's checks pay hundreds of times. Call once the server package
# is installed.
pg_client_first() {
	PATH=$(pg_bindir):$PATH
	export PATH
}

# Debian packages the build, the stack and the tests need. Callers add their own extras.
# shellcheck disable=SC2034 # used by the scripts that source this file
BASE_PACKAGES=(build-essential autoconf automake libtool pkg-config
	libfcgi-dev libjson-c-dev libpq-dev uuid-dev check libsodium-dev libcurl4-openssl-dev libqrencode-dev
	nginx postgresql postgresql-client curl ca-certificates haproxy python3-aiosmtpd
	openssl logrotate)

# deploy/cluster's failover manager and pooler.
# shellcheck disable=SC2034 # used by the scripts that source this file
CLUSTER_PACKAGES=(postgresql-15-auto-failover pg-auto-failover-cli pgbouncer)

# Installs whichever of the named Debian packages are missing. As root only: a user without root
# gets a list of what to install instead, and the build fails later if something is really missing.
ensure_packages() {
	local missing=() pkg

	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$pkg")
		fi
	done
	[ "${#missing[@]}" -gt 0 ] || return 0

	if ! is_root; then
		log "missing Debian packages (run as root, or: sudo apt-get install ${missing[*]})"
		return 0
	fi
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# node >= 18 for the test runner and the front end; Debian's nodejs only where none is present.
ensure_node() {
	if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
		return 0
	fi
	ensure_packages nodejs npm
	command -v node >/dev/null 2>&1 || die "node is not installed"
}

# autoreconf once, then configure into BUILD_DIR (relative to the repo) with the given flags
# whenever the build dir has no Makefile or configure changed, then make.
build_tree() {
	local dir=$1
	shift

	[ -f "$REPO_ROOT/configure.ac" ] || die "no configure.ac yet: the daemon's build files are missing"
	if [ ! -x "$REPO_ROOT/configure" ] || [ "$REPO_ROOT/configure.ac" -nt "$REPO_ROOT/configure" ] ||
		[ "$REPO_ROOT/Makefile.am" -nt "$REPO_ROOT/configure" ]; then
		log "autoreconf -fi"
		(cd "$REPO_ROOT" && autoreconf -fi) >&2 || die "autoreconf failed"
	fi
	mkdir -p "$REPO_ROOT/$dir"
	if [ ! -f "$REPO_ROOT/$dir/Makefile" ] || [ "$REPO_ROOT/configure" -nt "$REPO_ROOT/$dir/Makefile" ]; then
		log "configuring $dir $*"
		(cd "$REPO_ROOT/$dir" && ../configure "$@") >&2 || die "configure failed (see $dir/config.log)"
	fi
	log "building $dir"
	make -C "$REPO_ROOT/$dir" -j"$(nproc)" >&2 || die "build failed in $dir"
}

# Builds the React front end when it exists, and gzips what Vite wrote for gzip_static.
build_web() {
	local web=$REPO_ROOT/src/web

	[ -f "$web/package.json" ] || return 0
	ensure_node
	if [ ! -d "$web/node_modules" ] || [ "$web/package.json" -nt "$web/node_modules" ] ||
		{ [ -f "$web/package-lock.json" ] && [ "$web/package-lock.json" -nt "$web/node_modules" ]; }; then
		log "npm ci in src/web"
		# npm ci refuses a lock file without entries for other platforms' optional packages
		# (tailwind's oxide binaries, as npm writes it here); install from it without saving.
		if ! (cd "$web" && npm ci --no-audit --no-fund) >&2; then
			log "npm ci refused src/web/package-lock.json: npm install --no-save instead"
			(cd "$web" && npm install --no-save --no-audit --no-fund) >&2 || die "npm install failed in src/web"
		fi
		touch "$web/node_modules"
	fi
	log "building the front end"
	(cd "$web" && npm run build) >&2 || die "front-end build failed"
	gzip_assets "$web/dist"
}

# Vite writes no .gz of its own (the front end's postbuild may, and Vite empties dist/ on every
# build): every compressible file without a .gz beside it gets one, for gzip_static.
gzip_assets() {
	[ -d "$1" ] || return 0
	find "$1" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.css' -o -name '*.html' \
		-o -name '*.svg' -o -name '*.json' -o -name '*.txt' -o -name '*.map' \) \
		-exec sh -c 'for f; do [ -f "$f.gz" ] || gzip -9 -k -n "$f"; done' sh {} +
}

# Reads KEY='value' lines written by deploy/stack into the environment. The operators' scripts
# that call it (migrate, psql, add-concert, add-admin, check-invariants) act as the tables'
# owner: DATABASE_URL becomes OWNER_DATABASE_URL (the daemon's role may not add a concert).
load_stack_env() {
	local file=${STACK_DIR:-$REPO_ROOT/var}/stack.env

	[ -f "$file" ] || die "no $file: is the stack running? (deploy/up)"
	# shellcheck disable=SC1090
	. "$file"
	DATABASE_URL=${OWNER_DATABASE_URL:-$DATABASE_URL}
}

# ensure_ticket_key BIN FILE: the tickets' signing key (32 random bytes, mode 0600) at FILE, made
# by `BIN --generate-ticket-key` when there is none. A key that exists is kept: every code signed
# with it stays valid. Two scripts racing here are fine: the file is created with O_EXCL.
ensure_ticket_key() {
	local bin=$1 file=$2 err

	[ -e "$file" ] && return 0
	[ -x "$bin" ] || die "no daemon at $bin to make the ticket key $file"
	log "making the ticket signing key $file"
	err=$("$bin" --generate-ticket-key "$file" 2>&1 >/dev/null) || [ -e "$file" ] ||
		die "cannot make the ticket key: $err"
}
