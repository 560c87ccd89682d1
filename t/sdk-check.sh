#!/bin/bash
# The SDK as a third party meets it: install netmon (core only) under a
# prefix, build contrib/vendor-check-example with pkg-config against the
# installed headers, and run it in the installed netmond. Prints TAP.
# Usage: t/sdk-check.sh WORKDIR   (run from the top of the source tree)
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
set -u
top=$(pwd)
work=$1
root="$work/root"
n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi; }
echo "1..6"
rm -rf "$work"
mkdir -p "$work/build" "$work/run"
(cd "$work/build" && "$top/configure" --prefix="$root" --enable-werror \
	--disable-rrd --disable-icmp --disable-snmp --disable-syslog \
	--disable-events --disable-netflow --disable-report --disable-sshconf \
	--disable-threshold --disable-nagios --disable-alert >configure.out 2>&1 &&
	make -j2 >make.out 2>&1 && make install >install.out 2>&1)
ok $? "netmon installs under a prefix" || tail -20 "$work/build/"*.out | sed 's/^/# /'
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
plugindir=$(pkg-config --variable=plugindir netmon-plugin)
[ "$plugindir" = "$root/lib/netmon" ]
ok $? "pkg-config knows netmon-plugin and its plugindir ($plugindir)"
cp -r "$top/contrib/vendor-check-example" "$work/example"
make -C "$work/example" >"$work/example.out" 2>&1 && make -C "$work/example" install >>"$work/example.out" 2>&1
ok $? "the example builds against the installed SDK only" || sed 's/^/# /' "$work/example.out"
echo 45.5 >"$work/run/temp"
cat >"$work/run/netmond.conf" <<EOC
netmond = { interval = 1; state_dir = "$work/run/state";
            control_socket = "$work/run/sock"; };
acme_temp = { host = "rack1"; file = "$work/run/temp"; warning = 40.0;
              critical = 50.0; interval = 1; };
EOC
"$root/sbin/netmond" -t -C "$work/run/netmond.conf" >"$work/t.out" 2>&1
ok $? "the installed netmond loads it from the default plugin folder" || sed 's/^/# /' "$work/t.out"
NETMOND_ALLOW_ROOT=1 "$root/sbin/netmond" -f -C "$work/run/netmond.conf" 2>"$work/log" &
pid=$!
readings=0
for _ in $(seq 1 60); do
	readings=$("$root/bin/netmonctl" -s "$work/run/sock" stats --json 2>/dev/null | jq '.plugins.acme_temp.counters.readings // 0')
	[ "${readings:-0}" -ge 2 ] && break
	sleep 0.1
done
[ "${readings:-0}" -ge 2 ]
ok $? "it runs: readings published ($readings)"
kill -TERM "$pid"
wait "$pid"
ok $? "netmond exits 0 with the third-party plugin"
[ "$failed" -eq 0 ]
