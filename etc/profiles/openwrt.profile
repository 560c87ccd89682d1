# OpenWrt: the whole UCI configuration (`uci export`) over an exec channel.
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
# Format: etc/profiles/README. Values are raw PCRE, no key-file escapes.
[profile]
description=OpenWrt (uci export)
mode=exec
timeout=60

[commands]
uci=uci export

[mask]
option=^\s*(?:option|list) (?:key|password|psk|wpa_psk|sae_password|auth_secret|acct_secret|private_key|preshared_key|secret|key\d) '([^']*)'
