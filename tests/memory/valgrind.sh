#!/usr/bin/env bash
# Memory test of the daemon without sanitizers: ticketd (master and workers) runs under valgrind
# memcheck in a throwaway stack (PostgreSQL + ticketd + nginx, deploy/stack), serves a few hundred
# mixed requests through nginx -- every endpoint and every answer: 200, 201, 204, 400, 401, 402,
# 403, 404, 405, 409, 413, 415, 422 -- as fans with sessions made in the database (as
# tests/integration/lib/fans.mjs makes them) and one signed up through the API, and is stopped
# gracefully (SIGTERM: the master drains, workers exit).
# Then every process's valgrind log must show no invalid read or write, no use of uninitialised
# memory and no "definitely lost" block. Last, the same binary runs without valgrind and the
# resident size of each worker after 200 and after 2000 requests must stay within a small margin
# (a per-request leak shows up there even when the block stays reachable).
# Each check is a TAP line on stdout as it ends ("ok 3 - ..." / "not ok 4 - ..."), the plan
# "1..N" follows the last one, and the last line is exactly "N passed, N failed"; any failure
# exits non-zero. Progress goes to stderr.
#
#   tests/memory/valgrind.sh
#   KEEP_STACK=1 tests/memory/valgrind.sh     keep the stack's directory for a post-mortem
#   RSS_MARGIN_KB=256 RSS_REQUESTS=5000 tests/memory/valgrind.sh
#
# Builds build-valgrind/ (../configure CFLAGS='-O1 -g'); valgrind logs stay in
# build-valgrind/valgrind/vg.<pid>.log. Installs valgrind and the base packages when run as root.
set -uo pipefail

MEM_DIR=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source-path=SCRIPTDIR source=../../deploy/lib/common.sh
. "$MEM_DIR/../../deploy/lib/common.sh"

BUILD=build-valgrind
VG_DIR=$REPO_ROOT/$BUILD/valgrind
RSS_MARGIN_KB=${RSS_MARGIN_KB:-64}
RSS_WARMUP=${RSS_WARMUP:-200}
RSS_REQUESTS=${RSS_REQUESTS:-2000}
VG_EXIT=99

passed=0
failed=0
results=()
STACK_UP=0

check() {
	local name=$1 ok=$2 detail=${3:-}

	if [ "$ok" -eq 0 ]; then
		passed=$((passed + 1))
		results+=("ok      $name${detail:+  ($detail)}")
	else
		failed=$((failed + 1))
		results+=("FAILED  $name${detail:+  ($detail)}")
	fi
	# TAP: a '#' in the description would start a directive.
	printf '%sok %d - %s\n' "$([ "$ok" -eq 0 ] || echo 'not ')" $((passed + failed)) \
		"${name//#/\\#}${detail:+ (${detail//#/\\#})}"
	log "$([ "$ok" -eq 0 ] && echo ok || echo FAILED): $name${detail:+ ($detail)}"
}

finish() {
	cleanup
	phase 'memory summary'
	printf '  %s\n' "${results[@]}" >&2
	printf '1..%d\n' $((passed + failed))
	printf '%d passed, %d failed\n' "$passed" "$failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

cleanup() {
	[ "$STACK_UP" -eq 1 ] || return 0
	STACK_UP=0
	if [ -n "${KEEP_STACK:-}" ]; then
		STACK_DIR=$STACK_DIR "$REPO_ROOT/deploy/stack" stop >/dev/null 2>&1
		log "kept the stack in $STACK_DIR"
	else
		STACK_DIR=$STACK_DIR "$REPO_ROOT/deploy/stack" destroy >/dev/null 2>&1
		rm -rf "$WORK"
	fi
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

# phase FORMAT [ARGS]: a section header with the seconds since the start.
phase() {
	local title

	# shellcheck disable=SC2059 # the format is ours
	printf -v title "$@"
	printf '\n== %s  [%ds]\n' "$title" "$SECONDS" >&2
}

# A port nobody listens on, starting from a random one.
free_port() {
	local p

	for ((p = $1 + RANDOM % 2000; p < $1 + 4000; p++)); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# --- build and stack --------------------------------------------------------------------------

ensure_packages "${BASE_PACKAGES[@]}" valgrind
command -v valgrind >/dev/null || {
	check "valgrind installed" 1
	finish
}

phase 'build (%s, no sanitizers)' "$BUILD"
if ! (build_tree "$BUILD" CFLAGS='-O1 -g'); then
	check "build $BUILD" 1
	finish
fi
TICKETD_REAL=$REPO_ROOT/$BUILD/ticketd
if grep -q -- '-fsanitize' "$REPO_ROOT/$BUILD/Makefile"; then
	check "build $BUILD without sanitizers" 1 "its Makefile has -fsanitize: delete $BUILD"
	finish
fi

# valgrind follows the workers through fork(); each process writes its own log. The wrapper's
# path holds "ticketd" so deploy/stack recognises the process it started.
WRAPPER=$REPO_ROOT/$BUILD/ticketd-valgrind
cat >"$WRAPPER" <<EOF
#!/bin/sh
# Written by tests/memory/valgrind.sh: ticketd under valgrind memcheck.
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite --track-origins=yes --num-callers=30 \\
	--trace-children=yes --child-silent-after-fork=no --error-exitcode=$VG_EXIT \\
	--suppressions="$MEM_DIR/valgrind.supp" --log-file="$VG_DIR/vg.%p.log" \\
	"$TICKETD_REAL" "\$@"
EOF
chmod +x "$WRAPPER"
rm -rf "$VG_DIR"
mkdir -p "$VG_DIR"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ticketd-mem.XXXXXX")
STACK_DIR=$WORK/stack
PORT=$(free_port 20000) || PORT=28431
PG_PORT=$(free_port 40000) || PG_PORT=48431
BASE=http://127.0.0.1:$PORT

start_stack() {
	# TICKETD_USER=root: valgrind writes its logs into the build tree, which the daemon's own
	# unprivileged user cannot (every other stack drops to it).
	TICKETD_USER=root STACK_DIR=$STACK_DIR PORT=$PORT PG_PORT=$PG_PORT TICKETD_BIN=$1 RATE_LIMIT=off MICROCACHE=off \
		PAYMENT_DECLINE_RATE=0 PAYMENT_LATENCY_MS=0 TICKETD_READ_WORKERS=1 \
		TICKETD_BOOK_WORKERS=1 LOG_LEVEL=info \
		"$REPO_ROOT/deploy/stack" start
}

phase 'stack under valgrind (port %s, PostgreSQL %s)' "$PORT" "$PG_PORT"
STACK_UP=1
if ! start_stack "$WRAPPER"; then
	check "stack starts with ticketd under valgrind" 1
	finish
fi
check "stack starts with ticketd under valgrind" 0
# shellcheck disable=SC1091
. "$STACK_DIR/stack.env"

# A concert of our own: a big tier for thousands of bookings, a tiny one to sell out. Its limit
# per fan is the highest there is; the load below spreads its bookings over fans besides.
CONCERT=$(STACK_DIR=$STACK_DIR "$REPO_ROOT/deploy/add-concert" --max-per-fan 100 "Memory Test" "Valgrind Hall" \
	2030-01-01T20:00:00Z big:1000000:1.00 tiny:1:5.00) || {
	check "add a test concert" 1
	finish
}
# Tier ids are the box office's own (t_ and 32 hex digits): looked up by name.
tier_id() {
	printf '%s\n' "SELECT id FROM ticket_tiers WHERE concert_id = :'concert' AND tier_name = :'name';" |
		psql -X -q -At -v ON_ERROR_STOP=1 -v concert="$CONCERT" -v name="$1" "$DATABASE_URL"
}
BIG=$(tier_id big) && TINY=$(tier_id tiny) && [ -n "$BIG" ] && [ -n "$TINY" ] || {
	check "find the test concert's tiers" 1
	finish
}

# --- fans ---------------------------------------------------------------------------------------

# Fans straight in the database, as tests/integration/lib/fans.mjs makes them: a user row that
# cannot sign in ('!') and sessions whose 256-bit token only we hold (the database keeps its
# SHA-256). FAN_IDS[i] and FAN_TOKENS[i]: fan i and its session; SPARE_TOKENS: more sessions of
# fan 0, one per logout.
FAN_IDS=()
FAN_TOKENS=()
SPARE_TOKENS=()
new_token() { head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='; }
token_hash() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# make_fans N SPARES: N fans, and SPARES extra sessions of the first one.
make_fans() {
	local n=$1 spares=$2 i hex tok users='' sessions=''

	for ((i = 0; i < n; i++)); do
		hex=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
		tok=$(new_token)
		FAN_IDS+=("u_$hex")
		FAN_TOKENS+=("$tok")
		users+="${users:+,}('u_$hex','mem-$hex@example.com','Memory fan ${hex:0:6}','!','fan')"
		sessions+="${sessions:+,}('$(token_hash "$tok")','u_$hex')"
	done
	for ((i = 0; i < spares; i++)); do
		tok=$(new_token)
		SPARE_TOKENS+=("$tok")
		sessions+=",('$(token_hash "$tok")','${FAN_IDS[0]}')"
	done
	psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_URL" \
		-c "INSERT INTO users (id, email, name, password_hash, role) VALUES $users" \
		-c "INSERT INTO sessions (token_hash, user_id) VALUES $sessions"
}

MIXED_ROUNDS=12
RSS_FANS=20 # the RSS load's bookings (one ticket each) spread over these, far below the limit
if ! make_fans $((2 + RSS_FANS)) "$MIXED_ROUNDS"; then
	check "make test fans in the database" 1
	finish
fi
ME=${FAN_IDS[0]}     # the mixed load's fan
OTHER=${FAN_IDS[1]}  # another fan: its id in a body is 403, its view of ME's booking 404
# AS: the session token a request is sent with (empty: signed out).
AS=${FAN_TOKENS[0]}
ORIGIN= # an Origin header for the next request (empty: none)
RUN_DIR=$(dirname "$TICKETD_READ_SOCKET")

# The worker of a pool: the child of the master that holds the pool's listening socket.
worker_of() {
	local sock=$1 inode pid master stat line fd

	inode=$(awk -v path="$sock" '$NF == path {print $7; exit}' /proc/net/unix)
	[ -n "$inode" ] || return 1
	# The master's own pidfile; under valgrind the wrapper exec()s, so that is the same pid.
	master=$(tr -dc 0-9 <"$RUN_DIR/ticketd.pid" 2>/dev/null)
	[ -n "$master" ] || master=$(tr -dc 0-9 <"$STACK_DIR/ticketd.spawned.pid")
	for stat in /proc/[0-9]*/stat; do
		# Fields after the command name (which may hold spaces): state, ppid, ...
		read -r line <"$stat" 2>/dev/null || continue
		# shellcheck disable=SC2086 # split into fields on purpose
		set -- ${line##*) }
		[ "${2:-}" = "$master" ] || continue
		pid=${stat#/proc/}
		pid=${pid%/stat}
		for fd in "/proc/$pid/fd/"*; do
			if [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ]; then
				printf '%s\n' "$pid"
				return 0
			fi
		done
	done
	return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# --- requests ---------------------------------------------------------------------------------

# Requests are written to a curl config file and sent by one curl (keep-alive to nginx); each
# prints "<status> <expected> <what>", compared at the end.
BODIES=$WORK/bodies
mkdir -p "$BODIES"
nbody=0

# Builtins only (no subshell per request): a few thousand requests are written in seconds.
# new_key: a fresh idempotency key in UUID.
new_key() { read -r UUID </proc/sys/kernel/random/uuid; }

# booking CONCERT TIER QTY TOTAL KEY [EXTRA-MEMBERS]: a booking body in BODY (no userId: the
# booking is the signed-in fan's; an EXTRA-MEMBER may name one).
booking() {
	printf -v BODY '{"concertId":"%s","tickets":[{"tierId":"%s","quantity":%s}],"idempotencyKey":"%s","totalAmount":%s%s}' \
		"$1" "$2" "$3" "$5" "$4" "${6:+,$6}"
}

# post CONFIG EXPECTED [CONTENT-TYPE]: adds POST /api/bookings with BODY as its body.
post() {
	nbody=$((nbody + 1))
	printf '%s' "$BODY" >"$BODIES/$nbody.json"
	add "$1" "$2" POST /api/bookings "${3:-application/json}" "$BODIES/$nbody.json"
}

# add CONFIG EXPECTED METHOD PATH [CONTENT-TYPE BODY-FILE]
add() {
	local cfg=$1 want=$2 method=$3 path=$4 ctype=${5:-} file=${6:-} sep=

	[ -s "$cfg" ] && sep=next
	{
		[ -n "$sep" ] && printf '%s\n' "$sep"
		printf 'url = "%s%s"\n' "$BASE" "$path"
		# -I for HEAD: curl then expects no body.
		if [ "$method" = HEAD ]; then printf 'head\n'; else printf 'request = "%s"\n' "$method"; fi
		[ -n "$ctype" ] && printf 'header = "Content-Type: %s"\n' "$ctype"
		[ -n "$AS" ] && printf 'header = "Cookie: ticketd_session=%s"\n' "$AS"
		[ -n "$ORIGIN" ] && printf 'header = "Origin: %s"\n' "$ORIGIN"
		[ -n "$file" ] && printf 'data-binary = "@%s"\n' "$file"
		printf 'output = "/dev/null"\n'
		printf 'write-out = "%%{http_code} %s %s %s\\n"\n' "$want" "$method" "$path"
		printf 'max-time = 60\n'
	} >>"$cfg"
}

# send CONFIG NAME: sends every request, records one check for the statuses.
send() {
	local cfg=$1 name=$2 out=$WORK/$2.out n want bad

	curl -s -K "$cfg" >"$out" 2>"$WORK/$2.err"
	n=$(wc -l <"$out")
	want=$(grep -c '^url = ' "$cfg")
	bad=$(awk '$1 != $2' "$out")
	if [ "$n" -ne "$want" ]; then
		tail -n 5 "$WORK/$2.err" >&2
		check "$name" 1 "$n answers to $want requests"
	elif [ -n "$bad" ]; then
		log "$name: unexpected answers (status, expected, request):"
		printf '%s\n' "$bad" | sort | uniq -c | head -n 20 >&2
		check "$name" 1 "$(printf '%s\n' "$bad" | wc -l) of $n answers unexpected"
	else
		check "$name" 0 "$n requests, $(awk '{print $1}' "$out" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')"
	fi
}

# post_json PATH BODY: one request now, as fan 0, its answer on stdout.
post_json() {
	curl -s -m 60 -H 'Content-Type: application/json' -H "Cookie: ticketd_session=${FAN_TOKENS[0]}" \
		--data-binary "$2" "$BASE$1"
}

# json_file NAME TEXT: TEXT in a body file; its path in FILE.
json_file() {
	FILE=$BODIES/$1.json
	printf '%s' "$2" >"$FILE"
}

booking_id_of() { grep -o '"id":"bk_[0-9a-f]*"' | head -n 1 | cut -d'"' -f4; }

# The mixed load: reads, every booking outcome, lookups, cancellations, 404/405/413/415, and the
# accounts: sign-up, sign-in (right and wrong), the fan's own pages, sign-out, 401 and 403.
mixed_requests() {
	local cfg=$1 rounds=$2 i key held bk cancelled email

	# Bookings made here for lookups and cancellations.
	new_key
	booking "$CONCERT" "$BIG" 1 1.00 "$UUID"
	bk=$(post_json /api/bookings "$BODY" | booking_id_of)
	new_key
	booking "$CONCERT" "$BIG" 2 2.00 "$UUID"
	cancelled=$(post_json /api/bookings "$BODY" | booking_id_of)
	post_json "/api/bookings/$cancelled/cancel" '' >/dev/null
	# The tiny tier's only ticket is sold: later requests for it are 409.
	new_key
	booking "$CONCERT" "$TINY" 1 5.00 "$UUID"
	post_json /api/bookings "$BODY" >/dev/null
	new_key
	held=$UUID
	booking "$CONCERT" "$BIG" 3 3.00 "$held"
	post_json /api/bookings "$BODY" >/dev/null
	if [ -z "$bk" ] || [ -z "$cancelled" ]; then
		log "the first bookings failed: no booking id in the answer"
		return 1
	fi
	printf '{"pad":"%070000d"}' 0 >"$BODIES/over-limit.json"

	# Once: each hashes a password (Argon2id), which valgrind makes slow. Sign-up, sign-in, then
	# a wrong password (after the right one: failures slow an email's next sign-in down).
	read -r email </proc/sys/kernel/random/uuid
	email="mem-${email:0:8}@example.com"
	json_file register "{\"email\":\"$email\",\"password\":\"correct horse battery\",\"name\":\"Memory Signup\"}"
	AS= add "$cfg" 201 POST /api/auth/register application/json "$FILE"
	json_file login "{\"email\":\"$email\",\"password\":\"correct horse battery\"}"
	AS= add "$cfg" 200 POST /api/auth/login application/json "$FILE"
	json_file wrong "{\"email\":\"$email\",\"password\":\"wrong horse battery\"}"
	AS= add "$cfg" 401 POST /api/auth/login application/json "$FILE"
	json_file empty '{}'

	for ((i = 0; i < rounds; i++)); do
		add "$cfg" 200 GET /health
		add "$cfg" 200 GET /api/concerts
		add "$cfg" 200 GET /api/concerts/concert_001
		add "$cfg" 200 HEAD "/api/concerts/$CONCERT"
		add "$cfg" 200 GET "/api/concerts/$CONCERT/availability"
		add "$cfg" 404 GET /api/concerts/no_such_concert
		add "$cfg" 404 GET /api/concerts/no_such_concert/availability
		add "$cfg" 400 GET /api/concerts/bad.id
		add "$cfg" 404 GET /api/nothing_here
		add "$cfg" 405 DELETE /api/concerts
		new_key
		key=$UUID
		booking "$CONCERT" "$BIG" 2 2.00 "$key"
		post "$cfg" 201
		post "$cfg" 200 # the same key and body again: the recorded answer
		booking "$CONCERT" "$BIG" 1 1.00 "$held"
		post "$cfg" 422
		new_key
		booking "$CONCERT" "$TINY" 1 5.00 "$UUID"
		post "$cfg" 409
		new_key
		booking "$CONCERT" "$BIG" 1 1.00 "$UUID" '"paymentMethod":"test_decline"'
		post "$cfg" 402
		new_key
		booking no_such_concert "$BIG" 1 1.00 "$UUID"
		post "$cfg" 404
		new_key
		booking "$CONCERT" "$BIG" 1 9.99 "$UUID"
		post "$cfg" 400
		booking "$CONCERT" "$BIG" 1.5 1.00 "$UUID"
		post "$cfg" 400
		BODY='{"concertId":"c","userId":"\ud800\u0000","tickets":[]} trailing'
		post "$cfg" 400
		BODY='{"a":[[[[[[[[[[[1]]]]]]]]]]]}'
		post "$cfg" 400
		booking "$CONCERT" "$BIG" 1 1.00 "$UUID"
		post "$cfg" 415 text/plain
		add "$cfg" 413 POST /api/bookings application/json "$BODIES/over-limit.json"
		add "$cfg" 405 GET /api/bookings
		add "$cfg" 200 GET "/api/bookings/$bk"
		add "$cfg" 404 GET /api/bookings/bk_00000000000000000000000000000000
		add "$cfg" 415 POST "/api/bookings/$cancelled/cancel" # a change of state needs application/json
		add "$cfg" 409 POST "/api/bookings/$cancelled/cancel" application/json
		add "$cfg" 404 POST /api/bookings/bk_00000000000000000000000000000000/cancel application/json
		# Sessions and ownership.
		new_key
		booking "$CONCERT" "$BIG" 1 1.00 "$UUID" "\"userId\":\"$ME\""
		post "$cfg" 201
		new_key
		booking "$CONCERT" "$BIG" 1 1.00 "$UUID" "\"userId\":\"$OTHER\""
		post "$cfg" 403
		new_key
		booking "$CONCERT" "$BIG" 1 1.00 "$UUID"
		AS= post "$cfg" 401
		ORIGIN=https://elsewhere.example post "$cfg" 403
		AS=${FAN_TOKENS[1]} add "$cfg" 404 GET "/api/bookings/$bk"
		AS= add "$cfg" 401 GET "/api/bookings/$bk"
		AS=$(new_token) add "$cfg" 401 GET /api/me
		add "$cfg" 200 GET /api/me
		AS= add "$cfg" 401 GET /api/me
		add "$cfg" 200 GET /api/me/bookings
		add "$cfg" 200 GET "/api/me/bookings?cursor=$bk"
		add "$cfg" 400 GET "/api/me/bookings?cursor=bad.id"
		AS= add "$cfg" 200 GET /api/config
		add "$cfg" 405 GET /api/auth/logout
		AS=${SPARE_TOKENS[i]} add "$cfg" 204 POST /api/auth/logout application/json "$BODIES/empty.json"
		AS=${SPARE_TOKENS[i]} add "$cfg" 401 GET /api/me # signed out for good
		AS= add "$cfg" 401 POST /api/auth/logout application/json "$BODIES/empty.json"
		AS= add "$cfg" 400 POST /api/auth/login application/json "$BODIES/empty.json"
	done
	# One cancellation that succeeds.
	add "$cfg" 200 POST "/api/bookings/$bk/cancel" application/json
}

phase 'requests through nginx to ticketd under valgrind'
: >"$WORK/mixed.cfg"
if ! mixed_requests "$WORK/mixed.cfg" "$MIXED_ROUNDS"; then
	check "mixed requests under valgrind answer as expected" 1 "the setup bookings failed"
else
	send "$WORK/mixed.cfg" "mixed requests under valgrind answer as expected"
fi

# --- graceful stop, then the valgrind logs ------------------------------------------------------

phase 'graceful stop (SIGTERM drains)'
master=$TICKETD_PID
vg_book=$(worker_of "$TICKETD_BOOK_SOCKET")
vg_read=$(worker_of "$TICKETD_READ_SOCKET")
STACK_DIR=$STACK_DIR "$REPO_ROOT/deploy/stack" ticketd-stop
if kill -0 "$master" 2>/dev/null; then
	check "ticketd drains and exits on SIGTERM" 1 "master $master still alive"
elif grep -q 'still busy after' "$TICKETD_LOG"; then
	check "ticketd drains and exits on SIGTERM" 1 "workers had to be killed: $(grep 'still busy' "$TICKETD_LOG" | tail -n 1)"
else
	check "ticketd drains and exits on SIGTERM" 0
fi

phase 'valgrind logs (%s)' "$VG_DIR"
mapfile -t vglogs < <(find "$VG_DIR" -name 'vg.*.log' | LC_ALL=C sort)
[ "${#vglogs[@]}" -ge 3 ] && ok=0 || ok=1
check "valgrind logs of the master and both workers" "$ok" "${#vglogs[@]} logs"
for f in "${vglogs[@]}"; do
	pid=${f##*/vg.}
	pid=${pid%.log}
	case $pid in
	"$master") role=master ;;
	"$vg_book") role="booking worker" ;;
	"$vg_read") role="read worker" ;;
	*) role=process ;;
	esac
	problems=()
	grep -q 'HEAP SUMMARY' "$f" || problems+=("no heap summary: the process did not exit normally")
	grep -q 'Process terminating with default action' "$f" && problems+=("killed by a signal")
	grep -qE 'Invalid (read|write|free)|Mismatched free|uninitialised|Source and destination overlap' "$f" &&
		problems+=("memory errors")
	grep -qE 'definitely lost: [1-9]' "$f" && problems+=("$(grep -oE 'definitely lost: [0-9,]+ bytes in [0-9,]+ blocks' "$f" | head -n 1)")
	grep -qE 'ERROR SUMMARY: [1-9]' "$f" && problems+=("$(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$f" | tail -n 1)")
	if [ "${#problems[@]}" -gt 0 ]; then
		sed -n '/^==[0-9]*== \(Invalid\|Conditional\|Use of\|Syscall\|Mismatched\|Source\)/,/^==[0-9]*== $/p;/definitely lost in/,/^==[0-9]*== $/p' "$f" |
			head -n 120 >&2
		check "valgrind $role $pid: no invalid access, no definite leak" 1 "$(IFS=';'; echo "${problems[*]}")"
	else
		check "valgrind $role $pid: no invalid access, no definite leak" 0 \
			"$(grep -oE 'total heap usage: [0-9,]+ allocs, [0-9,]+ frees' "$f" | tail -n 1)"
	fi
done

# --- resident size per request, without valgrind ----------------------------------------------


# rss_load CONFIG N: N requests for each pool, alternating answers; the bookings as fans 2.. in
# turn (one ticket each: 500 for the default N, 25 a fan).
rss_load() {
	local cfg=$1 n=$2 i key

	: >"$cfg"
	for ((i = 0; i < n / 4; i++)); do
		AS=${FAN_TOKENS[2 + i % RSS_FANS]}
		new_key
		booking "$CONCERT" "$BIG" 1 1.00 "$UUID"
		post "$cfg" 201
		post "$cfg" 200
		new_key
		booking "$CONCERT" "$TINY" 1 5.00 "$UUID"
		post "$cfg" 409
		booking "$CONCERT" "$BIG" 11 11.00 "$UUID"
		post "$cfg" 400
		add "$cfg" 200 GET /api/concerts
		add "$cfg" 200 GET "/api/concerts/$CONCERT/availability"
		add "$cfg" 404 GET /api/concerts/no_such_concert
		add "$cfg" 200 GET /health
	done
	AS=${FAN_TOKENS[0]}
}

phase 'resident size of the workers without valgrind (%s then %s requests each)' \
	"$RSS_WARMUP" "$RSS_REQUESTS" >&2
if ! STACK_DIR=$STACK_DIR TICKETD_BIN=$TICKETD_REAL "$REPO_ROOT/deploy/stack" ticketd-start; then
	check "ticketd restarts without valgrind" 1
	finish
fi
for ((i = 0; i < 100; i++)); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health")" = 200 ] && break
	sleep 0.1
done
book_pid=$(worker_of "$TICKETD_BOOK_SOCKET")
read_pid=$(worker_of "$TICKETD_READ_SOCKET")
if [ -z "$book_pid" ] || [ -z "$read_pid" ]; then
	check "find the booking and read workers" 1
	finish
fi

rss_load "$WORK/warm.cfg" "$RSS_WARMUP"
send "$WORK/warm.cfg" "first $RSS_WARMUP requests per pool answer as expected"
book_warm=$(rss_kb "$book_pid")
read_warm=$(rss_kb "$read_pid")
rss_load "$WORK/more.cfg" $((RSS_REQUESTS - RSS_WARMUP))
send "$WORK/more.cfg" "next $((RSS_REQUESTS - RSS_WARMUP)) requests per pool answer as expected"
book_end=$(rss_kb "$book_pid")
read_end=$(rss_kb "$read_pid")

for w in "booking worker $book_pid:$book_warm:$book_end" "read worker $read_pid:$read_warm:$read_end"; do
	IFS=: read -r name before after <<<"$w"
	grow=$((after - before))
	[ "$grow" -le "$RSS_MARGIN_KB" ] && ok=0 || ok=1
	check "$name RSS flat from request $RSS_WARMUP to $RSS_REQUESTS" "$ok" \
		"${before} kB -> ${after} kB, +${grow} kB, margin ${RSS_MARGIN_KB} kB"
done

STACK_DIR=$STACK_DIR "$REPO_ROOT/deploy/stack" ticketd-stop
finish
