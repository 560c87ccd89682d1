/* Unit tests of the snmp plugin's pure parts: configuration, collect sets,
 * OIDs, varbind conversion, instance names, walk termination, sysUpTime
 * restarts and counter continuity.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "snmp-logic.h"
#include "snmp-sched.h"

/* ---- configuration ---- */

typedef struct {
	config_t cfg;
	char *path;
} conf_file;

/* Parse @text as a config file; returns its "snmp" group. */
static const config_setting_t *load(conf_file *f, const char *text)
{
	GError *err = NULL;
	int fd = g_file_open_tmp("snmp-conf-XXXXXX", &f->path, &err);

	g_assert_no_error(err);
	close(fd);
	g_assert_true(g_file_set_contents(f->path, text, -1, &err));
	config_init(&f->cfg);
	g_assert_true(config_read_file(&f->cfg, f->path) == CONFIG_TRUE);
	return config_lookup(&f->cfg, "snmp");
}

static void unload(conf_file *f)
{
	config_destroy(&f->cfg);
	g_unlink(f->path);
	g_free(f->path);
}

/* Parse; returns the config or NULL and the error text in *msg. */
static nm_snmp_config *parse(const char *text, char **msg)
{
	conf_file f;
	const config_setting_t *g = load(&f, text);
	GError *err = NULL;
	nm_snmp_config *c = NULL;

	if (nm_conf_check(g, nm_snmp_keys, &err))
		c = nm_snmp_config_parse(g, 10 * G_USEC_PER_SEC, &err);
	*msg = err ? g_strdup(err->message) : NULL;
	g_clear_error(&err);
	unload(&f);
	return c;
}

static void test_config_defaults(void)
{
	char *msg;
	nm_snmp_config *c = parse(
		"snmp = { targets = ( { name = \"r1\"; address = \"127.0.0.1\"; },\n"
		"  { name = \"r2\"; address = \"[::1]:1161\"; version = \"1\";\n"
		"    community = \"s3cret\"; timeout = 0.5; retries = 0;\n"
		"    interval = 30; collect = [\"host-resources\"]; } ); };\n", &msg);
	nm_snmp_target_conf *t;

	g_assert_null(msg);
	g_assert_nonnull(c);
	g_assert_cmpuint(c->targets->len, ==, 2);
	t = g_ptr_array_index(c->targets, 0);
	g_assert_cmpstr(t->address, ==, "udp:127.0.0.1:161");
	g_assert_cmpint(t->sec.version, ==, SNMP_VERSION_2c);
	g_assert_cmpstr(t->sec.community, ==, "public");
	g_assert_cmpint(t->timeout, ==, G_USEC_PER_SEC);
	g_assert_cmpint(t->retries, ==, 1);
	g_assert_cmpint(t->interval, ==, 10 * G_USEC_PER_SEC);
	g_assert_cmpint(t->max_repetitions, ==, 25);
	g_assert_cmpuint(t->sets->len, ==, 2); /* system, if */
	t = g_ptr_array_index(c->targets, 1);
	g_assert_cmpstr(t->address, ==, "udp6:[::1]:1161");
	g_assert_cmpint(t->sec.version, ==, SNMP_VERSION_1);
	g_assert_cmpint(t->timeout, ==, G_USEC_PER_SEC / 2);
	g_assert_cmpint(t->retries, ==, 0);
	g_assert_cmpint(t->interval, ==, 30 * G_USEC_PER_SEC);
	g_assert_cmpuint(t->sets->len, ==, 1);
	g_assert_cmpint(c->max_in_flight, ==, 1000);
	nm_snmp_config_free(c);
}

static void test_config_v3(void)
{
	char *msg;
	nm_snmp_config *c = parse(
		"snmp = { version = \"3\"; targets = (\n"
		" { name = \"a\"; address = \"h\"; user = \"u\"; },\n"
		" { name = \"b\"; address = \"h\"; user = \"u\"; auth_password = \"12345678\"; },\n"
		" { name = \"c\"; address = \"h\"; user = \"u\"; auth_password = \"12345678\";\n"
		"   auth_protocol = \"SHA-256\"; priv_password = \"abcdefgh\"; } ); };\n",
		&msg);
	nm_snmp_target_conf *t;

	g_assert_null(msg);
	t = g_ptr_array_index(c->targets, 0);
	g_assert_cmpint(t->sec.level, ==, SNMP_SEC_LEVEL_NOAUTH);
	t = g_ptr_array_index(c->targets, 1);
	g_assert_cmpint(t->sec.level, ==, SNMP_SEC_LEVEL_AUTHNOPRIV);
	g_assert_true(t->sec.auth_proto == usmHMACSHA1AuthProtocol);
	t = g_ptr_array_index(c->targets, 2);
	g_assert_cmpint(t->sec.level, ==, SNMP_SEC_LEVEL_AUTHPRIV);
	g_assert_true(t->sec.auth_proto == usmHMAC192SHA256AuthProtocol);
	g_assert_true(t->sec.priv_proto == usmAESPrivProtocol);
	nm_snmp_config_free(c);
}

/* Each bad config and a fragment of its message. */
static void test_config_errors(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "snmp = { };", "give 'targets' to poll or 'trap_listen'" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "collect = [\"nope\"]; } ); };",
		  ":1: snmp.targets.[0].collect.[0]: unknown collect set 'nope'" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h:x\"; } ); };",
		  "snmp.targets.[0].address: 'h:x' is not host" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; }, "
		  "{ name = \"a\"; address = \"h\"; } ); };",
		  "target name 'a' is empty or used twice" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "version = \"3\"; } ); };", "version 3 needs 'user'" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "version = \"3\"; user = \"u\"; auth_password = \"short\"; } ); };",
		  "auth_password: must be at least 8 characters" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "version = \"3\"; user = \"u\"; auth_password = \"12345678\"; "
		  "auth_protocol = \"MD5\"; } ); };",
		  "MD5 is refused unless snmp.allow_legacy_crypto = true" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "version = \"3\"; user = \"u\"; auth_password = \"12345678\"; "
		  "priv_password = \"12345678\"; priv_protocol = \"DES\"; } ); };",
		  "DES is refused" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "version = \"2\"; } ); };", "snmp.targets.[0].version" },
		{ "snmp = { targets = ( { name = \"a\"; address = \"h\"; "
		  "timeout = 0; } ); };", "snmp.targets.[0].timeout: 0 is out of range" },
		{ "snmp = { sets = ( { name = \"x\"; scalars = ( { oid = \"1.3.x\"; "
		  "type = \"gauge\"; } ); } ); targets = ( ); };",
		  "snmp.sets.[0].scalars.[0].oid: '1.3.x' is not an OID" },
		{ "snmp = { sets = ( { name = \"if\"; } ); targets = ( ); };",
		  "set name 'if' is empty, built in or used twice" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *msg = NULL;
		nm_snmp_config *c = parse(cases[i].text, &msg);

		if (c != NULL || msg == NULL || strstr(msg, cases[i].want) == NULL)
			g_error("case %u: want '%s', got '%s'", i, cases[i].want,
				msg ? msg : "(accepted)");
		g_free(msg);
	}
}

static void test_config_user_set(void)
{
	char *msg;
	nm_snmp_config *c = parse(
		"snmp = { sets = ( { name = \"ups\";\n"
		"  scalars = ( { oid = \".1.3.6.1.2.1.33.1.2.3.0\"; type = \"gauge\";\n"
		"                type_instance = \"runtime\"; scale = 60.0; } );\n"
		"  tables = ( { instance = \"1.3.6.1.2.1.2.2.1.2\";\n"
		"     values = ( { oids = [\"1.3.6.1.2.1.2.2.1.10\", \"1.3.6.1.2.1.2.2.1.16\"];\n"
		"                  type = \"if_octets\"; kind = \"DERIVE\"; } ); } ); } );\n"
		"  targets = ( { name = \"u\"; address = \"h\"; collect = [\"ups\", \"system\"]; } ); };\n",
		&msg);
	nm_snmp_target_conf *t;
	const nm_snmp_set *s;
	const nm_snmp_table *tb;
	const nm_snmp_metric_def *m;

	g_assert_null(msg);
	t = g_ptr_array_index(c->targets, 0);
	g_assert_cmpuint(t->sets->len, ==, 2);
	s = g_ptr_array_index(t->sets, 0);
	g_assert_cmpstr(s->name, ==, "ups");
	g_assert_cmpuint(s->scalar_oids->len, ==, 1);
	m = g_ptr_array_index(s->scalars, 0);
	g_assert_cmpfloat(m->scale, ==, 60.0);
	g_assert_cmpstr(m->type_instance, ==, "runtime");
	tb = g_ptr_array_index(s->tables, 0);
	g_assert_cmpuint(tb->cols->len, ==, 3);
	g_assert_cmpint(tb->inst_col[0], ==, 0);
	m = g_ptr_array_index(tb->metrics, 0);
	g_assert_cmpuint(m->n_values, ==, 2);
	g_assert_cmpint(m->kind, ==, NM_DS_DERIVE);
	g_assert_cmpint(m->src[0].col, ==, 1);
	g_assert_cmpint(m->src[1].col, ==, 2);
	nm_snmp_config_free(c);
}

static void test_builtin_sets(void)
{
	nm_snmp_set *s = nm_snmp_builtin_set("if");
	const nm_snmp_table *t;
	const nm_snmp_metric_def *m;
	int fb = 0;

	g_assert_nonnull(s);
	t = g_ptr_array_index(s->tables, 0);
	m = g_ptr_array_index(t->metrics, 0);
	g_assert_cmpstr(m->type, ==, "if_octets");
	g_assert_cmpint(m->kind, ==, NM_DS_DERIVE);
	g_assert_cmpint(m->src[0].fallback, >=, 0);
	for (guint i = 0; i < t->cols->len; i++)
		fb += g_array_index(t->fallback_only, gboolean, i);
	g_assert_cmpint(fb, ==, 9); /* 32-bit octets, ucast, mcast, bcast;
				     * ifSpeed for ifHighSpeed */
	nm_snmp_set_free(s);
	s = nm_snmp_builtin_set("system");
	g_assert_true(s->system);
	nm_snmp_set_free(s);
	s = nm_snmp_builtin_set("host-resources");
	g_assert_cmpuint(s->tables->len, ==, 2);
	nm_snmp_set_free(s);
	g_assert_null(nm_snmp_builtin_set("nope"));
}

/* ---- addresses and OIDs ---- */

static void test_peer_spec(void)
{
	static const char *const cases[][2] = {
		{ "10.0.0.1", "udp:10.0.0.1:161" },
		{ "10.0.0.1:1161", "udp:10.0.0.1:1161" },
		{ "router.example", "udp:router.example:161" },
		{ "[2001:db8::1]", "udp6:[2001:db8::1]:161" },
		{ "[2001:db8::1]:162", "udp6:[2001:db8::1]:162" },
		{ "2001:db8::1", "udp6:[2001:db8::1]:161" },
		{ "tcp:h:161", "tcp:h:161" },
		{ "", NULL }, { "h:", NULL }, { ":1", NULL }, { "h:x", NULL },
		{ "[::1", NULL }, { "[::1]x", NULL }, { "a b", NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = nm_snmp_peer_spec(cases[i][0]);
		g_assert_cmpstr(s, ==, cases[i][1]);
		g_free(s);
	}
}

static void test_parse_oid(void)
{
	nm_snmp_oid o;

	g_assert_true(nm_snmp_parse_oid("1.3.6.1.2.1.1.3.0", &o));
	g_assert_cmpuint(o.len, ==, 9);
	g_assert_cmpuint(o.name[8], ==, 0);
	g_assert_true(nm_snmp_parse_oid(".1.3.6.4294967295", &o));
	g_assert_cmpuint(o.name[3], ==, 4294967295u);
	g_assert_false(nm_snmp_parse_oid("1.3.6.4294967296", &o));
	g_assert_false(nm_snmp_parse_oid("1..3", &o));
	g_assert_false(nm_snmp_parse_oid("1.3.", &o));
	g_assert_false(nm_snmp_parse_oid("1", &o));
	g_assert_false(nm_snmp_parse_oid("", &o));
	g_assert_false(nm_snmp_parse_oid("1.3.-1", &o));
}

/* ---- varbinds ---- */

static netsnmp_variable_list *vb_new(const char *oidtxt, u_char type,
				     const void *val, size_t len)
{
	netsnmp_variable_list *vb = g_new0(netsnmp_variable_list, 1);
	nm_snmp_oid o;

	g_assert_true(nm_snmp_parse_oid(oidtxt, &o));
	g_assert_true(snmp_set_var_objid(vb, o.name, o.len) == 0);
	g_assert_true(snmp_set_var_typed_value(vb, type, val, len) == 0);
	return vb;
}

static void vb_free(netsnmp_variable_list *vb)
{
	snmp_free_var_internals(vb);
	g_free(vb);
}

static void test_vb_number(void)
{
	long i = -5;
	u_long u = 4294967295ul;
	struct counter64 c64 = { .high = 0xffffffffu, .low = 0xfffffffeu };
	nm_snmp_number n;
	netsnmp_variable_list *vb;

	vb = vb_new("1.3.6.1", ASN_INTEGER, &i, sizeof(i));
	g_assert_true(nm_snmp_vb_number(vb, &n));
	g_assert_cmpint(n.i, ==, -5);
	g_assert_cmpuint(n.bits, ==, 0);
	vb_free(vb);
	vb = vb_new("1.3.6.1", ASN_COUNTER, &u, sizeof(u));
	g_assert_true(nm_snmp_vb_number(vb, &n));
	g_assert_cmpuint(n.u, ==, 4294967295u);
	g_assert_cmpuint(n.bits, ==, 32);
	vb_free(vb);
	vb = vb_new("1.3.6.1", ASN_COUNTER64, &c64, sizeof(c64));
	g_assert_true(nm_snmp_vb_number(vb, &n));
	g_assert_cmpuint(n.u, ==, G_GUINT64_CONSTANT(0xfffffffffffffffe));
	g_assert_cmpuint(n.bits, ==, 64);
	vb_free(vb);
	vb = vb_new("1.3.6.1", ASN_TIMETICKS, &u, sizeof(u));
	g_assert_true(nm_snmp_vb_number(vb, &n));
	g_assert_cmpuint(n.bits, ==, 0);
	vb_free(vb);
	vb = vb_new("1.3.6.1", ASN_OCTET_STR, "0.75 ", 5);
	g_assert_true(nm_snmp_vb_number(vb, &n));
	g_assert_cmpfloat(n.d, ==, 0.75);
	vb_free(vb);
	vb = vb_new("1.3.6.1", ASN_OCTET_STR, "eth0", 4);
	g_assert_false(nm_snmp_vb_number(vb, &n));
	{
		char *s = nm_snmp_vb_string(vb);
		g_assert_cmpstr(s, ==, "eth0");
		g_free(s);
	}
	vb_free(vb);
	vb = vb_new("1.3.6.1", SNMP_NOSUCHOBJECT, NULL, 0);
	g_assert_false(nm_snmp_vb_number(vb, &n));
	g_assert_null(nm_snmp_vb_string(vb));
	vb_free(vb);
}

static void test_sanitize(void)
{
	static const char *const cases[][2] = {
		{ "eth0", "eth0" },
		{ "GigabitEthernet0/1", "GigabitEthernet0_1" },
		{ "  Intel(R) PRO/1000  ", "Intel_R_PRO_1000" },
		{ "Port 1 - uplink", "Port_1_-_uplink" },
		{ "vlan.100:1", "vlan.100:1" },
		{ "\xc3\xa9th", "th" },
		{ "///", NULL }, { "", NULL },
	};
	char *s;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		s = nm_snmp_sanitize_instance(cases[i][0]);
		g_assert_cmpstr(s, ==, cases[i][1]);
		g_free(s);
	}
	s = nm_snmp_sanitize_instance("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	g_assert_cmpuint(strlen(s), ==, 63);
	g_free(s);
	g_assert_null(nm_snmp_sanitize_instance(NULL));
}

static void test_index_string(void)
{
	oid n[] = { 1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 3 };
	oid m[] = { 1, 3, 6, 1, 4, 1, 9, 1, 4, 7, 192, 168 };
	char *s = nm_snmp_index_string(n, G_N_ELEMENTS(n), 10);

	g_assert_cmpstr(s, ==, "3");
	g_free(s);
	s = nm_snmp_index_string(m, G_N_ELEMENTS(m), 9);
	g_assert_cmpstr(s, ==, "7.192.168");
	g_free(s);
	g_assert_null(nm_snmp_index_string(n, 10, 10));
}

/* ---- walks ---- */

static void test_walk_classify(void)
{
	nm_snmp_oid root, prev;
	long v = 1;
	netsnmp_variable_list *vb;

	g_assert_true(nm_snmp_parse_oid("1.3.6.1.2.1.2.2.1.10", &root));
	prev = root;
	vb = vb_new("1.3.6.1.2.1.2.2.1.10.1", ASN_COUNTER, &v, sizeof(v));
	g_assert_cmpint(nm_snmp_walk_classify(&root, prev.name, prev.len, vb), ==,
			NM_SNMP_WALK_ROW);
	/* the same OID again: the agent loops */
	g_assert_true(nm_snmp_parse_oid("1.3.6.1.2.1.2.2.1.10.1", &prev));
	g_assert_cmpint(nm_snmp_walk_classify(&root, prev.name, prev.len, vb), ==,
			NM_SNMP_WALK_LOOP);
	vb_free(vb);
	/* going backwards */
	g_assert_true(nm_snmp_parse_oid("1.3.6.1.2.1.2.2.1.10.5", &prev));
	vb = vb_new("1.3.6.1.2.1.2.2.1.10.2", ASN_COUNTER, &v, sizeof(v));
	g_assert_cmpint(nm_snmp_walk_classify(&root, prev.name, prev.len, vb), ==,
			NM_SNMP_WALK_LOOP);
	vb_free(vb);
	/* next column: end */
	vb = vb_new("1.3.6.1.2.1.2.2.1.11.1", ASN_COUNTER, &v, sizeof(v));
	g_assert_cmpint(nm_snmp_walk_classify(&root, prev.name, prev.len, vb), ==,
			NM_SNMP_WALK_END);
	vb_free(vb);
	/* endOfMibView */
	vb = vb_new("1.3.6.1.2.1.2.2.1.10.9", SNMP_ENDOFMIBVIEW, NULL, 0);
	g_assert_cmpint(nm_snmp_walk_classify(&root, prev.name, prev.len, vb), ==,
			NM_SNMP_WALK_END);
	vb_free(vb);
	/* the column OID itself (no index): end */
	vb = vb_new("1.3.6.1.2.1.2.2.1.10", ASN_COUNTER, &v, sizeof(v));
	g_assert_cmpint(nm_snmp_walk_classify(&root, root.name, root.len, vb), ==,
			NM_SNMP_WALK_END);
	vb_free(vb);
}

/* ---- uptime and counters ---- */

static void test_uptime(void)
{
	/* normal progress */
	g_assert_false(nm_snmp_uptime_restarted(1000, 2000, 10 * G_USEC_PER_SEC));
	/* agent restarted */
	g_assert_true(nm_snmp_uptime_restarted(500000, 300, 10 * G_USEC_PER_SEC));
	/* TimeTicks wrap: 2^32 - 500 + 10 s (1000 ticks) -> 500 */
	g_assert_false(nm_snmp_uptime_restarted(4294966796u, 500, 10 * G_USEC_PER_SEC));
	/* going back although no wrap is possible in the time elapsed */
	g_assert_true(nm_snmp_uptime_restarted(4000000000u, 500, 10 * G_USEC_PER_SEC));
}

static void test_counter(void)
{
	nm_snmp_counter c = { 0 };

	g_assert_cmpuint(nm_snmp_counter_update(&c, 1000, 32, FALSE), ==, 0);
	g_assert_cmpuint(nm_snmp_counter_update(&c, 1500, 32, FALSE), ==, 500);
	/* 32-bit wrap */
	c.last_raw = 4294967000u;
	g_assert_cmpuint(nm_snmp_counter_update(&c, 100, 32, FALSE), ==, 500 + 396);
	/* agent restart: counts from 0 again, no spike */
	g_assert_cmpuint(nm_snmp_counter_update(&c, 50, 32, TRUE), ==, 946);
	/* 64-bit wrap near the top */
	memset(&c, 0, sizeof(c));
	nm_snmp_counter_update(&c, G_GUINT64_CONSTANT(0xfffffffffffffff0), 64, FALSE);
	g_assert_cmpuint(nm_snmp_counter_update(&c, 0x10, 64, FALSE), ==, 0x20);
	/* 64-bit drop far from the top: a reset, not a wrap */
	g_assert_cmpuint(nm_snmp_counter_update(&c, 1000000, 64, FALSE), ==,
			 0x20 + 1000000 - 0x10);
	g_assert_cmpuint(nm_snmp_counter_update(&c, 5, 64, FALSE), ==,
			 0x20 + 1000000 - 0x10 + 5);
	/* huge values stay in DERIVE's range */
	memset(&c, 0, sizeof(c));
	nm_snmp_counter_update(&c, 0, 64, FALSE);
	g_assert_cmpuint(nm_snmp_counter_update(&c, G_MAXUINT64 / 2 + 10, 64, FALSE),
			 <=, (guint64)G_MAXINT64);
}

/* The poll schedule: earliest first, ties and many items, phases as the
 * core's timers place them, missed turns counted. */
static void test_sched(void)
{
	nm_snmp_sched *s = nm_snmp_sched_new();
	static int items[1000];
	gint64 due = -1, prev = G_MININT64, d1, d2;
	guint64 missed = 0;
	guint n = 0;

	g_assert_null(nm_snmp_sched_pop_due(s, G_MAXINT64, NULL));
	for (int i = 0; i < 1000; i++)
		nm_snmp_sched_push(s, (gint64)((i * 7919) % 1000), &items[i]);
	g_assert_cmpuint(nm_snmp_sched_len(s), ==, 1000);
	g_assert_null(nm_snmp_sched_pop_due(s, -1, NULL));
	while (nm_snmp_sched_pop_due(s, 499, &due) != NULL) {
		g_assert_cmpint(due, >=, prev);
		g_assert_cmpint(due, <=, 499);
		prev = due;
		n++;
	}
	g_assert_cmpuint(n, ==, 500);
	g_assert_cmpuint(nm_snmp_sched_len(s), ==, 500);
	nm_snmp_sched_free(s);

	/* due when real % interval == phase, same phase for the same name */
	d1 = nm_snmp_sched_first_due("snmp", "poll:a", 10000000, 1000, 123456789);
	d2 = nm_snmp_sched_first_due("snmp", "poll:a", 10000000, 5000, 123460789);
	g_assert_cmpint(d1, ==, d2);
	g_assert_cmpint(d1, >=, 1000);
	g_assert_cmpint(d1, <, 1000 + 10000000);
	/* next turn one interval on; at 135 the turns of 110, 120 and 130 are
	 * past: 3 missed, next at 140 (as the core counts its timers) */
	g_assert_cmpint(nm_snmp_sched_next_due(100, 10, 105, &missed), ==, 110);
	g_assert_cmpuint(missed, ==, 0);
	g_assert_cmpint(nm_snmp_sched_next_due(100, 10, 135, &missed), ==, 140);
	g_assert_cmpuint(missed, ==, 3);
}

/* snmp.trap_users: levels and protocols like a target's, engine IDs. */
static void test_config_trap_users(void)
{
	char *msg;
	nm_snmp_config *c = parse(
		"snmp = { trap_listen = \"udp:127.0.0.1:1162\";\n"
		"  auth_password = \"group-level-is-not-used\";\n"
		"  trap_users = ( { user = \"a\"; auth_password = \"12345678\"; },\n"
		"   { user = \"b\"; auth_protocol = \"SHA-256\"; auth_password = \"12345678\";\n"
		"     priv_password = \"abcdefgh\";\n"
		"     engine_ids = [ \"0x8000000001020304\", \"80:00:1f:88:04\" ]; } ); };\n",
		&msg);
	const nm_snmp_trap_user *u;
	gsize len;
	const guint8 *id;

	g_assert_null(msg);
	g_assert_cmpuint(c->trap_users->len, ==, 2);
	g_assert_cmpint(c->trap_max_engines, ==, 1000);
	u = g_ptr_array_index(c->trap_users, 0);
	g_assert_cmpstr(u->sec.user, ==, "a");
	g_assert_cmpint(u->sec.level, ==, SNMP_SEC_LEVEL_AUTHNOPRIV);
	g_assert_true(u->sec.auth_proto == usmHMACSHA1AuthProtocol);
	g_assert_cmpuint(u->engine_ids->len, ==, 0);
	u = g_ptr_array_index(c->trap_users, 1);
	g_assert_cmpint(u->sec.level, ==, SNMP_SEC_LEVEL_AUTHPRIV);
	g_assert_true(u->sec.auth_proto == usmHMAC192SHA256AuthProtocol);
	g_assert_true(u->sec.priv_proto == usmAESPrivProtocol);
	g_assert_cmpuint(u->engine_ids->len, ==, 2);
	id = g_bytes_get_data(g_ptr_array_index(u->engine_ids, 1), &len);
	g_assert_cmpuint(len, ==, 5);
	g_assert_cmpuint(id[0], ==, 0x80);
	g_assert_cmpuint(id[4], ==, 0x04);
	nm_snmp_config_free(c);
}

static void test_config_trap_user_errors(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( { user = \"u\";\n"
		  "  auth_password = \"12345678\"; auth_protocol = \"MD5\"; } ); };",
		  ":2: snmp.trap_users.[0].auth_protocol: MD5 is refused unless "
		  "snmp.allow_legacy_crypto = true" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( { user = \"u\";\n"
		  "  auth_password = \"12345678\"; priv_password = \"12345678\";\n"
		  "  priv_protocol = \"DES\"; } ); };",
		  ":3: snmp.trap_users.[0].priv_protocol: DES is refused" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( { user = \"u\";\n"
		  "  auth_password = \"short\"; } ); };",
		  ":2: snmp.trap_users.[0].auth_password: must be at least 8" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( { user = \"u\";\n"
		  "  security_level = \"authPriv\"; auth_password = \"12345678\"; } ); };",
		  "security level authPriv needs 'priv_password'" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = (\n"
		  "  { user = \"u\"; auth_password = \"12345678\"; },\n"
		  "  { user = \"u\"; auth_password = \"12345678\"; } ); };",
		  ":3: snmp.trap_users.[1].user: user 'u' is listed twice" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( { user = \"u\";\n"
		  "  auth_password = \"12345678\"; engine_ids = [ \"0x8000\" ]; } ); };",
		  ":2: snmp.trap_users.[0].engine_ids.[0]: not an engine ID" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( { user = \"u\";\n"
		  "  auth_password = \"12345678\"; engine_ids = [ \"0x80zz000001\" ]; } ); };",
		  "not an engine ID" },
		{ "snmp = { trap_listen = \"udp:1162\"; trap_users = ( {\n"
		  "  auth_password = \"12345678\"; } ); };", "user" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *msg = NULL;
		nm_snmp_config *c = parse(cases[i].text, &msg);

		if (c != NULL || msg == NULL || strstr(msg, cases[i].want) == NULL)
			g_error("case %u: want '%s', got '%s'", i, cases[i].want,
				msg ? msg : "(accepted)");
		g_free(msg);
	}
}

static void test_engine_id(void)
{
	static const char *const bad[] = {
		"", "0x", "80000000", "0x800000000", "0x80000000zz",
		"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
		":8000000001", "8000000001:",
	};
	GBytes *b = nm_snmp_engine_id_parse("0X80000000010203");
	gsize len;

	g_assert_nonnull(b);
	g_assert_cmpuint(g_bytes_get_size(b), ==, 7);
	g_bytes_unref(b);
	b = nm_snmp_engine_id_parse(
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	g_assert_nonnull(b);
	g_assert_cmpuint(g_bytes_get_size(b), ==, 32);
	g_bytes_unref(b);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		b = nm_snmp_engine_id_parse(bad[i]);
		if (b != NULL)
			g_error("'%s' accepted (%" G_GSIZE_FORMAT " octets)", bad[i],
				(g_bytes_get_data(b, &len), len));
	}
}

/* A v3 SNMPv2-Trap as snmptrap 5.9 sends it (user trappriv, authNoPriv,
 * engine 0x8000000001020304), t/fuzz/corpus/snmp/seed-v3-trap-authnopriv.bin. */
static const char v3_trap_hex[] =
	"3081ac020103301102046567620e020300ffe304010102010304"
	"2e302c040880000000010203040201010203243d2f0408747261707072697604"
	"0c551a2287e645197d849ebf3c04003064041180001f88808ec30f04c908056b"
	"000000000400a74d020407507507020100020100303f300f06082b0601020101"
	"03004303243d2f3017060a2b06010603010104010006092b0601060301010502"
	"301306082b06010201010500040776332073656564";

static void test_v3_peek(void)
{
	gsize n = strlen(v3_trap_hex) / 2;
	guint8 *buf = g_malloc(n);
	nm_snmp_v3_header h;
	static const guint8 eid[] = { 0x80, 0, 0, 0, 1, 2, 3, 4 };

	for (gsize i = 0; i < n; i++)
		buf[i] = (guint8)(g_ascii_xdigit_value(v3_trap_hex[2 * i]) * 16 +
				  g_ascii_xdigit_value(v3_trap_hex[2 * i + 1]));
	g_assert_true(nm_snmp_v3_peek(buf, n, &h));
	g_assert_cmpmem(h.engine_id, h.engine_id_len, eid, sizeof(eid));
	g_assert_cmpmem(h.user, h.user_len, "trappriv", 8);
	/* every truncation of the header is refused, never read past */
	for (gsize k = 0; k < 0x3a; k++) {
		guint8 *cut = g_memdup2(buf, k);

		g_assert_false(nm_snmp_v3_peek(cut, k, &h));
		g_free(cut);
	}
	/* a v2c message (msgVersion 1) is not v3 */
	buf[5] = 1;
	g_assert_false(nm_snmp_v3_peek(buf, n, &h));
	buf[5] = 3;
	/* a length claiming more than the datagram */
	buf[1] = 0x82;
	g_assert_false(nm_snmp_v3_peek(buf, n, &h));
	g_free(buf);
}

/* Peer specs split for DNS resolution and rebuilt from the address. */
static void test_peer_split(void)
{
	static const struct {
		const char *spec, *host, *port;
		gboolean tcp, v6;
	} ok[] = {
		{ "udp:router1.example.net:1161", "router1.example.net", "1161", FALSE, FALSE },
		{ "udp:host", "host", "161", FALSE, FALSE },
		{ "tcp:h:162", "h", "162", TRUE, FALSE },
		{ "udp6:[2001:db8::1]:161", "2001:db8::1", "161", FALSE, TRUE },
		{ "udp6:[v6name.example]", "v6name.example", "161", FALSE, TRUE },
		{ "udp6:2001:db8::1", "2001:db8::1", "161", FALSE, TRUE },
		{ "tcp6:[::1]:2000", "::1", "2000", TRUE, TRUE },
	};
	static const char *const bad[] = { "udp:", "udp6:[]:161", "udp6:[::1",
					   "nocolon", "udp::161" };
	char *host, *port, *n;
	gboolean tcp, v6;

	for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
		g_assert_true(nm_snmp_peer_split(ok[i].spec, &tcp, &v6, &host, &port));
		g_assert_cmpstr(host, ==, ok[i].host);
		g_assert_cmpstr(port, ==, ok[i].port);
		g_assert_true(tcp == ok[i].tcp && v6 == ok[i].v6);
		g_free(host);
		g_free(port);
	}
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
		if (nm_snmp_peer_split(bad[i], &tcp, &v6, &host, &port))
			g_error("'%s' split into '%s' '%s'", bad[i], host, port);
	n = nm_snmp_peer_numeric(FALSE, "192.0.2.7", "1161");
	g_assert_cmpstr(n, ==, "udp:192.0.2.7:1161");
	g_free(n);
	n = nm_snmp_peer_numeric(TRUE, "2001:db8::7", "161");
	g_assert_cmpstr(n, ==, "tcp6:[2001:db8::7]:161");
	g_free(n);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/snmp/config/defaults", test_config_defaults);
	g_test_add_func("/snmp/config/v3", test_config_v3);
	g_test_add_func("/snmp/config/errors", test_config_errors);
	g_test_add_func("/snmp/config/user-set", test_config_user_set);
	g_test_add_func("/snmp/config/trap-users", test_config_trap_users);
	g_test_add_func("/snmp/config/trap-user-errors", test_config_trap_user_errors);
	g_test_add_func("/snmp/engine-id", test_engine_id);
	g_test_add_func("/snmp/peer-split", test_peer_split);
	g_test_add_func("/snmp/v3-peek", test_v3_peek);
	g_test_add_func("/snmp/sets/builtin", test_builtin_sets);
	g_test_add_func("/snmp/peer-spec", test_peer_spec);
	g_test_add_func("/snmp/oid/parse", test_parse_oid);
	g_test_add_func("/snmp/varbind/number", test_vb_number);
	g_test_add_func("/snmp/instance/sanitize", test_sanitize);
	g_test_add_func("/snmp/instance/index", test_index_string);
	g_test_add_func("/snmp/walk/classify", test_walk_classify);
	g_test_add_func("/snmp/uptime/restart", test_uptime);
	g_test_add_func("/snmp/counter/continuity", test_counter);
	g_test_add_func("/snmp/sched", test_sched);
	return g_test_run();
}
