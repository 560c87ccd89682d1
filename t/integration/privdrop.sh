#!/bin/bash
# Privilege drop: netmond started as root with netmond.user = "nobody"
# (group nogroup) runs every thread as that uid/gid; with an icmp group it
# keeps exactly CAP_NET_RAW (permitted and effective, bounding set cut to
# it, inheritable and ambient empty), and ICMP keeps working, also after a
# SIGHUP reload that opens the raw socket again as nobody. Without an icmp
# group it keeps no capability at all. Skipped unless run as root.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root"
	exit 0
fi
for tool in jq; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 0; }
done
if ! getent passwd nobody >/dev/null || ! getent group nogroup >/dev/null; then
	echo "1..0 # SKIP no user nobody / group nogroup"
	exit 0
fi
# The test needs CAP_SETPCAP (to cut the bounding set) and CAP_NET_RAW.
bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
if [ $(( 0x$bnd & (1 << 8) )) = 0 ] || [ $(( 0x$bnd & (1 << 13) )) = 0 ]; then
	echo "1..0 # SKIP no CAP_SETPCAP or CAP_NET_RAW in this container"
	exit 0
fi
HAVE_ICMP=0
[ -e "$top_builddir/plugins/icmp/icmp.la" ] && HAVE_ICMP=1
plan 9

UID_NOBODY=$(id -u nobody)
GID_NOGROUP=$(getent group nogroup | cut -d: -f3)
CAP_NET_RAW_MASK=0000000000002000   # 1 << 13, capabilities(7)
chmod 755 "$TMP"   # nobody must reach its state_dir inside

# conf NAME BODY
conf() {
	mkdir -p "$TMP/state-$1"
	cat >"$TMP/$1.conf" <<EOC
netmond = { interval = 3600; user = "nobody"; group = "nogroup";
            plugin_dir = "$top_builddir/plugins/icmp";
            state_dir = "$TMP/state-$1"; control_socket = "$TMP/state-$1/netmond.sock"; };
$2
EOC
}
start() {
	spawn "PID_$1" "$NETMOND" -f -C "$TMP/$1.conf" 2>>"$TMP/log.$1"
	# the control socket exists before the drop; the log line comes after
	wait_for 15 test -S "$TMP/state-$1/netmond.sock" &&
	wait_for 15 grep -q 'running as user nobody' "$TMP/log.$1"
}
field() { awk -v k="$2:" '$1 == k {print $2, $3, $4, $5}' "/proc/$1/status"; }
# every_task PID KEY VALUE: the field is VALUE in every thread of PID
every_task() {
	local t bad=0
	for t in /proc/$1/task/*; do
		v=$(awk -v k="$2:" '$1 == k {print $2}' "$t/status")
		[ "$v" = "$3" ] || { bad=1; diag "task ${t##*/}: $2 $v, expected $3"; }
	done
	return $bad
}

# ---- 1. no icmp: nothing kept
conf plain ''
start plain
ok $? "netmond starts as root and drops to nobody" || diag "$(tail -n 5 "$TMP/log.plain")"
P=$PID_plain
[ "$(field $P Uid)" = "$UID_NOBODY $UID_NOBODY $UID_NOBODY $UID_NOBODY" ] &&
[ "$(field $P Gid)" = "$GID_NOGROUP $GID_NOGROUP $GID_NOGROUP $GID_NOGROUP" ] &&
[ "$(awk '/^Groups:/ {print $2 $3}' /proc/$P/status)" = "$GID_NOGROUP" ]
ok $? "real, effective, saved and fs uid/gid are nobody/nogroup, no supplementary groups ($(field $P Uid) / $(field $P Gid))"
every_task $P CapEff 0000000000000000 && every_task $P CapPrm 0000000000000000 &&
every_task $P CapInh 0000000000000000 && every_task $P CapAmb 0000000000000000 &&
every_task $P CapBnd 0000000000000000
ok $? "without icmp: no capability left (CapEff/CapPrm/CapInh/CapAmb/CapBnd of all $(ls /proc/$P/task | wc -l) threads are 0)"
kill -TERM $P
wait_exit $P 20
ok $? "it stops on SIGTERM"

# ---- 2. with icmp (raw socket): CAP_NET_RAW kept, ICMP works
if [ $HAVE_ICMP = 0 ]; then
	for i in 1 2 3 4 5; do ok 0 "# SKIP icmp plugin not built"; done
	finish
fi
conf icmp 'icmp = { socket = "raw"; interval = 1; pings = 3; timeout = 0.3; spread = false;
  targets = ( { name = "lo"; address = "127.0.0.1"; } ); };'
start icmp
ok $? "netmond with the icmp plugin (raw socket) starts and drops to nobody" || diag "$(tail -n 5 "$TMP/log.icmp")"
P=$PID_icmp
SOCK="$TMP/state-icmp/netmond.sock"
# The main thread (which opens the sockets) keeps CAP_NET_RAW; threads
# started before the drop (libraries', the worker pool's) lost every
# capability in the setuid() glibc applies to all threads. The bounding
# set was cut before any thread started, so it is the same in all.
threads_ok() {
	local t bad=0
	for t in /proc/$P/task/*; do
		[ "${t##*/}" = $P ] && continue
		for k in CapEff CapPrm; do
			v=$(awk -v k="$k:" '$1 == k {print $2}' "$t/status")
			case $v in 0000000000000000|$CAP_NET_RAW_MASK) ;; *) bad=1; diag "task ${t##*/}: $k $v" ;; esac
		done
	done
	return $bad
}
[ "$(awk '/^CapEff/ {print $2}' /proc/$P/status)" = $CAP_NET_RAW_MASK ] &&
[ "$(awk '/^CapPrm/ {print $2}' /proc/$P/status)" = $CAP_NET_RAW_MASK ] &&
every_task $P CapBnd $CAP_NET_RAW_MASK &&
threads_ok && every_task $P CapInh 0000000000000000 && every_task $P CapAmb 0000000000000000 &&
[ "$(field $P Uid)" = "$UID_NOBODY $UID_NOBODY $UID_NOBODY $UID_NOBODY" ]
ok $? "with icmp: uid nobody, CapEff = CapPrm = CAP_NET_RAW only (other threads: at most that), CapBnd = CAP_NET_RAW in every thread, CapInh = CapAmb = 0 ($(grep ^Cap /proc/$P/status | tr '\n\t' '  '))"
# rounds_ok N: at least N rounds, every probe answered in the last one
rounds_ok() {
	local j
	j=$(stat_of '.plugins.icmp.details.targets.lo')
	[ "$(echo "$j" | jq -r .rounds)" -ge "$1" ] &&
	[ "$(echo "$j" | jq -r .loss)" = 0 ] &&
	[ "$(echo "$j" | jq -r .received)" -gt 0 ]
}
wait_for 20 rounds_ok 2
ok $? "ping 127.0.0.1 after the drop: loss 0 ($(stat_of '.plugins.icmp.details.targets.lo | {rounds, sent, received, loss}' | tr -d ' \n'))"
# The reload opens the plugin again as nobody: it must be able to read it.
if ! runuser -u nobody -- test -r "$top_builddir/plugins/icmp/icmp.la" 2>/dev/null; then
	ok 0 "# SKIP nobody cannot read $top_builddir/plugins/icmp (reload as nobody)"
	ok 0 "# SKIP nobody cannot read $top_builddir/plugins/icmp (reload as nobody)"
	finish
fi
kill -HUP $P
wait_for 20 sh -c "grep -q 'reloaded' '$TMP/log.icmp'"
ok $? "SIGHUP reload as nobody (the raw socket is opened again with CAP_NET_RAW)" ||
	diag "$(tail -n 5 "$TMP/log.icmp")"
wait_for 20 rounds_ok 2
ok $? "ping 127.0.0.1 after the reload: loss 0 ($(stat_of '.plugins.icmp.details.targets.lo | {rounds, sent, received, loss}' | tr -d ' \n'))" ||
	diag "$(tail -n 5 "$TMP/log.icmp")"
finish
