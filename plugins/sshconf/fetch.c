/* sshconf — fetch a device's configuration over SSH (libssh).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Sources: RFC 4253 (transport, host keys), RFC 4252 (authentication),
 * RFC 4256 (keyboard-interactive), RFC 4254 (channels: session, pty-req,
 * shell, exec, exit-status). libssh 0.10 API.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <libssh/libssh.h>

#include "fetch.h"

/* Most output accepted from one device, bytes (hostile-input bound). */
#define MAX_OUTPUT (64u << 20)
/* Longest single blocking read, ms: how often cancel is checked. */
#define SLICE_MS 200

typedef struct {
	const sshconf_target *t;
	ssh_session s;
	GError **err;
} fctx;

static gint64 left(const sshconf_target *t)
{
	return t->deadline - g_get_monotonic_time();
}

static gboolean cancelled(const sshconf_target *t)
{
	return t->cancel != NULL && g_atomic_int_get(t->cancel) != 0;
}

/* Bound libssh's blocking calls to min(@step, time left); FALSE when the
 * deadline has passed. */
static gboolean bound(fctx *c, gint64 step, const char *what)
{
	gint64 us = MIN(step, left(c->t));
	long sec, usec;

	if (us <= 0) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_TIMEOUT,
			    "%s: deadline reached before %s", c->t->device, what);
		return FALSE;
	}
	sec = (long)(us / G_USEC_PER_SEC);
	usec = (long)(us % G_USEC_PER_SEC);
	if (ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &sec) < 0 ||
	    ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT_USEC, &usec) < 0) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
			    "%s: cannot set timeout: %s", c->t->device,
			    ssh_get_error(c->s));
		return FALSE;
	}
	return TRUE;
}

static char *key_fingerprint(ssh_key key)
{
	unsigned char *hash = NULL;
	size_t hlen = 0;
	char *fp, *out;

	if (key == NULL ||
	    ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
				   &hlen) != 0)
		return g_strdup("(unknown)");
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	out = g_strdup(fp != NULL ? fp : "(unknown)");
	ssh_string_free_char(fp);
	return out;
}

/* Fingerprints of the keys known_hosts holds for this host, ", "-joined. */
static char *known_fingerprints(const sshconf_target *t)
{
	char *data = NULL, **lines, *host;
	GString *out = g_string_new(NULL);

	host = t->port == 22 ? g_strdup(t->host)
			     : g_strdup_printf("[%s]:%u", t->host, t->port);
	if (g_file_get_contents(t->known_hosts, &data, NULL, NULL)) {
		lines = g_strsplit(data, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			struct ssh_knownhosts_entry *e = NULL;
			if (lines[i][0] == '\0' || lines[i][0] == '#')
				continue;
			if (ssh_known_hosts_parse_line(host, lines[i], &e) == SSH_OK &&
			    e != NULL) {
				char *fp = key_fingerprint(e->publickey);
				g_string_append_printf(out, "%s%s", out->len ? ", " : "", fp);
				g_free(fp);
			}
			ssh_knownhosts_entry_free(e);
		}
		g_strfreev(lines);
	}
	g_free(data);
	g_free(host);
	if (out->len == 0)
		g_string_append(out, "(unreadable)");
	return g_string_free(out, FALSE);
}

static gboolean verify_host(fctx *c, sshconf_fetch_info *info)
{
	const sshconf_target *t = c->t;
	ssh_key key = NULL;
	enum ssh_known_hosts_e st;
	char *fp;
	gboolean ok = FALSE;

	if (ssh_get_server_publickey(c->s, &key) != SSH_OK) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
			    "%s: no host key: %s", t->device, ssh_get_error(c->s));
		return FALSE;
	}
	fp = key_fingerprint(key);
	ssh_key_free(key);
	if (info != NULL) {
		g_free(info->fingerprint);
		info->fingerprint = g_strdup(fp);
	}
	if (t->known_hosts_lock)
		g_mutex_lock(t->known_hosts_lock);
	st = ssh_session_is_known_server(c->s);
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		ok = TRUE;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER: {
		char *old = known_fingerprints(t);
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_HOSTKEY_CHANGED,
			    "%s: HOST KEY CHANGED for %s port %u: %s has %s, the "
			    "device offers %s (possible man-in-the-middle; "
			    "remove the old line if the change is expected)",
			    t->device, t->host, t->port, t->known_hosts, old, fp);
		g_free(old);
		break;
	}
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		if (!t->tofu) {
			g_set_error(c->err, SSHCONF_ERROR,
				    SSHCONF_ERROR_HOSTKEY_UNKNOWN,
				    "%s: unknown host key %s for %s port %u: not "
				    "in %s (add it, or set trust_on_first_use)",
				    t->device, fp, t->host, t->port,
				    t->known_hosts);
			break;
		}
		if (ssh_session_update_known_hosts(c->s) != SSH_OK) {
			g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
				    "%s: cannot add host key to %s: %s",
				    t->device, t->known_hosts,
				    ssh_get_error(c->s));
			break;
		}
		if (info != NULL)
			info->trusted_new_key = TRUE;
		ok = TRUE;
		break;
	case SSH_KNOWN_HOSTS_ERROR:
	default:
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
			    "%s: cannot check host key against %s: %s",
			    t->device, t->known_hosts, ssh_get_error(c->s));
		break;
	}
	if (t->known_hosts_lock)
		g_mutex_unlock(t->known_hosts_lock);
	g_free(fp);
	return ok;
}

static gboolean kbdint(fctx *c)
{
	const sshconf_target *t = c->t;

	for (int round = 0; round < 8; round++) {
		int rc = ssh_userauth_kbdint(c->s, NULL, NULL);
		if (rc == SSH_AUTH_SUCCESS)
			return TRUE;
		if (rc != SSH_AUTH_INFO)
			return FALSE;
		int n = ssh_userauth_kbdint_getnprompts(c->s);
		for (int i = 0; i < n; i++) {
			char echo = 0;
			const char *prompt = ssh_userauth_kbdint_getprompt(c->s, (unsigned)i, &echo);
			/* Echoed prompts ask for a name; hidden ones a secret. */
			const char *answer = echo ? t->username : t->password;
			(void)prompt;
			if (ssh_userauth_kbdint_setanswer(c->s, (unsigned)i, answer) < 0)
				return FALSE;
		}
	}
	return FALSE;
}

static gboolean authenticate(fctx *c)
{
	const sshconf_target *t = c->t;
	GString *tried = g_string_new(NULL);
	int methods, rc;
	gboolean ok = FALSE;

	if (!bound(c, t->auth_timeout, "authentication"))
		goto out;
	rc = ssh_userauth_none(c->s, NULL);
	if (rc == SSH_AUTH_SUCCESS) {
		ok = TRUE;
		goto out;
	}
	if (rc == SSH_AUTH_ERROR) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_AUTH,
			    "%s: authentication failed: %s", t->device,
			    ssh_get_error(c->s));
		goto out_no_msg;
	}
	methods = ssh_userauth_list(c->s, NULL);
	if (t->key_file != NULL && (methods & SSH_AUTH_METHOD_PUBLICKEY)) {
		ssh_key key = NULL;
		g_string_append(tried, "publickey");
		if (ssh_pki_import_privkey_file(t->key_file, t->passphrase, NULL,
						NULL, &key) != SSH_OK) {
			g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_AUTH,
				    "%s: cannot read private key %s (missing, "
				    "unreadable or wrong passphrase)",
				    t->device, t->key_file);
			goto out_no_msg;
		}
		rc = ssh_userauth_publickey(c->s, NULL, key);
		ssh_key_free(key);
		if (rc == SSH_AUTH_SUCCESS) {
			ok = TRUE;
			goto out;
		}
	}
	if (t->password != NULL && (methods & SSH_AUTH_METHOD_PASSWORD)) {
		g_string_append_printf(tried, "%spassword", tried->len ? ", " : "");
		if (!bound(c, t->auth_timeout, "password authentication"))
			goto out_no_msg;
		if (ssh_userauth_password(c->s, NULL, t->password) == SSH_AUTH_SUCCESS) {
			ok = TRUE;
			goto out;
		}
	}
	if (t->password != NULL && (methods & SSH_AUTH_METHOD_INTERACTIVE)) {
		g_string_append_printf(tried, "%skeyboard-interactive",
				       tried->len ? ", " : "");
		if (!bound(c, t->auth_timeout, "keyboard-interactive authentication"))
			goto out_no_msg;
		if (kbdint(c)) {
			ok = TRUE;
			goto out;
		}
	}
	g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_AUTH,
		    "%s: authentication as %s failed (tried: %s; server offers:%s%s%s%s)",
		    t->device, t->username, tried->len ? tried->str : "nothing",
		    (methods & SSH_AUTH_METHOD_PUBLICKEY) ? " publickey" : "",
		    (methods & SSH_AUTH_METHOD_PASSWORD) ? " password" : "",
		    (methods & SSH_AUTH_METHOD_INTERACTIVE) ? " keyboard-interactive" : "",
		    methods == 0 ? " none" : "");
	goto out_no_msg;
out:
out_no_msg:
	g_string_free(tried, TRUE);
	return ok;
}

static gint64 command_timeout(const sshconf_target *t)
{
	return t->profile->command_timeout > 0 ? t->profile->command_timeout
					       : t->command_timeout;
}

/* One read of at most SLICE_MS (less when @until is closer) into @acc.
 * Returns bytes read (0 on a quiet slice), -1 with error set. */
static int read_slice(fctx *c, ssh_channel ch, GString *acc, gint64 until,
		      const char *what)
{
	char buf[16384];
	gint64 now = g_get_monotonic_time();
	gint64 end = MIN(until, c->t->deadline);
	int ms, n;

	if (cancelled(c->t)) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_CANCELLED,
			    "%s: cancelled during %s", c->t->device, what);
		return -1;
	}
	if (now >= end) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_TIMEOUT,
			    "%s: %s during %s (%" G_GSIZE_FORMAT
			    " bytes received)", c->t->device,
			    end == c->t->deadline ? "fetch deadline reached"
						  : "command timeout",
			    what, acc->len);
		return -1;
	}
	ms = (int)MIN((end - now + 999) / 1000, SLICE_MS);
	n = ssh_channel_read_timeout(ch, buf, sizeof buf, 0, ms);
	if (n == SSH_ERROR) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
			    "%s: read error during %s: %s", c->t->device, what,
			    ssh_get_error(c->s));
		return -1;
	}
	if (n > 0) {
		if (acc->len + (gsize)n > MAX_OUTPUT) {
			g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
				    "%s: more than %u MiB of output during %s",
				    c->t->device, MAX_OUTPUT >> 20, what);
			return -1;
		}
		g_string_append_len(acc, buf, n);
	}
	return n;
}

static gboolean write_all(fctx *c, ssh_channel ch, const char *s, gsize len)
{
	while (len > 0) {
		int n = ssh_channel_write(ch, s, (uint32_t)len);
		if (n == SSH_ERROR || n == 0) {
			g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
				    "%s: write error: %s", c->t->device,
				    ssh_get_error(c->s));
			return FALSE;
		}
		s += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static ssh_channel open_channel(fctx *c)
{
	ssh_channel ch = ssh_channel_new(c->s);

	if (ch == NULL || !bound(c, command_timeout(c->t), "channel open") ||
	    ssh_channel_open_session(ch) != SSH_OK) {
		if (c->err == NULL || *c->err == NULL)
			g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
				    "%s: cannot open a session channel: %s",
				    c->t->device, ssh_get_error(c->s));
		if (ch != NULL)
			ssh_channel_free(ch);
		return NULL;
	}
	return ch;
}

/* Exec mode: one channel per command; output must end with EOF and a zero
 * exit status. */
static gboolean run_exec(fctx *c, const char *cmd, GString *out)
{
	ssh_channel ch = open_channel(c);
	GString *acc = g_string_new(NULL);
	gint64 until = g_get_monotonic_time() + command_timeout(c->t);
	gboolean ok = FALSE;
	char ebuf[512];
	GString *errs = g_string_new(NULL);
	char *what = g_strdup_printf("'%s'", cmd);

	if (ch == NULL)
		goto out;
	if (ssh_channel_request_exec(ch, cmd) != SSH_OK) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
			    "%s: exec %s refused: %s", c->t->device, what,
			    ssh_get_error(c->s));
		goto out;
	}
	while (!ssh_channel_is_eof(ch)) {
		int e;
		if (read_slice(c, ch, acc, until, what) < 0)
			goto out;
		e = ssh_channel_read_nonblocking(ch, ebuf, sizeof ebuf, 1);
		if (e > 0 && errs->len < 4096)
			g_string_append_len(errs, ebuf, e);
	}
	/* Data that arrived with the EOF. */
	for (;;) {
		int n = ssh_channel_read_nonblocking(ch, ebuf, sizeof ebuf, 0);
		if (n <= 0)
			break;
		g_string_append_len(acc, ebuf, n);
	}
	{
		int e = ssh_channel_read_nonblocking(ch, ebuf, sizeof ebuf, 1);
		if (e > 0 && errs->len < 4096)
			g_string_append_len(errs, ebuf, e);
	}
	if (!bound(c, MIN(command_timeout(c->t), 2 * G_USEC_PER_SEC), "exit status"))
		goto out;
	{
		int st = ssh_channel_get_exit_status(ch);
		if (st > 0) {
			char *first = sshconf_normalize(errs->str, errs->len);
			char *nl = strchr(first, '\n');
			if (nl)
				*nl = '\0';
			g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
				    "%s: %s exited with status %d%s%s",
				    c->t->device, what, st, *first ? ": " : "",
				    first);
			g_free(first);
			goto out;
		}
	}
	{
		char *norm = sshconf_normalize(acc->str, acc->len);
		g_string_append(out, norm);
		g_free(norm);
	}
	ok = TRUE;
out:
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	g_free(what);
	g_string_free(errs, TRUE);
	g_string_free(acc, TRUE);
	return ok;
}

/* Normalised last line of @acc (after its last newline). */
static char *last_line(const GString *acc, gsize *start)
{
	const char *nl = NULL;

	for (gsize i = acc->len; i > 0; i--) {
		if (acc->str[i - 1] == '\n') {
			nl = acc->str + i - 1;
			break;
		}
	}
	*start = nl != NULL ? (gsize)(nl - acc->str) + 1 : 0;
	{
		char *norm = sshconf_normalize(acc->str + *start, acc->len - *start);
		g_strchomp(norm);
		return norm;
	}
}

/* Shell mode: read until the prompt (returns 1) or @alt (returns 2) ends
 * the output; answers pager prompts with a space. 0 with error set. */
static int expect(fctx *c, ssh_channel ch, GString *acc, const GRegex *alt,
		  gint64 timeout, const char *what)
{
	const sshconf_profile *p = c->t->profile;
	gint64 until = g_get_monotonic_time() + timeout;

	for (;;) {
		int n = read_slice(c, ch, acc, until, what);
		gsize start;
		char *line;

		if (n < 0)
			return 0;
		if (n == 0) {
			if (ssh_channel_is_eof(ch) || ssh_channel_is_closed(ch)) {
				g_set_error(c->err, SSHCONF_ERROR,
					    SSHCONF_ERROR_COMMAND,
					    "%s: the device closed the session "
					    "during %s", c->t->device, what);
				return 0;
			}
			continue;
		}
		line = last_line(acc, &start);
		if (p->more != NULL && g_regex_match(p->more, line, 0, NULL)) {
			g_string_truncate(acc, start);
			g_free(line);
			if (!write_all(c, ch, " ", 1))
				return 0;
			continue;
		}
		if (g_regex_match(p->prompt, line, 0, NULL)) {
			g_free(line);
			return 1;
		}
		if (alt != NULL && g_regex_match(alt, line, 0, NULL)) {
			g_free(line);
			return 2;
		}
		g_free(line);
	}
}

static gboolean send_line(fctx *c, ssh_channel ch, const char *s)
{
	return write_all(c, ch, s, strlen(s)) && write_all(c, ch, "\n", 1);
}

static gboolean run_shell(fctx *c, GString *out)
{
	const sshconf_target *t = c->t;
	const sshconf_profile *p = t->profile;
	ssh_channel ch = open_channel(c);
	GString *acc = g_string_new(NULL);
	gint64 to = command_timeout(t);
	gboolean ok = FALSE;

	if (ch == NULL)
		goto out;
	if (ssh_channel_request_pty_size(ch, "vt100", 511, 24) != SSH_OK ||
	    ssh_channel_request_shell(ch) != SSH_OK) {
		g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_COMMAND,
			    "%s: shell refused: %s", t->device, ssh_get_error(c->s));
		goto out;
	}
	if (!expect(c, ch, acc, NULL, to, "the first prompt"))
		goto out;
	if (p->enable != NULL && t->enable_secret != NULL) {
		int r;
		g_string_truncate(acc, 0);
		if (!send_line(c, ch, p->enable))
			goto out;
		r = expect(c, ch, acc, p->enable_prompt, to, "enable");
		if (r == 2) {
			g_string_truncate(acc, 0);
			if (!send_line(c, ch, t->enable_secret))
				goto out;
			r = expect(c, ch, acc, p->enable_prompt, to, "enable secret");
			if (r == 2) {
				g_set_error(c->err, SSHCONF_ERROR, SSHCONF_ERROR_AUTH,
					    "%s: enable secret refused", t->device);
				goto out;
			}
		}
		if (r == 0)
			goto out;
	}
	for (guint i = 0; i < p->setup->len; i++) {
		const char *cmd = g_ptr_array_index(p->setup, i);
		char *what = g_strdup_printf("'%s'", cmd);
		int r;
		g_string_truncate(acc, 0);
		r = send_line(c, ch, cmd) ? expect(c, ch, acc, NULL, to, what) : 0;
		g_free(what);
		if (r == 0)
			goto out;
	}
	for (guint i = 0; i < p->commands->len; i++) {
		const char *cmd = g_ptr_array_index(p->commands, i);
		char *what = g_strdup_printf("'%s'", cmd);
		int r;
		g_string_truncate(acc, 0);
		r = send_line(c, ch, cmd) ? expect(c, ch, acc, NULL, to, what) : 0;
		g_free(what);
		if (r == 0)
			goto out;
		{
			char *norm = sshconf_normalize(acc->str, acc->len);
			char *body = sshconf_strip_shell(norm, cmd, p->prompt);
			g_string_append(out, body);
			g_free(body);
			g_free(norm);
		}
	}
	if (p->exit != NULL) /* best effort: the result is already in */
		(void)send_line(c, ch, p->exit);
	ok = TRUE;
out:
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	g_string_free(acc, TRUE);
	return ok;
}

static void keepalive(ssh_session s)
{
	int fd = ssh_get_fd(s), on = 1, idle = 10, intvl = 5, cnt = 3;

	if (fd < 0)
		return;
	/* Best effort: a failure only loses the early dead-peer detection;
	 * the deadline still bounds the fetch. */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
}

char *sshconf_fetch(const sshconf_target *t, sshconf_fetch_info *info,
		    GError **err)
{
	fctx c = { .t = t, .err = err };
	GString *out = NULL;
	unsigned int port = t->port;
	bool no = false;
	gboolean ok = FALSE;

	c.s = ssh_new();
	if (c.s == NULL) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
			    "%s: out of memory", t->device);
		return NULL;
	}
	if (ssh_options_set(c.s, SSH_OPTIONS_HOST, t->host) < 0 ||
	    ssh_options_set(c.s, SSH_OPTIONS_PORT, &port) < 0 ||
	    ssh_options_set(c.s, SSH_OPTIONS_USER, t->username) < 0 ||
	    ssh_options_set(c.s, SSH_OPTIONS_PROCESS_CONFIG, &no) < 0 ||
	    ssh_options_set(c.s, SSH_OPTIONS_KNOWNHOSTS, t->known_hosts) < 0 ||
	    ssh_options_set(c.s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
			    "%s: bad SSH option: %s", t->device, ssh_get_error(c.s));
		goto out;
	}
	if (!bound(&c, t->connect_timeout, "connect"))
		goto out;
	if (ssh_connect(c.s) != SSH_OK) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_CONNECT,
			    "%s: cannot connect to %s port %u: %s", t->device,
			    t->host, t->port, ssh_get_error(c.s));
		goto out;
	}
	keepalive(c.s);
	if (!verify_host(&c, info) || !authenticate(&c))
		goto out;
	out = g_string_new(NULL);
	for (guint i = 0; !t->profile->shell && i < t->profile->commands->len; i++)
		if (!run_exec(&c, g_ptr_array_index(t->profile->commands, i), out))
			goto out;
	if (t->profile->shell && !run_shell(&c, out))
		goto out;
	ok = TRUE;
out:
	if (ssh_is_connected(c.s)) {
		long one = 1;   /* do not wait long for a polite goodbye */
		(void)ssh_options_set(c.s, SSH_OPTIONS_TIMEOUT, &one);
		ssh_disconnect(c.s);
	}
	ssh_free(c.s);
	if (!ok) {
		if (out != NULL)
			g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

void sshconf_fetch_info_clear(sshconf_fetch_info *info)
{
	if (info == NULL)
		return;
	g_free(info->fingerprint);
	info->fingerprint = NULL;
	info->trusted_new_key = FALSE;
}
