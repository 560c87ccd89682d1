#!/bin/bash
# Issue 12, rrd: rrdcached killed (SIGKILL) for OUTAGE seconds while netmon
# stores SERIES x 10 samples a second through it: afterwards every sample is
# in the files (0 lost), and netmon logged at most one line per 10 s about
# the outage.
#
# CI size (default): 200 series (2,000 samples/s), 10 s outage.
# Full figure of the issue: RRD_OUTAGE_FULL=1 → 1,000 series (10,000
# samples/s), 60 s outage (about 2 minutes); or set SERIES / OUTAGE.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

if [ -n "${RRD_OUTAGE_FULL:-}" ]; then
	: "${SERIES:=1000}" "${OUTAGE:=60}"
else
	: "${SERIES:=200}" "${OUTAGE:=10}"
fi
PRE=5      # s of samples before the kill
POST=10    # s of samples after the restart
ROUNDS=$(((PRE + OUTAGE + POST) * 10))   # one round of SERIES every 0.1 s
START=1700000000
STEP=10
PLUGDIRS="$top_builddir/plugins/rrd:$top_builddir/t/data/rrd"
for tool in rrdtool rrdcached jq; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done
plan 7

R="$TMP/rrd"
RSOCK="$TMP/rrdcached.sock"
mkdir -p "$R" "$TMP/rrdcached.journal"
start_rrdcached() {
	rm -f "$RSOCK"
	# a usual production setup: journal on, writes every 5 minutes
	spawn RPID rrdcached -g -F -B -b "$R" -j "$TMP/rrdcached.journal" \
		-l "unix:$RSOCK" -p "$TMP/rrdcached.pid" -w 300 -f 3600
	wait_for 20 test -S "$RSOCK"
}
start_rrdcached 2>>"$TMP/log.rrdcached"
cat >"$TMP/o.conf" <<EOC
netmond = { interval = 3600; plugin_dir = "$PLUGDIRS"; state_dir = "$TMP/state";
  control_socket = "$SOCK"; log_level = "info"; shutdown_timeout = 60; };
rrdfeed = { series = $SERIES; count = $ROUNDS; step = $STEP; start = $START;
  interval = 0.1; };
rrd = { directory = "$R"; daemon = "unix:$RSOCK"; types_db = "$top_srcdir/etc/types.db";
  rra_timespans = [ 86400 ]; cache_max_bytes = 1048576; reconnect_max = 2; };
EOC
spawn PID "$NETMOND" -f -C "$TMP/o.conf" 2>"$TMP/log"
wait_for 20 test -S "$SOCK"
wait_for 30 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.updates_written')\" -ge $((PRE * 10 * SERIES)) ]"
ok $? "$((SERIES * 10)) samples/s stored through rrdcached"
L0=$(wc -l <"$TMP/log")
kill -KILL "$RPID"
wait_exit "$RPID" 10
T0=$(date +%s)
sleep "$OUTAGE"
down=$(stat_of '.plugins.rrd.details.queued_while_down')
journaled=$(stat_of '.plugins.rrd.details.journal.journaled_total')
[ "$(stat_of '.plugins.rrd.details.daemon_connected')" = false ] && [ "$down" -gt 0 ]
ok $? "rrdcached killed for $OUTAGE s: $down updates kept ($journaled spilled to the journal), intake continues"
start_rrdcached 2>>"$TMP/log.rrdcached"
wait_for $((POST + 120)) sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrdfeed.counters.rounds')\" = $ROUNDS ] &&
	[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details | .queued_while_down + .cache.values')\" = 0 ]"
ok $? "rrdcached back: journal, resend and cache written" || diag "$(ctl stats --json | jq -c .plugins.rrd.details)"
T1=$(date +%s)
figures=$(ctl stats --json | jq -c '.plugins.rrd.details | {updates_written, resend, journal: .journal.journaled_total, errors}')
[ "$(stat_of '.plugins.rrd.details.errors | .time_rejected + .update + .create + .journal + .journal_full')" = 0 ]
ok $? "no update refused or lost by netmon: $figures"
kill -TERM "$PID"
wait_exit "$PID" 60
ok "$EXIT_STATUS" "netmond exits 0" || diag "$(tail -5 "$TMP/log")"
kill -TERM "$RPID"   # rrdcached writes everything at exit
wait_exit "$RPID" 60

# Every sample of every series: ROUNDS values, round k = k at START+(k+1)STEP.
bad=0
for i in $(seq 0 $((SERIES - 1))); do
	rrdtool fetch "$R/feed/feed/gauge-s$i.rrd" AVERAGE -s $START -e $((START + ROUNDS * STEP)) 2>/dev/null |
	awk -v s=$START -v st=$STEP -v n=$ROUNDS -F': ' '
		/^[0-9]+:/ { k = ($1 - s) / st - 1; if (k >= 0 && k < n && $2 !~ /nan/ && $2 + 0 == k) good++ }
		END { exit good == n ? 0 : 1 }' || bad=$((bad + 1))
done
ok $bad "0 samples lost: all $((SERIES * ROUNDS)) samples of $SERIES series in the files ($bad series incomplete)"

# Log lines about the outage (rrdcached, journal, resend) from the kill to
# the end: at most one per 10 s (and at least the loss and the return).
tail -n +$((L0 + 1)) "$TMP/log" | grep -E 'rrdcached|journal' >"$TMP/outage.log"
lines=$(wc -l <"$TMP/outage.log")
limit=$(( (T1 - T0 + 9) / 10 ))
[ "$lines" -ge 2 ] && [ "$lines" -le "$limit" ]
ok $? "$lines log lines about the outage in $((T1 - T0)) s (at most $limit)" || diag "$(cat "$TMP/outage.log")"
finish
