/* test-cli-journal.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fetchboard-cli with --journal, killed with SIGKILL at several points and
 * run again: files on disk and journal rows must agree, and no file that
 * had finished is ever asked for again.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "fb-test-utils.h"

#define N_FILES   30
#define FILE_SIZE (600 * 1024) /* half of it passes the downloader's 256 KiB flush */
#define DEADLINE  30.0
/* The resume case: bodies of 2 MiB, the first attempts stall after 1 MiB. */
#define BIG_FILES 8
#define BIG_SIZE  (2 * 1024 * 1024)
#define BIG_SENT  (1024 * 1024)
#define ETAG      "\"v1\""

typedef struct
{
  SoupServer *server;
  GHashTable *counts;   /* path → requests */
  GPtrArray  *held;     /* stolen connections, silent after half a body */
  char       *base;
  char       *dir;      /* the test's folder: list, journal, out/ */
  char       *out;
  char       *journal;
  char       *list;
  guint       hold_from; /* /f/NN with NN >= this answer half, then stall */
  guint       n_files;
  gsize       size;
  gboolean    resume;    /* big bodies with an ETag; Range and If-Range honoured */
  GHashTable *ranges;    /* path → the Range header asked with (the last) */
} Fixture;

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *f = user_data;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (f->counts, path));
  g_autoptr(GBytes) body = fb_test_body (f->size);
  guint number = (guint) g_ascii_strtoull (path + strlen ("/f/"), NULL, 10);
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *range = soup_message_headers_get_one (request, "Range");
  const char *if_range = soup_message_headers_get_one (request, "If-Range");
  gsize first = 0;

  g_hash_table_insert (f->counts, g_strdup (path), GUINT_TO_POINTER (count + 1));
  if (range != NULL)
    g_hash_table_insert (f->ranges, g_strdup (path), g_strdup (range));
  if (number >= f->hold_from)
    {
      GIOStream *stream = soup_server_message_steal_connection (msg);
      g_autofree char *head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Length: %" G_GSIZE_FORMAT
                                               "\r\n%s\r\n", f->size,
                                               f->resume ? "ETag: " ETAG "\r\n" : "");
      GOutputStream *out = g_io_stream_get_output_stream (stream);

      /* Half a small body fits the socket's buffer; 1 MiB of a big one
       * goes out as the client reads it. */
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL);
      g_output_stream_write_all (out, g_bytes_get_data (body, NULL),
                                 f->resume ? BIG_SENT : f->size / 2, NULL, NULL, NULL);
      g_ptr_array_add (f->held, stream);
      return;
    }
  if (f->resume)
    soup_message_headers_replace (response, "ETag", ETAG);
  if (f->resume && range != NULL && g_strcmp0 (if_range, ETAG) == 0
      && g_str_has_prefix (range, "bytes=") && g_str_has_suffix (range, "-"))
    first = (gsize) g_ascii_strtoull (range + strlen ("bytes="), NULL, 10);
  if (first > 0 && first < f->size)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%"
                                                        G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT,
                                                        first, f->size - 1, f->size);

      soup_message_headers_replace (response, "Content-Range", content_range);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        (const char *) g_bytes_get_data (body, NULL) + first,
                                        f->size - first);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (body, NULL), f->size);
}

static void
fixture_init_full (Fixture  *f,
                   guint     hold_from,
                   gboolean  resume)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  GSList *uris;

  memset (f, 0, sizeof *f);
  f->resume = resume;
  f->n_files = resume ? BIG_FILES : N_FILES;
  f->size = resume ? BIG_SIZE : FILE_SIZE;
  f->ranges = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  f->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  f->hold_from = hold_from;
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/f", handler, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->dir = fb_test_make_tmpdir ();
  f->out = g_build_filename (f->dir, "out", NULL);
  f->journal = g_build_filename (f->dir, "journal.sqlite", NULL);
  f->list = g_build_filename (f->dir, "list.txt", NULL);
  for (guint i = 0; i < f->n_files; i++)
    g_string_append_printf (list, "%s/f/%02u.bin\n", f->base, i);
  g_assert_true (g_file_set_contents (f->list, list->str, -1, NULL));
}

static void
fixture_init (Fixture *f,
              guint    hold_from)
{
  fixture_init_full (f, hold_from, FALSE);
}

static void
fixture_clear (Fixture *f)
{
  g_ptr_array_unref (f->held);
  soup_server_disconnect (f->server);
  g_object_unref (f->server);
  g_hash_table_unref (f->counts);
  g_hash_table_unref (f->ranges);
  fb_test_rm_rf (f->dir);
  g_free (f->base);
  g_free (f->dir);
  g_free (f->out);
  g_free (f->journal);
  g_free (f->list);
}

static guint
requests (Fixture *f,
          guint    number)
{
  g_autofree char *path = g_strdup_printf ("/f/%02u.bin", number);

  return GPOINTER_TO_UINT (g_hash_table_lookup (f->counts, path));
}

static GSubprocess *
spawn (Fixture *f)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *at_list = g_strconcat ("@", f->list, NULL);
  const char *argv[] = {
    g_getenv ("FETCHBOARD_CLI"), "download", "--journal", f->journal, "-o", f->out, "-m", "4",
    "-q", "--timeout", "30", at_list, NULL,
  };
  GSubprocess *process;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return process;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* Runs the CLI to its end; returns its exit status. */
static int
run_to_end (Fixture *f)
{
  g_autoptr(GSubprocess) process = spawn (f);
  gboolean done = FALSE;

  g_subprocess_wait_async (process, NULL, wait_cb, &done);
  if (!fb_test_wait_flag (&done, DEADLINE))
    {
      g_subprocess_force_exit (process);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    }
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static gint64
count_rows (Fixture    *f,
            const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM jobs WHERE %s", where);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (!g_file_test (f->journal, G_FILE_TEST_EXISTS))
    return -1;
  if (sqlite3_open_v2 (f->journal, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

typedef struct
{
  Fixture    *f;
  const char *where;
  gint64      n;
  guint       n_parts;    /* or .part files, when where is NULL */
} Until;

static gboolean
until_cb (gpointer data)
{
  Until *until = data;

  if (until->where == NULL)
    return g_file_test (until->f->out, G_FILE_TEST_IS_DIR)
           && fb_test_count_suffix (until->f->out, ".part") >= until->n_parts;
  return count_rows (until->f, until->where) >= until->n;
}

/* Starts the CLI, waits for @where to hold on @n rows (or for @n_parts
 * .part files when @where is NULL), then kills it with SIGKILL. */
static void
run_and_kill (Fixture    *f,
              const char *where,
              gint64      n,
              guint       n_parts)
{
  g_autoptr(GSubprocess) process = spawn (f);
  Until until = { f, where, n, n_parts };
  gboolean done = FALSE;

  CU_ASSERT_TRUE (fb_test_wait_until (until_cb, &until, DEADLINE));
  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait_async (process, NULL, wait_cb, &done);
  fb_test_wait_flag (&done, DEADLINE);
  CU_ASSERT_TRUE (g_subprocess_get_if_signaled (process));
  CU_ASSERT_EQUAL (g_subprocess_get_term_sig (process), SIGKILL);
}

/* Every row OK names its file with its size; the folder holds exactly the
 * 30 names, nothing half-written, nothing numbered. */
static void
assert_truth (Fixture *f)
{
  g_auto(GStrv) names = fb_test_list_dir (f->out);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_rows = 0;

  CU_ASSERT_EQUAL (g_strv_length (names), f->n_files);
  for (guint i = 0; names[i] != NULL && i < f->n_files; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%02u.bin", i);

      ASSERT_STR (names[i], expected);
    }

  CU_ASSERT_EQUAL (sqlite3_open_v2 (f->journal, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  CU_ASSERT_EQUAL (sqlite3_prepare_v2 (db, "SELECT state, saved_path, bytes_received FROM jobs",
                                       -1, &stmt, NULL), SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *saved = (const char *) sqlite3_column_text (stmt, 1);
      GStatBuf st;

      n_rows++;
      ASSERT_STR ((const char *) sqlite3_column_text (stmt, 0), "ok");
      CU_ASSERT_PTR_NOT_NULL (saved);
      CU_ASSERT_EQUAL (saved != NULL ? g_stat (saved, &st) : -1, 0);
      CU_ASSERT_EQUAL (st.st_size, f->size);
      CU_ASSERT_EQUAL (sqlite3_column_int64 (stmt, 2), f->size);
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  CU_ASSERT_EQUAL (n_rows, f->n_files);
  CU_ASSERT_EQUAL (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL),
                   SQLITE_OK);
  CU_ASSERT_EQUAL (sqlite3_step (stmt), SQLITE_ROW);
  ASSERT_STR ((const char *) sqlite3_column_text (stmt, 0), "ok");
  sqlite3_finalize (stmt);
  stmt = NULL;
  CU_ASSERT_EQUAL (sqlite3_prepare_v2 (db, "SELECT count(*) FROM runs", -1, &stmt, NULL),
                   SQLITE_OK);
  CU_ASSERT_EQUAL (sqlite3_step (stmt), SQLITE_ROW);
  CU_ASSERT_EQUAL (sqlite3_column_int (stmt, 0), 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_cli_journal_killed_before_the_first_save (void)
{
  Fixture f;

  fixture_init (&f, 0);
  /* Every answer stalls after half its body: four .part files, no file. */
  run_and_kill (&f, NULL, 0, 4);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.out, ".part"), 4);
  CU_ASSERT_EQUAL (count_rows (&f, "state = 'ok'"), 0);

  f.hold_from = N_FILES;
  CU_ASSERT_EQUAL (run_to_end (&f), 0);
  assert_truth (&f);
  for (guint i = 0; i < N_FILES; i++)
    CU_ASSERT_EQUAL (requests (&f, i), i < 4 ? 2 : 1);
  fixture_clear (&f);
}

static void
test_cli_journal_killed_during_saves (void)
{
  Fixture f;

  fixture_init (&f, 10);
  /* 00…09 are saved and recorded, 10…13 hold half a body each. */
  run_and_kill (&f, "state = 'ok'", 10, 0);
  CU_ASSERT_EQUAL (count_rows (&f, "state = 'ok'"), 10);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.out, ".bin"), 10);

  f.hold_from = N_FILES;
  CU_ASSERT_EQUAL (run_to_end (&f), 0);
  assert_truth (&f);
  for (guint i = 0; i < N_FILES; i++)
    CU_ASSERT_EQUAL (requests (&f, i), i >= 10 && i < 14 ? 2 : 1);
  fixture_clear (&f);
}

static void
test_cli_journal_run_again_after_the_end (void)
{
  Fixture f;

  fixture_init (&f, N_FILES);
  CU_ASSERT_EQUAL (run_to_end (&f), 0);
  assert_truth (&f);
  /* Killed after the end, or simply run again: nothing is fetched twice. */
  CU_ASSERT_EQUAL (run_to_end (&f), 0);
  for (guint i = 0; i < N_FILES; i++)
    CU_ASSERT_EQUAL (requests (&f, i), 1);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.out, ".bin"), N_FILES);
  fixture_clear (&f);
}

/* Killed in the middle of four 2 MiB bodies: run again, each of the four
 * asks for the rest of its .part (Range: bytes=N-, If-Range with the
 * ETag the journal kept), and every file ends whole and byte-identical. */
static void
test_cli_journal_killed_mid_body_continues_the_part (void)
{
  g_autoptr(GBytes) body = NULL;
  Fixture f;

  fixture_init_full (&f, 0, TRUE);
  /* The first four answers stall after 1 MiB: wait for their rows. */
  run_and_kill (&f, "part_path IS NOT NULL AND bytes_received >= 262144", 4, 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.out, ".part"), 4);

  f.hold_from = f.n_files;
  CU_ASSERT_EQUAL (run_to_end (&f), 0);
  assert_truth (&f);
  body = fb_test_body (f.size);
  for (guint i = 0; i < f.n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f/%02u.bin", i);
      g_autofree char *name = g_strdup_printf ("%02u.bin", i);
      g_autofree char *file = g_build_filename (f.out, name, NULL);
      g_autofree char *contents = NULL;
      const char *range = g_hash_table_lookup (f.ranges, path);
      gsize length = 0;

      CU_ASSERT_EQUAL (requests (&f, i), i < 4 ? 2 : 1);
      CU_ASSERT_TRUE (g_file_get_contents (file, &contents, &length, NULL));
      CU_ASSERT_EQUAL (length, f.size);
      CU_ASSERT_TRUE (length == f.size
                      && memcmp (contents, g_bytes_get_data (body, NULL), length) == 0);
      if (i >= 4)
        {
          CU_ASSERT_PTR_NULL (range);
          continue;
        }
      /* From where the part was on disk: at least the one write the row
       * waited for, at most what the stalled answer had sent. */
      CU_ASSERT_PTR_NOT_NULL (range);
      if (range != NULL)
        {
          guint64 n = g_ascii_strtoull (range + strlen ("bytes="), NULL, 10);

          CU_ASSERT_TRUE (g_str_has_prefix (range, "bytes=") && g_str_has_suffix (range, "-"));
          CU_ASSERT_TRUE (n >= 262144 && n <= BIG_SENT);
        }
    }
  CU_ASSERT_EQUAL (fb_test_count_suffix (f.out, ".part"), 0);
  fixture_clear (&f);
}

typedef struct
{
  char    *state;
  char    *part_path;
  char    *validator;
  gint64   bytes;
} PartRow;

static void
part_row_clear (PartRow *row)
{
  g_free (row->state);
  g_free (row->part_path);
  g_free (row->validator);
}

static void
read_part_row (Fixture *f,
               guint    index,
               PartRow *row)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  memset (row, 0, sizeof *row);
  if (sqlite3_open_v2 (f->journal, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, "SELECT state, part_path, validator, bytes_received FROM jobs "
                                 "WHERE idx = ?", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_bind_int (stmt, 1, (int) index) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    {
      row->state = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      row->part_path = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      row->validator = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row->bytes = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static gint64
runs_ended (Fixture *f)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (sqlite3_open_v2 (f->journal, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db, "SELECT count(*) FROM runs WHERE ended != 0", -1, &stmt,
                             NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* Ctrl+C (or SIGTERM) with --journal stops the run to be continued, not
 * cancelled: each of the four downloads under way flushes its .part and
 * keeps it, its row says unfinished with the part's path, its size and
 * the ETag, and the run has not ended. Run again, each asks for exactly
 * the rest (Range: bytes=SIZE-) and every file ends byte-identical. */
static void
signalled (Fixture *f,
           int      signum)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) body = NULL;
  Until until = { f, "part_path IS NOT NULL AND bytes_received >= 262144", 4, 0 };
  gsize sizes[4] = { 0 };
  gboolean done = FALSE;

  process = spawn (f);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (until_cb, &until, DEADLINE));
  g_subprocess_send_signal (process, signum);
  g_subprocess_wait_async (process, NULL, wait_cb, &done);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&done, DEADLINE));
  CU_ASSERT_TRUE (g_subprocess_get_if_exited (process));
  CU_ASSERT_EQUAL (g_subprocess_get_exit_status (process), 128 + signum);

  CU_ASSERT_EQUAL (fb_test_count_suffix (f->out, ".part"), 4);
  CU_ASSERT_EQUAL (runs_ended (f), 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *part = g_strdup_printf ("%s/%02u.bin.part", f->out, i);
      PartRow row;
      GStatBuf st;

      read_part_row (f, i, &row);
      ASSERT_STR (row.state, "pending");
      ASSERT_STR (row.part_path, part);
      ASSERT_STR (row.validator, ETAG);
      CU_ASSERT_EQUAL_FATAL (g_stat (part, &st), 0);
      /* The row holds the part's size after the last flush: all of it. */
      CU_ASSERT_EQUAL (row.bytes, st.st_size);
      CU_ASSERT_TRUE (st.st_size >= 262144 && st.st_size <= BIG_SENT);
      sizes[i] = (gsize) st.st_size;
      part_row_clear (&row);
    }

  f->hold_from = f->n_files;
  CU_ASSERT_EQUAL (run_to_end (f), 0);
  assert_truth (f);
  body = fb_test_body (f->size);
  for (guint i = 0; i < f->n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("/f/%02u.bin", i);
      g_autofree char *name = g_strdup_printf ("%02u.bin", i);
      g_autofree char *file = g_build_filename (f->out, name, NULL);
      g_autofree char *expected = i < 4 ? g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-",
                                                           sizes[i]) : NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      CU_ASSERT_EQUAL (requests (f, i), i < 4 ? 2 : 1);
      ASSERT_STR (g_hash_table_lookup (f->ranges, path), expected);
      CU_ASSERT_TRUE (g_file_get_contents (file, &contents, &length, NULL));
      CU_ASSERT_TRUE (length == f->size
                      && memcmp (contents, g_bytes_get_data (body, NULL), length) == 0);
    }
  CU_ASSERT_EQUAL (fb_test_count_suffix (f->out, ".part"), 0);
  CU_ASSERT_EQUAL (runs_ended (f), 1);
}

static void
test_cli_journal_sigint_keeps_the_parts (void)
{
  Fixture f;

  fixture_init_full (&f, 0, TRUE);
  signalled (&f, SIGINT);
  fixture_clear (&f);
}

static void
test_cli_journal_sigterm_keeps_the_parts (void)
{
  Fixture f;

  fixture_init_full (&f, 0, TRUE);
  signalled (&f, SIGTERM);
  fixture_clear (&f);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_cli_journal_killed_before_the_first_save),
    FB_TEST (test_cli_journal_killed_during_saves),
    FB_TEST (test_cli_journal_run_again_after_the_end),
    FB_TEST (test_cli_journal_killed_mid_body_continues_the_part),
    FB_TEST (test_cli_journal_sigint_keeps_the_parts),
    FB_TEST (test_cli_journal_sigterm_keeps_the_parts),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "cli-journal", tests);
}
