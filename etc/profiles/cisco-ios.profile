# Cisco IOS and IOS-XE: `show running-config` in an interactive shell.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
# Format: etc/profiles/README. Values are raw PCRE, no key-file escapes.
[profile]
description=Cisco IOS and IOS-XE
mode=shell
prompt=^[\w.@():/-]+[>#]$
more=^\s*--More--\s*$
enable=enable
enable_prompt=[Pp]assword:$
exit=exit
timeout=120

[setup]
length=terminal length 0
width=terminal width 0

[commands]
running=show running-config

[drop]
building=^Building configuration\.\.\.$
size=^Current configuration ?: \d+ bytes$
last_change=^! Last configuration change at
nvram=^! NVRAM config last updated at
no_change=^! No configuration change since last restart
ntp_clock=^ntp clock-period \d+

[mask]
enable_secret=^enable (?:secret|password)(?: level \d+)? (?:\d+ )?(\S+)$
user_secret=^username \S+ .*?(?:secret|password) (?:\d+ )?(\S+)$
snmp_community=^snmp-server community (\S+)
snmp_user=^snmp-server user \S+ \S+ .*?auth \S+ (\S+)(?: priv (?:\S+ )*?(\S+))?$
aaa_key=^\s*(?:tacacs-server|radius-server) (?:.* )?key (?:\d+ )?(\S+)$
server_key=^\s*key (?:[067] (\S+)|([^\d\s]\S*))$
key_string=^\s*key-string (?:\d+ )?(\S+)$
isakmp_key=^\s*crypto isakmp key (?:\d+ )?(\S+) 
psk=^\s*pre-shared-key (?:local |remote )?(?:\d+ )?(\S+)$
line_password=^\s*password (?:\d+ )?(\S+)$
ospf_key=^\s*ip ospf (?:authentication-key|message-digest-key \d+ md5) (?:\d+ )?(\S+)$
neighbor_password=^\s*neighbor \S+ password (?:\d+ )?(\S+)$
wpa_psk=^\s*wpa-psk (?:ascii|hex) (?:\d+ )?(\S+)$
