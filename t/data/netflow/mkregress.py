#!/usr/bin/env python3
"""Writes t/fuzz/regress/netflow/: one input per known bug class of other
NetFlow/IPFIX collectors (issue 12), in the fuzz target's input format
(t/fuzz/fuzz-netflow.h): SEL DATAGRAM [ b"NFZ|" SEL DATAGRAM ]...

Every file sends the hostile datagram(s) from exporter 127.0.0.1 (SEL 0),
then one well-formed v9 datagram (template + 3 records) from 127.0.0.2
(SEL 1), so a test can check that the bad input was counted and dropped
and nothing else was lost. t/unit/test-netflow.c replays each file and
asserts its malformed and record counts (table `regress` there).

Usage: python3 t/data/netflow/mkregress.py [OUTDIR]
Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
"""
import os
import struct
import sys

SEP = b"NFZ|"


def u16(v): return struct.pack(">H", v)
def u32(v): return struct.pack(">I", v)
def u64(v): return struct.pack(">Q", v)


def v9(seq, *sets, domain=0):
    return u16(9) + u16(len(sets)) + u32(100000) + u32(1700000000) + \
        u32(seq) + u32(domain) + b"".join(sets)


def ipfix(seq, *sets, domain=0, length=None):
    body = b"".join(sets)
    n = 16 + len(body) if length is None else length
    return u16(10) + u16(n) + u32(1700000000) + u32(seq) + u32(domain) + body


def set_(sid, body, length=None):
    return u16(sid) + u16(4 + len(body) if length is None else length) + body


def fields(*pairs):
    return b"".join(u16(i) + u16(n) for i, n in pairs)


# Good v9 exporter: template 256 = src(8)/4 dst(12)/4 bytes(1)/4 pkts(2)/4.
GOOD_T = set_(0, u16(256) + u16(4) + fields((8, 4), (12, 4), (1, 4), (2, 4)))
GOOD_D = set_(256, b"".join(bytes([10, 0, 0, i]) + bytes([192, 0, 2, 1]) +
                            u32(100 + i) + u32(1 + i) for i in range(3)))
GOOD = bytes([1]) + v9(0, GOOD_T, GOOD_D)


def rec_a(i):  # layout A of the refresh case: 16 bytes
    return bytes([10, 1, 0, i]) + bytes([192, 0, 2, 2]) + u32(500 + i) + u32(5)


LAYOUT_A = u16(256) + u16(4) + fields((8, 4), (12, 4), (1, 4), (2, 4))
LAYOUT_B = u16(256) + u16(7) + fields((8, 4), (12, 4), (7, 2), (11, 2),
                                      (1, 8), (2, 8), (4, 1))


def rec_b(i):  # layout B: 29 bytes
    return bytes([10, 2, 0, i]) + bytes([192, 0, 2, 3]) + u16(1024) + \
        u16(80) + u64(900 + i) + u64(9) + bytes([6])


CASES = {
    # pmacct #934: a field longer than its type (sourceIPv4Address of 16
    # octets) -- a collector copying by the template length overflows.
    "pmacct-934-field-longer-than-type": [
        v9(0, set_(0, u16(256) + u16(2) + fields((8, 16), (1, 4))),
           set_(256, bytes(range(20))))],
    # pmacct #934: a field longer than the record that carries it.
    "pmacct-934-field-longer-than-record": [
        ipfix(0, set_(2, u16(256) + u16(2) + fields((1, 8), (999, 500))),
              set_(256, b"\xab" * 40))],
    # pmacct #923: template refreshed with a changed layout, then data
    # still in the old layout (shorter than one new record).
    "pmacct-923-template-refresh-changed-layout": [
        v9(0, set_(0, LAYOUT_A), set_(256, rec_a(0) + rec_a(1))),
        v9(1, set_(0, LAYOUT_B), set_(256, rec_b(0))),
        v9(2, set_(256, rec_a(2)))],
    # FastNetMon CVE-2024-56073: zero-length template set, zero field
    # count, zero-length field (division by zero / endless loops).
    "fastnetmon-cve-2024-56073-zero-length-template-set": [
        v9(0, set_(0, b""))],
    "fastnetmon-cve-2024-56073-zero-field-count": [
        v9(0, set_(0, u16(256) + u16(0)), set_(256, b"\x01" * 8))],
    "fastnetmon-cve-2024-56073-zero-length-field": [
        ipfix(0, set_(2, u16(256) + u16(2) + fields((8, 4), (1, 0))),
              set_(256, b"\x01" * 8))],
    # nfdump CVE-2019-14459: template withdrawal with a set length that
    # leaves less than a withdrawal record (size_left underflow).
    "nfdump-cve-2019-14459-withdrawal-set-3-bytes": [
        ipfix(0, set_(2, u16(256) + u16(1) + fields((1, 4))),
              set_(2, b"\x01\x00\x00"))],
    "nfdump-cve-2019-14459-withdrawal-trailing-bytes": [
        ipfix(0, set_(2, u16(256) + u16(1) + fields((1, 4))),
              set_(2, u16(256) + u16(0) + b"\xff\xff"))],
    # Set lengths under 4 (0: an endless loop in naive walkers) or past
    # the end of the packet, v9 and IPFIX; IPFIX message length past the
    # datagram.
    "set-length-0-v9": [v9(0, GOOD_T, set_(256, b"", length=0))],
    "set-length-2-ipfix": [ipfix(0, set_(2, b"", length=2))],
    "set-length-past-packet-end-v9": [
        v9(0, GOOD_T, set_(256, b"\x01" * 16, length=0xFFFF))],
    "set-length-past-packet-end-ipfix": [
        ipfix(0, set_(2, u16(256) + u16(1) + fields((1, 4)), length=400))],
    "ipfix-message-length-past-datagram": [
        ipfix(0, set_(2, u16(256) + u16(1) + fields((1, 4))), length=9000)],
    # RFC 7011 §7 variable-length field: 255 then 0xFFFF, in a record of
    # a few bytes.
    "ipfix-varlen-255-ffff": [
        ipfix(0, set_(2, u16(256) + u16(2) + fields((1, 4), (82, 0xFFFF))),
              set_(256, u32(7) + b"\xff\xff\xff" + b"abc"))],
    # A template announcing 65535 fields (more than any message holds).
    "template-65535-fields": [
        ipfix(0, set_(2, u16(256) + u16(65535) + fields(*[(1, 4)] * 200)))],
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "..", "..", "fuzz", "regress", "netflow")
    os.makedirs(out, exist_ok=True)
    for name, dgrams in CASES.items():
        data = SEP.join(bytes([0]) + d for d in dgrams) + SEP + GOOD
        assert all(SEP not in d for d in dgrams)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
