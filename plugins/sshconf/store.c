/* sshconf — configuration history in a git repository (libgit2).
 *
 * Copyright (C) 2026 the netmon authors. GPL-2.0-or-later, see COPYING.
 */
#include "config.h"

#include <string.h>
#include <git2.h>

#include "store.h"
#include "text.h"

struct sshconf_store {
	GMutex lock;
	git_repository *repo;
};

static gboolean fail(GError **err, const char *what)
{
	const git_error *ge = git_error_last();
	g_set_error(err, SSHCONF_ERROR, SSHCONF_ERROR_STORE, "git: %s: %s",
		    what, ge != NULL && ge->message != NULL ? ge->message
							    : "unknown error");
	return FALSE;
}

sshconf_store *sshconf_store_open(const char *dir, GError **err)
{
	sshconf_store *s;
	git_repository *repo = NULL;

	if (git_libgit2_init() < 0) {
		fail(err, "init");
		return NULL;
	}
	if (git_repository_open_bare(&repo, dir) != 0) {
		if (g_mkdir_with_parents(dir, 0750) != 0 ||
		    git_repository_init(&repo, dir, 1) != 0) {
			fail(err, dir);
			git_libgit2_shutdown();
			return NULL;
		}
	}
	s = g_new0(sshconf_store, 1);
	g_mutex_init(&s->lock);
	s->repo = repo;
	return s;
}

void sshconf_store_free(sshconf_store *s)
{
	if (s == NULL)
		return;
	git_repository_free(s->repo);
	g_mutex_clear(&s->lock);
	g_free(s);
	git_libgit2_shutdown();
}

/* HEAD's commit, or NULL (with *@unborn TRUE) in an empty repository. */
static gboolean head_commit(sshconf_store *s, git_commit **out,
			    GError **err)
{
	git_oid oid;
	int rc = git_reference_name_to_id(&oid, s->repo, "HEAD");

	*out = NULL;
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
		return TRUE;
	if (rc != 0)
		return fail(err, "HEAD");
	if (git_commit_lookup(out, s->repo, &oid) != 0)
		return fail(err, "HEAD commit");
	return TRUE;
}

/* Blob id of @device in @commit's tree; FALSE when absent. */
static gboolean blob_of(git_commit *commit, const char *device, git_oid *out)
{
	git_tree *tree = NULL;
	const git_tree_entry *e;
	gboolean found = FALSE;

	if (commit == NULL || git_commit_tree(&tree, commit) != 0)
		return FALSE;
	e = git_tree_entry_byname(tree, device);
	if (e != NULL && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
		git_oid_cpy(out, git_tree_entry_id(e));
		found = TRUE;
	}
	git_tree_free(tree);
	return found;
}

/* The blob ids of @device's versions, newest first (git_oid *, g_free). */
static GPtrArray *versions(sshconf_store *s, const char *device, GError **err)
{
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);
	git_commit *c = NULL;

	if (!head_commit(s, &c, err)) {
		g_ptr_array_unref(v);
		return NULL;
	}
	/* First-parent walk: the history is linear (only this plugin writes). */
	while (c != NULL) {
		git_commit *parent = NULL;
		git_oid mine, theirs;
		gboolean have = blob_of(c, device, &mine);

		if (git_commit_parentcount(c) > 0 &&
		    git_commit_parent(&parent, c, 0) != 0) {
			git_commit_free(c);
			fail(err, "parent commit");
			g_ptr_array_unref(v);
			return NULL;
		}
		if (have && (parent == NULL || !blob_of(parent, device, &theirs) ||
			     !git_oid_equal(&mine, &theirs)))
			g_ptr_array_add(v, g_memdup2(&mine, sizeof mine));
		git_commit_free(c);
		c = parent;
	}
	return v;
}

static char *blob_text(sshconf_store *s, const git_oid *id, GError **err)
{
	git_blob *b = NULL;
	char *t;

	if (git_blob_lookup(&b, s->repo, id) != 0) {
		fail(err, "blob");
		return NULL;
	}
	t = g_strndup(git_blob_rawcontent(b), (gsize)git_blob_rawsize(b));
	git_blob_free(b);
	return t;
}

char *sshconf_store_read(sshconf_store *s, const char *device, guint rev,
			 GError **err)
{
	char *t = NULL;
	GPtrArray *v;

	g_mutex_lock(&s->lock);
	if (rev == 0) {
		/* Fast path: the file in HEAD's tree. */
		git_commit *c = NULL;
		git_oid id;
		if (head_commit(s, &c, err) && c != NULL) {
			if (blob_of(c, device, &id))
				t = blob_text(s, &id, err);
			git_commit_free(c);
		}
		g_mutex_unlock(&s->lock);
		return t;
	}
	v = versions(s, device, err);
	if (v != NULL && rev < v->len)
		t = blob_text(s, g_ptr_array_index(v, rev), err);
	if (v != NULL)
		g_ptr_array_unref(v);
	g_mutex_unlock(&s->lock);
	return t;
}

int sshconf_store_count(sshconf_store *s, const char *device, GError **err)
{
	GPtrArray *v;
	int n = -1;

	g_mutex_lock(&s->lock);
	v = versions(s, device, err);
	if (v != NULL) {
		n = (int)v->len;
		g_ptr_array_unref(v);
	}
	g_mutex_unlock(&s->lock);
	return n;
}

gboolean sshconf_store_commit(sshconf_store *s, const char *device,
			      const char *text, const char *message,
			      const char *host, gint64 time,
			      gboolean *committed, char **commit_hex,
			      GError **err)
{
	git_commit *head = NULL;
	git_tree *old_tree = NULL, *tree = NULL;
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_oid blob, tree_id, commit_id, old_blob;
	char *email = NULL;
	gboolean ok = FALSE;
	const git_commit *parents[1];

	*committed = FALSE;
	if (commit_hex)
		*commit_hex = NULL;
	g_mutex_lock(&s->lock);
	if (!head_commit(s, &head, err))
		goto out;
	if (git_blob_create_from_buffer(&blob, s->repo, text, strlen(text)) != 0) {
		fail(err, "write blob");
		goto out;
	}
	if (head != NULL && blob_of(head, device, &old_blob) &&
	    git_oid_equal(&blob, &old_blob)) {
		ok = TRUE;             /* unchanged: no commit */
		goto out;
	}
	if (head != NULL && git_commit_tree(&old_tree, head) != 0) {
		fail(err, "HEAD tree");
		goto out;
	}
	if (git_treebuilder_new(&tb, s->repo, old_tree) != 0 ||
	    git_treebuilder_insert(NULL, tb, device, &blob,
				   GIT_FILEMODE_BLOB) != 0 ||
	    git_treebuilder_write(&tree_id, tb) != 0 ||
	    git_tree_lookup(&tree, s->repo, &tree_id) != 0) {
		fail(err, "write tree");
		goto out;
	}
	email = g_strdup_printf("netmon@%s", host != NULL ? host : "localhost");
	if (git_signature_new(&sig, "netmon", email, time / G_USEC_PER_SEC, 0) != 0) {
		fail(err, "signature");
		goto out;
	}
	parents[0] = head;
	if (git_commit_create(&commit_id, s->repo, "HEAD", sig, sig, NULL,
			      message, tree, head != NULL ? 1 : 0,
			      parents) != 0) {
		fail(err, "commit");
		goto out;
	}
	if (commit_hex) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &commit_id);
		*commit_hex = g_strdup(hex);
	}
	*committed = TRUE;
	ok = TRUE;
out:
	git_signature_free(sig);
	g_free(email);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	git_tree_free(old_tree);
	git_commit_free(head);
	g_mutex_unlock(&s->lock);
	return ok;
}
