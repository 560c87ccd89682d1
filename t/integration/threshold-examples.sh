#!/bin/bash
# The threshold rules shipped in etc/netmond.conf.in, run as shipped on
# SNMP- and ICMP-shaped metrics (the alertfeed plugin, contrib/bench):
# interface utilisation % of ifHighSpeed, interface errors/s, ping loss
# and RTT, CPU load, storage %. A host in trouble is CRITICAL on each with
# the expected value; a healthy one is OK; the pattern examples load.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/threshold:$top_builddir/plugins/pattern:$top_builddir/contrib/bench"
N=10
plan $N
if [ ! -e "$top_builddir/contrib/bench/alertfeed.la" ] || [ ! -e "$top_builddir/plugins/pattern/pattern.la" ]; then
	for i in $(seq 1 $N); do echo "ok $i # SKIP needs the threshold and pattern plugins"; done
	exit 0
fi
# the threshold and pattern groups exactly as shipped
section() { awk -v g="$1" '$0 ~ "^" g " = \\{" { on = 1 } on { print } on && /^};/ { exit }' \
	"$top_srcdir/etc/netmond.conf.in"; }
cat >"$TMP/t.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 5;
};
alertfeed = { hosts = 2; hot = 1; interfaces = 1; interval = 1; };
$(section threshold)
$(section pattern)
EOC
grep -q 'divisor_type = "bitrate"' "$TMP/t.conf"
ok $? "the shipped threshold rules were extracted" || diag "$(cat "$TMP/t.conf")"
"$NETMOND" -t -C "$TMP/t.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the shipped threshold and pattern groups" || diag "$(cat "$TMP/t.out")"
spawn PID "$NETMOND" -f -C "$TMP/t.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
ser() { ctl stats --json | jq -r ".plugins.threshold.details.series[\"$1\"].$2"; }
# rates need two samples (a series is listed, OK with value 0, from its
# first): wait until the rated series of both hosts have values
rated() { ctl stats --json | jq -e '.plugins.threshold.details.series as $s |
	[$s["h0/if util in if0"].value, $s["h0/if errors in if0"].value, $s["h1/if util out if0"].value] | all(. > 0)'; }
wait_for 20 rated
ok $? "rated series of both hosts have values after two samples" || diag "$(ctl stats --json | jq .plugins.threshold)"
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }'; }
check() { # check SERIES STATE LOW HIGH
	local st v
	st=$(ser "$1" state); v=$(ser "$1" value)
	[ "$st" = "$2" ] && within "$v" "$3" "$4" || { diag "$1: $st $v, want $2 in $3..$4"; return 1; }
}
check "h0/if util in if0" CRITICAL 90.5 99.5
ok $? "utilisation 95 % of ifHighSpeed (rate * 8 / bitrate * 100) is CRITICAL"
check "h0/if errors in if0" CRITICAL 40 60 && check "h0/if errors out if0" OK 0 0
ok $? "50 input errors/s are CRITICAL, 0 output errors/s OK"
check "h0/ping loss" CRITICAL 59.9 60.1 && check "h0/ping rtt" CRITICAL 249.9 250.1
ok $? "60 % ping loss and 250 ms RTT are CRITICAL"
check "h0/cpu load cpu1" CRITICAL 96.9 97.1
ok $? "97 % CPU load is CRITICAL"
check "h0/storage /" CRITICAL 96.9 97.1
ok $? "storage 97 % (used / size * 100) is CRITICAL"
check "h1/if util in if0" OK 9 11 && check "h1/storage /" OK 49.9 50.1 && check "h1/ping rtt" OK 0.9 1.1 &&
	check "h1/cpu load cpu1" OK 19.9 20.1 && check "h1/ping loss" OK 0 0
ok $? "the healthy host is OK on every rule with its values"
[ "$(stat_of '.plugins.threshold.counters.no_divisor')" -le 4 ]
ok $? "ratios wait for their divisor at most on the first batch" || diag "no_divisor $(stat_of '.plugins.threshold.counters.no_divisor')"
kill -TERM "$PID"
wait_exit "$PID" 15
finish
