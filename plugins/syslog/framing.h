/* netmon syslog plugin — TCP framing of RFC 6587 as a pure state machine.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * No I/O and no global state: the receiver (syslog.c) feeds it the bytes
 * of one connection as they arrive, and the fuzz target
 * (t/fuzz/fuzz-syslog-framing.c) feeds it streams split at arbitrary points.
 */
#ifndef NM_SYSLOG_FRAMING_H
#define NM_SYSLOG_FRAMING_H

#include <glib.h>

G_BEGIN_DECLS

/** Bytes an octet-counting prefix may take before the message: at most 9
 *  digits and a space ("999999999 "), plus slack. */
#define NM_SYSLOG_FRAME_PREFIX 12

/** Framing of a connection (RFC 6587 §3.4). */
typedef enum {
	NM_SYSLOG_FRAMING_UNKNOWN, /**< no byte seen yet */
	NM_SYSLOG_FRAMING_OCTET,   /**< §3.4.1 octet counting: "LEN SP MSG" */
	NM_SYSLOG_FRAMING_LF,      /**< §3.4.2 non-transparent, LF-terminated */
} nm_syslog_framing_mode;

/** Per-connection framing state. Initialise with nm_syslog_framer_init(). */
typedef struct {
	nm_syslog_framing_mode mode; /**< detected from the first byte: a
					  digit means octet counting */
	gsize max_msg;     /**< longest message passed on, bytes; longer
			        ones are truncated to it */
	gsize skip;        /**< bytes of an oversize octet frame still to
			        discard */
	gboolean lf_discard; /**< discarding the rest of an oversize line */
} nm_syslog_framer;

/** Called once per message found: @msg/@len are the message bytes (not
 *  NUL-terminated; they point into the caller's buffer and are valid only
 *  during the call), @truncated says the frame was longer than max_msg
 *  (or, at end of stream, shorter than its octet count). */
typedef void (*nm_syslog_frame_fn)(const char *msg, gsize len,
				   gboolean truncated, gpointer data);

/** Prepare @f for a new connection; @max_msg in bytes (> 0). */
void nm_syslog_framer_init(nm_syslog_framer *f, gsize max_msg);

/** Size of the buffer a caller must keep per connection so that
 *  nm_syslog_framer_feed() always makes progress on a full buffer:
 *  max_msg + NM_SYSLOG_FRAME_PREFIX bytes. */
gsize nm_syslog_framer_room(const nm_syslog_framer *f);

/** Split @buf (@len bytes of a connection's stream, the unconsumed rest of
 *  the previous call first) into frames (RFC 6587 §3.4) and call @fn for
 *  each complete one.
 *
 *  @eof: the peer has closed; an unterminated last line (LF framing) or a
 *  short last octet frame (emitted as truncated) is a message too.
 *  @bad: set TRUE on a framing error (an octet count that is not 1 to 9
 *  digits without a leading 0 followed by a space — RFC 6587 §3.4.1
 *  MSG-LEN = NONZERO-DIGIT *DIGIT; rsyslog CVE-2022-24903 and
 *  CVE-2018-16881 were counts of many digits). The rest of @buf (at most
 *  max_msg bytes, flagged truncated when longer) is then passed to @fn so
 *  nothing received is lost silently, and the caller must close the
 *  connection. FALSE otherwise.
 *
 *  LF framing: empty lines are skipped; a line longer than max_msg yields
 *  its first max_msg bytes (truncated) and the rest up to the next LF is
 *  discarded. Octet framing: CR and LF between frames are tolerated.
 *
 *  Returns the number of bytes consumed; the caller keeps the rest and
 *  passes it again, followed by new bytes. When @len is at least
 *  nm_syslog_framer_room() the return value is > 0. */
gsize nm_syslog_framer_feed(nm_syslog_framer *f, const char *buf, gsize len,
			    gboolean eof, nm_syslog_frame_fn fn, gpointer data,
			    gboolean *bad);

G_END_DECLS

#endif /* NM_SYSLOG_FRAMING_H */
