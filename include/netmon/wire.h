/* netmon — compact, versioned binary encoding of bus messages.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Used to carry messages between nodes (the nats plugin). One encoded
 * message is one buffer; there is no framing beyond the transport's.
 *
 * Primitive encodings:
 *   u8      one byte
 *   i64le   8 bytes, two's complement, little-endian
 *   f64le   8 bytes, IEEE 754 binary64 bits, little-endian
 *   uvar    unsigned LEB128 varint: 7 bits per byte, low group first, high
 *           bit set on every byte but the last; at most 10 bytes, value
 *           < 2^64, no overlong encodings (a last byte of 0 after others)
 *   svar    signed: zigzag ((n << 1) ^ (n >> 63)) then uvar
 *   str     uvar byte length, then the bytes (no NUL terminator; an
 *           embedded NUL is rejected)
 *   ip      u8 family (0 none, 4 IPv4, 6 IPv6), then 0, 4 or 16 address
 *           bytes in network order
 *
 * Message (version 1):
 *   header: u8 'N', u8 'M' (magic), u8 version (= NM_WIRE_VERSION),
 *           u8 type (nm_msg_type), i64le time (µs since the epoch)
 *   METRIC:       str host, str plugin, str plugin_instance, str type,
 *                 str type_instance, svar interval, uvar n_values (1..64),
 *                 then per value: u8 kind (nm_ds_kind) and
 *                 GAUGE f64le | COUNTER uvar | DERIVE svar | ABSOLUTE uvar
 *   EVENT:        str source, str host, svar facility (-1..23),
 *                 svar severity (0..7), str app_name, str procid, str msgid,
 *                 str structured_data, str text (valid UTF-8)
 *   FLOW:         str exporter, uvar observation_domain (32 bit),
 *                 uvar n_records, then per record: svar start, svar end,
 *                 ip src, ip dst, ip next_hop, uvar src_port, uvar dst_port
 *                 (16 bit), u8 protocol, u8 tos, u8 tcp_flags, uvar bytes,
 *                 uvar packets, uvar in_if, uvar out_if, uvar src_as,
 *                 uvar dst_as, uvar sampling_rate (32 bit each)
 *   CONFIG:       str device, str hash, str previous_hash, str text, str diff
 *   STATE:        str host, str service, uvar code (0..3),
 *                 uvar state_type (0..1), uvar attempt, uvar max_attempts
 *                 (32 bit), str output, str long_output, str perfdata
 *   NOTIFICATION: uvar kind (0..3), uvar alert_id, str host, str service,
 *                 uvar code (0..3), str output, str author, str comment
 * The buffer must end exactly after the last field.
 *
 * Compatibility: a decoder accepts only the version it knows and rejects
 * any other with NM_WIRE_ERROR_VERSION; a new field or type means a new
 * version.
 */
#ifndef NETMON_WIRE_H
#define NETMON_WIRE_H

#include <glib.h>
#include <netmon/msg.h>

G_BEGIN_DECLS

/** The encoding version written by nm_wire_encode(). */
#define NM_WIRE_VERSION 1
/** Size of the fixed header: magic (2), version, type, time (8). */
#define NM_WIRE_HEADER_SIZE 12

/** Error domain of nm_wire_decode(). */
#define NM_WIRE_ERROR (nm_wire_error_quark())
GQuark nm_wire_error_quark(void);

/** Why a buffer was rejected. */
typedef enum {
	NM_WIRE_ERROR_MAGIC,     /**< does not start with "NM" */
	NM_WIRE_ERROR_VERSION,   /**< an encoding version this build lacks */
	NM_WIRE_ERROR_TYPE,      /**< unknown message type */
	NM_WIRE_ERROR_TRUNCATED, /**< ends inside a field */
	NM_WIRE_ERROR_INVALID    /**< a field out of range, bad varint,
				      NUL in a string, trailing bytes, ... */
} nm_wire_error_code;

/** Encode @msg (any of the six types) into a new buffer.
 *  Returns the bytes (caller unrefs), or NULL if @msg is NULL or of an
 *  unknown type. Thread-safe; does not modify @msg. */
GBytes *nm_wire_encode(const nm_msg *msg);

/** Decode one message from @buf (@len bytes). The input is treated as
 *  hostile: every length is checked against the remaining bytes, nothing
 *  is read past @buf + @len, and field values are range-checked as the
 *  message constructors require.
 *  Returns a new message with one reference, or NULL with @err set
 *  (domain NM_WIRE_ERROR) naming the problem and its byte offset. */
nm_msg *nm_wire_decode(const guint8 *buf, gsize len, GError **err);

G_END_DECLS

#endif /* NETMON_WIRE_H */
