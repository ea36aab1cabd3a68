/* test-journal.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "fb-export.h"
#include "fb-journal-private.h"
#include "fb-run.h"
#include "fb-test-utils.h"

typedef struct
{
  char         *dir;      /* downloads */
  char         *path;     /* the journal */
  FbTestServer *server;
  FbJournal    *journal;
  FbRun        *run;
  gboolean      done;
  gboolean      flushed;
  gboolean      write_failed;
} Fixture;

static void
finished_cb (FbRun   *run,
             Fixture *f)
{
  f->done = TRUE;
}

static void
fixture_init (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *state = fb_test_make_tmpdir ();

  memset (f, 0, sizeof *f);
  f->dir = fb_test_make_tmpdir ();
  f->path = g_build_filename (state, "journal.sqlite", NULL);
  f->server = fb_test_server_new ();
  f->journal = fb_journal_open (f->path, &error);
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_PTR_NOT_NULL (f->journal);
}

static void
new_run (Fixture *f)
{
  g_clear_object (&f->run);
  f->done = FALSE;
  f->run = fb_run_new ();
  fb_run_set_destination (f->run, f->dir);
  fb_run_set_max_concurrency (f->run, 4);
  fb_run_set_timeout (f->run, 10);
  g_signal_connect (f->run, "finished", G_CALLBACK (finished_cb), f);
}

static void
add (Fixture    *f,
     const char *path)
{
  g_autofree char *url = fb_test_server_url (f->server, path);
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);

  fb_job_set_source (job, "list.txt", g_list_model_get_n_items (fb_run_get_jobs (f->run)) + 1);
  fb_run_add_job (f->run, job);
}

static void
flush_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  if (!fb_journal_flush_finish (FB_JOURNAL (source), result, &error))
    f->write_failed = TRUE;
  f->flushed = TRUE;
}

static void
flush (Fixture *f)
{
  f->flushed = FALSE;
  fb_journal_flush_async (f->journal, NULL, flush_cb, f);
  fb_test_wait_flag (&f->flushed, 10);
}

/* The process "dies": the journal lets go without the run ending. */
static void
crash (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  fb_journal_close (f->journal);
  g_clear_object (&f->journal);
  if (f->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->run, f);
      fb_run_cancel (f->run);
      fb_test_spin (0.05);
      g_clear_object (&f->run);
    }
  f->journal = fb_journal_open (f->path, &error);
  CU_ASSERT_PTR_NULL (error);
}

static void
fixture_clear (Fixture *f)
{
  g_autofree char *state = g_path_get_dirname (f->path);

  g_clear_object (&f->run);
  if (f->journal != NULL)
    {
      gpointer weak = f->journal;

      g_object_add_weak_pointer (G_OBJECT (f->journal), &weak);
      g_clear_object (&f->journal);
      CU_ASSERT_PTR_NULL (weak);
    }
  fb_test_server_free (f->server);
  fb_test_rm_rf (f->dir);
  fb_test_rm_rf (state);
  g_free (f->dir);
  g_free (f->path);
}

static char *
query_text (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  CU_ASSERT_EQUAL (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

static FbJournalJob *
job_row (GPtrArray *rows,
         guint      i)
{
  return g_ptr_array_index (rows, i);
}

static void
test_journal_file_is_private_wal_and_versioned (void)
{
  Fixture f;
  GStatBuf st;
  g_autofree char *mode = NULL;
  g_autofree char *version = NULL;

  fixture_init (&f);
  CU_ASSERT_EQUAL (g_stat (f.path, &st), 0);
  CU_ASSERT_EQUAL (st.st_mode & 0777, 0600);
  CU_ASSERT_PTR_NULL (fb_journal_get_notice (f.journal));
  mode = query_text (f.path, "PRAGMA journal_mode");
  ASSERT_STR (mode, "wal");
  version = query_text (f.path, "PRAGMA user_version");
  ASSERT_STR (version, "1");
  fixture_clear (&f);
}

static void
test_journal_records_every_field_of_a_run (void)
{
  Fixture f;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  FbJournalRun *run;
  gint64 id;

  fixture_init (&f);
  new_run (&f);
  add (&f, "/file/a.bin?size=1000");
  add (&f, "/status/404");
  add (&f, "/status/500");
  id = fb_journal_track_run (f.journal, f.run, NULL, "same-command", NULL);
  CU_ASSERT_EQUAL (id, 1);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  flush (&f);
  CU_ASSERT_FALSE (f.write_failed);

  runs = fb_journal_list_runs (f.journal, &error);
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL (runs->len, 1);
  run = runs->pdata[0];
  CU_ASSERT_EQUAL (run->id, 1);
  ASSERT_STR (run->kind, "download");
  ASSERT_STR (run->identity, "same-command");
  ASSERT_STR (run->destination, f.dir);
  CU_ASSERT_NOT_EQUAL (run->ended, 0);
  CU_ASSERT_EQUAL (run->n_total, 3);
  CU_ASSERT_EQUAL (run->n_ok, 1);
  CU_ASSERT_EQUAL (run->n_not_found, 1);
  CU_ASSERT_EQUAL (run->n_error, 1);
  CU_ASSERT_EQUAL (run->n_pending, 0);

  rows = fb_journal_list_jobs (f.journal, 1, &error);
  CU_ASSERT_EQUAL (rows->len, 3);
  saved = g_build_filename (f.dir, "a.bin", NULL);
  CU_ASSERT_EQUAL (job_row (rows, 0)->index, 0);
  CU_ASSERT_EQUAL (job_row (rows, 0)->state, FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (job_row (rows, 0)->http_status, 200);
  CU_ASSERT_EQUAL (job_row (rows, 0)->bytes_received, 1000);
  CU_ASSERT_EQUAL (job_row (rows, 0)->bytes_expected, 1000);
  CU_ASSERT_EQUAL (job_row (rows, 0)->attempts, 1);
  ASSERT_STR (job_row (rows, 0)->saved_path, saved);
  ASSERT_STR (job_row (rows, 0)->source, "list.txt");
  CU_ASSERT_EQUAL (job_row (rows, 0)->source_line, 1);
  ASSERT_STR (job_row (rows, 0)->message, "Saved as a.bin");
  CU_ASSERT_TRUE (job_row (rows, 0)->phase_time[FB_JOB_PHASE_TRANSFERRING] > run->created - 1);
  CU_ASSERT_TRUE (job_row (rows, 0)->phase_time[FB_JOB_PHASE_DONE]
                  >= job_row (rows, 0)->phase_time[FB_JOB_PHASE_TRANSFERRING]);
  CU_ASSERT_TRUE (fb_journal_job_is_verified (job_row (rows, 0)));
  CU_ASSERT_EQUAL (job_row (rows, 1)->state, FB_JOB_STATE_NOT_FOUND);
  CU_ASSERT_EQUAL (job_row (rows, 1)->http_status, 404);
  CU_ASSERT_PTR_NULL (job_row (rows, 1)->saved_path);
  CU_ASSERT_EQUAL (job_row (rows, 2)->state, FB_JOB_STATE_ERROR);
  CU_ASSERT_EQUAL (job_row (rows, 2)->http_status, 500);
  CU_ASSERT_PTR_NOT_NULL (job_row (rows, 2)->error);
  CU_ASSERT_EQUAL (job_row (rows, 2)->source_line, 3);
  fixture_clear (&f);
}

static gboolean
two_ok (gpointer data)
{
  return fb_run_get_n_ok (data) == 2;
}

static void
test_journal_restore_keeps_finished_and_queues_the_rest (void)
{
  Fixture f;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  fixture_init (&f);
  new_run (&f);
  add (&f, "/file/a.bin?size=100");
  add (&f, "/file/b.bin?size=200");
  add (&f, "/stall");
  id = fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
  fb_run_start (f.run);
  fb_test_wait_until (two_ok, f.run, 10);
  flush (&f);
  crash (&f);
  fb_test_server_reset_counts (f.server);

  f.run = fb_journal_restore_run (f.journal, id, &error);
  CU_ASSERT_PTR_NULL (error);
  g_signal_connect (f.run, "finished", G_CALLBACK (finished_cb), &f);
  CU_ASSERT_EQUAL (fb_run_get_total (f.run), 3);
  CU_ASSERT_EQUAL (fb_run_get_n_ok (f.run), 2);
  CU_ASSERT_EQUAL (fb_run_get_n_finished (f.run), 2);
  CU_ASSERT_FALSE (fb_run_get_running (f.run));
  CU_ASSERT_EQUAL (fb_run_get_max_concurrency (f.run), 4);
  ASSERT_STR (fb_run_get_destination (f.run), f.dir);

  /* The unfinished job runs again; the finished ones are never asked for. */
  fb_run_set_timeout (f.run, 0.3);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  CU_ASSERT_EQUAL (fb_test_server_get_requests (f.server), 1);
  ASSERT_COUNTS (f.run, 2, 0, 1, 0);
  ASSERT_DIR (&f, "a.bin", "b.bin");
  flush (&f);
  rows = fb_journal_list_jobs (f.journal, id, &error);
  CU_ASSERT_EQUAL (rows->len, 3);
  CU_ASSERT_EQUAL (job_row (rows, 0)->attempts, 1);
  CU_ASSERT_EQUAL (job_row (rows, 2)->state, FB_JOB_STATE_ERROR);
  CU_ASSERT_EQUAL (job_row (rows, 2)->attempts, 1);
  fixture_clear (&f);
}

static void
test_journal_missing_file_is_shown_not_fetched (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *saved = NULL;
  gint64 id;
  FbJob *job;

  fixture_init (&f);
  new_run (&f);
  add (&f, "/file/a.bin?size=100");
  id = fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  flush (&f);
  saved = g_build_filename (f.dir, "a.bin", NULL);
  CU_ASSERT_EQUAL (g_unlink (saved), 0);
  crash (&f);
  fb_test_server_reset_counts (f.server);

  f.run = fb_journal_restore_run (f.journal, id, &error);
  CU_ASSERT_PTR_NULL (error);
  job = g_list_model_get_item (fb_run_get_jobs (f.run), 0);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "File missing: a.bin");
  g_object_unref (job);
  ASSERT_COUNTS (f.run, 0, 0, 1, 0);
  fb_run_start (f.run);
  fb_test_spin (0.1);
  CU_ASSERT_EQUAL (fb_test_server_get_requests (f.server), 0);
  ASSERT_DIR_EMPTY (&f);
  flush (&f);
  rows = fb_journal_list_jobs (f.journal, id, &error);
  CU_ASSERT_EQUAL (job_row (rows, 0)->state, FB_JOB_STATE_ERROR);
  ASSERT_STR (job_row (rows, 0)->message, "File missing: a.bin");
  fixture_clear (&f);
}

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  CU_ASSERT_TRUE (g_file_set_contents (path, text, -1, NULL));
}

static void
test_journal_stray_part_files_are_removed (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;
  struct utimbuf times = { 1000000000, 1000000000 };
  gint64 id;

  fixture_init (&f);
  write_file (f.dir, "older.part", "not ours");
  old = g_build_filename (f.dir, "older.part", NULL);
  CU_ASSERT_EQUAL (utime (old, &times), 0);
  new_run (&f);
  add (&f, "/stall");
  id = fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
  flush (&f);
  /* The crashed run left a partial body with no row to account for it. */
  write_file (f.dir, "stall.part", "half");
  write_file (f.dir, "keep.txt", "a file");
  crash (&f);

  f.run = fb_journal_restore_run (f.journal, id, &error);
  CU_ASSERT_PTR_NULL (error);
  ASSERT_DIR (&f, "keep.txt", "older.part");
  fixture_clear (&f);
}

static void
test_journal_corrupt_file_is_set_aside (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) names = NULL;
  guint n_aside = 0;

  fixture_init (&f);
  g_clear_object (&f.journal);
  CU_ASSERT_TRUE (g_file_set_contents (f.path, "this is not a database, but a person's file",
                                       -1, NULL));
  f.journal = fb_journal_open (f.path, &error);
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_PTR_NOT_NULL (f.journal);
  CU_ASSERT_PTR_NOT_NULL (fb_journal_get_notice (f.journal));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_journal_get_notice (f.journal), "file is not a database"));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_journal_get_notice (f.journal), "journal.sqlite.bad-"));

  state = g_path_get_dirname (f.path);
  names = fb_test_list_dir (state);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], "journal.sqlite.bad-") && !g_str_has_suffix (names[i], "-wal")
        && !g_str_has_suffix (names[i], "-shm"))
      {
        n_aside++;
        aside = g_build_filename (state, names[i], NULL);
      }
  CU_ASSERT_EQUAL (n_aside, 1);
  CU_ASSERT_TRUE (g_file_get_contents (aside, &contents, NULL, NULL));
  ASSERT_STR (contents, "this is not a database, but a person's file");
  /* And the new journal works. */
  new_run (&f);
  CU_ASSERT_EQUAL (fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL), 1);
  fixture_clear (&f);
}

static void
test_journal_newer_version_is_set_aside (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  fixture_init (&f);
  g_clear_object (&f.journal);
  g_unlink (f.path);
  CU_ASSERT_EQUAL (sqlite3_open (f.path, &db), SQLITE_OK);
  CU_ASSERT_EQUAL (sqlite3_exec (db, "CREATE TABLE future (x); PRAGMA user_version = 7;",
                                 NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close (db);

  f.journal = fb_journal_open (f.path, &error);
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_journal_get_notice (f.journal),
                                  "newer version of Fetchboard (journal version 7)"));
  fixture_clear (&f);
}

static void
test_journal_second_owner_is_refused (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbJournal) second = NULL;

  fixture_init (&f);
  second = fb_journal_open (f.path, &error);
  CU_ASSERT_PTR_NULL (second);
  CU_ASSERT_TRUE (g_error_matches (error, FB_JOURNAL_ERROR, FB_JOURNAL_ERROR_LOCKED));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "in use by another Fetchboard"));
  g_clear_error (&error);

  /* Nothing was set aside or changed: the owner lets go, the next one opens. */
  g_clear_object (&f.journal);
  second = fb_journal_open (f.path, &error);
  CU_ASSERT_PTR_NOT_NULL (second);
  CU_ASSERT_PTR_NULL (fb_journal_get_notice (second));
  f.journal = g_steal_pointer (&second);
  fixture_clear (&f);
}

static void
write_failed_cb (FbJournal *journal,
                 Fixture   *f)
{
  f->write_failed = TRUE;
}

static void
test_journal_full_disk_stops_the_journal_not_the_run (void)
{
  Fixture f;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  g_autofree char *check = NULL;
  g_autofree char *pages = NULL;
  gboolean failed = FALSE;

  fixture_init (&f);
  g_signal_connect (f.journal, "write-failed", G_CALLBACK (write_failed_cb), &f);
  /* The schema's pages and not one more. */
  pages = query_text (f.path, "PRAGMA page_count");
  _fb_journal_set_max_pages (f.journal, (guint) g_ascii_strtoull (pages, NULL, 10));
  new_run (&f);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *path = g_strdup_printf ("/file/%03u-a-long-name-to-fill-pages-"
                                               "with-rows-of-the-journal.bin?size=10", i);

      add (&f, path);
    }
  fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 20);
  ASSERT_COUNTS (f.run, 300, 0, 0, 0);
  fb_test_wait_flag (&f.write_failed, 10);
  failed = f.write_failed;
  flush (&f);
  CU_ASSERT_TRUE (failed);
  CU_ASSERT_TRUE (f.write_failed);
  CU_ASSERT_PTR_NOT_NULL (fb_journal_get_write_error (f.journal));
  CU_ASSERT_PTR_NOT_NULL (strstr (fb_journal_get_write_error (f.journal)->message,
                                  "database or disk is full"));

  /* What was committed is intact, and the file opens again. */
  crash (&f);
  CU_ASSERT_PTR_NULL (fb_journal_get_notice (f.journal));
  runs = fb_journal_list_runs (f.journal, &error);
  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_PTR_NOT_NULL (runs);
  g_clear_object (&f.journal);
  check = query_text (f.path, "PRAGMA integrity_check");
  ASSERT_STR (check, "ok");
  fixture_clear (&f);
}

static void
test_journal_delete_and_clear_history_keep_files (void)
{
  Fixture f;
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbRun) open_run = NULL;
  g_autoptr(FbJob) open_job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1:9/x");

  fixture_init (&f);
  for (guint i = 0; i < 3; i++)
    {
      new_run (&f);
      add (&f, "/file/a.bin?size=10");
      fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
      fb_run_start (f.run);
      fb_test_wait_flag (&f.done, 10);
    }
  /* A fourth that has not ended stays through "clear history". */
  open_run = fb_run_new ();
  fb_run_set_destination (open_run, f.dir);
  fb_run_add_job (open_run, open_job);
  fb_journal_track_run (f.journal, open_run, NULL, NULL, NULL);

  fb_journal_delete_run (f.journal, 2);
  flush (&f);
  runs = fb_journal_list_runs (f.journal, &error);
  CU_ASSERT_EQUAL (runs->len, 3);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[0])->id, 1);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[1])->id, 3);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[2])->id, 4);
  rows = fb_journal_list_jobs (f.journal, 2, &error);
  CU_ASSERT_EQUAL (rows->len, 0);
  g_clear_pointer (&runs, g_ptr_array_unref);

  fb_journal_clear_history (f.journal);
  flush (&f);
  runs = fb_journal_list_runs (f.journal, &error);
  CU_ASSERT_EQUAL (runs->len, 1);
  CU_ASSERT_EQUAL (((FbJournalRun *) runs->pdata[0])->id, 4);
  ASSERT_DIR (&f, "a (1).bin", "a (2).bin", "a.bin");
  fb_journal_untrack_run (f.journal, open_run);
  fixture_clear (&f);
}

static void
test_journal_list_saved_and_limits (void)
{
  Fixture f;
  g_autoptr(GHashTable) saved = NULL;
  g_autoptr(GArray) limits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  FbJournalJob *row;
  gint64 id;

  fixture_init (&f);
  new_run (&f);
  add (&f, "/file/a.bin?size=10");
  add (&f, "/status/404");
  id = fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
  fb_run_set_max_concurrency (f.run, 9);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  flush (&f);

  saved = fb_journal_list_saved (f.journal, f.dir, &error);
  CU_ASSERT_EQUAL (g_hash_table_size (saved), 1);
  url = fb_test_server_url (f.server, "/file/a.bin?size=10");
  row = g_hash_table_lookup (saved, url);
  CU_ASSERT_PTR_NOT_NULL (row);
  CU_ASSERT_EQUAL (row->bytes_received, 10);
  limits = fb_journal_list_limits (f.journal, id, &error);
  CU_ASSERT_EQUAL (limits->len, 2);
  CU_ASSERT_EQUAL (g_array_index (limits, FbJournalLimit, 0).limit, 4);
  CU_ASSERT_EQUAL (g_array_index (limits, FbJournalLimit, 1).limit, 9);
  fixture_clear (&f);
}

static void
test_journal_records_the_validator_and_restores_it (void)
{
  Fixture f;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbJob) job = NULL;
  gint64 id;

  fixture_init (&f);
  new_run (&f);
  add (&f, "/ranged/v.bin?size=1000");
  add (&f, "/file/plain.bin?size=10");
  id = fb_journal_track_run (f.journal, f.run, NULL, NULL, NULL);
  fb_run_start (f.run);
  fb_test_wait_flag (&f.done, 10);
  flush (&f);
  rows = fb_journal_list_jobs (f.journal, id, &error);
  CU_ASSERT_EQUAL (rows->len, 2);
  ASSERT_STR (job_row (rows, 0)->validator, "\"v1\"");
  CU_ASSERT_PTR_NULL (job_row (rows, 1)->validator);

  job = fb_journal_job_restore (job_row (rows, 0));
  ASSERT_STR (fb_job_get_etag (job), "\"v1\"");
  CU_ASSERT_PTR_NULL (fb_job_get_last_modified (job));
  fixture_clear (&f);
}

/* ---- export ---- */

#define T0 G_GINT64_CONSTANT (1796270400000000) /* 2026-12-03T04:00:00Z */

static void
sample (FbJournalRun  *run,
        GPtrArray    **jobs,
        GArray       **limits)
{
  FbJournalJob *a = g_new0 (FbJournalJob, 1);
  FbJournalJob *b = g_new0 (FbJournalJob, 1);
  FbJournalLimit limit = { T0, 2 };

  memset (run, 0, sizeof *run);
  run->id = 7;
  run->created = T0;
  run->ended = T0 + 2000000;
  run->kind = (char *) "download";
  run->destination = (char *) "/tmp/out";
  run->settings = (char *) "{\"max-concurrency\":2}";
  run->n_total = 2;
  run->n_ok = 1;
  run->n_error = 1;

  a->index = 0;
  a->kind = FB_JOB_KIND_DOWNLOAD;
  a->input = g_strdup ("http://h/a.bin");
  a->source = g_strdup ("list.txt");
  a->source_line = 1;
  a->state = FB_JOB_STATE_OK;
  a->http_status = 200;
  a->bytes_received = 10;
  a->bytes_expected = 10;
  a->validator = g_strdup ("\"abc\"");
  a->attempts = 1;
  a->phase_time[FB_JOB_PHASE_QUEUED] = T0;
  a->phase_time[FB_JOB_PHASE_CONNECTING] = T0 + 500000;
  a->phase_time[FB_JOB_PHASE_DONE] = T0 + 1000000;
  a->message = g_strdup ("Saved as a.bin");
  a->saved_path = g_strdup ("/tmp/out/a.bin");

  b->index = 1;
  b->kind = FB_JOB_KIND_DOWNLOAD;
  b->input = g_strdup ("http://h/b,\"c\".bin");
  b->state = FB_JOB_STATE_ERROR;
  b->http_status = 500;
  b->bytes_expected = -1;
  b->attempts = 2;
  b->phase_time[FB_JOB_PHASE_QUEUED] = T0;
  b->phase_time[FB_JOB_PHASE_CONNECTING] = T0 + 500000;
  b->phase_time[FB_JOB_PHASE_DONE] = T0 + 2000000;
  b->message = g_strdup ("HTTP error 500\nInternal");
  b->error = g_strdup ("HTTP error 500\nInternal");

  *jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) fb_journal_job_free);
  g_ptr_array_add (*jobs, a);
  g_ptr_array_add (*jobs, b);
  *limits = g_array_new (FALSE, FALSE, sizeof (FbJournalLimit));
  g_array_append_val (*limits, limit);
  limit.time = T0 + 1000000;
  limit.limit = 1;
  g_array_append_val (*limits, limit);
}

static void
test_export_csv_is_exact (void)
{
  FbJournalRun run;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GArray) limits = NULL;
  g_autofree char *csv = NULL;

  sample (&run, &jobs, &limits);
  csv = fb_export_csv (&run, jobs);
  ASSERT_STR (csv,
    "run,index,kind,input,source,line,state,http_status,bytes_received,bytes_expected,"
    "validator,attempts,queued,waiting,resolving,connecting,transferring,saving,done,"
    "message,error,saved_path,part_path\r\n"
    "7,0,download,http://h/a.bin,list.txt,1,ok,200,10,10,\"\"\"abc\"\"\",1,"
    "2026-12-03T04:00:00.000000Z,,,2026-12-03T04:00:00.500000Z,,,2026-12-03T04:00:01.000000Z,"
    "Saved as a.bin,,/tmp/out/a.bin,\r\n"
    "7,1,download,\"http://h/b,\"\"c\"\".bin\",,0,error,500,0,-1,,2,"
    "2026-12-03T04:00:00.000000Z,,,2026-12-03T04:00:00.500000Z,,,2026-12-03T04:00:02.000000Z,"
    "\"HTTP error 500\nInternal\",\"HTTP error 500\nInternal\",,\r\n");
}

static void
test_export_json_is_exact (void)
{
  FbJournalRun run;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GArray) limits = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *job;

  sample (&run, &jobs, &limits);
  json = fb_export_json (&run, jobs);
  CU_ASSERT_TRUE (json_parser_load_from_data (parser, json, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  CU_ASSERT_EQUAL (json_object_get_int_member (json_object_get_object_member (root, "run"),
                                               "id"), 7);
  ASSERT_STR (json_object_get_string_member (json_object_get_object_member (root, "run"),
                                             "ended"), "2026-12-03T04:00:02.000000Z");
  CU_ASSERT_EQUAL (json_object_get_int_member (json_object_get_object_member (
                     json_object_get_object_member (root, "run"), "settings"),
                     "max-concurrency"), 2);
  CU_ASSERT_EQUAL (json_array_get_length (json_object_get_array_member (root, "jobs")), 2);
  job = json_array_get_object_element (json_object_get_array_member (root, "jobs"), 1);
  ASSERT_STR (json_object_get_string_member (job, "input"), "http://h/b,\"c\".bin");
  ASSERT_STR (json_object_get_string_member (job, "state"), "error");
  CU_ASSERT_EQUAL (json_object_get_int_member (job, "attempts"), 2);
  CU_ASSERT_EQUAL (json_object_get_int_member (job, "bytes_expected"), -1);
  CU_ASSERT_TRUE (json_object_get_null_member (job, "saved_path"));
  ASSERT_STR (json_object_get_string_member (json_object_get_object_member (job, "times"),
                                             "done"), "2026-12-03T04:00:02.000000Z");
  CU_ASSERT_TRUE (json_object_get_null_member (json_object_get_object_member (job, "times"),
                                               "waiting"));
  /* Exactly: every member in order, for the first job. */
  CU_ASSERT_PTR_NOT_NULL (strstr (json,
    "    {\n"
    "      \"index\" : 0,\n"
    "      \"kind\" : \"download\",\n"
    "      \"input\" : \"http://h/a.bin\",\n"
    "      \"source\" : \"list.txt\",\n"
    "      \"line\" : 1,\n"
    "      \"state\" : \"ok\",\n"
    "      \"http_status\" : 200,\n"
    "      \"bytes_received\" : 10,\n"
    "      \"bytes_expected\" : 10,\n"
    "      \"validator\" : \"\\\"abc\\\"\",\n"
    "      \"attempts\" : 1,\n"
    "      \"times\" : {\n"
    "        \"queued\" : \"2026-12-03T04:00:00.000000Z\",\n"
    "        \"waiting\" : null,\n"
    "        \"resolving\" : null,\n"
    "        \"connecting\" : \"2026-12-03T04:00:00.500000Z\",\n"
    "        \"transferring\" : null,\n"
    "        \"saving\" : null,\n"
    "        \"done\" : \"2026-12-03T04:00:01.000000Z\"\n"
    "      },\n"
    "      \"message\" : \"Saved as a.bin\",\n"
    "      \"error\" : null,\n"
    "      \"saved_path\" : \"/tmp/out/a.bin\",\n"
    "      \"part_path\" : null\n"
    "    },\n"));
}

static void
test_export_svg_draws_axes_limit_and_results (void)
{
  FbJournalRun run;
  g_autoptr(GPtrArray) jobs = NULL;
  g_autoptr(GArray) limits = NULL;
  g_autofree char *svg = NULL;

  sample (&run, &jobs, &limits);
  svg = fb_export_svg (&run, jobs, limits);
  if (g_getenv ("FB_TEST_PRINT_SVG") != NULL)
    g_print ("%s", svg);
  CU_ASSERT_TRUE (g_str_has_prefix (svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
  CU_ASSERT_TRUE (g_str_has_suffix (svg, "</svg>\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, ">Run 7 (download), 2026-12-03 04:00:00</text>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, ">Time since the run started (s)</text>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, ">Jobs active</text>"));
  /* 2 s over 860 px: ticks every 0.5 s; 2 jobs over 290 px. */
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, "<text x=\"285.0\" y=\"356.0\" text-anchor=\"middle\">"
                                       "0.50</text>\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, "<text x=\"930.0\" y=\"356.0\" text-anchor=\"middle\">"
                                       "2.00</text>\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, "<text x=\"62.0\" y=\"54.0\" text-anchor=\"end\">"
                                       "2</text>"));
  /* Jobs active: 2 from 0.5 s, 1 from 1 s, 0 at 2 s. */
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, "points=\"70.0,340.0 285.0,340.0 285.0,50.0 "
                                       "500.0,50.0 500.0,195.0 930.0,195.0 930.0,340.0\"/>"));
  /* The limit: 2, then 1 from 1 s. */
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, "stroke-dasharray=\"6 4\" points=\"70.0,50.0 "
                                       "500.0,50.0 500.0,195.0 930.0,195.0\"/>"));
  /* Results: OK at 1 s, the error at 2 s. */
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, ">OK: 1</text>\n"
                                       "<g stroke=\"#26a269\" stroke-width=\"1\">\n"
                                       "<line x1=\"500\" y1=\"382.0\" x2=\"500\" y2=\"394.0\"/>"));
  CU_ASSERT_PTR_NOT_NULL (strstr (svg, ">Error: 1</text>\n"
                                       "<g stroke=\"#c01c28\" stroke-width=\"1\">\n"
                                       "<line x1=\"930\" y1=\"414.0\" x2=\"930\" y2=\"426.0\"/>"));
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_journal_file_is_private_wal_and_versioned),
    FB_TEST (test_journal_records_every_field_of_a_run),
    FB_TEST (test_journal_restore_keeps_finished_and_queues_the_rest),
    FB_TEST (test_journal_missing_file_is_shown_not_fetched),
    FB_TEST (test_journal_stray_part_files_are_removed),
    FB_TEST (test_journal_corrupt_file_is_set_aside),
    FB_TEST (test_journal_newer_version_is_set_aside),
    FB_TEST (test_journal_second_owner_is_refused),
    FB_TEST (test_journal_full_disk_stops_the_journal_not_the_run),
    FB_TEST (test_journal_delete_and_clear_history_keep_files),
    FB_TEST (test_journal_list_saved_and_limits),
    FB_TEST (test_journal_records_the_validator_and_restores_it),
    FB_TEST (test_export_csv_is_exact),
    FB_TEST (test_export_json_is_exact),
    FB_TEST (test_export_svg_draws_axes_limit_and_results),
    { NULL, NULL },
  };

  g_setenv ("TZ", "UTC", TRUE);
  return fb_test_main (argc, argv, "journal", tests);
}
