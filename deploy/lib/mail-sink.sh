# The development mail sink of a stack: a real SMTP server on loopback (Debian's
# python3-aiosmtpd) that keeps every message it is given as one file of a Maildir,
# STACK_DIR/mail/new. Started only when MAIL_PORT is set (deploy/up sets 2525); a mailer points
# its SMTP URL at smtp://127.0.0.1:MAIL_PORT. Sourced by deploy/stack, after its paths are set.
# shellcheck shell=bash

MAIL_DIR=$STACK_DIR/mail
# As root, the sink runs as a system user of its own (made on its first start), which alone
# may enter its Maildir; when STACK_DIR is out of the services' reach, the Maildir is in
# SVC_HOME and STACK_DIR/mail a symlink to it, as for log/.
MAIL_USER=''
is_root && MAIL_USER=ticketd-mail
# Root writes it: in STACK_DIR, not RUN_DIR (the daemon's user's, who could put a link there).
MAIL_PIDFILE=$STACK_DIR/mail.pid
# Debian's interpreter: the one python3-aiosmtpd is installed for, whatever is first on PATH.
MAIL_PYTHON=/usr/bin/python3

# Whether pid itself listens on 127.0.0.1:MAIL_PORT: a port another process took answers a
# probe as well, and the sink would then have died on its bind while the start succeeded (its
# mail lost, the tests waiting for it until they time out). The listening socket's inode, from
# /proc/net/tcp (state 0A), must be one of pid's descriptors.
mail_listens() {
	local pid=$1 port inode

	# 127.0.0.1 as the kernel prints it, in either byte order; the port in hex (decimal, even
	# with a leading zero, as the sink reads it).
	port=$(printf '%04X' "$((10#$MAIL_PORT))")
	inode=$(awk -v p="$port" '($2 == "0100007F:" p || $2 == "7F000001:" p) && $4 == "0A" { print $10; exit }' \
		/proc/net/tcp)
	[ -n "$inode" ] && [ -n "$(find "/proc/$pid/fd" -lname "socket:\[$inode\]" -print -quit 2>/dev/null)" ]
}

# The Maildir (messages are written in tmp/ and moved into new/ whole), the sink's user's.
# Sets home, where it is (what the sink's user can reach), and run_as, what the sink is
# started under.
maildir_create() {
	local d

	home=$MAIL_DIR
	run_as=()
	if [ "$SVC_HOME" != "$STACK_DIR" ]; then
		home=$SVC_HOME/mail
		if [ ! -L "$MAIL_DIR" ]; then
			# A stack made before the sink had a user: its mail moves along (unless the new
			# place has some already, which then wins).
			[ ! -d "$MAIL_DIR" ] || [ -e "$home" ] || mv "$MAIL_DIR" "$home"
			rm -rf "$MAIL_DIR"
			ln -s "$home" "$MAIL_DIR"
		fi
	fi
	if [ -z "$MAIL_USER" ]; then
		mkdir -p "$home/new" "$home/cur" "$home/tmp"
		return 0
	fi
	system_user_ensure "$MAIL_USER"
	svc_dir "$home" "$MAIL_USER" "$MAIL_USER" 700
	# Inside the sink's directory its user could put links: -h changes a link, never its target.
	for d in new cur tmp; do
		[ -e "$home/$d" ] || [ -L "$home/$d" ] || runuser -u "$MAIL_USER" -- mkdir "$home/$d"
		chown -h "$MAIL_USER:$MAIL_USER" "$home/$d"
	done
	run_as=(setpriv --reuid="$MAIL_USER" --regid="$MAIL_USER" --clear-groups --)
}

mail_start() {
	local i pid run_as home

	[ -n "$MAIL_PORT" ] || return 0
	"$MAIL_PYTHON" -c 'import aiosmtpd' 2>/dev/null ||
		die "the mail sink needs python3-aiosmtpd (apt-get install python3-aiosmtpd)"
	maildir_create
	log "starting the mail sink on 127.0.0.1:$MAIL_PORT (messages land in $MAIL_DIR/new)"
	# From /: the sink's user may not enter the directory this script runs in.
	(cd / && exec setsid "${run_as[@]}" "$MAIL_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$MAIL_PORT" \
		-c aiosmtpd.handlers.Mailbox "$home") </dev/null >>"$LOG_DIR/mail.log" 2>&1 9>&- &
	pid=$!
	printf '%s\n' "$pid" >"$MAIL_PIDFILE"
	# Ready when it listens itself (bounded: a taken port fails the start). Whether it still
	# runs is asked of the pid itself: until the child has exec'd Python its command line is
	# this script's, and pid_alive's name check failed the start at random (seen in CI).
	for ((i = 0; i < 100; i++)); do
		if mail_listens "$pid"; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail_log "$LOG_DIR/mail.log" 10
	die "the mail sink did not start on 127.0.0.1:$MAIL_PORT (is the port taken? set MAIL_PORT)"
}

mail_stop() {
	local pid

	pid=$(read_pid "$MAIL_PIDFILE")
	# Where a sink started before 35ce215 wrote its pid.
	pid_alive "$pid" aiosmtpd || pid=$(read_pid "$RUN_DIR/mail.pid")
	if pid_alive "$pid" aiosmtpd; then
		log "stopping the mail sink (pid $pid)"
		kill -TERM "$pid"
		wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$MAIL_PIDFILE"
}
