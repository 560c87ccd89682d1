#!/bin/bash
# sd_notify(3) readiness protocol without systemd: a unix datagram socket
# in the test stands in for the service manager ($NOTIFY_SOCKET). netmond
# -f sends READY=1 once its plugins run, RELOADING=1 then READY=1 around a
# SIGHUP reload (also a refused one), STOPPING=1 at SIGTERM; an abstract
# socket name (@...) works too, and a forking netmond reports its own pid.
# Also the log targets: stderr in the foreground, the journal format when
# $JOURNAL_STREAM names stderr, and repeated identical lines held back.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || { echo "1..0 # SKIP python3 not installed"; exit 0; }
plan 12

# listen PATH OUT: receive datagrams on PATH, one per line in OUT ("\n" -> "|")
listen() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
path = sys.argv[1]
s.bind("\0" + path[1:] if path.startswith("@") else path)
open(sys.argv[2] + ".ready", "w").close()
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$1" "$2" &
	local pid=$!
	_pids="$_pids $pid"
	wait_for 10 test -e "$2.ready"
}
cat >"$TMP/n.conf" <<EOC
netmond = { interval = 3600; plugin_dir = "$PLUGDIR"; state_dir = "$TMP/state";
            control_socket = "$SOCK"; };
producer = { count = 0; };
EOC
mkdir -p "$TMP/state"
listen "$TMP/notify" "$TMP/dgrams"
ok $? "a datagram socket stands in for systemd"
NOTIFY_SOCKET="$TMP/notify" spawn PID "$NETMOND" -f -C "$TMP/n.conf" 2>"$TMP/log"
wait_for 15 grep -q '^READY=1' "$TMP/dgrams"
ok $? "READY=1 after start-up ($(head -1 "$TMP/dgrams"))"
grep -q "MAINPID=$PID\$" "$TMP/dgrams" && test -S "$SOCK"
ok $? "with MAINPID=$PID, and the control socket exists by then"
kill -HUP "$PID"
wait_for 15 sh -c "[ \$(grep -c '^READY=1' '$TMP/dgrams') -ge 2 ]"
ok $? "SIGHUP: READY=1 again after the reload"
[ "$(sed -n 2p "$TMP/dgrams" | cut -d'|' -f1)" = RELOADING=1 ] &&
	sed -n 2p "$TMP/dgrams" | grep -q 'MONOTONIC_USEC=[0-9]'
ok $? "RELOADING=1 (with MONOTONIC_USEC) before it ($(sed -n 2p "$TMP/dgrams"))"
# a refused reload (invalid file) is still bracketed
cp "$TMP/n.conf" "$TMP/n.good"
echo 'producer = { count = "x"; };' >>"$TMP/n.conf"
kill -HUP "$PID"
wait_for 15 sh -c "[ \$(grep -c '^READY=1' '$TMP/dgrams') -ge 3 ]" &&
	[ "$(sed -n 4p "$TMP/dgrams" | cut -d'|' -f1)" = RELOADING=1 ]
ok $? "a refused reload: RELOADING=1 then READY=1 too ($(sed -n 5p "$TMP/dgrams"))"
cp "$TMP/n.good" "$TMP/n.conf"
kill -TERM "$PID"
wait_exit "$PID" 20
[ "$EXIT_STATUS" = 0 ] && [ "$(tail -1 "$TMP/dgrams" | cut -d'|' -f1)" = STOPPING=1 ]
ok $? "SIGTERM: STOPPING=1, exit 0"

# abstract socket, forking netmond
listen "@netmon-test-$$-notify" "$TMP/dgrams2"
rm -f "$SOCK"
NOTIFY_SOCKET="@netmon-test-$$-notify" "$NETMOND" -C "$TMP/n.conf" -P "$TMP/pid" 2>"$TMP/log2"
rc=$?
wait_for 15 grep -q '^READY=1' "$TMP/dgrams2" && [ $rc = 0 ]
ok $? "abstract \$NOTIFY_SOCKET and a forking netmond: READY=1"
DPID=$(cat "$TMP/pid")
_pids="$_pids $DPID"
grep -q "MAINPID=$DPID\$" "$TMP/dgrams2"
ok $? "MAINPID is the daemon's pid ($DPID, from the pid file)"
kill -TERM "$DPID"
wait_for 20 sh -c "! kill -0 $DPID 2>/dev/null"

# ---- log targets
# journal: JOURNAL_STREAM names stderr's device:inode -> "<prio>source: text"
rm -f "$SOCK"
: >"$TMP/jlog"
JS=$(stat -c '%d:%i' "$TMP/jlog")
JOURNAL_STREAM=$JS spawn PID "$NETMOND" -f -C "$TMP/n.conf" 2>>"$TMP/jlog"
# (the "started" notice comes just after the control socket appears: wait
# for the notice itself, or a SIGTERM in between leaves no such line)
wait_for 15 grep -q 'core: netmond .* started' "$TMP/jlog"
kill -TERM "$PID"
wait_exit "$PID" 20
grep -q '^<5>core: netmond .* started' "$TMP/jlog" && ! grep -q '^20[0-9][0-9]-' "$TMP/jlog"
ok $? "stderr is the journal stream: lines carry <priority>, no time stamp ($(head -1 "$TMP/jlog"))"
rm -f "$SOCK"
spawn PID "$NETMOND" -f -C "$TMP/n.conf" 2>"$TMP/slog"
wait_for 15 grep -q 'core: netmond .* started' "$TMP/slog"
kill -TERM "$PID"
wait_exit "$PID" 20
grep -q '^20[0-9-]*T[0-9:]*[-+][0-9]* notice: core: netmond .* started' "$TMP/slog"
ok $? "plain stderr in the foreground: time stamp, level, source ($(head -1 "$TMP/slog"))"
# log = "stderr" needs the foreground
sed 's/^netmond = {/netmond = { log = "stderr";/' "$TMP/n.conf" >"$TMP/bad.conf"
"$NETMOND" -C "$TMP/bad.conf" -P "$TMP/pid3" 2>"$TMP/err3"
[ $? = 1 ] && grep -q 'needs -f' "$TMP/err3"
ok $? "log = \"stderr\" without -f is refused ($(cat "$TMP/err3"))"
finish
