/* Replays a libFuzzer target's seed corpus and regression inputs as a
 * normal test (TAP), so every build -- plain and ASan+UBSan -- runs each
 * fuzz target over every input that ever mattered, without clang.
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 *
 * Linked with one t/fuzz/fuzz-<target>.c (which defines
 * LLVMFuzzerTestOneInput) and compiled with -DNM_FUZZ_TARGET='"<target>"'.
 * Reads $top_srcdir/t/fuzz/corpus/<target>/ and
 * $top_srcdir/t/fuzz/regress/<target>/ (files in name order; missing
 * directories are fine). Prints one TAP test point per regression input
 * (each is a bug that once crashed or misbehaved) and one for the whole
 * seed corpus. An input that crashes kills the program, which the TAP
 * driver reports as an error naming the last input announced on stderr.
 * Arguments (e.g. --tap from t/run-test) are ignored, except that file
 * paths given on the command line are replayed instead of the directories.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#ifndef NM_FUZZ_TARGET
#error "compile with -DNM_FUZZ_TARGET='\"name\"'"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Feeds one file to the target in an exact-size heap copy (so ASan sees
 * an over-read by one byte). Returns FALSE when the file cannot be read. */
static gboolean replay_file(const char *path)
{
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;

	if (!g_file_get_contents(path, &data, &len, &err)) {
		fprintf(stderr, "# %s\n", err->message);
		g_error_free(err);
		return FALSE;
	}
	fprintf(stderr, "# replaying %s (%zu bytes)\n", path, (size_t)len);
	uint8_t *copy = g_malloc(len ? len : 1);
	memcpy(copy, data, len);
	g_free(data);
	(void)LLVMFuzzerTestOneInput(copy, len);
	g_free(copy);
	return TRUE;
}

static gint cmp_path(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* Lists a directory's regular files (not dotfiles), sorted; NULL when it does not exist. */
static GPtrArray *list_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	if (d == NULL)
		return NULL;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *n;
	while ((n = g_dir_read_name(d)) != NULL) {
		if (n[0] == '.')
			continue;
		gchar *p = g_build_filename(dir, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
			g_ptr_array_add(names, p);
		else
			g_free(p);
	}
	g_dir_close(d);
	g_ptr_array_sort(names, cmp_path);
	return names;
}

int main(int argc, char **argv)
{
	const char *top = g_getenv("top_srcdir");
	int n = 0, bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (LLVMFuzzerInitialize != NULL)
		(void)LLVMFuzzerInitialize(&argc, &argv);
	/* Explicit files: replay those only (for reproducing a finding). */
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			g_ptr_array_add(files, g_strdup(argv[i]));
	if (files->len > 0) {
		printf("1..%u\n", files->len);
		for (guint i = 0; i < files->len; i++) {
			gboolean ok = replay_file(files->pdata[i]);
			printf("%sok %u - %s\n", ok ? "" : "not ", i + 1,
			       (char *)files->pdata[i]);
			bad += !ok;
		}
		g_ptr_array_unref(files);
		return bad ? 1 : 0;
	}
	g_ptr_array_unref(files);

	if (top == NULL)
		top = ".";
	gchar *cdir = g_build_filename(top, "t", "fuzz", "corpus", NM_FUZZ_TARGET, NULL);
	gchar *rdir = g_build_filename(top, "t", "fuzz", "regress", NM_FUZZ_TARGET, NULL);
	GPtrArray *corpus = list_dir(cdir);
	GPtrArray *regress = list_dir(rdir);

	printf("1..%u\n", 1 + (regress ? regress->len : 0));
	int replayed = 0, unreadable = 0;
	for (guint i = 0; corpus != NULL && i < corpus->len; i++) {
		if (replay_file(corpus->pdata[i]))
			replayed++;
		else
			unreadable++;
	}
	n++;
	if (replayed == 0 || unreadable > 0) {
		printf("not ok %d - %s: %d seed inputs replayed, %d unreadable (%s)\n",
		       n, NM_FUZZ_TARGET, replayed, unreadable, cdir);
		bad++;
	} else {
		printf("ok %d - %s: %d seed inputs replayed\n", n, NM_FUZZ_TARGET,
		       replayed);
	}
	for (guint i = 0; regress != NULL && i < regress->len; i++) {
		gboolean ok = replay_file(regress->pdata[i]);
		n++;
		printf("%sok %d - %s regression %s\n", ok ? "" : "not ", n,
		       NM_FUZZ_TARGET, strrchr(regress->pdata[i], '/') + 1);
		bad += !ok;
	}
	if (corpus != NULL)
		g_ptr_array_unref(corpus);
	if (regress != NULL)
		g_ptr_array_unref(regress);
	g_free(cdir);
	g_free(rdir);
	return bad ? 1 : 0;
}
