/* netmon — dropping root: user, group, and the capability sets.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Linux capabilities (capabilities(7)) through the raw capget/capset
 * system calls and prctl(2): the sets are three 64-bit masks, which is
 * less code than a library dependency.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "privs.h"

/* The highest capability number this kernel knows (cap_last_cap). */
static int last_cap(void)
{
	char *text = NULL;
	int n = CAP_LAST_CAP;

	if (g_file_get_contents("/proc/sys/kernel/cap_last_cap", &text, NULL,
				NULL)) {
		int v = (int)g_ascii_strtoll(text, NULL, 10);
		if (v > 0 && v < 64)
			n = v;
		g_free(text);
	}
	return n;
}

/* Set effective and permitted to @keep (a mask of capability numbers),
 * inheritable to nothing. */
static int set_caps(guint64 keep)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof data);
	data[0].effective = data[0].permitted = (guint32)keep;
	data[1].effective = data[1].permitted = (guint32)(keep >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

gboolean nm_privs_root_allowed(const nm_core_config *c, GError **err)
{
	if (geteuid() != 0 || c->user != NULL || c->allow_root ||
	    g_strcmp0(g_getenv("NETMOND_ALLOW_ROOT"), "1") == 0)
		return TRUE;
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
		    "%s: refusing to run plugins as root: set netmond.user "
		    "(e.g. user = \"netmon\";) so that netmond binds its "
		    "sockets as root and then drops to that user, or set "
		    "netmond.allow_root = true; (or NETMOND_ALLOW_ROOT=1 in "
		    "the environment) to run as root anyway", c->file);
	return FALSE;
}

guint64 nm_privs_needed(const nm_core_config *c)
{
	guint64 keep = 0;

	/* The icmp plugin opens its sockets again at a reload; raw ones need
	 * CAP_NET_RAW (a datagram-only setup would not, but one bit is
	 * cheaper than a wrong guess). */
	for (guint i = 0; i < c->plugin_groups->len; i++) {
		config_setting_t *g = g_ptr_array_index(c->plugin_groups, i);
		if (g_strcmp0(config_setting_name(g), "icmp") == 0)
			keep |= G_GUINT64_CONSTANT(1) << CAP_NET_RAW;
	}
	return keep;
}

/* Drop every capability outside @keep from the calling thread's bounding
 * set. EINVAL: a capability this kernel lacks. */
static gboolean cut_bounding(guint64 keep)
{
	int last = last_cap();

	for (int cap = 0; cap <= last; cap++)
		if ((keep & (G_GUINT64_CONSTANT(1) << cap)) == 0 &&
		    prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) != 0 &&
		    errno != EINVAL)
			return FALSE;
	return TRUE;
}

gboolean nm_privs_limit_bounding(const nm_core_config *c, guint64 keep,
				 GError **err)
{
	if (c->user == NULL || geteuid() != 0)
		return TRUE;
	if (!cut_bounding(keep)) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "cannot limit the capability bounding set: %s",
			    g_strerror(errno));
		return FALSE;
	}
	return TRUE;
}

gboolean nm_privs_drop(const nm_core_config *c, guint64 keep, GError **err)
{
	struct passwd *pw;
	struct group *gr;
	gid_t gid;

	if (c->user == NULL) {
		if (c->group == NULL)
			return TRUE;
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "netmond.group '%s' is set without netmond.user: set "
			    "both to drop privileges", c->group);
		return FALSE;
	}
	pw = getpwnam(c->user);
	if (pw == NULL) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "netmond.user '%s' does not exist", c->user);
		return FALSE;
	}
	gid = pw->pw_gid;
	if (c->group != NULL) {
		gr = getgrnam(c->group);
		if (gr == NULL) {
			g_set_error(err, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
				    "netmond.group '%s' does not exist", c->group);
			return FALSE;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		if (geteuid() == pw->pw_uid)
			return TRUE;
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "netmond.user is '%s' but netmond runs unprivileged "
			    "as uid %d", c->user, (int)geteuid());
		return FALSE;
	}
	if (chown(c->state_dir, pw->pw_uid, gid) != 0 ||
	    (g_file_test(c->control_socket, G_FILE_TEST_EXISTS) &&
	     chown(c->control_socket, pw->pw_uid, gid) != 0))
		goto failed;
	/* Bounding set: only what is kept, so nothing else comes back even
	 * through a set-user-ID program a plugin runs. Needs CAP_SETPCAP,
	 * so before setuid(). EINVAL: a capability this kernel lacks. */
	if (!cut_bounding(keep))
		goto failed;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL)
		goto failed;
	/* Keep the permitted set across setuid() when something is kept. */
	if (keep != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
		goto failed;
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		goto failed;
	/* setuid() away from 0 cleared the effective set and, without
	 * KEEPCAPS, the permitted one; narrow both to @keep. */
	if (keep != 0 && (set_caps(keep) != 0 ||
			  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0))
		goto failed;
	/* Paranoia: root must be gone for good. */
	if (setuid(0) == 0 || getuid() == 0 || geteuid() == 0) {
		g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
			    "cannot drop privileges to %s: uid 0 still "
			    "reachable", c->user);
		return FALSE;
	}
	if (keep != 0)
		nm_log(NM_LOG_INFO, "core", "running as user %s, keeping "
		       "capabilities 0x%" G_GINT64_MODIFIER "x", c->user, keep);
	else
		nm_log(NM_LOG_INFO, "core", "running as user %s, no "
		       "capabilities", c->user);
	return TRUE;

failed:
	g_set_error(err, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
		    "cannot drop privileges to %s: %s", c->user,
		    g_strerror(errno));
	return FALSE;
}
