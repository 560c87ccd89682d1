#!/bin/bash
# Issue 12, rrd: the RRD directory on a full file system. netmond runs in
# its own mount namespace (unshare -m) with the directory on a 256 KiB
# tmpfs: about half of the 40 files fit. Intake continues, the files that
# cannot be created are counted (errors.no_space) and their values kept;
# when the tmpfs is made larger, the files are created and every sample is
# written. Needs root (CI runs tests as root).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null; then
	echo "1..0 # SKIP needs root, unshare and nsenter (mounts a small tmpfs)"
	exit 0
fi
for tool in rrdtool jq; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
if ! unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$TMP'" 2>/dev/null; then
	echo "1..0 # SKIP cannot mount a tmpfs in a mount namespace here"
	exit 0
fi
plan 5

SERIES=40
N=300          # rounds, one every 0.05 s
START=1700000000
STEP=10
R="$TMP/rrd"
mkdir -p "$R"
cat >"$TMP/f.conf" <<EOC
netmond = { interval = 3600; plugin_dir = "$top_builddir/plugins/rrd:$top_builddir/t/data/rrd";
  state_dir = "$TMP/state"; control_socket = "$SOCK"; log_level = "info"; };
rrdfeed = { series = $SERIES; count = $N; step = $STEP; start = $START; interval = 0.05; };
rrd = { directory = "$R"; types_db = "$top_srcdir/etc/types.db"; rra_timespans = [ 3600 ];
  cache_timeout = 0.2; flush_interval = 0.1; };
EOC
# rrd files of 360 rows x 3 RRAs: ~9 KiB each, so about 25 fit in 256 KiB
spawn PID unshare -m sh -c "mount -t tmpfs -o size=256k tmpfs '$R' && exec '$NETMOND' -f -C '$TMP/f.conf'" 2>"$TMP/log"
wait_for 20 test -S "$SOCK"
in_ns() { nsenter -t "$PID" -m "$@"; }
wait_for 30 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.errors.no_space')\" -gt 0 ]"
ok $? "full disk: files that cannot be created are counted ($(stat_of .plugins.rrd.details.errors.no_space) updates held back so far)" ||
	diag "$(ctl stats --json | jq -c .plugins.rrd.details)"
made=$(in_ns find "$R" -name '*.rrd' | wc -l)
r1=$(stat_of '.plugins.rrdfeed.counters.rounds')
sleep 2
r2=$(stat_of '.plugins.rrdfeed.counters.rounds')
[ "$r2" -gt "$r1" ] && [ "$(stat_of '.plugins.rrd.counters.received')" -ge $((r1 * SERIES)) ] &&
[ "$made" -gt 0 ] && [ "$made" -lt $SERIES ]
ok $? "intake continues on the full disk ($made of $SERIES files fit; rounds $r1 → $r2 received)"
[ "$(stat_of '.plugins.rrd.details.errors | .update + .create + .journal + .journal_full')" = 0 ]
ok $? "no value dropped while full" || diag "$(ctl stats --json | jq -c .plugins.rrd.details.errors)"
in_ns mount -o remount,size=16m "$R"
wait_for 60 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrdfeed.counters.rounds')\" = $N ] &&
	[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.updates_written')\" = $((SERIES * N)) ]"
ok $? "space back: writing resumes, all $((SERIES * N)) updates written, $(in_ns find "$R" -name '*.rrd' | wc -l) files" ||
	diag "$(ctl stats --json | jq -c .plugins.rrd.details)"
bad=0
for i in $(seq 0 $((SERIES - 1))); do
	in_ns rrdtool fetch "$R/feed/feed/gauge-s$i.rrd" AVERAGE -s $START -e $((START + N * STEP)) 2>/dev/null |
	awk -v s=$START -v st=$STEP -v n=$N -F': ' '
		/^[0-9]+:/ { k = ($1 - s) / st - 1; if (k >= 0 && k < n && $2 !~ /nan/ && $2 + 0 == k) good++ }
		END { exit good == n ? 0 : 1 }' || bad=$((bad + 1))
done
ok $bad "every sample of the $SERIES series is in the files ($bad incomplete)"
kill -TERM "$PID"
wait_exit "$PID" 30
finish
