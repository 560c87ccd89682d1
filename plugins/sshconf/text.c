/* sshconf — device profiles and the text pipeline.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Profiles are GLib key files (the .desktop/.ini syntax). Regular
 * expressions are PCRE (GRegex) and read raw, without the key file's
 * backslash escapes, so `\d` and `\s` mean what they mean in a regex.
 */
#include "config.h"

#include <string.h>
#include <git2.h>

#include "text.h"

G_DEFINE_QUARK(sshconf-error-quark, sshconf_error)

static GRegex *compile(GKeyFile *kf, const char *path, const char *group,
		       const char *key, GError **err)
{
	GError *e = NULL;
	char *v = g_key_file_get_value(kf, group, key, NULL);
	GRegex *re;

	if (v == NULL)
		return NULL;
	re = g_regex_new(v, G_REGEX_OPTIMIZE, 0, &e);
	if (re == NULL) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
			    "%s: [%s] %s: bad regular expression: %s", path,
			    group, key, e->message);
		g_error_free(e);
	}
	g_free(v);
	return re;
}

/* The values of @group in file order (raw), into @out; names to @names. */
static void raw_values(GKeyFile *kf, const char *group, GPtrArray *out,
		       GPtrArray *names)
{
	gsize n = 0;
	char **keys = g_key_file_get_keys(kf, group, &n, NULL);

	for (gsize i = 0; keys != NULL && i < n; i++) {
		char *v = g_key_file_get_value(kf, group, keys[i], NULL);
		if (v == NULL)
			continue;
		g_ptr_array_add(out, v);
		if (names != NULL)
			g_ptr_array_add(names, g_strdup(keys[i]));
	}
	g_strfreev(keys);
}

static gboolean regex_group(GKeyFile *kf, const char *path, const char *group,
			    GPtrArray *out, GPtrArray *names, GError **err)
{
	gsize n = 0;
	char **keys = g_key_file_get_keys(kf, group, &n, NULL);

	for (gsize i = 0; keys != NULL && i < n; i++) {
		GRegex *re = compile(kf, path, group, keys[i], err);
		if (re == NULL) {
			g_strfreev(keys);
			return FALSE;
		}
		g_ptr_array_add(out, re);
		g_ptr_array_add(names, g_strdup(keys[i]));
	}
	g_strfreev(keys);
	return TRUE;
}

static sshconf_profile *profile_new(const char *name, const char *path)
{
	sshconf_profile *p = g_new0(sshconf_profile, 1);

	p->name = g_strdup(name);
	p->path = g_strdup(path);
	p->setup = g_ptr_array_new_with_free_func(g_free);
	p->commands = g_ptr_array_new_with_free_func(g_free);
	p->drop = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	p->drop_names = g_ptr_array_new_with_free_func(g_free);
	p->mask = g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
	p->mask_names = g_ptr_array_new_with_free_func(g_free);
	return p;
}

static gboolean known_keys(GKeyFile *kf, const char *path, GError **err)
{
	static const char *const groups[] = { "profile", "setup", "commands",
					      "drop", "mask", NULL };
	static const char *const pkeys[] = { "description", "mode", "prompt",
		"more", "enable", "enable_prompt", "exit", "timeout", NULL };
	char **gs = g_key_file_get_groups(kf, NULL);
	gboolean ok = TRUE;

	for (guint i = 0; ok && gs[i] != NULL; i++) {
		if (!g_strv_contains(groups, gs[i])) {
			g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
				    "%s: unknown group [%s]", path, gs[i]);
			ok = FALSE;
		}
	}
	if (ok && g_key_file_has_group(kf, "profile")) {
		char **ks = g_key_file_get_keys(kf, "profile", NULL, NULL);
		for (guint i = 0; ok && ks != NULL && ks[i] != NULL; i++) {
			if (!g_strv_contains(pkeys, ks[i])) {
				g_set_error(err, SSHCONF_ERROR,
					    SSHCONF_ERROR_PROFILE,
					    "%s: [profile] unknown key '%s'",
					    path, ks[i]);
				ok = FALSE;
			}
		}
		g_strfreev(ks);
	}
	g_strfreev(gs);
	return ok;
}

sshconf_profile *sshconf_profile_parse(const char *data, gsize len,
				       const char *name, const char *path,
				       GError **err)
{
	GKeyFile *kf = g_key_file_new();
	GError *e = NULL;
	sshconf_profile *p = NULL;
	char *mode = NULL, *t = NULL;

	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &e)) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE, "%s: %s",
			    path, e->message);
		g_error_free(e);
		goto out;
	}
	if (!g_key_file_has_group(kf, "profile")) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
			    "%s: missing group [profile]", path);
		goto out;
	}
	if (!known_keys(kf, path, err))
		goto out;
	p = profile_new(name, path);
	p->description = g_key_file_get_value(kf, "profile", "description", NULL);
	mode = g_key_file_get_value(kf, "profile", "mode", NULL);
	if (mode == NULL || strcmp(mode, "exec") == 0) {
		p->shell = FALSE;
	} else if (strcmp(mode, "shell") == 0) {
		p->shell = TRUE;
	} else {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
			    "%s: [profile] mode: '%s' is not exec or shell",
			    path, mode);
		goto fail;
	}
	t = g_key_file_get_value(kf, "profile", "timeout", NULL);
	if (t != NULL) {
		char *end = NULL;
		double s = g_ascii_strtod(t, &end);
		if (end == t || *end != '\0' || !(s > 0 && s <= 3600)) {
			g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
				    "%s: [profile] timeout: '%s' is not a number "
				    "of seconds in 0..3600", path, t);
			goto fail;
		}
		p->command_timeout = (gint64)(s * G_USEC_PER_SEC);
	}
	p->enable = g_key_file_get_value(kf, "profile", "enable", NULL);
	p->exit = g_key_file_get_value(kf, "profile", "exit", NULL);
	e = NULL;
	p->prompt = compile(kf, path, "profile", "prompt", &e);
	if (e != NULL)
		goto fail_e;
	p->more = compile(kf, path, "profile", "more", &e);
	if (e != NULL)
		goto fail_e;
	p->enable_prompt = compile(kf, path, "profile", "enable_prompt", &e);
	if (e != NULL)
		goto fail_e;
	if (p->shell && p->prompt == NULL) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
			    "%s: [profile] prompt: required with mode=shell", path);
		goto fail;
	}
	if (p->enable != NULL && p->enable_prompt == NULL)
		p->enable_prompt = g_regex_new("[Pp]assword: ?$", 0, 0, NULL);
	raw_values(kf, "setup", p->setup, NULL);
	raw_values(kf, "commands", p->commands, NULL);
	if (p->commands->len == 0) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
			    "%s: [commands] needs at least one command", path);
		goto fail;
	}
	if (!regex_group(kf, path, "drop", p->drop, p->drop_names, err) ||
	    !regex_group(kf, path, "mask", p->mask, p->mask_names, err))
		goto fail;
	goto out;
fail_e:
	g_propagate_error(err, e);
fail:
	sshconf_profile_free(p);
	p = NULL;
out:
	g_free(mode);
	g_free(t);
	g_key_file_free(kf);
	return p;
}

sshconf_profile *sshconf_profile_load(const char *path, GError **err)
{
	char *data = NULL, *base, *name;
	gsize len = 0;
	sshconf_profile *p;

	if (!g_file_get_contents(path, &data, &len, err))
		return NULL;
	base = g_path_get_basename(path);
	name = g_str_has_suffix(base, ".profile")
		? g_strndup(base, strlen(base) - strlen(".profile"))
		: g_strdup(base);
	p = sshconf_profile_parse(data, len, name, path, err);
	g_free(name);
	g_free(base);
	g_free(data);
	return p;
}

sshconf_profile *sshconf_profile_find(const char *const *dirs,
				      const char *name, GError **err)
{
	GString *tried;
	char *file;

	if (!sshconf_name_ok(name)) {
		g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
			    "'%s' is not a valid profile name", name);
		return NULL;
	}
	tried = g_string_new(NULL);
	file = g_strconcat(name, ".profile", NULL);
	for (guint i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		char *path = g_build_filename(dirs[i], file, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
			sshconf_profile *p = sshconf_profile_load(path, err);
			g_free(path);
			g_free(file);
			g_string_free(tried, TRUE);
			return p;
		}
		g_free(path);
		g_string_append_printf(tried, "%s%s", tried->len ? ", " : "",
				       dirs[i]);
	}
	g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_PROFILE,
		    "no profile %s in %s", file,
		    tried->len ? tried->str : "(no folder)");
	g_free(file);
	g_string_free(tried, TRUE);
	return NULL;
}

void sshconf_profile_free(sshconf_profile *p)
{
	if (p == NULL)
		return;
	g_free(p->name);
	g_free(p->path);
	g_free(p->description);
	g_ptr_array_unref(p->setup);
	g_ptr_array_unref(p->commands);
	if (p->prompt)
		g_regex_unref(p->prompt);
	if (p->more)
		g_regex_unref(p->more);
	if (p->enable_prompt)
		g_regex_unref(p->enable_prompt);
	g_free(p->enable);
	g_free(p->exit);
	g_ptr_array_unref(p->drop);
	g_ptr_array_unref(p->drop_names);
	g_ptr_array_unref(p->mask);
	g_ptr_array_unref(p->mask_names);
	g_free(p);
}

/* Cut trailing blanks of the line that starts at @line_start in @s. */
static void trim_line(GString *s, gsize line_start)
{
	while (s->len > line_start &&
	       (s->str[s->len - 1] == ' ' || s->str[s->len - 1] == '\t'))
		g_string_truncate(s, s->len - 1);
}

char *sshconf_normalize(const char *raw, gsize len)
{
	GString *s = g_string_sized_new(len + 1);
	gsize line_start = 0;

	for (gsize i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (c == 0x1b) {           /* ESC: skip a CSI or 2-byte seq */
			if (i + 1 < len && raw[i + 1] == '[') {
				i += 2;
				while (i < len &&
				       !((unsigned char)raw[i] >= 0x40 &&
					 (unsigned char)raw[i] <= 0x7e))
					i++;
			} else if (i + 1 < len) {
				i++;
			}
			continue;
		}
		if (c == '\r') {
			gsize j = i + 1;
			while (j < len && raw[j] == '\r')
				j++;
			if (j < len && raw[j] == '\n')
				continue;          /* CR... LF: the LF ends it */
			if (j < len) {             /* lone CR: overwrite line */
				g_string_truncate(s, line_start);
				continue;
			}
			c = '\n';                 /* CR at the end: a newline */
		}
		if (c == '\b') {
			if (s->len > line_start)
				g_string_truncate(s, s->len - 1);
			continue;
		}
		if (c == '\n') {
			trim_line(s, line_start);
			g_string_append_c(s, '\n');
			line_start = s->len;
			continue;
		}
		if (c < 0x20 && c != '\t')
			continue;
		if (c == 0x7f)
			continue;
		g_string_append_c(s, (char)c);
	}
	trim_line(s, line_start);
	if (s->len > line_start)
		g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

char *sshconf_strip_shell(const char *text, const char *command,
			  const GRegex *prompt)
{
	const char *start = text, *end = text + strlen(text);
	const char *nl = strchr(text, '\n');

	if (command != NULL && *command != '\0' && nl != NULL) {
		char *first = g_strndup(text, (gsize)(nl - text));
		if (g_str_has_suffix(first, command))
			start = nl + 1;
		g_free(first);
	}
	if (prompt != NULL && end > start) {
		const char *last = end;
		char *line;
		if (last > start && last[-1] == '\n')
			last--;
		while (last > start && last[-1] != '\n')
			last--;
		line = g_strndup(last, (gsize)(end - last));
		g_strchomp(line);
		if (g_regex_match(prompt, line, 0, NULL))
			end = last;
		g_free(line);
	}
	return g_strndup(start, (gsize)(end - start));
}

/* Replace capture groups (or the whole match) of every match of @re in
 * @line; returns a new string, adds the replacements to *@n. */
static char *mask_line(const GRegex *re, const char *line, guint *n)
{
	GMatchInfo *mi = NULL;
	GString *out;
	gsize pos = 0;
	int groups = g_regex_get_capture_count(re);

	if (!g_regex_match(re, line, 0, &mi)) {
		g_match_info_free(mi);
		return NULL;
	}
	out = g_string_new(NULL);
	while (g_match_info_matches(mi)) {
		int ms, me;
		if (!g_match_info_fetch_pos(mi, 0, &ms, &me))
			break;
		if (groups == 0) {
			g_string_append_len(out, line + pos, (gssize)ms - (gssize)pos);
			g_string_append(out, SSHCONF_MASK);
			pos = (gsize)me;
			(*n)++;
		} else {
			for (int g = 1; g <= groups; g++) {
				int gs, ge;
				if (!g_match_info_fetch_pos(mi, g, &gs, &ge) ||
				    gs < 0 || (gsize)gs < pos || ge <= gs)
					continue;
				g_string_append_len(out, line + pos,
						    (gssize)gs - (gssize)pos);
				g_string_append(out, SSHCONF_MASK);
				pos = (gsize)ge;
				(*n)++;
			}
		}
		if (!g_match_info_next(mi, NULL))
			break;
	}
	g_string_append(out, line + pos);
	g_match_info_free(mi);
	return g_string_free(out, FALSE);
}

char *sshconf_filter(const sshconf_profile *p, const char *text,
		     guint *dropped, guint *masked)
{
	GString *out = g_string_sized_new(strlen(text) + 1);
	char **lines = g_strsplit(text, "\n", -1);
	guint nd = 0, nm = 0;
	guint n = g_strv_length(lines);

	/* A text ending in '\n' splits into a last empty element: skip it. */
	if (n > 0 && lines[n - 1][0] == '\0')
		n--;
	for (guint i = 0; i < n; i++) {
		char *line = g_strdup(lines[i]);
		gboolean drop = FALSE;

		for (guint d = 0; !drop && d < p->drop->len; d++)
			drop = g_regex_match(g_ptr_array_index(p->drop, d),
					     line, 0, NULL);
		if (drop) {
			nd++;
			g_free(line);
			continue;
		}
		for (guint m = 0; m < p->mask->len; m++) {
			char *r = mask_line(g_ptr_array_index(p->mask, m),
					    line, &nm);
			if (r != NULL) {
				g_free(line);
				line = r;
			}
		}
		g_string_append(out, line);
		g_string_append_c(out, '\n');
		g_free(line);
	}
	g_strfreev(lines);
	if (dropped)
		*dropped = nd;
	if (masked)
		*masked = nm;
	return g_string_free(out, FALSE);
}

static void git_fail(GError **err, const char *what)
{
	const git_error *ge = git_error_last();
	g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_STORE, "%s: %s", what,
		    ge != NULL && ge->message != NULL ? ge->message : "unknown");
}

char *sshconf_diff(const char *old_text, const char *new_text,
		   const char *name, guint *lines_changed, GError **err)
{
	git_diff_options opts;
	git_patch *patch = NULL;
	GString *out;
	size_t nh, add = 0, del = 0;
	const char *o = old_text != NULL ? old_text : "";

	if (lines_changed)
		*lines_changed = 0;
	if (old_text != NULL && strcmp(old_text, new_text) == 0)
		return g_strdup("");
	if (git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION) != 0) {
		git_fail(err, "diff options");
		return NULL;
	}
	opts.context_lines = 3;
	opts.flags |= GIT_DIFF_FORCE_TEXT;
	if (git_patch_from_buffers(&patch, o, strlen(o), name, new_text,
				   strlen(new_text), name, &opts) != 0) {
		git_fail(err, "diff");
		return NULL;
	}
	out = g_string_new(NULL);
	if (old_text == NULL)
		g_string_append(out, "--- /dev/null\n");
	else
		g_string_append_printf(out, "--- a/%s\n", name);
	g_string_append_printf(out, "+++ b/%s\n", name);
	nh = git_patch_num_hunks(patch);
	for (size_t h = 0; h < nh; h++) {
		const git_diff_hunk *hunk = NULL;
		size_t nl = 0;
		if (git_patch_get_hunk(&hunk, &nl, patch, h) != 0)
			continue;
		/* GNU diff's form: no function-context text after "@@". */
		g_string_append_printf(out, "@@ -%d", hunk->old_start);
		if (hunk->old_lines != 1)
			g_string_append_printf(out, ",%d", hunk->old_lines);
		g_string_append_printf(out, " +%d", hunk->new_start);
		if (hunk->new_lines != 1)
			g_string_append_printf(out, ",%d", hunk->new_lines);
		g_string_append(out, " @@\n");
		for (size_t l = 0; l < nl; l++) {
			const git_diff_line *line = NULL;
			if (git_patch_get_line_in_hunk(&line, patch, h, l) != 0)
				continue;
			switch (line->origin) {
			case GIT_DIFF_LINE_CONTEXT:
			case GIT_DIFF_LINE_ADDITION:
			case GIT_DIFF_LINE_DELETION:
				g_string_append_c(out, line->origin);
				g_string_append_len(out, line->content,
						    (gssize)line->content_len);
				if (line->origin == GIT_DIFF_LINE_ADDITION)
					add++;
				else if (line->origin == GIT_DIFF_LINE_DELETION)
					del++;
				break;
			default: /* the "no newline at end of file" markers */
				g_string_append(out, "\\ No newline at end of file\n");
				break;
			}
			if (line->origin != GIT_DIFF_LINE_CONTEXT_EOFNL &&
			    line->origin != GIT_DIFF_LINE_ADD_EOFNL &&
			    line->origin != GIT_DIFF_LINE_DEL_EOFNL &&
			    (line->content_len == 0 ||
			     line->content[line->content_len - 1] != '\n'))
				g_string_append_c(out, '\n');
		}
	}
	git_patch_free(patch);
	if (lines_changed)
		*lines_changed = (guint)(add + del);
	return g_string_free(out, FALSE);
}

char *sshconf_hash(const char *text)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
}

gboolean sshconf_name_ok(const char *name)
{
	gsize n;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return FALSE;
	n = strlen(name);
	if (n > 128)
		return FALSE;
	for (gsize i = 0; i < n; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '_' &&
		    name[i] != '.' && name[i] != '-')
			return FALSE;
	return TRUE;
}
