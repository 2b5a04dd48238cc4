#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang straight from src/ (no configure),
# replays every saved crash in tests/fuzz/regressions/<target>/, then fuzzes each target for a
# bounded time under ASan + UBSan (+ LeakSanitizer) from its seed corpus and dictionary.
# Any crash, leak, sanitizer report or assertion fails the target and exits non-zero.
# Each target is a TAP line on stdout ("ok 1 - fuzz_http_edge ..."), then the plan "1..N", and
# the last line is exactly "N passed, N failed" (one count per target). Progress goes to stderr.
#
#   tests/fuzz/run.sh [seconds]      fuzz each target that long (default 60; CI uses the default)
#   tests/fuzz/run.sh 0              build and replay seeds and regressions only, no fuzzing
#   FUZZ_TARGETS="fuzz_http_edge" tests/fuzz/run.sh 600     one target, ten minutes
#
# Work files live in build-fuzz/ (gitignored): objects, binaries, the growing corpus
# (build-fuzz/corpus/<target>, kept between runs) and crash artifacts
# (build-fuzz/artifacts/<target>/). Keep a crash as a regression test:
#   cp build-fuzz/artifacts/<target>/crash-<sha1> tests/fuzz/regressions/<target>/<what-it-is>
# A crash reproduces alone with: build-fuzz/<target> <file>
set -uo pipefail

FUZZ_DIR=$(cd "$(dirname "$0")" && pwd -P)
REPO_ROOT=$(cd "$FUZZ_DIR/../.." && pwd -P)
BUILD=$REPO_ROOT/build-fuzz
SECONDS_EACH=${1:-60}
read -r -a TARGETS <<<"${FUZZ_TARGETS:-fuzz_booking_request fuzz_http_edge}"
CC=${FUZZ_CC:-clang}

log() { printf 'fuzz: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	printf 'not ok 1 - %s\n1..1\n' "${*//#/\\#}"
	printf '0 passed, 1 failed\n'
	exit 1
}

case $SECONDS_EACH in '' | *[!0-9]*) die "seconds must be a whole number, not '$SECONDS_EACH'" ;; esac

# --- what the build needs ---------------------------------------------------------------------

missing_packages() {
	local pkg

	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s\n' "$pkg"
	done
}

ensure_packages() {
	local missing

	mapfile -t missing < <(missing_packages "$@")
	[ "${#missing[@]}" -gt 0 ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		log "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"
		return 0
	fi
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		die "apt-get install ${missing[*]} failed"
}

# clang is the compiler, libclang-rt-14-dev carries libFuzzer and the sanitizer runtimes.
ensure_packages clang libclang-rt-14-dev pkg-config libjson-c-dev uuid-dev libpq-dev libfcgi-dev libsodium-dev \
	libcurl4-openssl-dev libqrencode-dev
command -v "$CC" >/dev/null || die "$CC is not installed"

# --- build ------------------------------------------------------------------------------------

# shellcheck disable=SC2054 # the commas belong to the flag
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
CFLAGS=(-g -O1 -std=gnu11 -I "$BUILD/include" -I "$REPO_ROOT/src")
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags json-c uuid libpq libsodium libcurl libqrencode)" || die "pkg-config failed"
read -r -a PKG_LIBS <<<"$(pkg-config --libs json-c uuid libpq libsodium libcurl libqrencode)" || die "pkg-config failed"

# The sources include the "config.h" that configure writes; the fuzz build needs only what
# AC_USE_SYSTEM_EXTENSIONS and AC_INIT put there.
write_config_h() {
	mkdir -p "$BUILD/include"
	cat >"$BUILD/include/config.h.tmp" <<'EOF'
/* config.h for the fuzz build (tests/fuzz/run.sh): no configure run. */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif
#define PACKAGE "ticketd"
#define PACKAGE_NAME "ticketd"
#define PACKAGE_STRING "ticketd fuzz"
#define PACKAGE_VERSION "fuzz"
EOF
	if cmp -s "$BUILD/include/config.h.tmp" "$BUILD/include/config.h"; then
		rm -f "$BUILD/include/config.h.tmp"
	else
		mv "$BUILD/include/config.h.tmp" "$BUILD/include/config.h"
	fi
}

# Every daemon source but main.c (libFuzzer brings its own main); the handlers that need the
# database are linked but never reached (see fuzz_http_edge.c).
compile_sources() {
	local src obj

	mkdir -p "$BUILD/obj"
	OBJS=()
	for src in "$REPO_ROOT"/src/*/*.c; do
		[ "$(basename "$src")" = main.c ] && continue
		obj=$BUILD/obj/$(basename "${src%.c}").o
		if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$BUILD/include/config.h" -nt "$obj" ] ||
			[ -n "$(find "$REPO_ROOT/src" -mindepth 2 -maxdepth 2 -name '*.h' -newer "$obj" -print -quit)" ]; then
			"$CC" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer-no-link -Wall -Wextra \
				-Wno-unused-parameter "${PKG_CFLAGS[@]}" -c "$src" -o "$obj" || return 1
		fi
		OBJS+=("$obj")
	done
}

link_target() {
	local t=$1

	"$CC" "${CFLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer -Wall -Wextra -Werror \
		"${PKG_CFLAGS[@]}" "$FUZZ_DIR/$t.c" "${OBJS[@]}" -o "$BUILD/$t" "${PKG_LIBS[@]}" -lfcgi
}

log "building in $BUILD with $("$CC" --version | head -n 1)"
write_config_h
compile_sources || die "compiling src/ for fuzzing failed"
for t in "${TARGETS[@]}"; do
	[ -f "$FUZZ_DIR/$t.c" ] || die "no target $FUZZ_DIR/$t.c"
	link_target "$t" || die "linking $t failed"
done

# --- run --------------------------------------------------------------------------------------

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0
failed=0
report=()

# Replays every kept crash input: each must now pass.
replay_regressions() {
	local t=$1 dir=$FUZZ_DIR/regressions/$1 files=()

	[ -d "$dir" ] && mapfile -t files < <(find "$dir" -type f ! -name '.*' ! -name '*.md' | LC_ALL=C sort)
	if [ "${#files[@]}" -eq 0 ]; then
		log "$t: no regression inputs"
		return 0
	fi
	log "$t: replaying ${#files[@]} regression input(s)"
	"$BUILD/$t" -runs=1 "${files[@]}" >"$BUILD/$t.regressions.log" 2>&1 && return 0
	tail -n 60 "$BUILD/$t.regressions.log" >&2
	log "$t: a regression input fails again (full log: $BUILD/$t.regressions.log)"
	return 1
}

fuzz_target() {
	local t=$1 work=$BUILD/corpus/$1 art=$BUILD/artifacts/$1/ rc args

	mkdir -p "$work" "$art"
	args=(-dict="$FUZZ_DIR/$t.dict" -max_len=4096 -timeout=10 -rss_limit_mb=2048
		-artifact_prefix="$art" -print_final_stats=1)
	if [ "$SECONDS_EACH" -eq 0 ]; then
		# Seeds only: every file once, no mutation.
		log "$t: replaying the seed corpus"
		"$BUILD/$t" "${args[@]}" -runs=0 "$work" "$FUZZ_DIR/corpus/$t" >"$BUILD/$t.log" 2>&1
	else
		log "$t: fuzzing for ${SECONDS_EACH}s"
		"$BUILD/$t" "${args[@]}" -max_total_time="$SECONDS_EACH" "$work" "$FUZZ_DIR/corpus/$t" \
			>"$BUILD/$t.log" 2>&1
	fi
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' "$BUILD/$t.log" |
		sed "s/^/fuzz: $t: /" >&2
	[ "$rc" -eq 0 ] && return 0
	tail -n 80 "$BUILD/$t.log" >&2
	log "$t: exit $rc; the input is in $art (full log: $BUILD/$t.log)"
	log "$t: keep it: cp $art<crash-file> tests/fuzz/regressions/$t/<name>"
	return 1
}

for t in "${TARGETS[@]}"; do
	start=$(date +%s)
	if replay_regressions "$t" && fuzz_target "$t"; then
		passed=$((passed + 1))
		report+=("$(printf '%-22s ok      %4ds' "$t" $(($(date +%s) - start)))")
		printf 'ok %d - %s: regressions and %ss of fuzzing\n' $((passed + failed)) "$t" "$SECONDS_EACH"
	else
		failed=$((failed + 1))
		report+=("$(printf '%-22s FAILED  %4ds' "$t" $(($(date +%s) - start)))")
		printf 'not ok %d - %s: see %s\n' $((passed + failed)) "$t" "$BUILD/$t.log"
	fi
done
printf '1..%d\n' $((passed + failed))

printf '\n== fuzz summary\n' >&2
printf '  %s\n' "${report[@]}" >&2
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
