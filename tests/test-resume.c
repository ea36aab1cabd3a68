/* test-resume.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A second attempt at a body continues the part the first one left, with
 * Range and If-Range, only when the server proves it is the same body:
 * never a spliced file. Runs on every path a URL can take (tests/meson.build:
 * lean and libsoup, http and https).
 */

#include "config.h"

#include <string.h>

#include "fb-downloader.h"
#include "fb-saver.h"
#include "fb-test-utils.h"

#define WAIT_SECONDS 10.0
#define SIZE         100000
#define CUT          50000

typedef struct
{
  FbTestServer *server;
  FbHttpPool   *pool;
  FbJob        *job;
  FbPartFile   *part;
  char         *dir;
  char         *url;
  GError       *error;
  char         *saved;
  gboolean      done;
} Fixture;

static void
fixture_init (Fixture    *fx,
              const char *path)
{
  memset (fx, 0, sizeof *fx);
  fx->server = fb_test_server_new ();
  fx->pool = fb_fetch_pool_new (NULL);
  fx->dir = fb_test_make_tmpdir ();
  fx->url = fb_test_server_url (fx->server, path);
  fx->job = fb_job_new (FB_JOB_KIND_DOWNLOAD, fx->url);
  fx->part = fb_part_file_new (fx->dir, "r.bin", FALSE);
}

static void
fixture_clear (Fixture *fx)
{
  g_clear_pointer (&fx->part, fb_part_file_free);
  g_clear_object (&fx->job);
  g_clear_pointer (&fx->pool, fb_http_pool_unref);
  fb_test_server_free (fx->server);
  fb_test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->url);
  g_free (fx->saved);
  g_clear_error (&fx->error);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GBytes) body = fb_fetch_finish (result, &fx->error);

  fx->done = TRUE;
}

/* One attempt into the part; TRUE when it succeeded. */
static gboolean
attempt (Fixture *fx)
{
  fx->done = FALSE;
  g_clear_error (&fx->error);
  fb_fetch_async (fx->pool, fx->job, fx->url, fx->part, 0, 5.0, NULL, fetched_cb, fx);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx->done, WAIT_SECONDS));
  return fx->error == NULL;
}

static void
committed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fx = user_data;

  fx->saved = fb_part_file_commit_finish (fx->part, result, &fx->error);
  fx->done = TRUE;
}

/* Commits the part and checks the file holds exactly @expected. */
static void
assert_saved (Fixture *fx,
              GBytes  *expected)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  fx->done = FALSE;
  fb_part_file_commit_async (fx->part, NULL, NULL, committed_cb, fx);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&fx->done, WAIT_SECONDS));
  CU_ASSERT_PTR_NULL_FATAL (fx->error);
  CU_ASSERT_TRUE_FATAL (g_file_get_contents (fx->saved, &contents, &length, NULL));
  CU_ASSERT_EQUAL (length, g_bytes_get_size (expected));
  CU_ASSERT_TRUE (length == g_bytes_get_size (expected)
                  && memcmp (contents, g_bytes_get_data (expected, NULL), length) == 0);
}

/* The first attempt is cut half-way: the part keeps what came. */
static void
first_attempt_is_cut (Fixture *fx)
{
  CU_ASSERT_FALSE (attempt (fx));
  CU_ASSERT_EQUAL (fb_part_file_get_size (fx->part), CUT);
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (fx->job), CUT);
  ASSERT_STR (fb_job_get_etag (fx->job), "\"v1\"");
}

static void
test_resume_continues_where_the_cut_was (void)
{
  Fixture fx;
  g_autoptr(GBytes) whole = fb_test_body (SIZE);

  fixture_init (&fx, "/ranged/a?size=100000&cut=50000");
  first_attempt_is_cut (&fx);
  CU_ASSERT_TRUE (attempt (&fx));
  ASSERT_STR (fb_test_server_get_ranges (fx.server, "a"), "-,bytes=50000-");
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (fx.job), SIZE);
  CU_ASSERT_EQUAL (fb_job_get_bytes_expected (fx.job), SIZE);
  CU_ASSERT_EQUAL (fb_job_get_http_status (fx.job), 206);
  assert_saved (&fx, whole);
  fixture_clear (&fx);
}

static void
test_resume_answered_200_starts_from_zero (void)
{
  Fixture fx;
  g_autoptr(GBytes) whole = fb_test_body (SIZE);

  fixture_init (&fx, "/ranged/b?size=100000&cut=50000&noranges=1");
  first_attempt_is_cut (&fx);
  CU_ASSERT_TRUE (attempt (&fx));
  ASSERT_STR (fb_test_server_get_ranges (fx.server, "b"), "-,bytes=50000-");
  CU_ASSERT_EQUAL (fb_job_get_bytes_received (fx.job), SIZE);
  assert_saved (&fx, whole);
  fixture_clear (&fx);
}

static void
test_resume_changed_etag_starts_from_zero (void)
{
  Fixture fx;
  g_autoptr(GBytes) second = fb_test_body_variant (SIZE, 2);

  fixture_init (&fx, "/ranged/c?size=100000&cut=50000&change=1");
  first_attempt_is_cut (&fx);
  CU_ASSERT_TRUE (attempt (&fx));
  /* If-Range named "v1"; the server has "v2" and sends it whole. */
  ASSERT_STR (fb_test_server_get_ranges (fx.server, "c"), "-,bytes=50000-");
  ASSERT_STR (fb_job_get_etag (fx.job), "\"v2\"");
  assert_saved (&fx, second);
  fixture_clear (&fx);
}

static void
test_resume_wrong_content_range_asks_again_whole (void)
{
  Fixture fx;
  g_autoptr(GBytes) whole = fb_test_body (SIZE);

  fixture_init (&fx, "/ranged/d?size=100000&cut=50000&badrange=1");
  first_attempt_is_cut (&fx);
  CU_ASSERT_TRUE (attempt (&fx));
  ASSERT_STR (fb_test_server_get_ranges (fx.server, "d"), "-,bytes=50000-,-");
  assert_saved (&fx, whole);
  fixture_clear (&fx);
}

static void
test_resume_without_validator_starts_from_zero (void)
{
  Fixture fx;
  g_autoptr(GBytes) whole = fb_test_body (SIZE);

  /* A part whose job has no validator is never continued: appended to, it
   * would hold the body twice. */
  fixture_init (&fx, "/ranged/f?size=100000&novalidator=1");
  CU_ASSERT_TRUE (attempt (&fx));
  CU_ASSERT_PTR_NULL (fb_job_get_etag (fx.job));
  CU_ASSERT_TRUE (attempt (&fx));
  ASSERT_STR (fb_test_server_get_ranges (fx.server, "f"), "-,-");
  assert_saved (&fx, whole);
  fixture_clear (&fx);
}

static const FbTestCase tests[] = {
  FB_TEST (test_resume_continues_where_the_cut_was),
  FB_TEST (test_resume_answered_200_starts_from_zero),
  FB_TEST (test_resume_changed_etag_starts_from_zero),
  FB_TEST (test_resume_wrong_content_range_asks_again_whole),
  FB_TEST (test_resume_without_validator_starts_from_zero),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "resume", tests);
}
