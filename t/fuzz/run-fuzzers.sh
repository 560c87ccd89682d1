#!/bin/bash
# Runs every libFuzzer target built in a --enable-fuzzing build for a bounded
# time each, starting from its seed corpus (and regression inputs), and
# prints one TAP line per target with libFuzzer's figures.
#   t/fuzz/run-fuzzers.sh BUILD_DIR [SECONDS_PER_TARGET]   (default 60)
# A crash leaves its input in BUILD_DIR/t/fuzz/findings/<target>/; copy it to
# t/fuzz/regress/<target>/ so the normal suite replays it forever after.
# FUZZ_SEED (default 1) fixes libFuzzer's random seed, so a CI run explores
# the same inputs first each time and a submission does not fail on a bug
# it did not touch; FUZZ_SEED=0 lets libFuzzer pick one (for longer runs).
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
set -u
build=$1
secs=${2:-60}
seed=${FUZZ_SEED:-1}
src=$(cd "$(dirname "$0")/../.." && pwd)
targets=$(cd "$build" && ls t/fuzz/fuzz-* 2>/dev/null | grep -v '\.o$' | sort)
n=0
bad=0
echo "1..$(echo "$targets" | grep -c .)"
for t in $targets; do
	name=${t#t/fuzz/fuzz-}
	n=$((n + 1))
	work=$build/t/fuzz/work/$name
	findings=$build/t/fuzz/findings/$name
	rm -rf "$work" "$findings"
	mkdir -p "$work" "$findings"
	seeds=()
	for d in "$src/t/fuzz/corpus/$name" "$src/t/fuzz/regress/$name"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	log=$build/t/fuzz/$name.log
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	LSAN_OPTIONS=suppressions=$src/t/data/lsan.supp \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$build/$t" -seed="$seed" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$findings/" -print_final_stats=1 \
		"$work" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1)
	found=$(ls "$findings" | wc -l)
	if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
		echo "ok $n - fuzz $name: ${execs:-?} execs in ${secs}s (seed $seed), $cov, $ft"
	else
		echo "not ok $n - fuzz $name: exit $rc, $found finding(s) in $findings"
		grep -E 'ERROR|SUMMARY|#0 |#1 |#2 |#3 ' "$log" | head -20 | sed 's/^/# /'
		bad=$((bad + 1))
	fi
done
[ "$bad" -eq 0 ]
