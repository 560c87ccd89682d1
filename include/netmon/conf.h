/* netmon — validating a plugin's configuration group.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * The configuration file is libconfig syntax (https://hyperrealm.github.io/
 * libconfig/). Each plugin describes the keys of its top-level group as a
 * table of nm_conf_key, terminated by an entry with name NULL; the core
 * checks the group against it before the plugin's init runs (and for
 * `netmond -t`), so every plugin's errors read alike:
 *
 *     /etc/netmon/netmond.conf:14: snmp.timeout: 0 is out of range 0.1..60
 *     /etc/netmon/netmond.conf:9: snmp: unknown setting 'timout'
 *     /etc/netmon/netmond.conf:9: snmp: missing required setting 'targets'
 *     /etc/netmon/netmond.conf:15: rrd.directory: expected a string, got an integer
 */
#ifndef NETMON_CONF_H
#define NETMON_CONF_H

#include <glib.h>
#include <libconfig.h>

G_BEGIN_DECLS

/** Kinds of values a key accepts. */
typedef enum {
	NM_CONF_INT = 0,   /**< integer (libconfig int or int64) */
	NM_CONF_FLOAT,     /**< number: integer or float */
	NM_CONF_BOOL,      /**< true / false */
	NM_CONF_STRING,    /**< "text"; see nm_conf_key.choices */
	NM_CONF_DURATION,  /**< seconds, integer or float (0.5 = 500 ms) */
	NM_CONF_GROUP,     /**< { ... }: checked by the plugin itself or
			        recursively with nm_conf_key.children */
	NM_CONF_LIST,      /**< ( ... ): elements checked by the plugin or
			        with children (each element a group) */
	NM_CONF_ARRAY      /**< [ ... ] of scalars of one type */
} nm_conf_kind;

/** One accepted key of a group. */
typedef struct nm_conf_key {
	const char *name;          /**< NULL terminates a table */
	nm_conf_kind kind;
	gboolean required;
	gboolean has_range;        /**< check min..max for INT/FLOAT/DURATION
				        (inclusive) and element count for
				        ARRAY/LIST */
	double min, max;
	const char *const *choices; /**< STRING: NULL-terminated list of the
				         allowed values, or NULL for any */
	const struct nm_conf_key *children; /**< GROUP: its keys; LIST: keys
					        of each element group */
	const char *help;          /**< one line for docs and errors */
} nm_conf_key;

/** Error domain of configuration errors. */
#define NM_CONF_ERROR (nm_conf_error_quark())
GQuark nm_conf_error_quark(void);
typedef enum {
	NM_CONF_ERROR_SYNTAX,     /**< libconfig could not parse the file */
	NM_CONF_ERROR_UNKNOWN,    /**< unknown setting or plugin */
	NM_CONF_ERROR_TYPE,       /**< wrong type */
	NM_CONF_ERROR_RANGE,      /**< out of range / not one of choices */
	NM_CONF_ERROR_MISSING,    /**< required setting absent */
	NM_CONF_ERROR_INVALID     /**< other: reported by a plugin */
} nm_conf_error_code;

/** Check @group (a libconfig group setting) against @keys.
 *  Every problem is reported, one per line, as
 *  "FILE:LINE: PATH: message" where PATH is the dotted setting path.
 *  Returns TRUE when the group is valid; else FALSE with @err set
 *  (domain NM_CONF_ERROR, the code of the first problem, the message
 *  holding all lines). */
gboolean nm_conf_check(const config_setting_t *group, const nm_conf_key *keys,
		       GError **err);

/** Set @err to a configuration error located at @setting, in the same
 *  "FILE:LINE: PATH: message" form, for checks a table cannot express.
 *  Always returns FALSE, so `return nm_conf_error(s, err, ...)` works. */
gboolean nm_conf_error(const config_setting_t *setting, GError **err,
		       const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/** "FILE:LINE" of @setting in a new string (caller g_free()s). */
char *nm_conf_where(const config_setting_t *setting);

/** Dotted path of @setting, e.g. "snmp.targets.[2].address" (g_free()). */
char *nm_conf_path(const config_setting_t *setting);

/* Lookups with a default, for keys already validated by nm_conf_check(). */

/** Integer member @name of @group, or @def when absent. */
gint64 nm_conf_int(const config_setting_t *group, const char *name, gint64 def);
/** Number member @name of @group (int or float), or @def when absent. */
double nm_conf_float(const config_setting_t *group, const char *name, double def);
/** Boolean member, or @def. */
gboolean nm_conf_bool(const config_setting_t *group, const char *name, gboolean def);
/** String member (owned by the config; valid while it lives), or @def. */
const char *nm_conf_string(const config_setting_t *group, const char *name,
			   const char *def);
/** Duration member in µs (the file says seconds), or @def_us when absent. */
gint64 nm_conf_duration(const config_setting_t *group, const char *name,
			gint64 def_us);

G_END_DECLS

#endif /* NETMON_CONF_H */
