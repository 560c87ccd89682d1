#!/bin/bash
# The rrd plugin end to end: netmond fed by the rrdfeed test plugin writes
# RRD files directly and through a real rrdcached; files, data sources and
# values are checked with rrdtool; rrdcached is stopped for 30 s and
# restarted, and netmond is stopped while rrdcached is down: every sample
# must be in the files afterwards, also those rrdcached acknowledged just
# before it stopped and then dropped (netmon sends them again).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

plan 32

PLUGDIRS="$top_builddir/plugins/rrd:$top_builddir/t/data/rrd"
TYPES="$top_srcdir/etc/types.db"
START=1700000000
STEP=10
for tool in rrdtool rrdcached jq; do
	if ! command -v $tool >/dev/null; then
		echo "1..0 # SKIP $tool not installed"
		exit 0
	fi
done

# conf FILE EXTRA
conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 3600;  # keep netmon's own metrics out of the counts
  plugin_dir = "$PLUGDIRS";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 30;
};
$2
EOC
}

# gauge_ok FILE COUNT [FROM]: the gauge of round k (FROM..COUNT-1, FROM
# default 0) is k at START + (k+1) STEP, every one of them.
gauge_ok() {
	rrdtool fetch "$1" AVERAGE -s $START -e $((START + $2 * STEP)) 2>/dev/null |
	awk -v s=$START -v st=$STEP -v n="$2" -v from="${3:-0}" -F': ' '
		/^[0-9]+:/ { t = $1 + 0; k = (t - s) / st - 1
			if (k >= from && k < n) { seen++; if ($2 ~ /nan/ || $2 + 0 != k) { bad++; if (bad < 5) printf "missing %d ", k } } }
		END { if (seen != n - from || bad > 0) { printf "seen %d of %d, %d wrong\n", seen, n - from, bad; exit 1 } }'
}

start_netmond() { # CONF LOG
	spawn PID "$NETMOND" -f -C "$1" 2>"$2"
	wait_for 10 test -S "$SOCK"
}

stop_netmond() {
	kill -TERM "$PID"
	wait_exit "$PID" 30
}

# --- direct: files, data sources, RRAs, values ---
D="$TMP/direct"
conf "$TMP/d.conf" "rrdfeed = { series = 3; count = 30; step = $STEP; start = $START;
                     per_tick = 10; interval = 0.05; if_octets = true; };
rrd = { directory = \"$D\"; types_db = \"$TYPES\"; cache_timeout = 0.2;
        flush_interval = 0.1; };"
"$NETMOND" -t -C "$TMP/d.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the rrd group" || diag "$(cat "$TMP/t.out")"
start_netmond "$TMP/d.conf" "$TMP/log.d"
ok $? "netmond starts with rrd and rrdfeed"
wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.updates_written')\" = 180 ]"
ok $? "all 180 updates written within the cache timeout" || diag "$(ctl stats --json | jq .plugins.rrd)"
[ "$(stat_of '.plugins.rrd.details.files_created')" = 6 ]
ok $? "6 files created"
[ "$(stat_of '.plugins.rrd.details.mode')" = direct ] &&
[ "$(stat_of '.plugins.rrd.details.cache.values')" = 0 ] &&
[ "$(stat_of '.plugins.rrd.details.errors.update')" = 0 ]
ok $? "stats --json: direct mode, empty cache, no errors"
F="$D/feed/feed/if_octets-s1.rrd"
rrdtool info "$F" >"$TMP/info" 2>&1
grep -q '^ds\[rx\].type = "DERIVE"' "$TMP/info" && grep -q '^ds\[tx\].type = "DERIVE"' "$TMP/info" &&
grep -q '^ds\[rx\].min = 0' "$TMP/info" && grep -q '^ds\[tx\].minimal_heartbeat = 20' "$TMP/info" &&
grep -q '^step = 10' "$TMP/info"
ok $? "if_octets: rx/tx DERIVE, min 0, heartbeat 2 x step, step 10" || diag "$(head -30 "$TMP/info")"
[ "$(grep -c '^rra\[[0-9]*\].cf' "$TMP/info")" = 12 ] &&
grep -q '^rra\[0\].rows = 17280' "$TMP/info" && grep -q '^rra\[1\].cf = "MIN"' "$TMP/info" &&
grep -q '^rra\[2\].cf = "MAX"' "$TMP/info"
ok $? "12 RRAs: AVERAGE/MIN/MAX x 4 timespans, 2 days at full resolution"
gauge_ok "$D/feed/feed/gauge-s2.rrd" 30
ok $? "gauge values 0..29 all in the file"
rate=$(rrdtool fetch "$F" AVERAGE -s $START -e $((START + 5 * STEP)) | awk -F': ' '$1 == '$((START + 3 * STEP))' {print $2}')
[ "$(echo "$rate" | awk '{printf "%.0f %.0f", $1, $2}')" = "100 200" ]
ok $? "derive rx/tx turned into rates 100/s and 200/s ($rate)"
stop_netmond
ok "$EXIT_STATUS" "netmond exits 0"

# --- flush and SIGTERM with a full cache ---
D="$TMP/cached"
conf "$TMP/c.conf" "rrdfeed = { series = 20; count = 40; step = $STEP; start = $START;
                     per_tick = 40; interval = 0.05; };
rrd = { directory = \"$D\"; types_db = \"$TYPES\"; cache_timeout = 3600; };"
start_netmond "$TMP/c.conf" "$TMP/log.c"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.cache.values')\" = 800 ]"
ok $? "800 updates held in the cache (timeout 1 h)"
[ ! -e "$D/feed/feed/gauge-s0.rrd" ]
ok $? "no file written yet"
ctl flush 'feed/feed/gauge-s1*' >"$TMP/flush.out" 2>&1
grep -q "rrd: wrote 440 updates to 11 files" "$TMP/flush.out"
ok $? "netmonctl flush GLOB writes the matching files (s1, s10..s19)" || diag "$(cat "$TMP/flush.out")"
gauge_ok "$D/feed/feed/gauge-s13.rrd" 40 && [ ! -e "$D/feed/feed/gauge-s0.rrd" ]
ok $? "flushed file complete, others still cached"
stop_netmond
ok "$EXIT_STATUS" "SIGTERM with a full cache exits 0"
all=0
for i in $(seq 0 19); do gauge_ok "$D/feed/feed/gauge-s$i.rrd" 40 >/dev/null || all=1; done
ok $all "every cached value is on disk after exit"

# --- identities cannot leave the directory ---
D="$TMP/escape"
conf "$TMP/e.conf" "rrdfeed = { count = 3; host = \"../../../escaped\"; start = $START; };
rrd = { directory = \"$D\"; types_db = \"$TYPES\"; cache_timeout = 0; flush_interval = 0.1; };"
start_netmond "$TMP/e.conf" "$TMP/log.e"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.updates_written')\" = 3 ]"
stop_netmond
[ -e "$D/_._.._.._escaped/feed/gauge-s0.rrd" ] && [ -z "$(find "$TMP" -name escaped)" ] &&
[ ! -e "$TMP/escaped" ] && [ ! -e "/escaped" ]
ok $? "host ../../../escaped is stored inside the directory"

# --- through rrdcached: stopped 30 s, restarted, nothing lost ---
R="$TMP/rrdc"
mkdir -p "$R"
RSOCK="$TMP/rrdcached.sock"
start_rrdcached() {
	rm -f "$RSOCK"
	mkdir -p "$TMP/rrdcached.journal"
	# rrdcached 1.7.2 drops a few updates it acknowledged while shutting
	# down (after its final flush), even with -j: netmon's resend_window
	# sends them again after the reconnect.
	spawn RPID rrdcached -g -F -B -b "$R" -j "$TMP/rrdcached.journal" \
		-l "unix:$RSOCK" -p "$TMP/rrdcached.pid" -w 3600 -f 7200
	wait_for 10 test -S "$RSOCK"
}
stop_rrdcached() {
	kill -TERM "$RPID"
	wait_exit "$RPID" 30
}
start_rrdcached 2>"$TMP/log.rrdcached"
ok $? "rrdcached starts"
N=800   # 40 s of rounds at 0.05 s: before, during and after the outage
conf "$TMP/r.conf" "rrdfeed = { series = 4; count = $N; step = $STEP; start = $START;
                     interval = 0.05; };
rrd = { directory = \"$R\"; daemon = \"unix:$RSOCK\"; types_db = \"$TYPES\";
        flush_interval = 0.1; cache_max_bytes = 8192; reconnect_max = 1; };"
start_netmond "$TMP/r.conf" "$TMP/log.r"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.updates_written')\" -ge 40 ]"
ok $? "updates land in rrdcached" || diag "$(ctl stats --json | jq .plugins.rrd)"
stop_rrdcached
# Samples from here on are sent while rrdcached is down.
R1=$(stat_of '.plugins.rrdfeed.counters.rounds')
sleep 30
[ "$(stat_of '.plugins.rrd.details.daemon_connected')" = false ] &&
[ "$(stat_of '.plugins.rrd.details.queued_while_down')" -gt 100 ]
ok $? "while rrdcached is down, updates are queued ($(stat_of '.plugins.rrd.details.queued_while_down'))"
[ "$(stat_of '.plugins.rrd.details.journal.journaled_total')" -gt 0 ]
ok $? "past cache_max_bytes they are spilled to the journal"
start_rrdcached 2>>"$TMP/log.rrdcached"
wait_for 60 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrdfeed.counters.rounds')\" = $N ] &&
	[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.queued_while_down')\" = 0 ] &&
	[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.cache.values')\" = 0 ]"
ok $? "rrdcached restarted: journal and cache replayed" || diag "$(ctl stats --json | jq .plugins.rrd)"
[ "$(stat_of '.plugins.rrd.details.daemon_connected')" = true ]
ok $? "reconnected to rrdcached"
ctl flush >"$TMP/flush2.out" 2>&1
grep -q "asked rrdcached to flush" "$TMP/flush2.out"
ok $? "netmonctl flush asks rrdcached to flush too"
[ "$(stat_of '.plugins.rrd.details.resend.duplicates_total')" -gt 0 ] &&
[ "$(stat_of '.plugins.rrd.details.errors.time_rejected')" = 0 ] &&
[ "$(stat_of '.plugins.rrd.details.errors.update')" = 0 ]
ok $? "acknowledged updates sent again after the reconnect: $(stat_of '.plugins.rrd.details.resend.resent_total') were missing, $(stat_of '.plugins.rrd.details.resend.duplicates_total') duplicates counted as such, not as errors"
grep -q "is back after .* sent again" "$TMP/log.r"
ok $? "the resend is logged" || diag "$(grep rrdcached "$TMP/log.r")"
stop_netmond
stop_rrdcached
all=0
for i in 0 1 2 3; do gauge_ok "$R/feed/feed/gauge-s$i.rrd" $N || all=1; done
ok $all "every sample (rounds 0..$((N - 1)) of 4 series; outage from round $R1) is in the files"
grep -q "lost rrdcached" "$TMP/log.r" && [ "$(grep -c "cannot connect to rrdcached" "$TMP/log.r")" -le 2 ]
ok $? "the outage is logged, without a flood" || diag "$(grep -c rrdcached "$TMP/log.r")"

# --- netmond stopped while rrdcached is down: journal replayed at restart ---
N2=30
conf "$TMP/j.conf" "rrdfeed = { series = 2; count = $N2; step = $STEP; start = $((START + 100000));
                     host = \"j\"; per_tick = 10; interval = 0.05; };
rrd = { directory = \"$R\"; daemon = \"unix:$RSOCK\"; types_db = \"$TYPES\";
        flush_interval = 0.1; reconnect_max = 1; };"
start_netmond "$TMP/j.conf" "$TMP/log.j"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.counters.received')\" = $((2 * N2)) ]"
stop_netmond
[ -s "$TMP/state/rrd.journal" ] && [ "$(wc -l <"$TMP/state/rrd.journal")" = $((2 * N2)) ]
ok $? "stopped while rrdcached is down: $((2 * N2)) updates journaled" || diag "$(tail -5 "$TMP/log.j")"
start_rrdcached 2>>"$TMP/log.rrdcached"
conf "$TMP/j2.conf" "rrd = { directory = \"$R\"; daemon = \"unix:$RSOCK\"; types_db = \"$TYPES\";
        flush_interval = 0.1; };"
start_netmond "$TMP/j2.conf" "$TMP/log.j2"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.rrd.details.journal.replayed_total')\" = $((2 * N2)) ]"
ok $? "the next start replays the journal" || diag "$(ctl stats --json | jq .plugins.rrd)"
stop_netmond
stop_rrdcached
START=$((START + 100000)) gauge_ok "$R/j/feed/gauge-s1.rrd" $N2
ok $? "and the samples are in the files"
[ ! -e "$TMP/state/rrd.journal" ] && [ ! -e "$TMP/state/rrd.journal.replay" ]
ok $? "the journal is gone once replayed"
finish
