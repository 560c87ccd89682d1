#!/bin/bash
# threshold plugin end to end: perfdata of nagios checks becomes METRIC,
# threshold rules turn it into STATE: a gauge over its critical range, a
# DERIVE counter's rate under its warning range, hysteresis config, a series
# that stops arriving goes UNKNOWN, a bad range is refused by netmond -t.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

PLUGDIR="$top_builddir/plugins/nagios:$top_builddir/plugins/threshold"
CHECKS="$top_srcdir/t/data/checks"

plan 7
if [ ! -e "$top_builddir/plugins/nagios/nagios.la" ]; then
	for i in $(seq 1 7); do echo "ok $i # SKIP needs the nagios plugin"; done
	exit 0
fi

conf() {
	cat >"$1" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 5;
};
nagios = {
  checks = (
    { host = "lo"; service = "perf"; command = ["$CHECKS/perf"]; interval = 1; },
    { host = "lo"; service = "once"; shell = true; interval = 1;
      command = ["if [ -e $TMP/once ]; then echo OK; else touch $TMP/once; echo 'OK | x=1'; fi"]; }
  );
};
threshold = {
  missing_intervals = 2;
  rules = (
    { name = "load"; host = "lo"; plugin = "nagios"; type = "gauge"; type_instance = "load";
      warning = "~:0.3"; critical = "~:0.4"; critical_recovery = "~:0.2"; },
    { name = "octets"; service = "octets {plugin_instance}"; type = "derive";
      type_instance = "in octets"; warning = "1:"; },
    { name = "x"; type = "gauge"; type_instance = "x"; critical = "5"; }
    $2
  );
};
EOC
}
conf "$TMP/bad.conf" ', { name = "bad"; type = "gauge"; warning = "20:10"; }'
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
[ $? -eq 1 ] && grep -q "bad.conf:.*threshold.rules.\[3\].warning: invalid range '20:10': start is greater than end" "$TMP/t.out"
ok $? "netmond -t refuses a bad range with file:line" || diag "$(cat "$TMP/t.out")"

conf "$TMP/t.conf" ""
"$NETMOND" -t -C "$TMP/t.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the rules" || diag "$(cat "$TMP/t.out")"
spawn PID "$NETMOND" -f -C "$TMP/t.conf" 2>"$TMP/log"
wait_for 10 test -S "$SOCK"
s() { ctl stats --json | jq -r ".plugins.threshold.details.series[\"lo/$1\"].state"; }
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -r '.plugins.threshold.details.series[\"lo/load\"].state')\" = CRITICAL ]"
ok $? "a gauge of 0.5 against critical ~:0.4 is CRITICAL"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -r '.plugins.threshold.details.series[\"lo/octets perf\"].state')\" = WARNING ]"
ok $? "a constant DERIVE counter has rate 0: WARNING against 1: (service template expanded)"
[ "$(ctl stats --json | jq -r '.plugins.threshold.details.series["lo/octets perf"].value')" = 0 ]
ok $? "its rate is 0"
wait_for 10 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq -r '.plugins.threshold.details.series[\"lo/x\"].state')\" = UNKNOWN ]"
ok $? "a series that stopped arriving goes UNKNOWN"
[ "$(stat_of '.plugins.threshold.counters.stale')" = 1 ]
ok $? "exactly once (counter stale = 1)"
kill -TERM "$PID"
wait_exit "$PID" 15
finish
