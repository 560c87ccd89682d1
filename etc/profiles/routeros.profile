# MikroTik RouterOS: `/export` over an exec channel. Log in as USER+ct511w
# to turn off colours and wrapping on old releases. RouterOS 7 hides
# secrets unless `show-sensitive` is added; they are masked here anyway.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
# Format: etc/profiles/README. Values are raw PCRE, no key-file escapes.
[profile]
description=MikroTik RouterOS
mode=exec
timeout=120

[commands]
export=/export

[drop]
stamp_v6=^# \w{3}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} by RouterOS
stamp_v7=^# \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} by RouterOS
software_id=^# software id =

[mask]
secret=\b(?:password|secret|authentication-password|encryption-password|wpa-pre-shared-key|wpa2-pre-shared-key|passphrase|pre-shared-key|private-key|auth-key)=("[^"]*"|\S+)
