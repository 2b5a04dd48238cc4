#!/usr/bin/env bash
# Browser tests of ticketd in Debian's Chromium (playwright-core, no browser
# download) against a running stack:
#
#   PAYMENT_DECLINE_RATE=0 deploy/up && tests/e2e/run.sh    deploy/up's stack (BASE_URL
#                                                            defaults to http://localhost:8080)
#   tests/e2e/run.sh booking.test.mjs                       one file
#
# Concerts are created per test with deploy/add-concert (it reads
# STACK_DIR/stack.env; STACK_DIR defaults to <repo>/var). deploy/test runs this
# against a throwaway stack with STACK_DIR and DATABASE_URL exported, which
# also enables the outage test (it stops and restarts the stack's ticketd)
# and the database row counts. Screenshots of the pages land in screenshots/;
# a failed test leaves its page in screenshots-tmp/.
# Prints node's test summary, then "N passed, N failed" as the last line; E2E_TAP=file also
# keeps node's TAP output in file (deploy/test counts that).
set -euo pipefail
cd "$(dirname "$0")"

export BASE_URL=${BASE_URL:-http://localhost:8080}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
[ -x "$CHROMIUM" ] || {
	echo "run.sh: no Chromium at $CHROMIUM (apt-get install chromium)" >&2
	exit 1
}
if ! curl -fsS -o /dev/null --max-time 5 "$BASE_URL/health"; then
	echo "run.sh: no healthy stack at $BASE_URL (deploy/up starts one)" >&2
	exit 1
fi

# The tests expect every card payment to go through, as deploy/test arranges.
if [ -f "${STACK_DIR:-../../var}/stack.env" ] &&
	! grep -q "^PAYMENT_DECLINE_RATE='0\(\.0*\)\{0,1\}'$" "${STACK_DIR:-../../var}/stack.env"; then
	echo "run.sh: warning: the stack was not started with PAYMENT_DECLINE_RATE=0; random declines can fail tests" >&2
fi

if [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules ]; then
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules
fi

files=("$@")
[ "${#files[@]}" -gt 0 ] || mapfile -t files < <(ls -1 ./*.test.mjs | LC_ALL=C sort)
rm -rf screenshots-tmp

# E2E_TAP=file keeps node's TAP there (deploy/test counts it); else a temporary file.
if [ -n "${E2E_TAP:-}" ]; then
	tap=$E2E_TAP
else
	tap=$(mktemp)
	trap 'rm -f "$tap"' EXIT
fi
# One file at a time: the outage test stops the daemon the others use.
set +e
node --test --test-concurrency=1 --test-timeout=180000 \
	--test-reporter=spec --test-reporter-destination=stdout \
	--test-reporter=tap --test-reporter-destination="$tap" \
	"${files[@]}"
rc=$?
set -e

pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
fail=$((${fail:-0} + ${cancelled:-0}))
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
# A failed scenario keeps its page as screenshots-tmp/<name>.png (pages/ holds every run's pictures).
compgen -G 'screenshots-tmp/*.png' >/dev/null && echo "run.sh: pages of failed tests: tests/e2e/screenshots-tmp/" >&2
echo "${pass:-0} passed, $fail failed"
exit "$rc"
