#!/bin/bash
# The report plugin end to end: netmond writes the site from RRD files made
# here (and, when the rrd and icmp plugins are built in this build folder,
# from the real pipeline pinging 127.0.0.1); Debian's nginx serves it on a
# free loopback port with contrib/nginx/netmon-report.conf; headless
# Chromium loads the index, a host page and the interface page (no console
# errors, every image loaded, every internal link 200) and keeps
# screenshots in $top_builddir/t/integration/report-artefacts/.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
. "$(dirname "$0")/lib.sh"

ART="$top_builddir/t/integration/report-artefacts"
RRD="$TMP/rrd"
SITE="$TMP/www"
STATE="$TMP/state"
NOW=$(date +%s)

need() { command -v "$1" >/dev/null 2>&1; }
if ! need rrdtool || ! need nginx && ! [ -x /usr/sbin/nginx ] || ! need chromium \
	|| ! need node || ! need curl || ! need jq; then
	echo "1..0 # SKIP needs rrdtool, nginx, chromium, node, curl, jq"
	exit 0
fi
if ! node --experimental-websocket --no-warnings -e 'if (typeof WebSocket !== "function") process.exit(1)' 2>/dev/null; then
	echo "1..0 # SKIP the browser checker needs node >= 20.10 (WebSocket)"
	exit 0
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# librrd's graph code leaks a little per graph (see plugins/report/README).
LSAN_OPTIONS="suppressions=$top_srcdir/t/data/report/lsan.supp"
export LSAN_OPTIONS

PLUGDIRS="$top_builddir/plugins/report"
REAL=no
if [ -e "$top_builddir/plugins/rrd/rrd.la" ] && [ -e "$top_builddir/plugins/icmp/icmp.la" ]; then
	REAL=yes
	PLUGDIRS="$PLUGDIRS:$top_builddir/plugins/rrd:$top_builddir/plugins/icmp"
fi

# snmpd on loopback feeds the real pipeline too, when the snmp plugin is built.
SNMPREAL=no
if [ $REAL = yes ] && [ -e "$top_builddir/plugins/snmp/snmp.la" ] && [ -x /usr/sbin/snmpd ]; then
	SNMPREAL=yes
	PLUGDIRS="$PLUGDIRS:$top_builddir/plugins/snmp"
	AGENT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$TMP/snmp"
	printf 'rocommunity report-test 127.0.0.1\nsysName agent-sysname\n' >"$TMP/snmpd.conf"
	SNMP_PERSISTENT_DIR="$TMP/snmp" /usr/sbin/snmpd -f -C -c "$TMP/snmpd.conf" \
		-Lf "$TMP/snmpd.log" "udp:127.0.0.1:$AGENT" &
	_pids="$_pids $!"
fi

plan 32

# mkrrd FILE KIND DS... -- VALUE-EXPR: 2 h of 60 s samples ending now.
# VALUE-EXPR is an awk expression of t (seconds from the start) and i (DS).
mkrrd() {
	local f=$1 kind=$2
	shift 2
	local ds=() expr
	while [ "$1" != -- ]; do ds+=("DS:$1:$kind:120:0:U"); shift; done
	expr=$2
	local start=$(( (NOW / 60) * 60 - 7200 ))
	mkdir -p "$(dirname "$f")"
	rrdtool create "$f" --start "$start" --step 60 "${ds[@]}" \
		RRA:AVERAGE:0.5:1:1440 RRA:AVERAGE:0.5:30:1500 RRA:MAX:0.5:1:1440 \
		RRA:AVERAGE:0.5:720:800 || return 1
	awk -v s="$start" -v n=${#ds[@]} "BEGIN { for (t = 60; t <= 7200; t += 60) {
		line = s + t; for (i = 0; i < n; i++) line = line \":\" sprintf(\"%.0f\", $expr);
		print line } }" | xargs rrdtool update "$f"
}

# --- RRD files in collectd's layout ---
{
	mkrrd "$RRD/r1/snmp/if_octets-eth0.rrd" DERIVE rx tx -- "t * 125000 * (i + 1) * (1.2 + sin(t / 900))" &&
	mkrrd "$RRD/r1/snmp/if_octets-wan&1.rrd" DERIVE rx tx -- "t * 5000 * (i + 1)" &&
	mkrrd "$RRD/r1/snmp/if_packets-eth0.rrd" DERIVE rx tx -- "t * 100 * (i + 1)" &&
	mkrrd "$RRD/r1/snmp/if_errors-eth0.rrd" DERIVE rx tx -- "t * (i + 1) / 60" &&
	mkrrd "$RRD/r1/icmp/ping.rrd" GAUGE value -- "5 + 3 * sin(t / 600)" &&
	mkrrd "$RRD/r1/icmp/ping-min.rrd" GAUGE value -- "3" &&
	mkrrd "$RRD/r1/icmp/ping-max.rrd" GAUGE value -- "9" &&
	mkrrd "$RRD/r1/icmp/ping_droprate.rrd" GAUGE value -- "(t % 1800 < 300) ? 1 : 0" &&
	mkrrd "$RRD/r1/cpu-0/percent-user.rrd" GAUGE value -- "30 + 20 * sin(t / 1200)" &&
	mkrrd "$RRD/r1/storage/storage-root.rrd" GAUGE used size -- "(i + 1) * 4e9" &&
	mkrrd "$RRD/sw<2>/icmp/ping.rrd" GAUGE value -- "1" &&
	mkrrd "$RRD/sw<2>/misc/gauge-odd.rrd" GAUGE value -- "t / 72"
} >"$TMP/mkrrd.log" 2>&1
ok $? "rrdtool makes the RRD files" || diag "$(tail -5 "$TMP/mkrrd.log")"

# Inventory (as the snmp plugin writes it) and a seeded availability
# history: r1 up 1 h, down 30 min, up 30 min until now.
mkdir -p "$STATE/inventory" "$STATE/report"
cp "$top_srcdir/t/data/report/inventory-r1.json" "$STATE/inventory/r1.json"
us() { echo "$(( ($1) * 1000000 ))"; }
{
	echo "$(us "NOW - 7200") 0 ping r1"
	echo "$(us "NOW - 3600") 2 ping r1"
	echo "$(us "NOW - 1800") 0 ping r1"
	echo "$(us "NOW - 7200") 2 ping sw%3C2%3E"
} >"$STATE/report/availability.log"
touch "$STATE/report/availability.log"

cat >"$TMP/netmond.conf" <<EOC
netmond = {
  interval = 1;
  plugin_dir = "$PLUGDIRS";
  state_dir = "$STATE";
  control_socket = "$SOCK";
  log_level = "info";
  shutdown_timeout = 10;
};
report = {
  rrd_directory = "$RRD";
  output_directory = "$SITE";
  graph_definitions = "$top_srcdir/etc/report/graphs.conf";
  interval = 1;
  refresh = 300;
  title = "netmon <test> & co";
};
EOC
if [ $REAL = yes ]; then
	cat >>"$TMP/netmond.conf" <<EOC
rrd = { directory = "$RRD"; types_db = "$top_srcdir/etc/types.db"; };
icmp = { interval = 1; pings = 2; timeout = 0.5;
         targets = ( { address = "127.0.0.1"; name = "loopback"; } ); };
EOC
fi
if [ $SNMPREAL = yes ]; then
	cat >>"$TMP/netmond.conf" <<EOC
snmp = { interval = 1; timeout = 1;
         targets = ( { name = "agent"; address = "127.0.0.1:$AGENT";
                       community = "report-test"; collect = ["system", "if"]; } ); };
EOC
fi

"$NETMOND" -t -C "$TMP/netmond.conf" >"$TMP/t.out" 2>&1
ok $? "netmond -t accepts the report group (real rrd+icmp pipeline: $REAL)" || diag "$(cat "$TMP/t.out")"

# A broken graph definitions file is reported with file:line by -t.
printf 'if_octets = {\n  colour = 1;\n};\n' >"$TMP/bad-graphs.conf"
sed "s|graph_definitions = .*|graph_definitions = \"$TMP/bad-graphs.conf\";|" \
	"$TMP/netmond.conf" >"$TMP/bad.conf"
"$NETMOND" -t -C "$TMP/bad.conf" >"$TMP/t.out" 2>&1
[ $? -ne 0 ] && grep -q "$TMP/bad-graphs.conf:2: unknown setting 'colour'" "$TMP/t.out"
ok $? "-t reports a bad graph definition with file:line" || diag "$(cat "$TMP/t.out")"

spawn PID "$NETMOND" -f -C "$TMP/netmond.conf" 2>"$TMP/netmond.log"
wait_for 10 test -S "$SOCK"
ok $? "netmond starts with the report plugin" || diag "$(tail -20 "$TMP/netmond.log")"
# (two full runs: about 100 graphs; under ASan on a loaded 2-core machine
# that has taken over 3 minutes)
wait_for 120 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.report.details.runs')\" -ge 2 ]"
ok $? "the site is generated (two runs)" || diag "$(tail -20 "$TMP/netmond.log")"
[ "$(stat_of '.plugins.report.details.errors')" = 0 ]
ok $? "without errors" || diag "$(stat_of '.plugins.report.details.last_error')"
for f in index.html interfaces.html style.css hosts/r1/day.html hosts/r1/year.html \
	hosts/r1/img/snmp/if_octets-eth0-day.png hosts/r1/img/icmp/ping-week.png; do
	[ -s "$SITE/$f" ] || { echo "# missing $f"; missing=1; }
done
ok "${missing:-0}" "index, interfaces, host pages and graphs are written"
[ ! -e "$SITE/hosts/r1/img/icmp/ping-min-day.png" ] && [ ! -e "$SITE/hosts/r1/img/icmp/ping_droprate-day.png" ]
ok $? "files drawn inside the ping graph get no graph of their own"
grep -q 'netmon &lt;test&gt; &amp; co' "$SITE/index.html" &&
	grep -q '&lt;script&gt;' "$SITE/index.html" && ! grep -q '<script' "$SITE"/index.html "$SITE"/hosts/*/*.html "$SITE/interfaces.html"
ok $? "device text and titles are HTML-escaped"
grep -q 'sw&lt;2&gt;' "$SITE/index.html" && ls "$SITE/hosts" | grep -q '^sw_2_-'
ok $? "an odd host name gets an escaped label and a safe folder"
grep -q '<meta http-equiv="refresh" content="300">' "$SITE/index.html"
ok $? "pages carry the refresh setting"
grep -Eq '<td class="num">(7[4-6]\.[0-9]+)%</td>' "$SITE/index.html"
ok $? "availability of r1 over the day is 75 % (seeded history)" || diag "$(grep -o '<td class="num">[^<]*%</td>' "$SITE/index.html" | head -5)"
grep -q 'uplink to core &amp; DC' "$SITE/interfaces.html" && grep -q 'wan&amp;1' "$SITE/interfaces.html"
ok $? "interface page lists inventory and RRD-only interfaces"

# --- redrawn only when the data changed ---
d1=$(stat_of '.plugins.report.details.graphs_drawn')
r1=$(stat_of '.plugins.report.details.runs')
wait_for 20 sh -c "[ \"\$($NETMONCTL -s $SOCK stats --json | jq '.plugins.report.details.runs')\" -ge $((r1 + 2)) ]"
d2=$(stat_of '.plugins.report.details.graphs_drawn')
if [ $REAL = yes ]; then
	ok 0 "# SKIP unchanged-data check (the real pipeline keeps writing)"
else
	[ "$d1" = "$d2" ]
	ok $? "unchanged RRD files are not redrawn ($d1 then $d2 graphs)"
fi
m1=$(stat -c %Y "$SITE/hosts/r1/img/icmp/ping-day.png")
sleep 1.1
rrdtool update "$RRD/r1/icmp/ping.rrd" "$(( (NOW / 60) * 60 + 60 )):7"
wait_for 20 sh -c "[ \$(stat -c %Y '$SITE/hosts/r1/img/icmp/ping-day.png') -gt $m1 ]"
ok $? "an updated RRD file gets its day graph redrawn"

# --- nginx with the contrib snippet, on a free loopback port ---
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/nginx"
sed -e "s|/var/lib/netmon/www/|$SITE/|" "$top_srcdir/contrib/nginx/netmon-report.conf" >"$TMP/nginx/snippet.conf"
cat >"$TMP/nginx/nginx.conf" <<EOC
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 64; }
http {
  access_log $TMP/nginx/access.log;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  server {
    listen 127.0.0.1:$PORT;
    server_name localhost;
    location = / { return 302 /netmon/; }
    include $TMP/nginx/snippet.conf;
  }
}
EOC
"$NGINX" -t -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/t.out" 2>&1
ok $? "nginx accepts the contrib snippet" || diag "$(cat "$TMP/nginx/t.out")"
spawn NGPID "$NGINX" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx"
BASE="http://127.0.0.1:$PORT/netmon"
wait_for 10 curl -sf -o /dev/null "$BASE/index.html"
ok $? "nginx serves the site on 127.0.0.1:$PORT" || diag "$(cat "$TMP/nginx/error.log")"
[ "$(curl -s -o /dev/null -w '%{content_type}' "$BASE/hosts/r1/img/icmp/ping-day.png")" = image/png ]
ok $? "graphs are served as image/png"

# --- headless Chromium ---
rm -rf "$ART"
mkdir -p "$ART"
"$top_srcdir/t/tools/browser-check" --screenshot-dir "$ART" \
	"$BASE/" "$BASE/hosts/r1/day.html" "$BASE/interfaces.html" >"$TMP/browser.tap" 2>&1
st=$?
grep -E '^(not )?ok|^#' "$TMP/browser.tap" | sed 's/^/# /'
ok $st "Chromium: pages load, no console errors, all images and internal links fine" ||
	diag "$(grep -A3 '^not ok\|Bail' "$TMP/browser.tap")"
[ "$(grep -c '^ok' "$TMP/browser.tap")" = 15 ]
ok $? "Chromium checked 15 points over 3 pages"
"$top_srcdir/t/tools/browser-check" --width 390 --screenshot-dir "$ART" \
	"$BASE/hosts/r1/week.html" >"$TMP/phone.tap" 2>&1
st=$?
grep -E '^(not )?ok|^#' "$TMP/phone.tap" | sed 's/^/# /'
[ $st = 0 ]
ok $? "a host page on a phone-width screen: no horizontal overflow, images fine" ||
	diag "$(grep -A3 '^not ok\|Bail' "$TMP/phone.tap")"
ls "$ART"/*.png >/dev/null 2>&1 && [ "$(file -b --mime-type "$ART"/1-1200-*.png 2>/dev/null || echo image/png)" = image/png ]
ok $? "screenshots kept in $ART"
img=$(ls "$ART"/2-1200-*.png 2>/dev/null | head -1)
[ -n "$img" ] && [ "$(stat -c %s "$img")" -gt 20000 ]
ok $? "the host page screenshot is not blank ($(stat -c %s "$img" 2>/dev/null) bytes)"

# A missing page answers 404 (the checker would have caught broken links).
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/hosts/nosuch/day.html")" = 404 ]
ok $? "nginx answers 404 for a missing page"

# --- the real pipeline, when built ---
if [ $REAL = yes ]; then
	wait_for 30 test -s "$SITE/hosts/loopback/img/icmp/ping-day.png"
	ok $? "real pipeline: icmp → rrd → report draws loopback's ping graph"
	wait_for 10 grep -q 'ping up' "$SITE/index.html"
	ok $? "real pipeline: loopback is shown up from icmp STATE messages"
else
	ok 0 "# SKIP real pipeline: rrd and icmp plugins not built here"
	ok 0 "# SKIP real pipeline: rrd and icmp plugins not built here"
fi
if [ $SNMPREAL = yes ]; then
	wait_for 30 test -s "$SITE/hosts/agent/img/snmp/if_octets-lo-day.png"
	ok $? "real pipeline: snmpd → snmp → rrd → report draws the agent's lo traffic" || diag "$(ls -R "$SITE/hosts/agent" 2>&1 | head)"
	wait_for 10 grep -q 'agent-sysname' "$SITE/hosts/agent/day.html"
	ok $? "real pipeline: the agent's page shows its sysName from the snmp inventory"
else
	ok 0 "# SKIP real pipeline: snmp plugin or snmpd missing"
	ok 0 "# SKIP real pipeline: snmp plugin or snmpd missing"
fi

# --- stop; the availability history survives ---
kill -TERM "$PID"
wait_exit "$PID" 20
ok $? "SIGTERM stops netmond"
ok "$EXIT_STATUS" "and it exits 0" || diag "$(tail -20 "$TMP/netmond.log")"
tail -1 "$STATE/report/availability.log" | grep -q ' -1 \* \*$'
ok $? "a stop marker ends the availability history"
! grep -qi 'error\|AddressSanitizer\|runtime error' "$TMP/netmond.log"
ok $? "no errors in netmond's log" || diag "$(grep -i 'error' "$TMP/netmond.log" | head)"

finish
