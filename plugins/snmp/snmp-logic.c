/* netmon snmp plugin — configuration, collect sets, conversions.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * See snmp-logic.h. References: RFC 3416 (PDUs, GETBULK, exceptions),
 * RFC 3414 (USM), RFC 2863 (IF-MIB), RFC 2790 (HOST-RESOURCES-MIB).
 */
#include "config.h"

#include <string.h>
#include <errno.h>

#include "snmp-logic.h"
#include "snmp-mib.h"

/* ------------------------------------------------------------------ */
/* Configuration keys                                                  */

static const char *const versions[] = { "1", "2c", "3", NULL };
static const char *const levels[] = { "noAuthNoPriv", "authNoPriv",
				      "authPriv", NULL };
static const char *const auth_protos[] = { "SHA", "SHA-224", "SHA-256",
					   "SHA-384", "SHA-512", "MD5", NULL };
static const char *const priv_protos[] = { "AES", "AES-128", "DES", NULL };
static const char *const kinds[] = { "GAUGE", "COUNTER", "DERIVE",
				     "ABSOLUTE", NULL };

#define COMMON_KEYS                                                          \
	{ .name = "version", .kind = NM_CONF_STRING, .choices = versions,    \
	  .help = "SNMP version: \"1\", \"2c\" (default) or \"3\"" },        \
	{ .name = "community", .kind = NM_CONF_STRING,                       \
	  .help = "v1/v2c community (default \"public\"); never logged" },   \
	{ .name = "user", .kind = NM_CONF_STRING,                            \
	  .help = "v3 USM user name (RFC 3414)" },                           \
	{ .name = "security_level", .kind = NM_CONF_STRING,                  \
	  .choices = levels,                                                 \
	  .help = "v3 level; default from the passwords given" },            \
	{ .name = "auth_protocol", .kind = NM_CONF_STRING,                   \
	  .choices = auth_protos, .help = "v3 authentication (default SHA)" }, \
	{ .name = "auth_password", .kind = NM_CONF_STRING,                   \
	  .help = "v3 authentication pass phrase, >= 8 characters" },        \
	{ .name = "priv_protocol", .kind = NM_CONF_STRING,                   \
	  .choices = priv_protos, .help = "v3 privacy (default AES-128)" },  \
	{ .name = "priv_password", .kind = NM_CONF_STRING,                   \
	  .help = "v3 privacy pass phrase, >= 8 characters" },               \
	{ .name = "context", .kind = NM_CONF_STRING,                         \
	  .help = "v3 context name" },                                       \
	{ .name = "timeout", .kind = NM_CONF_DURATION, .has_range = TRUE,    \
	  .min = 0.01, .max = 60, .help = "per request, seconds (default 1)" }, \
	{ .name = "retries", .kind = NM_CONF_INT, .has_range = TRUE,         \
	  .min = 0, .max = 10, .help = "retransmissions (default 1)" },      \
	{ .name = "interval", .kind = NM_CONF_DURATION, .has_range = TRUE,   \
	  .min = 0.1, .max = 86400,                                          \
	  .help = "poll interval, seconds (default netmond.interval)" },     \
	{ .name = "collect", .kind = NM_CONF_ARRAY,                          \
	  .help = "collect sets: system, if, host-resources, or sets[].name" }, \
	{ .name = "max_repetitions", .kind = NM_CONF_INT, .has_range = TRUE, \
	  .min = 1, .max = 1000,                                             \
	  .help = "GETBULK max-repetitions (default 25)" },                  \
	{ .name = "max_rows", .kind = NM_CONF_INT, .has_range = TRUE,        \
	  .min = 1, .max = 10000000,                                         \
	  .help = "rows read per table column at most (default 100000)" },  \
	{ .name = "deadline", .kind = NM_CONF_DURATION, .has_range = TRUE,   \
	  .min = 0.01, .max = 86400,                                         \
	  .help = "a poll still running after this many seconds is aborted " \
		  "(default: none)" }

static const nm_conf_key target_keys[] = {
	{ .name = "name", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "host name of the target's metrics" },
	{ .name = "address", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "host, host:port, [v6addr]:port or udp6:..." },
	COMMON_KEYS,
	{ .name = NULL }
};

static const nm_conf_key value_keys[] = {
	{ .name = "oid", .kind = NM_CONF_STRING, .help = "one OID" },
	{ .name = "oids", .kind = NM_CONF_ARRAY, .has_range = TRUE, .min = 1,
	  .max = NM_SNMP_MAX_VALUES, .help = "OIDs of a multi-value type" },
	{ .name = "type", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "types.db type" },
	{ .name = "type_instance", .kind = NM_CONF_STRING },
	{ .name = "kind", .kind = NM_CONF_STRING, .choices = kinds,
	  .help = "data-source kind (default GAUGE)" },
	{ .name = "scale", .kind = NM_CONF_FLOAT, .help = "multiplier" },
	{ .name = NULL }
};

static const nm_conf_key table_keys[] = {
	{ .name = "name", .kind = NM_CONF_STRING },
	{ .name = "instance", .kind = NM_CONF_STRING,
	  .help = "column OID naming rows, or \"index\" (default)" },
	{ .name = "instance_prefix", .kind = NM_CONF_STRING },
	{ .name = "values", .kind = NM_CONF_LIST, .required = TRUE,
	  .has_range = TRUE, .min = 1, .max = 1000, .children = value_keys },
	{ .name = NULL }
};

static const nm_conf_key set_keys[] = {
	{ .name = "name", .kind = NM_CONF_STRING, .required = TRUE },
	{ .name = "scalars", .kind = NM_CONF_LIST, .children = value_keys },
	{ .name = "tables", .kind = NM_CONF_LIST, .children = table_keys },
	{ .name = NULL }
};

static const nm_conf_key trap_user_keys[] = {
	{ .name = "user", .kind = NM_CONF_STRING, .required = TRUE,
	  .help = "USM user name (RFC 3414) senders use" },
	{ .name = "security_level", .kind = NM_CONF_STRING, .choices = levels,
	  .help = "lowest level accepted; default from the passwords given" },
	{ .name = "auth_protocol", .kind = NM_CONF_STRING,
	  .choices = auth_protos, .help = "authentication (default SHA)" },
	{ .name = "auth_password", .kind = NM_CONF_STRING,
	  .help = "authentication pass phrase, >= 8 characters" },
	{ .name = "priv_protocol", .kind = NM_CONF_STRING,
	  .choices = priv_protos, .help = "privacy (default AES-128)" },
	{ .name = "priv_password", .kind = NM_CONF_STRING,
	  .help = "privacy pass phrase, >= 8 characters" },
	{ .name = "engine_ids", .kind = NM_CONF_ARRAY,
	  .help = "traps accepted from these sender engine IDs only (hex); "
		  "default: any engine" },
	{ .name = NULL }
};

const nm_conf_key nm_snmp_keys[] = {
	{ .name = "targets", .kind = NM_CONF_LIST, .children = target_keys,
	  .help = "the devices to poll" },
	COMMON_KEYS,
	{ .name = "max_in_flight", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1000000,
	  .help = "requests outstanding at once, all targets (default 1000)" },
	{ .name = "mib_dirs", .kind = NM_CONF_ARRAY,
	  .help = "directories of MIB files for OID names in sets (default "
		  "net-snmp's: /usr/share/snmp/mibs...)" },
	{ .name = "mibs", .kind = NM_CONF_ARRAY,
	  .help = "MIB modules to load for OID names (default: all in "
		  "mib_dirs)" },
	{ .name = "resolve_interval", .kind = NM_CONF_DURATION, .has_range = TRUE,
	  .min = 1, .max = 86400,
	  .help = "target DNS names are resolved again this often, seconds "
		  "(default 300)" },
	{ .name = "allow_legacy_crypto", .kind = NM_CONF_BOOL,
	  .help = "allow MD5 and DES for v3 (default false)" },
	{ .name = "trap_listen", .kind = NM_CONF_STRING,
	  .help = "receive traps/informs here, e.g. \"udp:0.0.0.0:162\"" },
	{ .name = "trap_community", .kind = NM_CONF_STRING,
	  .help = "accept v1/v2c traps with this community only" },
	{ .name = "trap_users", .kind = NM_CONF_LIST, .children = trap_user_keys,
	  .help = "SNMPv3 USM users whose traps and informs are accepted" },
	{ .name = "trap_max_engines", .kind = NM_CONF_INT, .has_range = TRUE,
	  .min = 1, .max = 1000000,
	  .help = "sender engine IDs learned for v3 traps, at most "
		  "(default 1000)" },
	{ .name = "sets", .kind = NM_CONF_LIST, .children = set_keys,
	  .help = "user-defined collect sets" },
	{ .name = NULL }
};

/* ------------------------------------------------------------------ */
/* OIDs                                                                */

gboolean nm_snmp_parse_oid(const char *text, nm_snmp_oid *out)
{
	const char *s = text;
	size_t n = 0;

	if (text == NULL || *text == '\0')
		return FALSE;
	if (*s == '.')
		s++;
	if (g_ascii_isdigit(*s)) {
		while (*s != '\0') {
			char *end;
			guint64 v;

			if (!g_ascii_isdigit(*s) || n >= MAX_OID_LEN)
				return FALSE;
			errno = 0;
			v = g_ascii_strtoull(s, &end, 10);
			if (errno != 0 || v > 0xffffffffu)
				return FALSE;
			out->name[n++] = (oid)v;
			s = end;
			if (*s == '.') {
				s++;
				if (*s == '\0')
					return FALSE;
			} else if (*s != '\0') {
				return FALSE;
			}
		}
		out->len = n;
		return n >= 2;
	}
	/* Symbolic: only with MIBs loaded. */
	out->len = MAX_OID_LEN;
	if (read_objid(text, out->name, &out->len) == 0)
		return FALSE;
	return out->len >= 2;
}

static void add_oid(GArray *a, const char *text)
{
	nm_snmp_oid o;

	if (!nm_snmp_parse_oid(text, &o))
		g_error("snmp: built-in OID %s does not parse", text);
	g_array_append_val(a, o);
}

/* ------------------------------------------------------------------ */
/* Sets                                                                */

static nm_snmp_metric_def *metric_new(const char *type, const char *ti,
				      nm_ds_kind kind)
{
	nm_snmp_metric_def *m = g_new0(nm_snmp_metric_def, 1);

	m->type = g_strdup(type);
	m->type_instance = g_strdup(ti != NULL ? ti : "");
	m->kind = kind;
	m->scale = 1.0;
	m->scale_col = -1;
	return m;
}

static void metric_free(gpointer p)
{
	nm_snmp_metric_def *m = p;

	g_free(m->type);
	g_free(m->type_instance);
	g_free(m);
}

static void metric_add_src(nm_snmp_metric_def *m, int col, int fallback)
{
	g_assert(m->n_values < NM_SNMP_MAX_VALUES);
	m->src[m->n_values].col = col;
	m->src[m->n_values].fallback = fallback;
	m->n_values++;
}

static nm_snmp_table *table_new(const char *name)
{
	nm_snmp_table *t = g_new0(nm_snmp_table, 1);

	t->name = g_strdup(name);
	t->cols = g_array_new(FALSE, TRUE, sizeof(nm_snmp_oid));
	t->fallback_only = g_array_new(FALSE, TRUE, sizeof(gboolean));
	t->inst_col[0] = t->inst_col[1] = -1;
	t->inst_prefix = g_strdup("");
	t->metrics = g_ptr_array_new_with_free_func(metric_free);
	return t;
}

static void table_free(gpointer p)
{
	nm_snmp_table *t = p;

	g_free(t->name);
	g_array_free(t->cols, TRUE);
	g_array_free(t->fallback_only, TRUE);
	g_free(t->inst_prefix);
	g_ptr_array_free(t->metrics, TRUE);
	g_free(t);
}

/* Add column @text to @t (reusing an equal one); returns its index. */
static int table_col(nm_snmp_table *t, const nm_snmp_oid *o, gboolean fb_only)
{
	for (guint i = 0; i < t->cols->len; i++) {
		const nm_snmp_oid *c = &g_array_index(t->cols, nm_snmp_oid, i);
		if (snmp_oid_compare(c->name, c->len, o->name, o->len) == 0) {
			if (!fb_only)
				g_array_index(t->fallback_only, gboolean, i) = FALSE;
			return (int)i;
		}
	}
	g_array_append_val(t->cols, *o);
	g_array_append_val(t->fallback_only, fb_only);
	return (int)t->cols->len - 1;
}

static int table_col_text(nm_snmp_table *t, const char *text, gboolean fb_only)
{
	nm_snmp_oid o;

	if (!nm_snmp_parse_oid(text, &o))
		g_error("snmp: built-in OID %s does not parse", text);
	return table_col(t, &o, fb_only);
}

static nm_snmp_set *set_new(const char *name)
{
	nm_snmp_set *s = g_new0(nm_snmp_set, 1);

	s->name = g_strdup(name);
	s->scalar_oids = g_array_new(FALSE, TRUE, sizeof(nm_snmp_oid));
	s->scalars = g_ptr_array_new_with_free_func(metric_free);
	s->tables = g_ptr_array_new_with_free_func(table_free);
	return s;
}

void nm_snmp_set_free(nm_snmp_set *s)
{
	if (s == NULL)
		return;
	g_free(s->name);
	g_array_free(s->scalar_oids, TRUE);
	g_ptr_array_free(s->scalars, TRUE);
	g_ptr_array_free(s->tables, TRUE);
	g_free(s);
}

#define IFX "1.3.6.1.2.1.31.1.1.1."
#define IFT "1.3.6.1.2.1.2.2.1."

/* A two-value (rx, tx) interface metric from 64-bit columns, falling back
 * to 32-bit ones per row (RFC 2863 §3.1.6: ifHC* where supported). */
static void if_pair(nm_snmp_table *t, const char *type, nm_ds_kind kind,
		    const char *in, const char *out, const char *in_fb,
		    const char *out_fb)
{
	nm_snmp_metric_def *m = metric_new(type, "", kind);
	int a = table_col_text(t, in, FALSE), b = table_col_text(t, out, FALSE);
	int fa = in_fb ? table_col_text(t, in_fb, TRUE) : -1;
	int fb = out_fb ? table_col_text(t, out_fb, TRUE) : -1;

	metric_add_src(m, a, fa);
	metric_add_src(m, b, fb);
	g_ptr_array_add(t->metrics, m);
}

nm_snmp_set *nm_snmp_builtin_set(const char *name)
{
	nm_snmp_set *s;

	if (g_strcmp0(name, "system") == 0) {
		nm_snmp_metric_def *m = metric_new("uptime", "", NM_DS_GAUGE);

		s = set_new(name);
		s->system = TRUE;
		add_oid(s->scalar_oids, "1.3.6.1.2.1.1.3.0"); /* sysUpTime.0 */
		metric_add_src(m, 0, -1);
		m->scale = 0.01; /* TimeTicks -> seconds */
		g_ptr_array_add(s->scalars, m);
		return s;
	}
	if (g_strcmp0(name, "if") == 0) {
		nm_snmp_table *t = table_new("ifTable");
		nm_snmp_metric_def *m;

		s = set_new(name);
		t->inst_col[0] = table_col_text(t, IFX "1", FALSE); /* ifName */
		t->inst_col[1] = table_col_text(t, IFT "2", FALSE); /* ifDescr */
		if_pair(t, "if_octets", NM_DS_DERIVE, IFX "6", IFX "10",
			IFT "10", IFT "16");
		if_pair(t, "if_packets", NM_DS_DERIVE, IFX "7", IFX "11",
			IFT "11", IFT "17");
		if_pair(t, "if_multicast", NM_DS_DERIVE, IFX "8", IFX "12",
			IFX "2", IFX "4");
		if_pair(t, "if_broadcast", NM_DS_DERIVE, IFX "9", IFX "13",
			IFX "3", IFX "5");
		if_pair(t, "if_errors", NM_DS_DERIVE, IFT "14", IFT "20",
			NULL, NULL);
		if_pair(t, "if_dropped", NM_DS_DERIVE, IFT "13", IFT "19",
			NULL, NULL);
		m = metric_new("operational_state", "", NM_DS_GAUGE);
		metric_add_src(m, table_col_text(t, IFT "8", FALSE), -1);
		g_ptr_array_add(t->metrics, m);
		m = metric_new("operational_state", "admin", NM_DS_GAUGE);
		metric_add_src(m, table_col_text(t, IFT "7", FALSE), -1);
		g_ptr_array_add(t->metrics, m);
		/* ifHighSpeed is in Mbit/s; ifSpeed (bit/s, RFC 2863) is the
		 * fallback for agents without ifXTable, with its own scale */
		m = metric_new("bitrate", "", NM_DS_GAUGE);
		metric_add_src(m, table_col_text(t, IFX "15", FALSE),
			       table_col_text(t, IFT "5", TRUE));
		m->scale = 1e6;
		m->fallback_scale = 1.0;
		g_ptr_array_add(t->metrics, m);
		g_ptr_array_add(s->tables, t);
		return s;
	}
	if (g_strcmp0(name, "host-resources") == 0) {
		nm_snmp_table *t = table_new("hrProcessorTable");
		nm_snmp_metric_def *m = metric_new("percent", "", NM_DS_GAUGE);

		s = set_new(name);
		g_free(t->inst_prefix);
		t->inst_prefix = g_strdup("cpu");
		metric_add_src(m, table_col_text(t, "1.3.6.1.2.1.25.3.3.1.2",
						 FALSE), -1);
		g_ptr_array_add(t->metrics, m);
		g_ptr_array_add(s->tables, t);

		t = table_new("hrStorageTable");
		t->inst_col[0] = table_col_text(t, "1.3.6.1.2.1.25.2.3.1.3",
						FALSE); /* hrStorageDescr */
		m = metric_new("storage", "", NM_DS_GAUGE);
		metric_add_src(m, table_col_text(t, "1.3.6.1.2.1.25.2.3.1.6",
						 FALSE), -1); /* used */
		metric_add_src(m, table_col_text(t, "1.3.6.1.2.1.25.2.3.1.5",
						 FALSE), -1); /* size */
		m->scale_col = table_col_text(t, "1.3.6.1.2.1.25.2.3.1.4",
					      FALSE); /* allocation units */
		g_ptr_array_add(t->metrics, m);
		g_ptr_array_add(s->tables, t);
		return s;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static nm_ds_kind kind_of(const char *s)
{
	if (g_strcmp0(s, "COUNTER") == 0)
		return NM_DS_COUNTER;
	if (g_strcmp0(s, "DERIVE") == 0)
		return NM_DS_DERIVE;
	if (g_strcmp0(s, "ABSOLUTE") == 0)
		return NM_DS_ABSOLUTE;
	return NM_DS_GAUGE;
}

/* The OIDs of a value entry ("oid" or "oids"), parsed into @out. */
/* Where OID settings are parsed: the snmp group (mib_dirs, mibs) and the
 * MIB modules, loaded at the first name. */
typedef struct {
	const config_setting_t *top;
	nm_snmp_mib *mib;
} oid_ctx;

/* The strings of array setting @name of @g joined by @sep (new), or NULL. */
static char *array_join(const config_setting_t *g, const char *name,
			const char *sep)
{
	const config_setting_t *a = config_setting_get_member(g, name);
	GString *s;

	if (a == NULL || config_setting_length(a) == 0)
		return NULL;
	s = g_string_new(NULL);
	for (int i = 0; i < config_setting_length(a); i++) {
		const char *e = config_setting_get_string_elem(a, i);

		if (e != NULL)
			g_string_append_printf(s, "%s%s", s->len ? sep : "", e);
	}
	return g_string_free(s, FALSE);
}

/* An OID setting's text: numeric, or a name ("IF-MIB::ifHCInOctets",
 * "sysUpTime.0") looked up in the MIB modules (loaded on first use). */
static gboolean conf_oid(oid_ctx *x, const char *text, nm_snmp_oid *out)
{
	if (text == NULL)
		return FALSE;
	if (!g_ascii_isalpha(*text))   /* names start with a letter */
		return nm_snmp_parse_oid(text, out);
	if (x->mib == NULL) {
		char *dirs = array_join(x->top, "mib_dirs", ":");
		char *mods = array_join(x->top, "mibs", "\n");
		char **mv = mods ? g_strsplit(mods, "\n", -1) : NULL;

		x->mib = nm_snmp_mib_load(dirs, (const char *const *)mv);
		g_strfreev(mv);
		g_free(mods);
		g_free(dirs);
	}
	return nm_snmp_mib_resolve(x->mib, text, out);
}

/* The error for an OID setting @s whose text @text did not parse. */
static void oid_error(oid_ctx *x, const config_setting_t *s, const char *text,
		      const char *what, GError **err)
{
	if (x->mib != NULL && text != NULL && g_ascii_isalpha(*text))
		nm_conf_error(s, err, "'%s' is not %s: no MIB module loaded "
			      "from %s defines that name (snmp.mib_dirs, "
			      "snmp.mibs)", text, what, nm_snmp_mib_dirs(x->mib));
	else
		nm_conf_error(s, err, "'%s' is not %s", text ? text : "(not a string)",
			      what);
}

static int value_oids(const config_setting_t *v, nm_snmp_oid *out, oid_ctx *x,
		      GError **err)
{
	const config_setting_t *one = config_setting_get_member(v, "oid");
	const config_setting_t *many = config_setting_get_member(v, "oids");
	int n = 0;

	if ((one == NULL) == (many == NULL)) {
		nm_conf_error(v, err, "give exactly one of 'oid' and 'oids'");
		return -1;
	}
	if (one != NULL) {
		if (!conf_oid(x, config_setting_get_string(one), &out[0])) {
			oid_error(x, one, config_setting_get_string(one), "an OID",
				  err);
			return -1;
		}
		return 1;
	}
	for (n = 0; n < config_setting_length(many); n++) {
		const config_setting_t *e = config_setting_get_elem(many, (guint)n);
		const char *txt = config_setting_get_string(e);

		if (!conf_oid(x, txt, &out[n])) {
			oid_error(x, e, txt, "an OID", err);
			return -1;
		}
	}
	return n;
}

static nm_snmp_metric_def *value_metric(const config_setting_t *v)
{
	nm_snmp_metric_def *m = metric_new(nm_conf_string(v, "type", "gauge"),
					   nm_conf_string(v, "type_instance", ""),
					   kind_of(nm_conf_string(v, "kind", "GAUGE")));

	m->scale = nm_conf_float(v, "scale", 1.0);
	return m;
}

static nm_snmp_set *parse_set(const config_setting_t *sc, oid_ctx *x,
			      GError **err)
{
	nm_snmp_set *s = set_new(nm_conf_string(sc, "name", ""));
	const config_setting_t *l = config_setting_get_member(sc, "scalars");
	const config_setting_t *tl = config_setting_get_member(sc, "tables");
	nm_snmp_oid oids[NM_SNMP_MAX_VALUES];

	for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
		const config_setting_t *v = config_setting_get_elem(l, (guint)i);
		int n = value_oids(v, oids, x, err);
		nm_snmp_metric_def *m;

		if (n < 0)
			goto fail;
		m = value_metric(v);
		for (int k = 0; k < n; k++) {
			g_array_append_val(s->scalar_oids, oids[k]);
			metric_add_src(m, (int)s->scalar_oids->len - 1, -1);
		}
		g_ptr_array_add(s->scalars, m);
	}
	for (int i = 0; tl != NULL && i < config_setting_length(tl); i++) {
		const config_setting_t *tc = config_setting_get_elem(tl, (guint)i);
		const config_setting_t *vl = config_setting_get_member(tc, "values");
		const char *inst = nm_conf_string(tc, "instance", "index");
		char *tname = g_strdup_printf("%s.tables.[%d]", s->name, i);
		nm_snmp_table *t = table_new(nm_conf_string(tc, "name", tname));

		g_free(tname);
		g_ptr_array_add(s->tables, t);
		g_free(t->inst_prefix);
		t->inst_prefix = g_strdup(nm_conf_string(tc, "instance_prefix", ""));
		if (g_strcmp0(inst, "index") != 0) {
			nm_snmp_oid o;

			if (!conf_oid(x, inst, &o)) {
				oid_error(x, config_setting_get_member(tc, "instance"),
					  inst, "\"index\" or an OID", err);
				goto fail;
			}
			t->inst_col[0] = table_col(t, &o, FALSE);
		}
		for (int j = 0; j < config_setting_length(vl); j++) {
			const config_setting_t *v = config_setting_get_elem(vl, (guint)j);
			int n = value_oids(v, oids, x, err);
			nm_snmp_metric_def *m;

			if (n < 0)
				goto fail;
			m = value_metric(v);
			for (int k = 0; k < n; k++)
				metric_add_src(m, table_col(t, &oids[k], FALSE), -1);
			g_ptr_array_add(t->metrics, m);
		}
	}
	return s;
fail:
	nm_snmp_set_free(s);
	return NULL;
}

char *nm_snmp_peer_spec(const char *address)
{
	const char *colon;

	if (address == NULL || *address == '\0' || strchr(address, ' ') != NULL)
		return NULL;
	if (g_str_has_prefix(address, "udp:") || g_str_has_prefix(address, "udp6:")
	    || g_str_has_prefix(address, "tcp:") || g_str_has_prefix(address, "tcp6:")
	    || g_str_has_prefix(address, "udpv6:") || g_str_has_prefix(address, "tcpv6:"))
		return g_strdup(address);
	if (address[0] == '[') {
		const char *close = strchr(address, ']');

		if (close == NULL || close == address + 1)
			return NULL;
		if (close[1] == '\0')
			return g_strdup_printf("udp6:%s:161", address);
		if (close[1] != ':' || close[2] == '\0')
			return NULL;
		return g_strdup_printf("udp6:%s", address);
	}
	colon = strchr(address, ':');
	if (colon == NULL)
		return g_strdup_printf("udp:%s:161", address);
	if (strchr(colon + 1, ':') != NULL) /* bare IPv6 address */
		return g_strdup_printf("udp6:[%s]:161", address);
	if (colon == address || colon[1] == '\0')
		return NULL;
	for (const char *c = colon + 1; *c; c++)
		if (!g_ascii_isdigit(*c))
			return NULL;
	return g_strdup_printf("udp:%s", address);
}

gboolean nm_snmp_peer_split(const char *spec, gboolean *tcp, gboolean *v6,
			    char **host, char **port)
{
	const char *rest = strchr(spec, ':'), *p;
	gsize plen;

	if (rest == NULL)
		return FALSE;
	plen = (gsize)(rest - spec);
	*tcp = plen >= 3 && strncmp(spec, "tcp", 3) == 0;
	*v6 = plen > 3;                 /* udp6, udpv6, tcp6, tcpv6 */
	rest++;
	if (rest[0] == '[') {
		const char *close = strchr(rest, ']');

		if (close == NULL || close == rest + 1)
			return FALSE;
		*host = g_strndup(rest + 1, (gsize)(close - rest - 1));
		*port = g_strdup(close[1] == ':' && close[2] != '\0' ? close + 2
				 : "161");
		return TRUE;
	}
	p = strrchr(rest, ':');
	if (p == NULL || strchr(rest, ':') != p) {   /* none, or bare IPv6 */
		if (*rest == '\0')
			return FALSE;
		*host = g_strdup(rest);
		*port = g_strdup("161");
		return TRUE;
	}
	if (p == rest)
		return FALSE;
	*host = g_strndup(rest, (gsize)(p - rest));
	*port = g_strdup(p[1] != '\0' ? p + 1 : "161");
	return TRUE;
}

char *nm_snmp_peer_numeric(gboolean tcp, const char *ip, const char *port)
{
	if (strchr(ip, ':') != NULL)
		return g_strdup_printf("%s6:[%s]:%s", tcp ? "tcp" : "udp", ip, port);
	return g_strdup_printf("%s:%s:%s", tcp ? "tcp" : "udp", ip, port);
}

/* A setting of the target, else of the snmp group. */
static const config_setting_t *lookup(const config_setting_t *t,
				      const config_setting_t *top,
				      const char *name)
{
	const config_setting_t *s = config_setting_get_member(t, name);

	return s != NULL ? s : config_setting_get_member(top, name);
}

static const char *lstr(const config_setting_t *t, const config_setting_t *top,
			const char *name, const char *def)
{
	const config_setting_t *s = lookup(t, top, name);

	return s != NULL ? config_setting_get_string(s) : def;
}

static gint64 ldur(const config_setting_t *t, const config_setting_t *top,
		   const char *name, gint64 def)
{
	return config_setting_get_member(t, name) != NULL
		       ? nm_conf_duration(t, name, def)
		       : nm_conf_duration(top, name, def);
}

static gint64 lint(const config_setting_t *t, const config_setting_t *top,
		   const char *name, gint64 def)
{
	return config_setting_get_member(t, name) != NULL
		       ? nm_conf_int(t, name, def)
		       : nm_conf_int(top, name, def);
}

static nm_snmp_set *find_set(nm_snmp_config *c, const char *name)
{
	nm_snmp_set *s;

	for (guint i = 0; i < c->sets->len; i++) {
		s = g_ptr_array_index(c->sets, i);
		if (strcmp(s->name, name) == 0)
			return s;
	}
	s = nm_snmp_builtin_set(name);
	if (s != NULL)
		g_ptr_array_add(c->sets, s);
	return s;
}

/* Zero the secrets of @sec and free its strings. */
static void sec_clear(nm_snmp_security *sec)
{
	if (sec->community)
		memset(sec->community, 0, strlen(sec->community));
	if (sec->auth_password)
		memset(sec->auth_password, 0, strlen(sec->auth_password));
	if (sec->priv_password)
		memset(sec->priv_password, 0, strlen(sec->priv_password));
	g_free(sec->community);
	g_free(sec->user);
	g_free(sec->auth_password);
	g_free(sec->priv_password);
	g_free(sec->context);
}

static void trap_user_free(gpointer p)
{
	nm_snmp_trap_user *u = p;

	sec_clear(&u->sec);
	g_ptr_array_free(u->engine_ids, TRUE);
	g_free(u);
}

static void target_free(gpointer p)
{
	nm_snmp_target_conf *t = p;

	g_free(t->name);
	g_free(t->address);
	sec_clear(&t->sec);
	if (t->sets)
		g_ptr_array_free(t->sets, TRUE);
	g_free(t);
}

static gboolean parse_usm(nm_snmp_security *sec, const config_setting_t *tc,
			  const config_setting_t *top, gboolean legacy,
			  GError **err);

static gboolean parse_security(nm_snmp_target_conf *t,
			       const config_setting_t *tc,
			       const config_setting_t *top, gboolean legacy,
			       GError **err)
{
	const char *v = lstr(tc, top, "version", "2c");

	if (strcmp(v, "1") == 0)
		t->sec.version = SNMP_VERSION_1;
	else if (strcmp(v, "3") == 0)
		t->sec.version = SNMP_VERSION_3;
	else
		t->sec.version = SNMP_VERSION_2c;
	if (t->sec.version != SNMP_VERSION_3) {
		t->sec.community = g_strdup(lstr(tc, top, "community", "public"));
		return TRUE;
	}
	if (lookup(tc, top, "user") == NULL)
		return nm_conf_error(tc, err, "version 3 needs 'user'");
	return parse_usm(&t->sec, tc, top, legacy, err);
}

/* The USM part of a v3 security setting (user, level, protocols,
 * passwords) from @tc, else from @top. */
static gboolean parse_usm(nm_snmp_security *sec, const config_setting_t *tc,
			  const config_setting_t *top, gboolean legacy,
			  GError **err)
{
	const char *lvl, *ap, *pp;
	const config_setting_t *where = tc;

	sec->version = SNMP_VERSION_3;
	sec->user = g_strdup(lstr(tc, top, "user", ""));
	sec->context = g_strdup(lstr(tc, top, "context", ""));
	sec->auth_password = g_strdup(lstr(tc, top, "auth_password", NULL));
	sec->priv_password = g_strdup(lstr(tc, top, "priv_password", NULL));
	lvl = lstr(tc, top, "security_level",
		   sec->priv_password ? "authPriv"
		   : sec->auth_password ? "authNoPriv" : "noAuthNoPriv");
	if (strcmp(lvl, "authPriv") == 0)
		sec->level = SNMP_SEC_LEVEL_AUTHPRIV;
	else if (strcmp(lvl, "authNoPriv") == 0)
		sec->level = SNMP_SEC_LEVEL_AUTHNOPRIV;
	else
		sec->level = SNMP_SEC_LEVEL_NOAUTH;
	if (sec->level >= SNMP_SEC_LEVEL_AUTHNOPRIV) {
		if (sec->auth_password == NULL)
			return nm_conf_error(tc, err, "security level %s needs "
					     "'auth_password'", lvl);
		if (strlen(sec->auth_password) < 8) {
			where = lookup(tc, top, "auth_password");
			return nm_conf_error(where, err, "must be at least 8 "
					     "characters (RFC 3414 §11.2)");
		}
		ap = lstr(tc, top, "auth_protocol", "SHA");
		if (strcmp(ap, "MD5") == 0) {
			if (!legacy)
				return nm_conf_error(lookup(tc, top, "auth_protocol"),
						     err, "MD5 is refused unless "
						     "snmp.allow_legacy_crypto = true");
			sec->auth_proto = usmHMACMD5AuthProtocol;
		} else if (strcmp(ap, "SHA-224") == 0) {
			sec->auth_proto = usmHMAC128SHA224AuthProtocol;
		} else if (strcmp(ap, "SHA-256") == 0) {
			sec->auth_proto = usmHMAC192SHA256AuthProtocol;
		} else if (strcmp(ap, "SHA-384") == 0) {
			sec->auth_proto = usmHMAC256SHA384AuthProtocol;
		} else if (strcmp(ap, "SHA-512") == 0) {
			sec->auth_proto = usmHMAC384SHA512AuthProtocol;
		} else {
			sec->auth_proto = usmHMACSHA1AuthProtocol;
		}
		sec->auth_proto_len = USM_AUTH_PROTO_SHA_LEN;
	}
	if (sec->level == SNMP_SEC_LEVEL_AUTHPRIV) {
		if (sec->priv_password == NULL)
			return nm_conf_error(tc, err, "security level authPriv "
					     "needs 'priv_password'");
		if (strlen(sec->priv_password) < 8)
			return nm_conf_error(lookup(tc, top, "priv_password"), err,
					     "must be at least 8 characters "
					     "(RFC 3414 §11.2)");
		pp = lstr(tc, top, "priv_protocol", "AES");
		if (strcmp(pp, "DES") == 0) {
			if (!legacy)
				return nm_conf_error(lookup(tc, top, "priv_protocol"),
						     err, "DES is refused unless "
						     "snmp.allow_legacy_crypto = true");
			sec->priv_proto = usmDESPrivProtocol;
			sec->priv_proto_len = USM_PRIV_PROTO_DES_LEN;
		} else {
			sec->priv_proto = usmAESPrivProtocol;
			sec->priv_proto_len = USM_PRIV_PROTO_AES_LEN;
		}
	}
	return TRUE;
}

GBytes *nm_snmp_engine_id_parse(const char *text)
{
	GByteArray *a = g_byte_array_new();
	const char *p = text;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	while (*p != '\0') {
		int hi, lo;
		guint8 b;

		if (*p == ':' && a->len > 0 && p[1] != '\0') {
			p++;
			continue;
		}
		hi = g_ascii_xdigit_value(p[0]);
		lo = hi >= 0 ? g_ascii_xdigit_value(p[1]) : -1;
		if (lo < 0) {
			g_byte_array_free(a, TRUE);
			return NULL;
		}
		b = (guint8)(hi * 16 + lo);
		g_byte_array_append(a, &b, 1);
		p += 2;
	}
	if (a->len < 5 || a->len > 32) {
		g_byte_array_free(a, TRUE);
		return NULL;
	}
	return g_byte_array_free_to_bytes(a);
}

/* snmp.trap_users: each a USM user (no fallback to the group's polling
 * credentials) with optional engine_ids. */
static gboolean parse_trap_users(nm_snmp_config *c, const config_setting_t *conf,
				 GError **err)
{
	const config_setting_t *ul = config_setting_get_member(conf, "trap_users");

	for (int i = 0; ul != NULL && i < config_setting_length(ul); i++) {
		const config_setting_t *uc = config_setting_get_elem(ul, (guint)i);
		const config_setting_t *el = config_setting_get_member(uc, "engine_ids");
		nm_snmp_trap_user *u = g_new0(nm_snmp_trap_user, 1);

		u->engine_ids = g_ptr_array_new_with_free_func(
			(GDestroyNotify)g_bytes_unref);
		g_ptr_array_add(c->trap_users, u);
		if (!parse_usm(&u->sec, uc, uc, c->allow_legacy_crypto, err))
			return FALSE;
		if (*u->sec.user == '\0')
			return nm_conf_error(config_setting_get_member(uc, "user"),
					     err, "must not be empty");
		for (guint k = 0; k + 1 < c->trap_users->len; k++) {
			const nm_snmp_trap_user *o = g_ptr_array_index(c->trap_users, k);

			if (strcmp(o->sec.user, u->sec.user) == 0)
				return nm_conf_error(config_setting_get_member(uc, "user"),
						     err, "user '%s' is listed twice",
						     u->sec.user);
		}
		for (int k = 0; el != NULL && k < config_setting_length(el); k++) {
			const config_setting_t *e = config_setting_get_elem(el, (guint)k);
			const char *txt = config_setting_get_string(e);
			GBytes *id = txt ? nm_snmp_engine_id_parse(txt) : NULL;

			if (id == NULL)
				return nm_conf_error(e, err, "not an engine ID: 5 "
						     "to 32 octets in hex, e.g. "
						     "\"0x8000000001020304\"");
			g_ptr_array_add(u->engine_ids, id);
		}
	}
	return TRUE;
}

/* One BER TLV (X.690 §8.1) at *p of at most @left octets: its tag, its
 * contents (pointer and length); *p is moved past it. Definite lengths of
 * up to 4 length octets only (SNMP messages are below 2^31 octets). */
static gboolean ber_next(const guint8 **p, gsize *left, guint8 *tag,
			 const guint8 **val, gsize *len)
{
	const guint8 *q = *p;
	gsize n = *left, l;

	if (n < 2)
		return FALSE;
	*tag = q[0];
	l = q[1];
	q += 2;
	n -= 2;
	if (l & 0x80) {
		guint k = l & 0x7f;

		if (k == 0 || k > 4 || k > n)
			return FALSE;
		l = 0;
		for (guint i = 0; i < k; i++)
			l = (l << 8) | q[i];
		q += k;
		n -= k;
	}
	if (l > n)
		return FALSE;
	*val = q;
	*len = l;
	*p = q + l;
	*left = n - l;
	return TRUE;
}

gboolean nm_snmp_v3_peek(const guint8 *buf, gsize len, nm_snmp_v3_header *out)
{
	const guint8 *p = buf, *v, *sp;
	gsize left = len, l, spl;
	guint8 tag;

	/* SNMPv3Message ::= SEQUENCE { msgVersion, msgGlobalData,
	 * msgSecurityParameters OCTET STRING, msgData } (RFC 3412 §6) */
	if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x30)
		return FALSE;
	p = v;
	left = l;
	if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x02 || l != 1 ||
	    v[0] != 3)
		return FALSE;
	if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x30)
		return FALSE;
	/* msgGlobalData: msgID, msgMaxSize, msgFlags, msgSecurityModel */
	{
		const guint8 *g = v, *gv;
		gsize gl = l, gvl;

		for (int i = 0; i < 4; i++) {
			if (!ber_next(&g, &gl, &tag, &gv, &gvl))
				return FALSE;
			if (i == 3 && (tag != 0x02 || gvl != 1 ||
				       gv[0] != SNMP_SEC_MODEL_USM))
				return FALSE;
		}
	}
	if (!ber_next(&p, &left, &tag, &sp, &spl) || tag != 0x04)
		return FALSE;
	/* UsmSecurityParameters ::= SEQUENCE { msgAuthoritativeEngineID,
	 * ...EngineBoots, ...EngineTime, msgUserName, ... } (RFC 3414 §2.4) */
	p = sp;
	left = spl;
	if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x30)
		return FALSE;
	p = v;
	left = l;
	if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x04 || l > 32)
		return FALSE;
	out->engine_id = v;
	out->engine_id_len = l;
	for (int i = 0; i < 2; i++)
		if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x02)
			return FALSE;
	if (!ber_next(&p, &left, &tag, &v, &l) || tag != 0x04 || l > 32)
		return FALSE;
	out->user = v;
	out->user_len = l;
	return TRUE;
}

nm_snmp_config *nm_snmp_config_parse(const config_setting_t *conf,
				     gint64 default_interval, GError **err)
{
	nm_snmp_config *c = g_new0(nm_snmp_config, 1);
	const config_setting_t *tl = config_setting_get_member(conf, "targets");
	const config_setting_t *sl = config_setting_get_member(conf, "sets");
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	oid_ctx ox = { conf, NULL };

	c->targets = g_ptr_array_new_with_free_func(target_free);
	c->sets = g_ptr_array_new_with_free_func((GDestroyNotify)nm_snmp_set_free);
	c->max_in_flight = (int)nm_conf_int(conf, "max_in_flight", 1000);
	c->allow_legacy_crypto = nm_conf_bool(conf, "allow_legacy_crypto", FALSE);
	c->resolve_interval = nm_conf_duration(conf, "resolve_interval",
					       300 * G_USEC_PER_SEC);
	c->trap_listen = g_strdup(nm_conf_string(conf, "trap_listen", NULL));
	c->trap_community = g_strdup(nm_conf_string(conf, "trap_community", NULL));
	c->trap_users = g_ptr_array_new_with_free_func(trap_user_free);
	c->trap_max_engines = (int)nm_conf_int(conf, "trap_max_engines", 1000);
	if (!parse_trap_users(c, conf, err))
		goto fail;
	if (tl == NULL && c->trap_listen == NULL) {
		nm_conf_error(conf, err, "give 'targets' to poll or "
			      "'trap_listen' to receive traps");
		goto fail;
	}
	for (int i = 0; sl != NULL && i < config_setting_length(sl); i++) {
		const config_setting_t *sc = config_setting_get_elem(sl, (guint)i);
		const char *name = nm_conf_string(sc, "name", "");
		nm_snmp_set *s, *b = nm_snmp_builtin_set(name);

		nm_snmp_set_free(b);
		if (*name == '\0' || b != NULL ||
		    g_hash_table_contains(names, name)) {
			nm_conf_error(config_setting_get_member(sc, "name"), err,
				      "set name '%s' is empty, built in or "
				      "used twice", name);
			goto fail;
		}
		g_hash_table_add(names, (gpointer)name);
		s = parse_set(sc, &ox, err);
		if (s == NULL)
			goto fail;
		g_ptr_array_add(c->sets, s);
	}
	/* names resolved: free net-snmp's MIB tree before it polls */
	nm_snmp_mib_unload(ox.mib);
	ox.mib = NULL;
	g_hash_table_remove_all(names);
	for (int i = 0; tl != NULL && i < config_setting_length(tl); i++) {
		const config_setting_t *tc = config_setting_get_elem(tl, (guint)i);
		const config_setting_t *col = lookup(tc, conf, "collect");
		nm_snmp_target_conf *t = g_new0(nm_snmp_target_conf, 1);

		g_ptr_array_add(c->targets, t);
		t->name = g_strdup(nm_conf_string(tc, "name", ""));
		t->sets = g_ptr_array_new();
		if (*t->name == '\0' || g_hash_table_contains(names, t->name)) {
			nm_conf_error(config_setting_get_member(tc, "name"), err,
				      "target name '%s' is empty or used twice",
				      t->name);
			goto fail;
		}
		g_hash_table_add(names, t->name);
		t->address = nm_snmp_peer_spec(nm_conf_string(tc, "address", ""));
		if (t->address == NULL) {
			nm_conf_error(config_setting_get_member(tc, "address"), err,
				      "'%s' is not host, host:port or [ipv6]:port",
				      nm_conf_string(tc, "address", ""));
			goto fail;
		}
		if (!parse_security(t, tc, conf, c->allow_legacy_crypto, err))
			goto fail;
		t->timeout = ldur(tc, conf, "timeout", G_USEC_PER_SEC);
		t->retries = (int)lint(tc, conf, "retries", 1);
		t->interval = ldur(tc, conf, "interval", default_interval);
		t->max_repetitions = (int)lint(tc, conf, "max_repetitions", 25);
		t->max_rows = (int)lint(tc, conf, "max_rows", 100000);
		t->deadline = ldur(tc, conf, "deadline", 0);
		if (col == NULL) {
			g_ptr_array_add(t->sets, find_set(c, "system"));
			g_ptr_array_add(t->sets, find_set(c, "if"));
		}
		for (int k = 0; col != NULL && k < config_setting_length(col); k++) {
			const config_setting_t *e = config_setting_get_elem(col, (guint)k);
			const char *sn = config_setting_get_string(e);
			nm_snmp_set *s = sn ? find_set(c, sn) : NULL;

			if (s == NULL) {
				nm_conf_error(e, err, "unknown collect set '%s' "
					      "(built in: system, if, "
					      "host-resources; or a sets[].name)",
					      sn ? sn : "(not a string)");
				goto fail;
			}
			g_ptr_array_add(t->sets, s);
		}
	}
	g_hash_table_destroy(names);
	return c;
fail:
	nm_snmp_mib_unload(ox.mib);
	g_hash_table_destroy(names);
	nm_snmp_config_free(c);
	return NULL;
}

void nm_snmp_config_free(nm_snmp_config *c)
{
	if (c == NULL)
		return;
	g_ptr_array_free(c->targets, TRUE);
	g_ptr_array_free(c->sets, TRUE);
	g_free(c->trap_listen);
	g_free(c->trap_community);
	if (c->trap_users != NULL)
		g_ptr_array_free(c->trap_users, TRUE);
	g_free(c);
}

/* ------------------------------------------------------------------ */
/* Varbinds                                                            */

/* @d as an integer, saturated at the int64 range and 0 for NaN: a cast of
 * an out-of-range double is undefined behaviour (C11 6.3.1.4), and an
 * Opaque float or a numeric string from an agent or a forged trap can hold
 * anything (found by fuzz-snmp: an Opaque float of -1.7e38). */
static gint64 double_to_i64(double d)
{
	if (d != d)
		return 0;
	if (d >= 9223372036854775807.0)
		return G_MAXINT64;
	if (d <= -9223372036854775808.0)
		return G_MININT64;
	return (gint64)d;
}

gboolean nm_snmp_vb_number(const netsnmp_variable_list *vb, nm_snmp_number *out)
{
	memset(out, 0, sizeof(*out));
	switch (vb->type) {
	case ASN_INTEGER:
		out->i = *vb->val.integer;
		out->d = (double)out->i;
		return TRUE;
	case ASN_COUNTER:
		out->bits = 32;
		/* fall through */
	case ASN_GAUGE: /* also Unsigned32 */
	case ASN_TIMETICKS:
		out->u = (guint64)(*vb->val.integer & 0xffffffffUL);
		out->i = (gint64)out->u;
		out->d = (double)out->u;
		return TRUE;
	case ASN_COUNTER64:
		out->bits = 64;
		out->u = ((guint64)vb->val.counter64->high << 32) |
			 (vb->val.counter64->low & 0xffffffffUL);
		out->i = (gint64)out->u;
		out->d = (double)out->u;
		return TRUE;
#ifdef NETSNMP_WITH_OPAQUE_SPECIAL_TYPES
	case ASN_OPAQUE_FLOAT:
		out->d = *vb->val.floatVal;
		out->i = double_to_i64(out->d);
		return TRUE;
	case ASN_OPAQUE_DOUBLE:
		out->d = *vb->val.doubleVal;
		out->i = double_to_i64(out->d);
		return TRUE;
	case ASN_OPAQUE_U64:
	case ASN_OPAQUE_I64:
	case ASN_OPAQUE_COUNTER64:
		out->u = ((guint64)vb->val.counter64->high << 32) |
			 (vb->val.counter64->low & 0xffffffffUL);
		out->i = (gint64)out->u;
		out->d = (double)out->u;
		return TRUE;
#endif
	case ASN_OCTET_STR: {
		char buf[64], *end;
		size_t n = MIN(vb->val_len, sizeof(buf) - 1);

		if (vb->val_len == 0 || vb->val_len >= sizeof(buf))
			return FALSE;
		memcpy(buf, vb->val.string, n);
		buf[n] = '\0';
		out->d = g_ascii_strtod(buf, &end);
		if (end == buf || *g_strchug(end) != '\0')
			return FALSE;
		out->i = double_to_i64(out->d);
		return TRUE;
	}
	default:
		return FALSE;
	}
}

char *nm_snmp_vb_string(const netsnmp_variable_list *vb)
{
	if (vb->type != ASN_OCTET_STR || vb->val.string == NULL)
		return NULL;
	return g_strndup((const char *)vb->val.string, vb->val_len);
}

size_t nm_snmp_sanitize_instance_into(char *buf, const char *text)
{
	size_t n = 0;
	gboolean us = TRUE; /* suppress leading '_' */

	buf[0] = '\0';
	if (text == NULL)
		return 0;
	for (const char *c = text; *c != '\0' && n < 63; c++) {
		guchar ch = (guchar)*c;

		if (g_ascii_isalnum(ch) || ch == '.' || ch == ':' || ch == '-') {
			buf[n++] = (char)ch;
			us = FALSE;
		} else if (!us) {
			buf[n++] = '_';
			us = TRUE;
		}
	}
	while (n > 0 && buf[n - 1] == '_')
		n--;
	buf[n] = '\0';
	return n;
}

char *nm_snmp_sanitize_instance(const char *text)
{
	char buf[64];

	if (nm_snmp_sanitize_instance_into(buf, text) == 0)
		return NULL;
	return g_strdup(buf);
}

size_t nm_snmp_index_format(char *buf, size_t size, const oid *name,
			    size_t name_len, size_t root_len)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (name_len <= root_len)
		return 0;
	for (size_t i = root_len; i < name_len; i++) {
		char d[24];
		unsigned long v = (unsigned long)name[i];
		size_t k = sizeof(d);

		/* decimal by hand: printf was a visible share of a poll */
		do {
			d[--k] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0 && k > 0);
		if (n + (i > root_len) + (sizeof(d) - k) + 1 > size) {
			buf[0] = '\0';
			return 0;
		}
		if (i > root_len)
			buf[n++] = '.';
		memcpy(buf + n, d + k, sizeof(d) - k);
		n += sizeof(d) - k;
	}
	buf[n] = '\0';
	return n;
}

char *nm_snmp_index_string(const oid *name, size_t name_len, size_t root_len)
{
	GString *s;
	char stack[NM_SNMP_INDEX_MAX];
	size_t n = nm_snmp_index_format(stack, sizeof(stack), name, name_len,
					root_len);

	if (n > 0)
		return g_strndup(stack, n);
	if (name_len <= root_len)
		return NULL;
	/* longer than MAX_OID_LEN sub-ids: not from net-snmp's parser */
	s = g_string_new(NULL);
	for (size_t i = root_len; i < name_len; i++)
		g_string_append_printf(s, "%s%lu", i > root_len ? "." : "",
				       (unsigned long)name[i]);
	return g_string_free(s, FALSE);
}

void nm_snmp_vb_append_text(GString *s, const netsnmp_variable_list *vb)
{
	char buf[1024];
	char *o = nm_snmp_index_string(vb->name, vb->name_length, 0);

	if (snprint_value(buf, sizeof(buf), vb->name, vb->name_length, vb) < 0)
		g_strlcpy(buf, "(value too long)", sizeof(buf));
	g_string_append_printf(s, "%s%s = %s", s->len ? "; " : "", o ? o : "", buf);
	g_free(o);
}

nm_snmp_walk_step nm_snmp_walk_classify(const nm_snmp_oid *root,
					const oid *prev, size_t prev_len,
					const netsnmp_variable_list *vb)
{
	if (vb->type == SNMP_ENDOFMIBVIEW || vb->type == SNMP_NOSUCHOBJECT ||
	    vb->type == SNMP_NOSUCHINSTANCE)
		return NM_SNMP_WALK_END;
	/* compared here, not with snmp_oidtree_compare()/snmp_oid_compare():
	 * this runs for every varbind of a walk */
	if (vb->name_length <= root->len ||
	    memcmp(vb->name, root->name, root->len * sizeof(oid)) != 0)
		return NM_SNMP_WALK_END;
	for (size_t i = 0; i < vb->name_length && i < prev_len; i++) {
		if (vb->name[i] != prev[i])
			return vb->name[i] > prev[i] ? NM_SNMP_WALK_ROW
						     : NM_SNMP_WALK_LOOP;
	}
	return vb->name_length > prev_len ? NM_SNMP_WALK_ROW : NM_SNMP_WALK_LOOP;
}

/* ------------------------------------------------------------------ */
/* Counters and uptime                                                 */

gboolean nm_snmp_uptime_restarted(guint32 prev, guint32 now, gint64 elapsed)
{
	guint64 expect;

	if (now >= prev)
		return FALSE;
	/* Went back: a TimeTicks wrap if prev + elapsed passes 2^32 and now
	 * is about where the wrap would land (10 s + 10% slack). */
	expect = (guint64)prev + (guint64)(MAX(elapsed, 0) / 10000);
	if (expect >= G_GUINT64_CONSTANT(0x100000000)) {
		guint64 landed = expect - G_GUINT64_CONSTANT(0x100000000);
		guint64 slack = 1000 + (guint64)(MAX(elapsed, 0) / 100000);

		if ((guint64)now <= landed + slack)
			return FALSE;
	}
	return TRUE;
}

guint64 nm_snmp_counter_update(nm_snmp_counter *c, guint64 raw, guint bits,
			       gboolean restarted)
{
	guint64 delta;

	if (!c->have) {
		c->have = TRUE;
		c->last_raw = raw;
		c->acc = 0;
		return 0;
	}
	if (restarted)
		delta = raw;
	else if (raw >= c->last_raw)
		delta = raw - c->last_raw;
	else if (bits == 32)
		delta = (G_GUINT64_CONSTANT(0x100000000) - c->last_raw + raw) &
			G_GUINT64_CONSTANT(0xffffffff);
	else if (c->last_raw >= G_GUINT64_CONSTANT(0x8000000000000000))
		delta = (G_MAXUINT64 - c->last_raw) + raw + 1;
	else
		delta = raw;
	c->last_raw = raw;
	c->acc += delta;
	/* Stay within DERIVE's signed range. */
	c->acc &= G_GUINT64_CONSTANT(0x7fffffffffffffff);
	return c->acc;
}
