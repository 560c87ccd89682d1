#!/bin/bash
# 100 SIGHUP reloads under load (issue 12): a producer publishes numbered
# METRIC messages at about 10,000/s while netmond is reloaded 100 times;
# nothing may be lost or reordered (count in = count out), and the open
# file descriptors after reload 100 must equal those after reload 10
# (warm-up), and the resident set size be the same within 1% or glibc's
# 128 kB trim threshold, whichever is larger (see below).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
#
# The producer keeps its sequence across reloads in a state file, the
# consumer its count and last sequence number in its output file (see
# t/plugins/). RELOADS (default 100) can be lowered for a quick run.
. "$(dirname "$0")/lib.sh"

RELOADS=${RELOADS:-100}
WARM=10
plan 10

conf() { # conf PER_TICK (0: no producer, a quiet config)
	cat >"$TMP/flood.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIR";
  state_dir = "$TMP/state";
  control_socket = "$SOCK";
  pid_file = "$TMP/netmond.pid";
  log_level = "notice";
  shutdown_timeout = 60;
};
consumer = { output = "$TMP/consumer.out"; high_water = 10000000; };
EOC
	[ "$1" -gt 0 ] && cat >>"$TMP/flood.conf" <<EOC
producer = { count = 1000000000; per_tick = $1; interval = 0.01;
             state = "$TMP/producer.state"; };
EOC
	return 0
}

published() { stat_of '.plugins.producer.counters.sequence_published'; }
fds() { ls "/proc/$PID/fd" | wc -l; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }

conf 100
spawn PID "$NETMOND" -f -C "$TMP/flood.conf" 2>"$TMP/log"
wait_for 60 test -S "$SOCK"
ok $? "netmond starts with a producer and a consumer"
wait_for 30 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.producer.counters.sequence_published')\" -gt 1000 ]"
ok $? "the producer publishes"

# One reload: SIGHUP, then wait until the daemon counts it (and, with
# "loaded", until the new producer instance has published again). One
# netmonctl call per poll: this loop is most of the test's time under ASan.
n=0
reload() { # reload [loaded]
	local cond
	n=$((n + 1))
	cond=".reloads == $n"
	[ "${1:-}" = loaded ] &&
		cond="$cond and (.plugins.producer.counters.sequence_published // 0) > 0"
	kill -HUP "$PID"
	wait_for 60 sh -c "$NETMONCTL -s $SOCK stats --json --brief | jq -e '$cond'"
}
# The figures are taken in the same quiet state after reload WARM and
# after the last: a reload to a config without the producer, the queue
# drained, and one more reload (each frees the old plugin instances and
# gives free heap pages back), so messages in flight do not count.
measure() {
	conf 0
	reload && wait_for 60 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '[.subscriptions[] | .depth] | add')\" = 0 ]" &&
		reload && sleep 0.5 && m_fd=$(fds) && m_rss=$(rss_kb)
}
# Each reload is under load: the new producer instance must have
# published again. The config alternates between two rates, so each
# reload changes it.
fail=0
for i in $(seq 1 "$RELOADS"); do
	conf $((100 + (i % 2) * 20))
	if ! reload loaded; then
		diag "reload $i did not complete, or nothing was published after it"
		fail=1
		break
	fi
	if [ "$i" -eq "$WARM" ]; then
		measure || fail=1
		fd10=$m_fd rss10=$m_rss
	fi
done
measure || fail=1
fd100=$m_fd rss100=$m_rss
ok $fail "$RELOADS reloads by SIGHUP, each completed while publishing"
refused=$(ctl status | sed -n 's/^reloads: [0-9]* (\([0-9]*\) refused).*/\1/p')
diag "reloads in all: $n ($RELOADS under load, 4 quiet ones to measure)"
[ "$refused" = 0 ]
ok $? "no reload refused ($refused)" || diag "$(tail -n 20 "$TMP/log")"

diag "file descriptors after reload $WARM: $fd10, after reload $RELOADS: $fd100"
diag "RSS after reload $WARM: $rss10 kB, after reload $RELOADS: $rss100 kB"
[ "$fd100" -eq "$fd10" ]
ok $? "file descriptors unchanged by the reloads ($fd10 -> $fd100)"
# ASan's quarantine and Valgrind's redzones hold freed memory on purpose:
# RSS says nothing there (both find leaks themselves, at exit).
if ldd "$top_builddir/.libs/netmond" "$NETMOND" 2>/dev/null | grep -q libasan ||
	[ -n "${NETMOND_WRAPPER:-}" ]; then
	ok 0 "# SKIP RSS comparison under a sanitizer or wrapper"
else
	# 1% of the RSS -- but glibc's malloc keeps up to M_TRIM_THRESHOLD
	# (128 kB) of freed heap and fragments it, whatever the daemon does;
	# the anonymous memory is only about 600 kB of the ~5.8 MB (the rest
	# is shared libraries), so 1% is less than that noise. The limit is
	# the larger of the two; a leak of a few hundred bytes per reload
	# (tens of kB over 90 reloads) would still be seen by valgrind
	# (t/valgrind/run.sh), whose figures do not depend on malloc.
	lim=$((rss10 / 100 > 128 ? rss10 / 100 : 128))
	d=$((rss100 - rss10))
	[ "${d#-}" -le "$lim" ]
	ok $? "RSS unchanged within max(1%, 128 kB) ($rss10 kB -> $rss100 kB, $d kB, limit $lim kB)"
	[ "${d#-}" -le $((rss10 / 100)) ] ||
		diag "note: RSS changed by more than 1% ($d kB > $((rss10 / 100)) kB)"
fi

# libconfig exit()s the process on an @include of a folder: the loader
# must refuse it first, and the daemon keep running the old config.
printf '@include "."\n' >>"$TMP/flood.conf"
kill -HUP "$PID"
n=$((n + 1))
wait_for 30 sh -c "$NETMONCTL -s $SOCK status | grep -q '(1 refused)'" &&
	kill -0 "$PID" && ctl status | grep -q "not a regular file but a folder"
ok $? "a reload with an @include of a folder is refused, netmond runs on" ||
	diag "$(tail -n 5 "$TMP/log")"

drops=$(stat_of '[.subscriptions[] | .dropped] | add')
[ "$drops" = 0 ]
ok $? "the bus dropped no message ($drops)"

kill -TERM "$PID"
wait_exit "$PID" 120
ok "$EXIT_STATUS" "netmond drains and exits 0 after the reloads"
# In: the producer's sequence at its last shutdown. Out: the consumer's
# received counts over all its instances, its last sequence and any
# message out of order (lost or duplicated) across the reloads.
sent=$(awk '/^sent/ {s = $2} END {print s + 0}' "$TMP/producer.state")
read -r got ooo last < <(awk '{s += $2; o += $4; l = $6} END {print s + 0, o + 0, l + 0}' "$TMP/consumer.out")
diag "messages in: $sent, out: $got, out of order: $ooo, last sequence $last"
diag "producer instances: $(grep -c ^sent "$TMP/producer.state"), consumer instances: $(wc -l <"$TMP/consumer.out")"
[ "$sent" -gt 0 ] && [ "$got" = "$sent" ] && [ "$ooo" = 0 ] && [ "$last" = $((sent - 1)) ]
ok $? "0 messages lost: $sent in, $got out, none out of order"
finish
