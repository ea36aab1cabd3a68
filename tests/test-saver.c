/* test-saver.c: FbPartFile on its own, without a run or a server.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "fb-saver.h"
#include "fb-test-utils.h"

#define N_SAME 24

typedef struct
{
  const char *final_name;  /* asked for at commit time, or NULL */
  gboolean    overwrite;
  FbPartFile *part;
  char       *path;    /* where the commit put it */
  GError     *error;
  guint       order;   /* 1 + how many finished before it */
  gboolean    done;
  gboolean    aborted;
} Save;

static guint n_done;

static void
commit_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Save *save = user_data;

  save->path = fb_part_file_commit_finish (save->part, result, &save->error);
  save->order = ++n_done;
  save->done = TRUE;
}

static void
abort_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Save *save = user_data;

  fb_part_file_abort_finish (save->part, result);
  save->aborted = TRUE;
}

static gboolean
all_done (gpointer data)
{
  return n_done == GPOINTER_TO_UINT (data);
}

/* A body that says which save it is. */
static GBytes *
body_for (guint i)
{
  char *text = g_strdup_printf ("body %u", i);

  return g_bytes_new_take (text, strlen (text));
}

static void
assert_file_says (const char *path,
                  guint       i)
{
  g_autofree char *contents = NULL;
  g_autofree char *expected = g_strdup_printf ("body %u", i);

  CU_ASSERT_TRUE_FATAL (g_file_get_contents (path, &contents, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (contents, expected);
}

/* Saves "body 0", "body 1", … as @name in @dir, every commit asked for in
 * the same turn of the main loop (so the writers get them in several
 * batches at once), and waits for all the results. */
static void
commit_all (Save       *saves,
            guint       n,
            const char *dir,
            const char *name)
{
  n_done = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) body = body_for (i);

      saves[i].part = fb_part_file_new (dir, name, saves[i].overwrite);
      fb_part_file_append (saves[i].part, body);
      fb_part_file_commit_async (saves[i].part, saves[i].final_name, NULL, commit_cb, &saves[i]);
    }
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (all_done, GUINT_TO_POINTER (n), 10));
}

static void
clear_saves (Save  *saves,
             guint  n)
{
  for (guint i = 0; i < n; i++)
    {
      g_clear_error (&saves[i].error);
      g_free (saves[i].path);
      fb_part_file_free (saves[i].part);
    }
}

/* Many commits under one name, all asked for in the same turn of the main
 * loop (so the writers get them in several batches at once): NAME goes to
 * the first asked, NAME (1) to the second, and so on, whatever writer is
 * faster. Before the saver kept them in line this was a race. */
static void
test_saver_same_name_publishes_in_the_order_asked (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  Save saves[N_SAME] = { { 0 } };

  commit_all (saves, N_SAME, dir, "x.gif");
  for (guint i = 0; i < N_SAME; i++)
    {
      g_autofree char *name = i == 0 ? g_strdup ("x.gif") : g_strdup_printf ("x (%u).gif", i);
      g_autofree char *expected = g_build_filename (dir, name, NULL);

      CU_ASSERT_PTR_NULL (saves[i].error);
      CU_ASSERT_STRING_EQUAL (saves[i].path, expected);
      /* Results of one name come back in order too. */
      CU_ASSERT_EQUAL (saves[i].order, i + 1);
      assert_file_says (expected, i);
    }
  clear_saves (saves, N_SAME);
  CU_ASSERT_EQUAL (fb_test_count_suffix (dir, ".part"), 0);
  fb_test_rm_rf (dir);
}

/* With overwrite, the last one asked for is what stays. */
static void
test_saver_overwrite_keeps_the_last_asked (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.gif", NULL);
  g_auto(GStrv) names = NULL;
  Save saves[N_SAME] = { { 0 } };

  for (guint i = 0; i < N_SAME; i++)
    saves[i].overwrite = TRUE;
  commit_all (saves, N_SAME, dir, "x.gif");
  for (guint i = 0; i < N_SAME; i++)
    {
      CU_ASSERT_PTR_NULL (saves[i].error);
      CU_ASSERT_STRING_EQUAL (saves[i].path, path);
    }
  clear_saves (saves, N_SAME);
  assert_file_says (path, N_SAME - 1);
  names = fb_test_list_dir (dir);
  CU_ASSERT_EQUAL (g_strv_length (names), 1);
  fb_test_rm_rf (dir);
}

/* Different names do not wait for each other; a final name given at commit
 * time is the line a commit joins. */
static void
test_saver_final_names_are_lines_of_their_own (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  const char *finals[] = { "Chile.gif", NULL, "Chile.gif", NULL };
  const char *expected[] = { "Chile.gif", "cl.gif", "Chile (1).gif", "cl (1).gif" };
  Save saves[G_N_ELEMENTS (finals)] = { { 0 } };

  for (guint i = 0; i < G_N_ELEMENTS (finals); i++)
    saves[i].final_name = finals[i];
  commit_all (saves, G_N_ELEMENTS (finals), dir, "cl.gif");
  for (guint i = 0; i < G_N_ELEMENTS (finals); i++)
    {
      g_autofree char *path = g_build_filename (dir, expected[i], NULL);

      CU_ASSERT_PTR_NULL (saves[i].error);
      CU_ASSERT_STRING_EQUAL (saves[i].path, path);
      assert_file_says (path, i);
    }
  clear_saves (saves, G_N_ELEMENTS (finals));
  fb_test_rm_rf (dir);
}

/* A commit that fails leaves its line free for the ones behind it. */
static void
test_saver_failed_commit_lets_the_next_through (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "x.gif", NULL);
  g_autofree char *inside = g_build_filename (folder, "keep", NULL);
  const char *expected[] = { "x (1).gif", NULL, "x (2).gif" };
  Save saves[3] = { { 0 }, { .overwrite = TRUE }, { 0 } };

  /* "x.gif" is a folder with a file in it: the overwriting commit in the
   * middle cannot rename over it and fails. */
  CU_ASSERT_TRUE_FATAL (g_mkdir (folder, 0755) == 0);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (inside, "", 0, NULL));
  commit_all (saves, 3, dir, "x.gif");
  for (guint i = 0; i < 3; i++)
    {
      CU_ASSERT_EQUAL (saves[i].order, i + 1);
      if (expected[i] == NULL)
        {
          CU_ASSERT_PTR_NULL (saves[i].path);
          CU_ASSERT_PTR_NOT_NULL (saves[i].error);
        }
      else
        {
          g_autofree char *path = g_build_filename (dir, expected[i], NULL);

          CU_ASSERT_PTR_NULL (saves[i].error);
          CU_ASSERT_STRING_EQUAL (saves[i].path, path);
          assert_file_says (path, i);
        }
    }
  /* The failed one's .part file goes as in a run: by an abort. */
  fb_part_file_abort_async (saves[1].part, abort_cb, &saves[1]);
  CU_ASSERT_TRUE (fb_test_wait_flag (&saves[1].aborted, 10));
  CU_ASSERT_EQUAL (fb_test_count_suffix (dir, ".part"), 0);
  clear_saves (saves, 3);
  fb_test_rm_rf (dir);
}

/* An adopted .part continues from the size given: what follows it (a
 * write the journal never saw) is cut off, the rest is appended. */
static void
test_saver_adopted_part_continues_from_its_size (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *part_path = g_build_filename (dir, "f.bin.part", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) rest = g_bytes_new_static ("6789", 4);
  Save save = { 0 };

  CU_ASSERT_TRUE_FATAL (g_file_set_contents (part_path, "012345xxxx", -1, NULL));
  n_done = 0;
  save.part = fb_part_file_new (dir, "f.bin", FALSE);
  fb_part_file_adopt (save.part, part_path, 6);
  CU_ASSERT_EQUAL (fb_part_file_get_size (save.part), 6);
  fb_part_file_append (save.part, rest);
  CU_ASSERT_EQUAL (fb_part_file_get_size (save.part), 10);
  fb_part_file_commit_async (save.part, NULL, NULL, commit_cb, &save);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&save.done, 10));
  CU_ASSERT_PTR_NULL (save.error);
  CU_ASSERT_TRUE_FATAL (save.path != NULL && g_file_get_contents (save.path, &contents, NULL,
                                                                  NULL));
  CU_ASSERT_STRING_EQUAL (contents, "0123456789");
  CU_ASSERT_EQUAL (fb_test_count_suffix (dir, ".part"), 0);
  clear_saves (&save, 1);
  fb_test_rm_rf (dir);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Save *save = user_data;

  fb_part_file_flush_finish (save->part, result, &save->error);
  save->done = TRUE;
}

/* A flush goes to a writer at once, not when the main loop next turns: a
 * download's reader goes on reading, without returning to the loop, while
 * the bytes before are written. (Held back, reading and writing took
 * turns.) The main loop does not run until the bytes are in the file. */
static void
test_saver_flush_leaves_without_waiting_for_the_loop (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *part_path = g_build_filename (dir, "f.bin.part", NULL);
  g_autoptr(GBytes) body = fb_test_body (256 * 1024);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GStatBuf st = { 0 };
  Save save = { 0 };

  save.part = fb_part_file_new (dir, "f.bin", FALSE);
  fb_part_file_append (save.part, body);
  fb_part_file_flush_async (save.part, NULL, flush_cb, &save);
  while ((g_stat (part_path, &st) != 0 || st.st_size < 256 * 1024) &&
         g_get_monotonic_time () < deadline)
    g_usleep (1000);
  CU_ASSERT_EQUAL (st.st_size, 256 * 1024);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&save.done, 10));
  CU_ASSERT_PTR_NULL (save.error);
  CU_ASSERT_EQUAL (fb_part_file_get_size (save.part), 256 * 1024);
  fb_part_file_abort_async (save.part, abort_cb, &save);
  CU_ASSERT_TRUE (fb_test_wait_flag (&save.aborted, 10));
  CU_ASSERT_EQUAL (fb_test_count_suffix (dir, ".part"), 0);
  clear_saves (&save, 1);
  fb_test_rm_rf (dir);
}

/* A .part that became a symbolic link (or shorter than recorded) is not
 * continued: the commit fails, and the link's target is left as it was. */
static void
test_saver_adopted_part_refuses_a_link_or_a_shorter_file (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *target = g_build_filename (dir, "target", NULL);
  g_autofree char *link_path = g_build_filename (dir, "a.bin.part", NULL);
  g_autofree char *short_path = g_build_filename (dir, "b.bin.part", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) rest = g_bytes_new_static ("zz", 2);
  Save saves[2] = { { 0 }, { 0 } };
  const char *paths[2] = { link_path, short_path };
  const char *names[2] = { "a.bin", "b.bin" };

  CU_ASSERT_TRUE_FATAL (g_file_set_contents (target, "keep me", -1, NULL));
  CU_ASSERT_TRUE_FATAL (symlink (target, link_path) == 0);
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (short_path, "abc", -1, NULL));
  n_done = 0;
  for (guint i = 0; i < 2; i++)
    {
      saves[i].part = fb_part_file_new (dir, names[i], FALSE);
      fb_part_file_adopt (saves[i].part, paths[i], 5);
      fb_part_file_append (saves[i].part, rest);
      fb_part_file_commit_async (saves[i].part, NULL, NULL, commit_cb, &saves[i]);
    }
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (all_done, GUINT_TO_POINTER (2), 10));
  for (guint i = 0; i < 2; i++)
    {
      CU_ASSERT_PTR_NULL (saves[i].path);
      CU_ASSERT_PTR_NOT_NULL (saves[i].error);
    }
  CU_ASSERT_TRUE (g_error_matches (saves[1].error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (target, &contents, NULL, NULL));
  CU_ASSERT_STRING_EQUAL (contents, "keep me");
  CU_ASSERT_TRUE (g_file_test (link_path, G_FILE_TEST_IS_SYMLINK));
  clear_saves (saves, 2);
  fb_test_rm_rf (dir);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_saver_same_name_publishes_in_the_order_asked),
    FB_TEST (test_saver_overwrite_keeps_the_last_asked),
    FB_TEST (test_saver_final_names_are_lines_of_their_own),
    FB_TEST (test_saver_failed_commit_lets_the_next_through),
    FB_TEST (test_saver_adopted_part_continues_from_its_size),
    FB_TEST (test_saver_adopted_part_refuses_a_link_or_a_shorter_file),
    FB_TEST (test_saver_flush_leaves_without_waiting_for_the_loop),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "saver", tests);
}
