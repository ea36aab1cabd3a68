/* test-downloader.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Downloads through the public FbRun API against the in-process test
 * server: every error class, the files left on disk, cancellation,
 * retries, names and progress.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "fb-run.h"
#include "fb-semaphore.h"
#include "fb-test-utils.h"

#define WAIT_SECONDS 10.0


#define ASSERT_CONTAINS(actual, needle)                                           \
  G_STMT_START {                                                                  \
    const char *a_ = (actual), *n_ = (needle);                                    \
    gboolean ok_ = a_ != NULL && strstr (a_, n_) != NULL;                         \
    if (!ok_)                                                                     \
      g_printerr ("\n%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
                  a_ ? a_ : "(null)", n_);                                        \
    CU_ASSERT_TRUE (ok_);                                                         \
  } G_STMT_END

/* One test's world: a server, an empty folder, a run saving into it. */
typedef struct
{
  FbTestServer *server;
  char         *dir;
  FbRun        *run;
  GPtrArray    *completed;      /* FbJob*, in "job-finished" order */
  guint         n_finished;     /* "finished" emissions */
  gboolean      finished;
} Fixture;

static void
job_finished_cb (FbRun   *run,
                 FbJob   *job,
                 Fixture *fx)
{
  /* The final state is set before the run reports it. */
  CU_ASSERT_TRUE (fb_job_is_final (job));
  g_ptr_array_add (fx->completed, g_object_ref (job));
}

static void
finished_cb (FbRun   *run,
             Fixture *fx)
{
  CU_ASSERT_FALSE (fb_run_get_running (run));
  CU_ASSERT_EQUAL (fb_run_get_n_finished (run), fb_run_get_total (run));
  fx->n_finished++;
  fx->finished = TRUE;
}

static void
fixture_init (Fixture *fx)
{
  memset (fx, 0, sizeof *fx);
  fx->server = fb_test_server_new ();
  fx->dir = fb_test_make_tmpdir ();
  fx->run = fb_run_new ();
  fx->completed = g_ptr_array_new_with_free_func (g_object_unref);
  fb_run_set_destination (fx->run, fx->dir);
  g_signal_connect (fx->run, "job-finished", G_CALLBACK (job_finished_cb), fx);
  g_signal_connect (fx->run, "finished", G_CALLBACK (finished_cb), fx);
}

static void
fixture_clear (Fixture *fx)
{
  gpointer weak = fx->run;

  g_signal_handlers_disconnect_by_data (fx->run, fx);
  g_ptr_array_unref (fx->completed);
  /* Every operation has returned: nothing else holds the run. */
  g_object_add_weak_pointer (G_OBJECT (fx->run), &weak);
  g_object_unref (fx->run);
  CU_ASSERT_PTR_NULL (weak);
  /* A run kept alive elsewhere must not write into this frame later. */
  if (weak != NULL)
    g_object_remove_weak_pointer (weak, &weak);
  fb_test_server_free (fx->server);
  fb_test_rm_rf (fx->dir);
  g_free (fx->dir);
}

/* Adds a download of the test server's @path; the run keeps the job. */
static FbJob *
add_path (Fixture    *fx,
          const char *path)
{
  g_autofree char *url = fb_test_server_url (fx->server, path);
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);

  fb_run_add_job (fx->run, job);
  return job;
}

static gboolean
run_to_end (Fixture *fx)
{
  fx->finished = FALSE;
  fb_run_start (fx->run);
  return fb_test_wait_flag (&fx->finished, WAIT_SECONDS);
}

static char *
path_in (Fixture    *fx,
         const char *name)
{
  return g_build_filename (fx->dir, name, NULL);
}

/* The file @name in the folder holds exactly fb_test_body (@size). */
static void
assert_file_body (Fixture    *fx,
                  const char *name,
                  gsize       size)
{
  g_autofree char *path = path_in (fx, name);
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) expected = fb_test_body (size);
  gsize length = 0;
  gboolean read = g_file_get_contents (path, &contents, &length, NULL);

  if (!read)
    g_printerr ("\nmissing file %s\n", path);
  CU_ASSERT_TRUE_FATAL (read);
  CU_ASSERT_EQUAL (length, size);
  CU_ASSERT_TRUE (length == size &&
                  memcmp (contents, g_bytes_get_data (expected, NULL), size) == 0);
}


static char *
host_port (Fixture *fx)
{
  g_autofree char *url = fb_test_server_url (fx->server, "");

  return g_strdup (strstr (url, "://") + strlen ("://"));
}

/* ---- success ---- */

static void
test_downloader_saves_exact_bytes_under_url_name (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *url = NULL;
  g_autofree char *saved = NULL;

  fixture_init (&fx);
  job = add_path (&fx, "/file/a.bin?size=1000");
  url = fb_test_server_url (fx.server, "/file/a.bin?size=1000");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as a.bin");
  saved = path_in (&fx, "a.bin");
  ASSERT_STR (fb_job_get_saved_path (job), saved);
  ASSERT_STR (fb_job_get_url (job), url);
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 200);
  assert_file_body (&fx, "a.bin", 1000);
  ASSERT_DIR (&fx, "a.bin");
  ASSERT_COUNTS (fx.run, 1, 0, 0, 0);
  CU_ASSERT_EQUAL (fb_run_get_total (fx.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_bytes_received (fx.run), 1000);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_waiting (fx.run), 0);
  CU_ASSERT_EQUAL (fx.n_finished, 1);
  CU_ASSERT_EQUAL (fx.completed->len, 1);
  fixture_clear (&fx);
}

static void
test_downloader_saves_empty_body (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  job = add_path (&fx, "/file/empty.txt?size=0");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as empty.txt");
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), 0);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), 1.0);
  assert_file_body (&fx, "empty.txt", 0);
  ASSERT_DIR (&fx, "empty.txt");
  fixture_clear (&fx);
}

static void
test_downloader_large_bodies_are_byte_identical (void)
{
  /* 300 KiB passes the 256 KiB flush mark once; 5 MiB streams in many
   * flushes with back-pressure. */
  const gsize sizes[] = { 300 * 1024, 5 * 1024 * 1024 };
  Fixture fx;
  FbJob *small;
  FbJob *big;

  fixture_init (&fx);
  small = add_path (&fx, "/file/small.bin?size=307200");
  big = add_path (&fx, "/file/big.bin?size=5242880");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (small), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_state (big), FB_JOB_STATE_OK);
  assert_file_body (&fx, "small.bin", sizes[0]);
  assert_file_body (&fx, "big.bin", sizes[1]);
  ASSERT_DIR (&fx, "big.bin", "small.bin");
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (small), sizes[0]);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (small), (gint64) sizes[0]);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (big), sizes[1]);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (big), (gint64) sizes[1]);
  CU_ASSERT_EQUAL (fb_run_get_bytes_received (fx.run), sizes[0] + sizes[1]);
  ASSERT_COUNTS (fx.run, 2, 0, 0, 0);
  fixture_clear (&fx);
}

static void
test_downloader_chunked_body_without_length (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  job = add_path (&fx, "/chunked?size=70000");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as chunked");
  assert_file_body (&fx, "chunked", 70000);
  ASSERT_DIR (&fx, "chunked");
  /* Unknown during the transfer; known once the body has ended. */
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 70000);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), 70000);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), 1.0);
  fixture_clear (&fx);
}

static void
test_downloader_follows_redirects_and_names_by_input_url (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *final_url = NULL;

  fixture_init (&fx);
  job = add_path (&fx, "/redirect/5");
  final_url = fb_test_server_url (fx.server, "/file/redirected.bin?size=321");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 200);
  /* The job shows where the body came from… */
  ASSERT_STR (fb_job_get_url (job), final_url);
  /* …but the name is the last segment of the URL the user gave. */
  ASSERT_STR (fb_job_get_message (job), "Saved as 5");
  assert_file_body (&fx, "5", 321);
  ASSERT_DIR (&fx, "5");
  /* /redirect/5 … /redirect/0 answer 302, then the file. */
  CU_ASSERT_EQUAL (fb_test_server_get_requests (fx.server), 7);
  fixture_clear (&fx);
}

/* ---- HTTP errors ---- */

static void
test_downloader_404_is_not_found (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *url = NULL;
  g_autofree char *message = NULL;

  fixture_init (&fx);
  job = add_path (&fx, "/status/404");
  url = fb_test_server_url (fx.server, "/status/404");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_NOT_FOUND);
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 404);
  message = g_strdup_printf ("Not found (HTTP 404): %s", url);
  ASSERT_STR (fb_job_get_message (job), message);
  CU_ASSERT_PTR_NULL (fb_job_get_saved_path (job));
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 1, 0, 0);
  /* The error body is not the job's body. */
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 0);
  fixture_clear (&fx);
}

static void
test_downloader_418_uses_server_reason_phrase (void)
{
  Fixture fx;
  FbJob *teapot;
  FbJob *bare;

  fixture_init (&fx);
  teapot = add_path (&fx, "/status/418?reason=I%27m%20a%20Teapot");
  /* libsoup 3.2 has no phrase of its own for 418. */
  bare = add_path (&fx, "/status/418");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (teapot), FB_JOB_STATE_ERROR);
  CU_ASSERT_EQUAL (fb_job_get_http_status (teapot), 418);
  ASSERT_STR (fb_job_get_message (teapot), "HTTP error 418 - I'm a Teapot");
  CU_ASSERT_EQUAL (fb_job_get_state (bare), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (bare), "HTTP error 418 - Unknown Error");
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 2, 0);
  fixture_clear (&fx);
}

static void
test_downloader_500_is_error (void)
{
  Fixture fx;
  FbJob *job;
  FbJob *unavailable;

  fixture_init (&fx);
  job = add_path (&fx, "/status/500");
  unavailable = add_path (&fx, "/status/503");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 500);
  ASSERT_STR (fb_job_get_message (job), "HTTP error 500 - Internal Server Error");
  ASSERT_STR (fb_job_get_message (unavailable), "HTTP error 503 - Service Unavailable");
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 2, 0);
  fixture_clear (&fx);
}

static void
test_downloader_redirect_loop_is_error (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  job = add_path (&fx, "/loop");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "Too many redirects (more than 20)");
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

/* ---- transport errors ---- */

static void
test_downloader_refused_connection_is_error (void)
{
  Fixture fx;
  FbJob *job;
  guint port = fb_test_refused_port ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/file/x.bin", port);
  g_autofree char *message = g_strdup_printf ("Connection refused by 127.0.0.1:%u", port);

  fixture_init (&fx);
  job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  fb_run_add_job (fx.run, job);
  g_object_unref (job);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  if (g_strcmp0 (g_getenv ("FETCHBOARD_TEST_PROXY"), "1") == 0)
    {
      /* The proxy is what answers, as a real one does. */
      ASSERT_STR (fb_job_get_message (job), "HTTP error 502 - Bad Gateway");
      CU_ASSERT_EQUAL (fb_job_get_http_status (job), 502);
    }
  else
    {
      ASSERT_STR (fb_job_get_message (job), message);
      CU_ASSERT_EQUAL (fb_job_get_http_status (job), 0);
    }
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

static void
test_downloader_invalid_url_is_error (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "not a url");
  fb_run_add_job (fx.run, job);
  g_object_unref (job);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "Not a valid http or https URL: not a url");
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

static void
test_downloader_other_scheme_is_error (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  /* Must not be sent as HTTP to port 21. */
  job = fb_job_new (FB_JOB_KIND_DOWNLOAD, "ftp://127.0.0.1/x.bin");
  fb_run_add_job (fx.run, job);
  g_object_unref (job);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "Not a valid http or https URL: ftp://127.0.0.1/x.bin");
  CU_ASSERT_EQUAL (fb_job_get_phase_time (job, FB_JOB_PHASE_CONNECTING), 0);
  ASSERT_DIR_EMPTY (&fx);
  fixture_clear (&fx);
}

static void
test_downloader_stall_times_out (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;
  double elapsed;

  fixture_init (&fx);
  fb_run_set_timeout (fx.run, 0.5);
  job = add_path (&fx, "/stall");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  host = host_port (&fx);
  message = g_strdup_printf ("Timed out: nothing from %s for 0.5 s", host);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_CONTAINS (fb_job_get_message (job), "Timed out");
  ASSERT_STR (fb_job_get_message (job), message);
  elapsed = fb_job_get_elapsed (job) / (double) G_USEC_PER_SEC;
  CU_ASSERT_TRUE (elapsed >= 0.4 && elapsed <= 2.0);
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

static void
test_downloader_timeout_counts_silence_not_total_time (void)
{
  Fixture fx;
  FbJob *late;
  FbJob *in_time;

  fixture_init (&fx);
  /* Room for a TLS handshake through a proxy under AddressSanitizer. */
  fb_run_set_timeout (fx.run, 1.5);
  late = add_path (&fx, "/hold?ms=3500&size=10");
  in_time = add_path (&fx, "/hold?ms=200&size=10");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (late), FB_JOB_STATE_ERROR);
  ASSERT_CONTAINS (fb_job_get_message (late), "Timed out");
  CU_ASSERT_EQUAL (fb_job_get_state (in_time), FB_JOB_STATE_OK);
  assert_file_body (&fx, "hold", 10);
  ASSERT_DIR (&fx, "hold");
  fixture_clear (&fx);
}

static void
test_downloader_partial_body_timeout_removes_part_file (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  fb_run_set_timeout (fx.run, 0.5);
  /* More than the 256 KiB flush mark reaches the disk before the silence. */
  job = add_path (&fx, "/partial?size=1000000&sent=600000");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_CONTAINS (fb_job_get_message (job), "Timed out");
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 600000);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), 1000000);
  CU_ASSERT_DOUBLE_EQUAL (fb_job_get_fraction (job), 0.6, 1e-9);
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".part"), 0);
  ASSERT_DIR_EMPTY (&fx);
  fixture_clear (&fx);
}

static void
test_downloader_connection_reset_is_error (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *prefix = NULL;
  g_autofree char *host = NULL;

  fixture_init (&fx);
  job = add_path (&fx, "/drop");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  host = host_port (&fx);
  prefix = g_strdup_printf ("Connection to %s lost after ", host);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_CONTAINS (fb_job_get_message (job), prefix);
  ASSERT_CONTAINS (fb_job_get_message (job), " of 100000 bytes");
  CU_ASSERT_TRUE (fb_job_get_bytes_received (job) <= 1000);
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".part"), 0);
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

static void
test_downloader_short_body_is_error (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *host = NULL;
  g_autofree char *message = NULL;

  fixture_init (&fx);
  job = add_path (&fx, "/short");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  host = host_port (&fx);
  message = g_strdup_printf ("Body from %s ended after 2000 of 5000 bytes", host);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_CONTAINS (fb_job_get_message (job), "2000 of 5000");
  ASSERT_STR (fb_job_get_message (job), message);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 2000);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), 5000);
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

/* ---- the folder ---- */

static void
test_downloader_unwritable_destination_names_path (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *file = NULL;
  g_autofree char *destination = NULL;
  g_autofree char *message = NULL;

  fixture_init (&fx);
  /* Root ignores permission bits; a path through a regular file fails
   * for everyone (ENOTDIR). */
  file = path_in (&fx, "plain-file");
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (file, "x", 1, NULL));
  destination = g_build_filename (file, "sub", NULL);
  fb_run_set_destination (fx.run, destination);
  job = add_path (&fx, "/file/a.bin?size=100");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  message = g_strdup_printf ("Cannot create the folder “%s”: Not a directory", destination);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_CONTAINS (fb_job_get_message (job), destination);
  ASSERT_STR (fb_job_get_message (job), message);
  CU_ASSERT_PTR_NULL (fb_job_get_saved_path (job));
  ASSERT_DIR (&fx, "plain-file");
  ASSERT_COUNTS (fx.run, 0, 0, 1, 0);
  fixture_clear (&fx);
}

static void
test_downloader_creates_missing_destination (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *destination = NULL;
  g_autofree char *saved = NULL;

  fixture_init (&fx);
  destination = g_build_filename (fx.dir, "new", "deeper", NULL);
  fb_run_set_destination (fx.run, destination);
  job = add_path (&fx, "/file/a.bin?size=100");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  saved = g_build_filename (destination, "a.bin", NULL);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_saved_path (job), saved);
  CU_ASSERT_TRUE (g_file_test (saved, G_FILE_TEST_IS_REGULAR));
  fixture_clear (&fx);
}

static void
test_downloader_existing_file_gets_numbered_name (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *original = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *saved = NULL;

  fixture_init (&fx);
  original = path_in (&fx, "x.bin");
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (original, "mine", 4, NULL));
  job = add_path (&fx, "/file/x.bin?size=500");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  saved = path_in (&fx, "x (1).bin");
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as x (1).bin");
  ASSERT_STR (fb_job_get_saved_path (job), saved);
  assert_file_body (&fx, "x (1).bin", 500);
  CU_ASSERT_TRUE (g_file_get_contents (original, &contents, NULL, NULL));
  ASSERT_STR (contents, "mine");
  ASSERT_DIR (&fx, "x (1).bin", "x.bin");
  fixture_clear (&fx);
}

static void
test_downloader_overwrite_replaces_file (void)
{
  Fixture fx;
  FbJob *job;
  g_autofree char *original = NULL;

  fixture_init (&fx);
  original = path_in (&fx, "x.bin");
  CU_ASSERT_TRUE_FATAL (g_file_set_contents (original, "mine", 4, NULL));
  fb_run_set_overwrite (fx.run, TRUE);
  job = add_path (&fx, "/file/x.bin?size=500");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as x.bin");
  ASSERT_STR (fb_job_get_saved_path (job), original);
  assert_file_body (&fx, "x.bin", 500);
  ASSERT_DIR (&fx, "x.bin");
  fixture_clear (&fx);
}

static void
test_downloader_same_name_twice_in_order (void)
{
  Fixture fx;
  FbJob *first;
  FbJob *second;

  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 1);
  first = add_path (&fx, "/file/x.bin?size=100");
  second = add_path (&fx, "/file/x.bin?size=200");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  ASSERT_STR (fb_job_get_message (first), "Saved as x.bin");
  ASSERT_STR (fb_job_get_message (second), "Saved as x (1).bin");
  assert_file_body (&fx, "x.bin", 100);
  assert_file_body (&fx, "x (1).bin", 200);
  ASSERT_DIR (&fx, "x (1).bin", "x.bin");
  fixture_clear (&fx);
}

static void
test_downloader_same_name_concurrently_keeps_both (void)
{
  Fixture fx;
  FbJob *jobs[3];
  gboolean seen[3] = { FALSE, FALSE, FALSE };
  const char *names[] = { "x.bin", "x (1).bin", "x (2).bin" };

  fixture_init (&fx);
  /* Big enough that every body reaches the disk while the others stream. */
  jobs[0] = add_path (&fx, "/file/x.bin?size=400000");
  jobs[1] = add_path (&fx, "/file/x.bin?size=500000");
  jobs[2] = add_path (&fx, "/file/x.bin?size=600000");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  for (guint i = 0; i < 3; i++)
    {
      const char *saved = fb_job_get_saved_path (jobs[i]);
      g_autofree char *name = saved != NULL ? g_path_get_basename (saved) : NULL;

      CU_ASSERT_EQUAL (fb_job_get_state (jobs[i]), FB_JOB_STATE_OK);
      for (guint n = 0; n < 3; n++)
        if (g_strcmp0 (name, names[n]) == 0)
          {
            CU_ASSERT_FALSE (seen[n]);
            seen[n] = TRUE;
          }
      if (name != NULL)
        assert_file_body (&fx, name, 400000 + 100000 * i);
    }
  CU_ASSERT_TRUE (seen[0] && seen[1] && seen[2]);
  ASSERT_DIR (&fx, "x (1).bin", "x (2).bin", "x.bin");
  fixture_clear (&fx);
}

/* ---- cancellation ---- */

static gboolean
cancel_run_cb (gpointer data)
{
  fb_run_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_downloader_cancel_ends_every_job_cancelled (void)
{
  Fixture fx;
  FbJob *held;
  FbJob *delayed;
  FbJob *queued;
  gint64 started;

  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 2);
  held = add_path (&fx, "/hold?ms=3000");
  delayed = add_path (&fx, "/file/slow.bin?size=1000&delay=3000");
  queued = add_path (&fx, "/file/never.bin?size=10");
  g_timeout_add (200, cancel_run_cb, fx.run);
  started = g_get_monotonic_time ();
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  /* Long before the server would have answered. */
  CU_ASSERT_TRUE (g_get_monotonic_time () - started < 2 * G_USEC_PER_SEC);
  for (guint i = 0; i < fx.completed->len; i++)
    {
      FbJob *job = fx.completed->pdata[i];

      CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_CANCELLED);
      ASSERT_STR (fb_job_get_message (job), "Cancelled");
      CU_ASSERT_EQUAL (fb_job_get_phase (job), FB_JOB_PHASE_DONE);
    }
  CU_ASSERT_EQUAL (fx.completed->len, 3);
  /* The queued job never started. */
  CU_ASSERT_EQUAL (fb_job_get_phase_time (queued, FB_JOB_PHASE_CONNECTING), 0);
  CU_ASSERT_TRUE (fb_job_get_phase_time (held, FB_JOB_PHASE_CONNECTING) > 0);
  CU_ASSERT_TRUE (fb_job_get_phase_time (delayed, FB_JOB_PHASE_CONNECTING) > 0);
  ASSERT_COUNTS (fx.run, 0, 0, 0, 3);
  CU_ASSERT_EQUAL (fb_run_get_active (fx.run), 0);
  CU_ASSERT_EQUAL (fb_run_get_waiting (fx.run), 0);
  CU_ASSERT_EQUAL (fx.n_finished, 1);
  ASSERT_DIR_EMPTY (&fx);

  /* Nothing more arrives later. */
  fb_test_spin (0.2);
  CU_ASSERT_EQUAL (fx.completed->len, 3);
  CU_ASSERT_EQUAL (fx.n_finished, 1);
  fixture_clear (&fx);
}

typedef struct
{
  Fixture *fx;
  FbJob   *job;
} PartWatch;

static gboolean
part_file_exists (gpointer data)
{
  PartWatch *watch = data;

  return fb_test_count_suffix (watch->fx->dir, ".part") > 0 || fb_job_is_final (watch->job);
}

static void
test_downloader_cancel_mid_body_removes_part_file (void)
{
  Fixture fx;
  FbJob *job;
  PartWatch watch;
  g_auto(GStrv) names = NULL;

  fixture_init (&fx);
  job = add_path (&fx, "/partial?size=1000000&sent=600000");
  watch.fx = &fx;
  watch.job = job;
  fx.finished = FALSE;
  fb_run_start (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (part_file_exists, &watch, WAIT_SECONDS));

  /* The body streams to NAME.part while it arrives. */
  names = fb_test_list_dir (fx.dir);
  CU_ASSERT_EQUAL (g_strv_length (names), 1);
  ASSERT_STR (names[0], "partial.part");
  CU_ASSERT_EQUAL (fb_job_get_phase (job), FB_JOB_PHASE_TRANSFERRING);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), 1000000);

  fb_run_cancel (fx.run);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_CANCELLED);
  ASSERT_STR (fb_job_get_message (job), "Cancelled");
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".part"), 0);
  ASSERT_DIR_EMPTY (&fx);
  ASSERT_COUNTS (fx.run, 0, 0, 0, 1);
  fixture_clear (&fx);
}

typedef struct
{
  FbRun *run;
  FbJob *job;
} CancelJob;

static gboolean
cancel_job_cb (gpointer data)
{
  CancelJob *cancel = data;

  fb_run_cancel_job (cancel->run, cancel->job);
  return G_SOURCE_REMOVE;
}

static void
test_downloader_cancel_one_job_while_others_finish (void)
{
  Fixture fx;
  FbJob *held;
  FbJob *b;
  FbJob *c;
  CancelJob cancel;
  gint64 started;

  fixture_init (&fx);
  held = add_path (&fx, "/hold?ms=3000");
  b = add_path (&fx, "/file/b.bin?size=100&delay=400");
  c = add_path (&fx, "/file/c.bin?size=200&delay=400");
  cancel.run = fx.run;
  cancel.job = held;
  g_timeout_add (200, cancel_job_cb, &cancel);
  started = g_get_monotonic_time ();
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_TRUE (g_get_monotonic_time () - started < 2 * G_USEC_PER_SEC);
  CU_ASSERT_EQUAL (fb_job_get_state (held), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fb_job_get_state (b), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_state (c), FB_JOB_STATE_OK);
  /* Completion order: the cancelled one first. */
  CU_ASSERT_EQUAL (fx.completed->len, 3);
  CU_ASSERT_PTR_EQUAL (fx.completed->pdata[0], held);
  assert_file_body (&fx, "b.bin", 100);
  assert_file_body (&fx, "c.bin", 200);
  ASSERT_DIR (&fx, "b.bin", "c.bin");
  ASSERT_COUNTS (fx.run, 2, 0, 0, 1);
  fixture_clear (&fx);
}

static void
test_downloader_cancel_queued_job_skips_it (void)
{
  Fixture fx;
  FbJob *first;
  FbJob *queued;
  FbJob *last;

  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 1);
  first = add_path (&fx, "/file/a.bin?size=10&delay=300");
  queued = add_path (&fx, "/file/b.bin?size=10");
  last = add_path (&fx, "/file/c.bin?size=10");
  fx.finished = FALSE;
  fb_run_start (fx.run);
  CU_ASSERT_EQUAL (fb_run_get_waiting (fx.run), 2);

  fb_run_cancel_job (fx.run, queued);
  /* At once: it had nothing under way. */
  CU_ASSERT_EQUAL (fb_job_get_state (queued), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fb_run_get_waiting (fx.run), 1);
  CU_ASSERT_EQUAL (fb_run_get_n_cancelled (fx.run), 1);
  CU_ASSERT_EQUAL (fx.completed->len, 1);

  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_job_get_state (first), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_state (last), FB_JOB_STATE_OK);
  CU_ASSERT_EQUAL (fb_job_get_phase_time (queued, FB_JOB_PHASE_CONNECTING), 0);
  ASSERT_DIR (&fx, "a.bin", "c.bin");
  ASSERT_COUNTS (fx.run, 2, 0, 0, 1);
  /* The cancelled job never reached the server. */
  CU_ASSERT_EQUAL (fb_test_server_get_requests (fx.server), 2);
  fixture_clear (&fx);
}

/* ---- retry ---- */

typedef struct
{
  GArray *n_error;     /* guint: every value n-error took */
  GArray *n_finished;  /* guint: every value n-finished took */
} CounterLog;

static void
counter_cb (FbRun      *run,
            GParamSpec *pspec,
            CounterLog *log)
{
  guint value;

  if (g_str_equal (pspec->name, "n-error"))
    {
      value = fb_run_get_n_error (run);
      g_array_append_val (log->n_error, value);
    }
  else if (g_str_equal (pspec->name, "n-finished"))
    {
      value = fb_run_get_n_finished (run);
      g_array_append_val (log->n_finished, value);
    }
}

static void
test_downloader_retry_moves_counters_back_and_forth (void)
{
  Fixture fx;
  FbJob *job;
  FbJob *other;
  CounterLog log;
  g_autofree char *n_error = NULL;

  fixture_init (&fx);
  log.n_error = g_array_new (FALSE, FALSE, sizeof (guint));
  log.n_finished = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (fx.run, "notify", G_CALLBACK (counter_cb), &log);

  job = add_path (&fx, "/flaky/x.bin?fail=1&size=700");
  other = add_path (&fx, "/file/y.bin?size=10");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_ERROR);
  ASSERT_STR (fb_job_get_message (job), "HTTP error 503 - Service Unavailable");
  ASSERT_COUNTS (fx.run, 1, 0, 1, 0);
  ASSERT_DIR (&fx, "y.bin");

  /* Only a final job can be retried. */
  CU_ASSERT_TRUE (fb_run_retry_job (fx.run, job));
  CU_ASSERT_FALSE (fb_run_retry_job (fx.run, job));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_PENDING);
  CU_ASSERT_PTR_NULL (fb_job_get_message (job));
  CU_ASSERT_EQUAL (fb_job_get_http_status (job), 0);
  ASSERT_COUNTS (fx.run, 1, 0, 0, 0);
  CU_ASSERT_EQUAL (fb_run_get_total (fx.run), 2);
  CU_ASSERT_TRUE (fb_run_get_running (fx.run));

  fx.finished = FALSE;
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  ASSERT_STR (fb_job_get_message (job), "Saved as x.bin");
  assert_file_body (&fx, "x.bin", 700);
  ASSERT_DIR (&fx, "x.bin", "y.bin");
  ASSERT_COUNTS (fx.run, 2, 0, 0, 0);
  CU_ASSERT_EQUAL (fb_run_get_bytes_received (fx.run), 710);
  CU_ASSERT_EQUAL (fx.n_finished, 2);
  CU_ASSERT_EQUAL (fb_job_get_state (other), FB_JOB_STATE_OK);

  /* n-error: 1 (first attempt), 0 (retry); n-finished 1, 2, 1, 2. */
  CU_ASSERT_EQUAL (log.n_error->len, 2);
  if (log.n_error->len == 2)
    {
      CU_ASSERT_EQUAL (g_array_index (log.n_error, guint, 0), 1);
      CU_ASSERT_EQUAL (g_array_index (log.n_error, guint, 1), 0);
    }
  CU_ASSERT_EQUAL (log.n_finished->len, 4);
  if (log.n_finished->len == 4)
    {
      CU_ASSERT_EQUAL (g_array_index (log.n_finished, guint, 0), 1);
      CU_ASSERT_EQUAL (g_array_index (log.n_finished, guint, 1), 2);
      CU_ASSERT_EQUAL (g_array_index (log.n_finished, guint, 2), 1);
      CU_ASSERT_EQUAL (g_array_index (log.n_finished, guint, 3), 2);
    }

  g_signal_handlers_disconnect_by_data (fx.run, &log);
  g_array_unref (log.n_error);
  g_array_unref (log.n_finished);
  fixture_clear (&fx);
}

static void
test_downloader_retry_cancelled_job (void)
{
  Fixture fx;
  FbJob *job;

  fixture_init (&fx);
  job = add_path (&fx, "/file/a.bin?size=50");
  fb_run_cancel (fx.run);
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_CANCELLED);
  CU_ASSERT_EQUAL (fx.n_finished, 1);
  ASSERT_COUNTS (fx.run, 0, 0, 0, 1);

  fx.finished = FALSE;
  CU_ASSERT_TRUE (fb_run_retry_job (fx.run, job));
  ASSERT_COUNTS (fx.run, 0, 0, 0, 0);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx.finished, WAIT_SECONDS));
  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  assert_file_body (&fx, "a.bin", 50);
  ASSERT_COUNTS (fx.run, 1, 0, 0, 0);
  fixture_clear (&fx);
}

/* ---- progress and limits ---- */

static void
test_downloader_phase_times_are_in_order (void)
{
  Fixture fx;
  FbJob *job;
  const FbJobPhase order[] = {
    FB_JOB_PHASE_QUEUED, FB_JOB_PHASE_WAITING, FB_JOB_PHASE_CONNECTING,
    FB_JOB_PHASE_FIRST_BYTE, FB_JOB_PHASE_TRANSFERRING, FB_JOB_PHASE_SAVING, FB_JOB_PHASE_DONE,
  };
  gint64 start;

  fixture_init (&fx);
  job = add_path (&fx, "/file/a.bin?size=400000");
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  /* A handshake only over https, between connecting and the request. */
  if (fb_test_tls ())
    {
      CU_ASSERT_TRUE (fb_job_get_phase_time (job, FB_JOB_PHASE_TLS) >=
                      fb_job_get_phase_time (job, FB_JOB_PHASE_CONNECTING));
      CU_ASSERT_TRUE (fb_job_get_phase_time (job, FB_JOB_PHASE_TLS) <=
                      fb_job_get_phase_time (job, FB_JOB_PHASE_FIRST_BYTE));
      CU_ASSERT_TRUE (fb_job_get_phase_time (job, FB_JOB_PHASE_TLS) > 0);
    }
  else
    CU_ASSERT_EQUAL (fb_job_get_phase_time (job, FB_JOB_PHASE_TLS), 0);

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      CU_ASSERT_TRUE (fb_job_get_phase_time (job, order[i]) > 0);
      if (i > 0)
        CU_ASSERT_TRUE (fb_job_get_phase_time (job, order[i - 1]) <=
                        fb_job_get_phase_time (job, order[i]));
    }
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (job), 400000);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (job), 400000);
  CU_ASSERT_EQUAL (fb_job_get_fraction (job), 1.0);
  /* The clock starts with the slot: the first network phase. */
  start = fb_job_get_phase_time (job, FB_JOB_PHASE_RESOLVING);
  if (start == 0)
    start = fb_job_get_phase_time (job, FB_JOB_PHASE_CONNECTING);
  CU_ASSERT_EQUAL (fb_job_get_elapsed (job),
                   fb_job_get_phase_time (job, FB_JOB_PHASE_DONE) - start);
  CU_ASSERT_TRUE (fb_job_get_speed (job) > 0);
  CU_ASSERT_TRUE (fb_run_get_elapsed (fx.run) > 0);
  fixture_clear (&fx);
}

typedef struct
{
  FbJob  *job;
  guint64 last;
  guint   n_notifies;
  gboolean went_back;
  gboolean over_expected;
} ProgressWatch;

static void
progress_cb (FbJob         *job,
             GParamSpec    *pspec,
             ProgressWatch *watch)
{
  guint64 now = fb_job_get_bytes_received (job);
  double fraction = fb_job_get_fraction (job);

  watch->n_notifies++;
  if (now < watch->last)
    watch->went_back = TRUE;
  if (fraction > 1.0 || (fraction < 0 && fraction != -1.0))
    watch->over_expected = TRUE;
  watch->last = now;
}

static void
test_downloader_progress_only_grows (void)
{
  Fixture fx;
  FbJob *job;
  ProgressWatch watch = { 0 };

  fixture_init (&fx);
  job = add_path (&fx, "/file/big.bin?size=3000000");
  watch.job = job;
  g_signal_connect (job, "notify::bytes-received", G_CALLBACK (progress_cb), &watch);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  CU_ASSERT_EQUAL (fb_job_get_state (job), FB_JOB_STATE_OK);
  CU_ASSERT_FALSE (watch.went_back);
  CU_ASSERT_FALSE (watch.over_expected);
  CU_ASSERT_TRUE (watch.n_notifies >= 1);
  /* The last notify carries the final count. */
  CU_ASSERT_EQUAL (watch.last, 3000000);
  g_signal_handlers_disconnect_by_data (job, &watch);
  fixture_clear (&fx);
}

static void
test_downloader_concurrency_limit_holds_on_server (void)
{
  Fixture fx;

  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 3);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *path = g_strdup_printf ("/file/f%u.bin?size=10&delay=150", i);

      add_path (&fx, path);
    }
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  ASSERT_COUNTS (fx.run, 10, 0, 0, 0);
  CU_ASSERT_EQUAL (fb_test_server_get_peak (fx.server), 3);
  CU_ASSERT_EQUAL (fb_semaphore_get_peak (fb_run_get_semaphore (fx.run)), 3);
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".bin"), 10);
  CU_ASSERT_EQUAL (fb_test_count_suffix (fx.dir, ".part"), 0);
  fixture_clear (&fx);
}

static void
test_downloader_mixed_outcomes_add_up (void)
{
  Fixture fx;
  const char *paths[] = {
    "/file/ok1.bin?size=10", "/status/404", "/status/418", "/file/ok2.bin?size=20",
    "/status/500", "/short", "/drop", "/loop", "/redirect/2", "/chunked?size=30",
  };
  guint64 sum = 0;
  guint64 ok_bytes = 0;

  fixture_init (&fx);
  fb_run_set_max_concurrency (fx.run, 4);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    add_path (&fx, paths[i]);
  CU_ASSERT_TRUE_FATAL (run_to_end (&fx));

  ASSERT_COUNTS (fx.run, 4, 1, 5, 0);
  CU_ASSERT_EQUAL (fb_run_get_total (fx.run), 10);
  CU_ASSERT_EQUAL (fx.completed->len, 10);
  for (guint i = 0; i < fb_run_get_total (fx.run); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (fb_run_get_jobs (fx.run), i);

      sum += fb_job_get_bytes_received (job);
      if (fb_job_get_state (job) == FB_JOB_STATE_OK)
        ok_bytes += fb_job_get_bytes_received (job);
    }
  CU_ASSERT_EQUAL (ok_bytes, 10 + 20 + 321 + 30);
  CU_ASSERT_EQUAL (fb_run_get_bytes_received (fx.run), sum);
  ASSERT_DIR (&fx, "2", "chunked", "ok1.bin", "ok2.bin");
  fixture_clear (&fx);
}

static const FbTestCase tests[] = {
  FB_TEST (test_downloader_saves_exact_bytes_under_url_name),
  FB_TEST (test_downloader_saves_empty_body),
  FB_TEST (test_downloader_large_bodies_are_byte_identical),
  FB_TEST (test_downloader_chunked_body_without_length),
  FB_TEST (test_downloader_follows_redirects_and_names_by_input_url),
  FB_TEST (test_downloader_404_is_not_found),
  FB_TEST (test_downloader_418_uses_server_reason_phrase),
  FB_TEST (test_downloader_500_is_error),
  FB_TEST (test_downloader_redirect_loop_is_error),
  FB_TEST (test_downloader_refused_connection_is_error),
  FB_TEST (test_downloader_invalid_url_is_error),
  FB_TEST (test_downloader_other_scheme_is_error),
  FB_TEST (test_downloader_stall_times_out),
  FB_TEST (test_downloader_timeout_counts_silence_not_total_time),
  FB_TEST (test_downloader_partial_body_timeout_removes_part_file),
  FB_TEST (test_downloader_connection_reset_is_error),
  FB_TEST (test_downloader_short_body_is_error),
  FB_TEST (test_downloader_unwritable_destination_names_path),
  FB_TEST (test_downloader_creates_missing_destination),
  FB_TEST (test_downloader_existing_file_gets_numbered_name),
  FB_TEST (test_downloader_overwrite_replaces_file),
  FB_TEST (test_downloader_same_name_twice_in_order),
  FB_TEST (test_downloader_same_name_concurrently_keeps_both),
  FB_TEST (test_downloader_cancel_ends_every_job_cancelled),
  FB_TEST (test_downloader_cancel_mid_body_removes_part_file),
  FB_TEST (test_downloader_cancel_one_job_while_others_finish),
  FB_TEST (test_downloader_cancel_queued_job_skips_it),
  FB_TEST (test_downloader_retry_moves_counters_back_and_forth),
  FB_TEST (test_downloader_retry_cancelled_job),
  FB_TEST (test_downloader_phase_times_are_in_order),
  FB_TEST (test_downloader_progress_only_grows),
  FB_TEST (test_downloader_concurrency_limit_holds_on_server),
  FB_TEST (test_downloader_mixed_outcomes_add_up),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "downloader", tests);
}
