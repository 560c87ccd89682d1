/* libFuzzer target for netmon's own SNMP code (plugins/snmp/snmp-logic.c):
 * varbind conversion to values and text, table assembly (walk
 * classification, index strings, instance names), trap varbinds to EVENT
 * text, counter continuity and restart detection. The BER decoding itself
 * is net-snmp's; here the varbinds are built from the input the way
 * net-snmp's parser hands them over (exact value sizes per type).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Build: CC=clang ../configure --enable-fuzzing && make t/fuzz/fuzz-snmp
 * Run:   t/fuzz/fuzz-snmp -max_total_time=60 $srcdir/t/fuzz/corpus/snmp
 *
 * Input: byte 0 selects the walk root length (bits 0-3: sub-ids of the
 * first varbind's OID that name the column), the counter width (bit 4:
 * 64, else 32) and a restart (bit 5). Then varbind records until the input
 * ends:
 *   type selector (1 byte, index into the ASN.1 types below)
 *   n (1 byte, at most 128) and n sub-ids, each 1 byte, or 0xFF followed
 *     by 4 bytes big-endian
 *   value length (1 byte) and the value bytes (integers, counters, floats
 *     take their fixed size from the bytes given, zero-padded)
 * Everything is freed per input.
 *
 * The whole input is also read as an SNMPv3 message header
 * (nm_snmp_v3_peek(), the trap receiver's BER reader that runs before
 * net-snmp on every v3 datagram); seeds: seed-v3-trap-*.bin.
 */
#include "config.h"

#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "snmp-logic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const u_char types[] = {
	ASN_INTEGER, ASN_OCTET_STR, ASN_OBJECT_ID, ASN_IPADDRESS, ASN_COUNTER,
	ASN_GAUGE, ASN_TIMETICKS, ASN_OPAQUE, ASN_COUNTER64, ASN_NULL,
	SNMP_NOSUCHOBJECT, SNMP_NOSUCHINSTANCE, SNMP_ENDOFMIBVIEW,
	ASN_OPAQUE_FLOAT, ASN_OPAQUE_DOUBLE, ASN_OPAQUE_COUNTER64,
	ASN_OPAQUE_I64, ASN_OPAQUE_U64, ASN_BIT_STR,
};

typedef struct {
	const uint8_t *p;
	size_t n;
} reader;

static gboolean take(reader *r, size_t k, const uint8_t **out)
{
	if (r->n < k)
		return FALSE;
	*out = r->p;
	r->p += k;
	r->n -= k;
	return TRUE;
}

/* Copy up to @want bytes of @v (@vlen) into @dst, zero-padded. */
static void fill(void *dst, size_t want, const uint8_t *v, size_t vlen)
{
	memset(dst, 0, want);
	memcpy(dst, v, vlen < want ? vlen : want);
}

/* Append one varbind built from the next record; FALSE at the end. */
static gboolean next_vb(reader *r, netsnmp_variable_list **list)
{
	const uint8_t *b, *v;
	oid name[MAX_OID_LEN];
	size_t n, vlen;
	u_char type;
	long l;
	struct counter64 c64;
	float f;
	double d;
	oid ov[32];

	if (!take(r, 2, &b))
		return FALSE;
	type = types[b[0] % G_N_ELEMENTS(types)];
	n = b[1] % 129;
	for (size_t i = 0; i < n; i++) {
		if (!take(r, 1, &b))
			return FALSE;
		if (b[0] == 0xFF) {
			if (!take(r, 4, &b))
				return FALSE;
			name[i] = ((oid)b[0] << 24) | ((oid)b[1] << 16) |
				  ((oid)b[2] << 8) | b[3];
		} else {
			name[i] = b[0];
		}
	}
	if (!take(r, 1, &b))
		return FALSE;
	vlen = b[0];
	if (!take(r, vlen, &v))
		return FALSE;
	if (n == 0)
		return TRUE;     /* net-snmp never hands over an empty OID */
	switch (type) {
	case ASN_INTEGER: case ASN_COUNTER: case ASN_GAUGE: case ASN_TIMETICKS:
		fill(&l, sizeof(l), v, vlen);
		snmp_varlist_add_variable(list, name, n, type, &l, sizeof(l));
		break;
	case ASN_IPADDRESS:
		fill(&l, 4, v, vlen);
		snmp_varlist_add_variable(list, name, n, type, &l, 4);
		break;
	case ASN_COUNTER64: case ASN_OPAQUE_COUNTER64: case ASN_OPAQUE_I64:
	case ASN_OPAQUE_U64:
		fill(&c64, sizeof(c64), v, vlen);
		snmp_varlist_add_variable(list, name, n, type, &c64, sizeof(c64));
		break;
	case ASN_OPAQUE_FLOAT:
		fill(&f, sizeof(f), v, vlen);
		snmp_varlist_add_variable(list, name, n, type, &f, sizeof(f));
		break;
	case ASN_OPAQUE_DOUBLE:
		fill(&d, sizeof(d), v, vlen);
		snmp_varlist_add_variable(list, name, n, type, &d, sizeof(d));
		break;
	case ASN_OBJECT_ID:
		for (size_t i = 0; i < vlen && i < G_N_ELEMENTS(ov); i++)
			ov[i] = v[i];
		snmp_varlist_add_variable(list, name, n, type, ov,
					  (vlen < G_N_ELEMENTS(ov) ? vlen : G_N_ELEMENTS(ov)) *
					  sizeof(oid));
		break;
	case ASN_NULL: case SNMP_NOSUCHOBJECT: case SNMP_NOSUCHINSTANCE:
	case SNMP_ENDOFMIBVIEW:
		snmp_varlist_add_variable(list, name, n, type, NULL, 0);
		break;
	default:         /* OCTET STRING, Opaque, BITS: the bytes as given */
		snmp_varlist_add_variable(list, name, n, type, v, vlen);
		break;
	}
	return TRUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reader r = { data, size };
	netsnmp_variable_list *list = NULL, *vb;
	GHashTable *rows, *names;
	GString *text;
	nm_snmp_oid root;
	oid prev[MAX_OID_LEN];
	size_t prev_len;
	nm_snmp_counter ctr = { 0 };
	guint32 up = 0;
	gboolean have_up = FALSE, walking = TRUE;
	guint8 sel;
	nm_snmp_v3_header h3;

	if (nm_snmp_v3_peek(data, size, &h3) &&
	    (h3.engine_id + h3.engine_id_len > data + size ||
	     h3.user + h3.user_len > data + size))
		__builtin_trap();  /* pointers must stay inside the input */

	if (size < 1)
		return 0;
	sel = data[0];
	r.p++;
	r.n--;
	while (next_vb(&r, &list))
		;
	if (list == NULL)
		return 0;

	/* the column walked: the first varbind's OID cut to the root length */
	root.len = MIN((size_t)(sel & 0x0F), list->name_length);
	memcpy(root.name, list->name, root.len * sizeof(oid));
	memcpy(prev, root.name, root.len * sizeof(oid));
	prev_len = root.len;
	rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	text = g_string_new(NULL);

	for (vb = list; vb != NULL; vb = vb->next_variable) {
		nm_snmp_number num;
		char *s = nm_snmp_vb_string(vb);

		/* trap: varbinds to EVENT text */
		nm_snmp_vb_append_text(text, vb);

		/* conversion to values and counter continuity (all varbinds
		 * feed one series: no monotony to check, a sum of deltas
		 * near 2^64 wraps by design) */
		if (nm_snmp_vb_number(vb, &num)) {
			(void)nm_snmp_counter_update(&ctr, num.u,
						     (sel & 0x10) ? 64 : 32,
						     (sel & 0x20) != 0);
			if (vb->type == ASN_TIMETICKS) {
				if (have_up)
					(void)nm_snmp_uptime_restarted(up, (guint32)num.u,
								       (gint64)num.u * 10000);
				up = (guint32)num.u;
				have_up = TRUE;
			}
		}

		/* table assembly: rows by index, instance names from text */
		if (walking) {
			nm_snmp_walk_step st = nm_snmp_walk_classify(&root, prev,
								     prev_len, vb);

			if (st != NM_SNMP_WALK_ROW) {
				walking = FALSE;
			} else {
				char *idx = nm_snmp_index_string(vb->name,
								 vb->name_length,
								 root.len);
				char *inst = s ? nm_snmp_sanitize_instance(s) : NULL;

				/* a row below the column has an index */
				if (idx == NULL)
					__builtin_trap();
				if (inst != NULL && (strlen(inst) > 63 || *inst == '\0'))
					__builtin_trap();
				if (inst != NULL && g_hash_table_contains(names, inst)) {
					char *u = g_strdup_printf("%s_%s", inst, idx);

					g_free(inst);
					inst = u;
				}
				if (inst != NULL)
					g_hash_table_add(names, g_strdup(inst));
				g_hash_table_replace(rows, idx, inst);
				memcpy(prev, vb->name, vb->name_length * sizeof(oid));
				prev_len = vb->name_length;
			}
		}
		g_free(s);
	}
	g_string_free(text, TRUE);
	g_hash_table_destroy(rows);
	g_hash_table_destroy(names);
	snmp_free_varbind(list);
	return 0;
}
