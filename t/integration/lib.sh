# netmon integration tests: TAP helpers and process management.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
#
# Source from a test script. Every process started with `spawn` is
# killed by pid at exit; every file lives under $TMP.

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
NETMOND="$top_builddir/netmond"
# Tests run as root on CI machines; netmond refuses to run plugins as root
# unless told (daemon.sh checks the refusal with this unset).
export NETMOND_ALLOW_ROOT=1
NETMONCTL="$top_builddir/netmonctl"
PLUGDIR="$top_builddir/t/plugins"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/netmon-it.XXXXXX")
SOCK="$TMP/netmond.sock"
_n=0
_failed=0
_pids=""

cleanup() {
	for p in $_pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

plan() { echo "1..$1"; }

ok() { # ok CONDITION-STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_failed=$((_failed + 1))
		return 1
	fi
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# check DESCRIPTION COMMAND...: one test case, the command's status.
check() {
	local d=$1
	shift
	if "$@"; then ok 0 "$d"; else ok 1 "$d"; fi
}

# spawn VAR COMMAND...: start in the background, remember the pid in VAR.
# When COMMAND is $NETMOND and NETMOND_WRAPPER is set (e.g. "valgrind
# --log-file=..."; words split on blanks), it runs under the wrapper,
# which must exec netmond in the same process (as valgrind does).
spawn() {
	local var=$1
	shift
	if [ "$1" = "$NETMOND" ] && [ -n "${NETMOND_WRAPPER:-}" ]; then
		set -- $NETMOND_WRAPPER "$@"
	fi
	"$@" &
	local pid=$!
	_pids="$_pids $pid"
	eval "$var=$pid"
}

# wait_for SECONDS COMMAND...: poll until the command succeeds, trying
# SECONDS * 20 times 50 ms apart, and for at most 3 * SECONDS of wall time
# (a command that is slow to answer, e.g. under ASan on a loaded machine,
# must not stretch a 60 s wait into half an hour).
wait_for() {
	local limit=$1 i=0 end=$((SECONDS + 3 * $1))
	shift
	while [ $i -lt $((limit * 20)) ] && [ "$SECONDS" -le "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# wait_exit PID SECONDS: wait for a process to end; sets EXIT_STATUS.
wait_exit() {
	local pid=$1 limit=$2 i=0
	while kill -0 "$pid" 2>/dev/null; do
		[ $i -ge $((limit * 20)) ] && return 1
		sleep 0.05
		i=$((i + 1))
	done
	wait "$pid"
	EXIT_STATUS=$?
	_pids=$(echo "$_pids" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
	return 0
}

# free_port: a port number no TCP or UDP socket on this machine uses now
# (the test then binds it on 127.0.0.1 or ::1).
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		ss -Htuan 2>/dev/null | awk '{print $5}' | grep -q ":$p\$" ||
			{ echo "$p"; return 0; }
	done
	return 1
}

ctl() { "$NETMONCTL" -s "$SOCK" "$@"; }

# stat_of JQ-EXPRESSION: one value from `netmonctl stats --json`.
stat_of() { ctl stats --json | jq -r "$1"; }

finish() {
	[ "$_failed" -eq 0 ]
	exit $?
}
