#!/bin/bash
# A Cisco-IOS-like device for the sshconf tests, run by sshd as a forced
# command in a pty: prompt "NAME>" / "NAME#", `enable` with a secret,
# a --More-- pager until `terminal length 0`, `show running-config` from
# $FAKE_DIR/ios.conf with a changing timestamp line. `fake-ios.sh hang`
# stops in the middle of the output.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
dir=$(dirname "$0")
[ -f "$dir/fake-ios.env" ] && . "$dir/fake-ios.env"
conf=${FAKE_CONF:-$dir/ios.conf}
secret=${FAKE_SECRET:-en4ble}
host=r1
paging=1
priv=0
mode=${1:-normal}

prompt() { if [ $priv = 1 ]; then printf '%s#' $host; else printf '%s>' $host; fi; }

show_run() {
	local n=0
	{
		echo "Building configuration..."
		echo ""
		echo "Current configuration : $(wc -c <"$conf") bytes"
		echo "!"
		echo "! Last configuration change at $(date '+%H:%M:%S.%N UTC %a %b %d %Y')"
		echo "!"
		cat "$conf"
	} | while IFS= read -r l; do
		printf '%s\n' "$l"
		n=$((n + 1))
		if [ "$mode" = hang ] && [ $n = 8 ]; then
			sleep 1000
		fi
		if [ $paging = 1 ] && [ $((n % 10)) = 0 ]; then
			printf ' --More-- '
			IFS= read -r -s -n 1 _ </dev/tty
			printf '\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b'
		fi
	done
}

prompt
while IFS= read -r line; do
	line=${line%$'\r'}
	case "$line" in
	"terminal length 0") paging=0 ;;
	"terminal width 0") ;;
	enable)
		printf 'Password: '
		IFS= read -r -s pw
		printf '\n'
		pw=${pw%$'\r'}
		if [ "$pw" = "$secret" ]; then
			priv=1
		else    # IOS asks again, three times in all
			printf 'Password: '
			IFS= read -r -s pw
			printf '\n%% Bad secrets\n'
		fi
		;;
	"show running-config")
		if [ $priv = 1 ]; then show_run; else printf '%% Invalid input\n'; fi
		;;
	exit) exit 0 ;;
	"") ;;
	*) printf '%% Invalid input detected\n' ;;
	esac
	prompt
done
