#!/usr/bin/env python3
# Write a deterministic pcap (Ethernet/IPv4, TCP and UDP) for the
# softflowd comparison test: mkpcap.py OUT.pcap [NFLOWS].
# Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
import struct
import sys

out = open(sys.argv[1], 'wb')
nflows = int(sys.argv[2]) if len(sys.argv) > 2 else 50
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
t0 = 1700000000
n = 0
for f in range(nflows):
    proto = 6 if f % 3 else 17
    src = bytes([10, 1, f // 256, f % 256]); dst = bytes([192, 0, 2, 1 + f % 7])
    sport = 20000 + f; dport = [80, 443, 53, 22][f % 4]
    for k in range(1 + f % 5):
        payload = bytes((f + k) % 256 for _ in range(10 + (f * 37 + k * 11) % 900))
        if proto == 6:
            flags = 0x02 if k == 0 else 0x18
            l4 = struct.pack('!HHIIBBHHH', sport, dport, k, 0, 5 << 4, flags, 65535, 0, 0) + payload
        else:
            l4 = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), n & 0xffff, 0, 64, proto, 0, src, dst)
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        frame = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00' + ip + l4
        ts = t0 + n // 100; us = (n % 100) * 10000
        out.write(struct.pack('<IIII', ts, us, len(frame), len(frame)) + frame)
        n += 1
out.close()
