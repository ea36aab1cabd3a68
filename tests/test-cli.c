/* test-cli.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "fb-cli.h"
#include "fb-cli-progress.h"
#include "fb-countries.h"
#include "fb-demo-server.h"
#include "fb-job-private.h"
#include "fb-test-utils.h"

#define CHILD_DEADLINE 20.0 /* seconds */

/* ---- running the real binary ---- */

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
  GError   *error;
} Child;

static void
child_communicate_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Child *child = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result,
                                        &child->out, &child->err, &child->error);
  child->done = TRUE;
}

static GSubprocess *
spawn_cli (const char          *cwd,
           gboolean             with_stdin,
           const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("FETCHBOARD_CLI");
  GSubprocess *process;

  g_assert_nonnull (binary);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE
                                        | (with_stdin ? G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                      : G_SUBPROCESS_FLAGS_NONE));
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_unsetenv (launcher, "FETCHBOARD_STALL_LOG");

  g_ptr_array_add (argv, (gpointer) binary);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

/* Feeds @stdin_text, collects both outputs and waits for the end, iterating
 * this process's main context (the demo server lives here). Returns the exit
 * status, or 128 + the signal that ended the child. */
static int
finish_cli (GSubprocess  *process,
            const char   *stdin_text,
            char        **out,
            char        **err)
{
  Child child = { FALSE, };
  int status;

  g_subprocess_communicate_utf8_async (process, stdin_text, NULL, child_communicate_cb, &child);
  if (!fb_test_wait_flag (&child.done, CHILD_DEADLINE))
    {
      g_subprocess_force_exit (process);
      while (!child.done)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_no_error (child.error);

  if (g_subprocess_get_if_exited (process))
    status = g_subprocess_get_exit_status (process);
  else
    status = 128 + g_subprocess_get_term_sig (process);

  if (g_getenv ("FB_TEST_CLI_ECHO") != NULL)
    g_printerr ("\n--- stdout (%d)\n%s--- stderr\n%s---\n", status, child.out, child.err);
  *out = child.out;
  *err = child.err;
  return status;
}

static int
run_cli_strv (const char          *cwd,
              const char          *stdin_text,
              char               **out,
              char               **err,
              const char * const  *args)
{
  g_autoptr(GSubprocess) process = spawn_cli (cwd, stdin_text != NULL, args);

  return finish_cli (process, stdin_text, out, err);
}

static int
run_cli (const char  *cwd,
         const char  *stdin_text,
         char       **out,
         char       **err,
         ...) G_GNUC_NULL_TERMINATED;

static int
run_cli (const char  *cwd,
         const char  *stdin_text,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return run_cli_strv (cwd, stdin_text, out, err, (const char * const *) args->pdata);
}

/* Checks stdout line by line; an expected "Elapsed time: " matches any time. */
static void
assert_lines (const char          *text,
              const char * const  *expected)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n_lines = g_strv_length (lines);
  guint n_expected = g_strv_length ((char **) expected);

  /* The text ends in a newline: the split leaves one empty string. */
  CU_ASSERT_EQUAL (n_lines, n_expected + 1);
  CU_ASSERT_STRING_EQUAL (lines[n_lines - 1], "");
  for (guint i = 0; i < MIN (n_lines, n_expected); i++)
    {
      if (g_str_equal (expected[i], "Elapsed time: "))
        {
          gboolean ok = g_regex_match_simple ("^Elapsed time: [0-9]+\\.[0-9][0-9]s$",
                                              lines[i], 0, 0);
          CU_ASSERT_TRUE (ok);
          if (!ok)
            g_printerr ("\nline %u: “%s”, expected an elapsed time\n", i + 1, lines[i]);
          continue;
        }
      CU_ASSERT_STRING_EQUAL (lines[i], expected[i]);
      if (!g_str_equal (lines[i], expected[i]))
        g_printerr ("\nline %u: “%s”, expected “%s”\n", i + 1, lines[i], expected[i]);
    }
}

static gboolean
has_line (const char *text,
          const char *line)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  return g_strv_contains ((const char * const *) lines, line);
}

static gboolean
has_line_starting (const char *text,
                   const char *prefix)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;
  return FALSE;
}

static FbDemoServer *
start_demo_server (const char * const *codes,
                   char              **base_url)
{
  g_autoptr(GError) error = NULL;
  FbDemoServer *server = fb_demo_server_new ();

  if (codes != NULL)
    fb_demo_server_set_codes (server, codes);
  g_assert_true (fb_demo_server_listen (server, 0, &error));
  g_assert_no_error (error);
  *base_url = fb_demo_server_dup_base_url (server);
  return server;
}

static gsize
file_size (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return (gsize) st.st_size;
}

/* ---- the pieces, in process ---- */

static void
assert_codes (GStrv               codes,
              const char * const *expected)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL (codes);
  CU_ASSERT_EQUAL (g_strv_length (codes), g_strv_length ((char **) expected));
  for (guint i = 0; codes[i] != NULL && expected[i] != NULL; i++)
    CU_ASSERT_STRING_EQUAL (codes[i], expected[i]);
}

static void
test_cli_expand_codes_follows_the_book (void)
{
  g_autoptr(GError) error = NULL;
  const char *mixed[] = { "us", "BR", "cn", "Br", NULL };
  const char *letter[] = { "b", "BR", NULL };
  const char *bad[][2] = { { "B1", NULL }, { "ABC", NULL }, { "", NULL }, { "é", NULL } };
  g_auto(GStrv) codes = NULL;
  g_auto(GStrv) by_letter = NULL;
  g_auto(GStrv) every = NULL;
  g_auto(GStrv) every_all = NULL;
  g_auto(GStrv) populous = NULL;
  g_auto(GStrv) populous_3 = NULL;
  g_auto(GStrv) all = NULL;
  guint n_countries = 0;

  codes = fb_cli_expand_codes (FALSE, FALSE, mixed, 0, &error);
  g_assert_no_error (error);
  assert_codes (codes, (const char *[]) { "BR", "CN", "US", NULL });

  by_letter = fb_cli_expand_codes (FALSE, FALSE, letter, 0, &error);
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (g_strv_length (by_letter), 26);
  CU_ASSERT_STRING_EQUAL (by_letter[0], "BA");
  CU_ASSERT_STRING_EQUAL (by_letter[25], "BZ");

  every = fb_cli_expand_codes (TRUE, FALSE, letter, 30, &error);
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (g_strv_length (every), 30);
  CU_ASSERT_STRING_EQUAL (every[0], "AA");
  CU_ASSERT_STRING_EQUAL (every[29], "BD");

  /* -e beats -a. */
  every_all = fb_cli_expand_codes (TRUE, TRUE, NULL, 0, &error);
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (g_strv_length (every_all), 676);
  CU_ASSERT_STRING_EQUAL (every_all[675], "ZZ");

  /* -a beats positional codes: the book's 194, so no "AA", no "AQ". */
  all = fb_cli_expand_codes (FALSE, TRUE, letter, 0, &error);
  g_assert_no_error (error);
  fb_countries_get_all (&n_countries);
  CU_ASSERT_TRUE (n_countries > 194);
  CU_ASSERT_EQUAL (g_strv_length (all), 194);
  CU_ASSERT_STRING_EQUAL (all[0], "AD");
  CU_ASSERT_STRING_EQUAL (all[193], "ZW");
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) all, "TW"));
  CU_ASSERT_FALSE (g_strv_contains ((const char * const *) all, "AQ"));
  CU_ASSERT_FALSE (g_strv_contains ((const char * const *) all, "PR"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) all, "BR"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) all, "BB"));
  CU_ASSERT_FALSE (g_strv_contains ((const char * const *) all, "AA"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) all, "BZ"));

  populous = fb_cli_expand_codes (FALSE, FALSE, NULL, 0, &error);
  g_assert_no_error (error);
  CU_ASSERT_EQUAL (g_strv_length (populous), 20);
  CU_ASSERT_STRING_EQUAL (populous[0], "BD");
  CU_ASSERT_STRING_EQUAL (populous[19], "VN");

  populous_3 = fb_cli_expand_codes (FALSE, FALSE, NULL, 3, &error);
  g_assert_no_error (error);
  assert_codes (populous_3, (const char *[]) { "BD", "BR", "CD", NULL });

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_auto(GStrv) none = fb_cli_expand_codes (FALSE, FALSE, bad[i], 0, &bad_error);

      CU_ASSERT_PTR_NULL (none);
      CU_ASSERT_TRUE (g_error_matches (bad_error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE));
      if (bad_error != NULL)
        CU_ASSERT_STRING_EQUAL (bad_error->message,
                                "each CC argument must be A to Z or AA to ZZ.");
    }
}

static void
test_cli_format_lines_match_the_book (void)
{
  const char *three[] = { "BR", "CN", "US", NULL };
  const char *one[] = { "BR", NULL };
  const char *ten[] = { "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", NULL };
  const char *eleven[] = { "AA", "AB", "AC", "AD", "AE", "AF", "AG", "AH", "AI", "AJ", "ZW",
                           NULL };
  g_autofree char *s3 = fb_cli_format_search (three);
  g_autofree char *s1 = fb_cli_format_search (one);
  g_autofree char *s10 = fb_cli_format_search (ten);
  g_autofree char *s11 = fb_cli_format_search (eleven);
  g_autofree char *c1 = fb_cli_format_connections (1);
  g_autofree char *c5 = fb_cli_format_connections (5);
  g_autofree char *sum_ok = fb_cli_format_summary (FB_CLI_COMMAND_FLAGS, 194, 0, 0, 0, 740000);
  g_autofree char *sum_all = fb_cli_format_summary (FB_CLI_COMMAND_FLAGS, 167, 482, 27, 0,
                                                    1505000);
  g_autofree char *sum_one = fb_cli_format_summary (FB_CLI_COMMAND_FLAGS, 1, 0, 1, 3, 2000);
  g_autofree char *sum_files = fb_cli_format_summary (FB_CLI_COMMAND_DOWNLOAD, 1000, 2, 0, 0,
                                                      123456789);
  g_autofree char *sum_names = fb_cli_format_summary (FB_CLI_COMMAND_PROBE, 1, 1, 0, 0, 0);

  CU_ASSERT_STRING_EQUAL (s3, "Searching for 3 flags: BR CN US");
  CU_ASSERT_STRING_EQUAL (s1, "Searching for 1 flag: BR");
  CU_ASSERT_STRING_EQUAL (s10, "Searching for 10 flags: AA AB AC AD AE AF AG AH AI AJ");
  CU_ASSERT_STRING_EQUAL (s11, "Searching for 11 flags: from AA to ZW");
  CU_ASSERT_STRING_EQUAL (c1, "1 connection will be used.");
  CU_ASSERT_STRING_EQUAL (c5, "5 concurrent connections will be used.");
  CU_ASSERT_STRING_EQUAL (sum_ok, "194 flags downloaded.\nElapsed time: 0.74s\n");
  CU_ASSERT_STRING_EQUAL (sum_all, "167 flags downloaded.\n482 not found.\n 27 errors.\n"
                                   "Elapsed time: 1.50s\n");
  CU_ASSERT_STRING_EQUAL (sum_one, "  1 flag downloaded.\n  1 error.\n  3 cancelled.\n"
                                   "Elapsed time: 0.00s\n");
  CU_ASSERT_STRING_EQUAL (sum_files, "1000 files downloaded.\n  2 not found.\n"
                                     "Elapsed time: 123.46s\n");
  CU_ASSERT_STRING_EQUAL (sum_names, "  1 name found.\n  1 not found.\nElapsed time: 0.00s\n");
}

static void
test_cli_url_is_local_for_loopback_only (void)
{
  CU_ASSERT_TRUE (fb_cli_url_is_local ("http://127.0.0.1:8000/flags"));
  CU_ASSERT_TRUE (fb_cli_url_is_local ("http://localhost:8000/flags"));
  CU_ASSERT_TRUE (fb_cli_url_is_local ("http://LOCALHOST/flags"));
  CU_ASSERT_TRUE (fb_cli_url_is_local ("http://[::1]:8001/flags"));
  CU_ASSERT_TRUE (fb_cli_url_is_local ("http://127.1.2.3/flags"));
  CU_ASSERT_FALSE (fb_cli_url_is_local ("https://www.fluentpython.com/data/flags"));
  CU_ASSERT_FALSE (fb_cli_url_is_local ("http://192.168.1.2/flags"));
  CU_ASSERT_FALSE (fb_cli_url_is_local ("not a url"));
}

static void
test_cli_progress_format_is_tqdm_like (void)
{
  g_autofree char *half = fb_cli_progress_format (87, 194, 1 * G_USEC_PER_SEC, 60, FALSE);
  g_autofree char *start = fb_cli_progress_format (0, 194, 0, 60, FALSE);
  g_autofree char *done = fb_cli_progress_format (194, 194, 2 * G_USEC_PER_SEC, 60, FALSE);
  g_autofree char *narrow = fb_cli_progress_format (87, 194, 1 * G_USEC_PER_SEC, 30, FALSE);
  g_autofree char *wide = fb_cli_progress_format (1, 8, G_USEC_PER_SEC, 200, TRUE);
  g_autofree char *partial = fb_cli_progress_format (100, 194, 1500000, 80, TRUE);
  g_autofree char *hour = fb_cli_progress_format_time (3725);
  g_autofree char *minute = fb_cli_progress_format_time (65);

  /* 60 columns: "100%|" + bar + "| " + the counts, one column left free. */
  CU_ASSERT_STRING_EQUAL (half, " 44%|##########--------------| 87/194 [00:01<00:01, 87.0/s]");
  CU_ASSERT_STRING_EQUAL (start, "  0%|--------------------------------| 0/194 [00:00<?, ?/s]");
  CU_ASSERT_STRING_EQUAL (done, "100%|#######################| 194/194 [00:02<00:00, 97.0/s]");
  CU_ASSERT_EQUAL (g_utf8_strlen (half, -1), 59);
  CU_ASSERT_EQUAL (g_utf8_strlen (start, -1), 59);
  CU_ASSERT_EQUAL (g_utf8_strlen (done, -1), 59);
  /* Too narrow for a bar: the counts alone. */
  CU_ASSERT_STRING_EQUAL (narrow, " 44% 87/194 [00:01<00:01, 87.0/s]");
  /* The bar stops at 40 cells; 51.5 % of 40 cells is 20 and four eighths. */
  CU_ASSERT_STRING_EQUAL (wide, " 12%|█████                                   | 1/8 "
                                "[00:01<00:07, 1.0/s]");
  CU_ASSERT_STRING_EQUAL (partial, " 51%|████████████████████▌                   | 100/194 "
                                   "[00:01<00:01, 66.7/s]");
  CU_ASSERT_STRING_EQUAL (hour, "1:02:05");
  CU_ASSERT_STRING_EQUAL (minute, "01:05");
}

/* ---- flags ---- */

/* Chinese readers are the first audience: the CLI follows LANGUAGE. */
static void
test_cli_follows_language_zh_cn (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *localedir = g_build_filename (g_getenv ("FETCHBOARD_BUILD_ROOT"), "po", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  server = start_demo_server (NULL, &base);
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("FETCHBOARD_LOCALEDIR", localedir, TRUE);
  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "BR", "CN", "US", NULL);
  g_unsetenv ("LANGUAGE");
  g_unsetenv ("FETCHBOARD_LOCALEDIR");

  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_PTR_NOT_NULL (strstr (out, "正在查找 3 面国旗：BR CN US\n"));
  CU_ASSERT_PTR_NOT_NULL (strstr (out, "  3 面国旗已下载。\n"));
  CU_ASSERT_PTR_NULL (strstr (out, "Searching for"));
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_prints_the_book_lines_and_saves_files (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *downloaded = g_build_filename (dir, "downloaded", NULL);
  g_autofree char *site = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) names = NULL;
  int status;

  server = start_demo_server (NULL, &base);
  site = g_strdup_printf ("LOCAL site: %s", base);
  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "us", "BR", "cn", "br", NULL);

  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) {
    site,
    "Searching for 3 flags: BR CN US",
    "3 concurrent connections will be used.",
    "--------------------",
    "  3 flags downloaded.",
    "Elapsed time: ",
    NULL });
  CU_ASSERT_STRING_EQUAL (err, "");

  names = fb_test_list_dir (downloaded);
  CU_ASSERT_EQUAL (g_strv_length (names), 3);
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) names, "BR.gif"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) names, "CN.gif"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) names, "US.gif"));
  CU_ASSERT_TRUE (file_size (downloaded, "BR.gif") > 100);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 3);
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_limit_and_letter_expansion (void)
{
  const char *codes[] = { "BA", "BE", "BR", "CA", NULL };
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *site = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  int status;

  server = start_demo_server (codes, &base);
  site = g_strdup_printf ("LOCAL site: %s", base);

  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "b", "-m", "30", NULL);
  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) {
    site,
    "Searching for 26 flags: from BA to BZ",
    "26 concurrent connections will be used.",
    "--------------------",
    "  3 flags downloaded.",
    " 23 not found.",
    "Elapsed time: ",
    NULL });

  /* -l cuts after sorting; -m is capped by the number of codes. */
  status = run_cli (dir, NULL, &out2, &err2, "flags", "-s", base, "C", "B", "-l", "5",
                    "--max-req", "1", NULL);
  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out2, (const char *[]) {
    site,
    "Searching for 5 flags: BA BB BC BD BE",
    "1 connection will be used.",
    "--------------------",
    "  2 flags downloaded.",
    "  3 not found.",
    "Elapsed time: ",
    NULL });
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_every_with_limit (void)
{
  const char *codes[] = { "AD", "AE", "BD", "BR", NULL };
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *downloaded = g_build_filename (dir, "downloaded", NULL);
  g_autofree char *site = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  server = start_demo_server (codes, &base);
  site = g_strdup_printf ("LOCAL site: %s", base);
  /* -e beats -a beats the positional code. */
  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "-e", "-a", "ZW", "-l", "30",
                    NULL);
  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) {
    site,
    "Searching for 30 flags: from AA to BD",
    "5 concurrent connections will be used.",
    "--------------------",
    "  3 flags downloaded.",
    " 27 not found.",
    "Elapsed time: ",
    NULL });
  CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".gif"), 3);
  CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".part"), 0);
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_default_server_is_local (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  status = run_cli (dir, NULL, &out, &err, "flags", "-l", "3", "-m", "1", "-o", "flags", NULL);
  CU_ASSERT_EQUAL (status, 0);
  lines = g_strsplit (out, "\n", -1);
  CU_ASSERT_EQUAL_FATAL (g_strv_length (lines), 7);
  CU_ASSERT_TRUE (g_regex_match_simple ("^LOCAL site: http://127\\.0\\.0\\.1:[0-9]+/flags$",
                                        lines[0], 0, 0));
  CU_ASSERT_STRING_EQUAL (lines[1], "Searching for 3 flags: BD BR CD");
  CU_ASSERT_STRING_EQUAL (lines[2], "1 connection will be used.");
  CU_ASSERT_STRING_EQUAL (lines[4], "  3 flags downloaded.");
  {
    g_autofree char *flags = g_build_filename (dir, "flags", NULL);
    g_auto(GStrv) names = fb_test_list_dir (flags);

    CU_ASSERT_EQUAL (g_strv_length (names), 3);
    CU_ASSERT_TRUE (g_strv_contains ((const char * const *) names, "CD.gif"));
  }
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_metadata_saves_country_names (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *downloaded = g_build_filename (dir, "downloaded", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) names = NULL;
  int status;

  server = start_demo_server (NULL, &base);
  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "--metadata", "BR", "FR",
                    NULL);
  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_TRUE (has_line (out, "  2 flags downloaded."));
  names = fb_test_list_dir (downloaded);
  CU_ASSERT_EQUAL (g_strv_length (names), 2);
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) names, "Brazil.gif"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) names, "France.gif"));
  CU_ASSERT_FALSE (g_strv_contains ((const char * const *) names, "BR.gif"));
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_keeps_existing_files_unless_overwrite (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *downloaded = g_build_filename (dir, "downloaded", NULL);
  g_autofree char *old_path = g_build_filename (downloaded, "BR.gif", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  server = start_demo_server (NULL, &base);
  g_assert_true (g_mkdir_with_parents (downloaded, 0755) == 0);
  g_file_set_contents (old_path, "old", 3, &error);
  g_assert_no_error (error);

  /* The file already there stays; the new one takes a numbered name. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    CU_ASSERT_EQUAL (run_cli (dir, NULL, &out, &err, "flags", "-q", "-s", base, "BR", NULL), 0);
    CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".gif"), 2);
    g_file_get_contents (old_path, &contents, &length, NULL);
    CU_ASSERT_EQUAL (length, 3);
    g_clear_pointer (&contents, g_free);
  }

  /* --overwrite replaces it. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    CU_ASSERT_EQUAL (run_cli (dir, NULL, &out, &err, "flags", "-q", "--overwrite", "-s", base,
                              "BR", NULL), 0);
    CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".gif"), 2);
    g_file_get_contents (old_path, &contents, &length, NULL);
    CU_ASSERT_TRUE (length > 100);
    CU_ASSERT_TRUE (contents != NULL && g_str_has_prefix (contents, "GIF89a"));
  }
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_http_errors_exit_1 (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *downloaded = g_build_filename (dir, "downloaded", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out_v = NULL;
  g_autofree char *err_v = NULL;
  int status;

  server = start_demo_server (NULL, &base);
  fb_demo_server_set_error_rate (server, 1.0);
  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "BR", "CN", NULL);

  CU_ASSERT_EQUAL (status, 1);
  CU_ASSERT_TRUE (has_line (out, "  0 flags downloaded."));
  CU_ASSERT_TRUE (has_line (out, "  2 errors."));
  CU_ASSERT_FALSE (has_line_starting (out, "  0 not found."));
  /* Errors reach stderr even without -v, with the status and reason. */
  CU_ASSERT_TRUE (has_line_starting (err, "BR error: "));
  CU_ASSERT_TRUE (has_line_starting (err, "CN error: "));
  CU_ASSERT_PTR_NOT_NULL (strstr (err, "418"));
  CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".gif"), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".part"), 0);

  /* Not found alone is not an error: exit 0. With -v, a line per job. */
  fb_demo_server_set_error_rate (server, 0.0);
  status = run_cli (dir, NULL, &out_v, &err_v, "flags", "-v", "-s", base, "BR", "ZZ", NULL);
  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_TRUE (has_line_starting (out_v, "BR OK"));
  CU_ASSERT_TRUE (has_line_starting (out_v, "ZZ not found"));
  CU_ASSERT_TRUE (has_line (out_v, "  1 flag downloaded."));
  CU_ASSERT_TRUE (has_line (out_v, "  1 not found."));
  CU_ASSERT_STRING_EQUAL (err_v, "");
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_quiet_prints_nothing (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  server = start_demo_server (NULL, &base);
  status = run_cli (dir, NULL, &out, &err, "flags", "-q", "-s", base, "BR", "ZZ", NULL);
  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_STRING_EQUAL (out, "");
  CU_ASSERT_STRING_EQUAL (err, "");
  fb_test_rm_rf (dir);
}

static void
test_cli_json_output_parses (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean seen_br = FALSE;
  gboolean seen_zz = FALSE;
  int status;

  server = start_demo_server (NULL, &base);
  status = run_cli (dir, NULL, &out, &err, "flags", "--json", "-s", base, "BR", "ZZ", NULL);
  CU_ASSERT_EQUAL (status, 0);
  lines = g_strsplit (out, "\n", -1);
  CU_ASSERT_EQUAL_FATAL (g_strv_length (lines), 4);
  CU_ASSERT_STRING_EQUAL (lines[3], "");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      CU_ASSERT_TRUE_FATAL (json_parser_load_from_data (parser, lines[i], -1, &error));
      CU_ASSERT_TRUE_FATAL (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));

      if (i == 2)
        {
          CU_ASSERT_TRUE (json_object_get_boolean_member (object, "summary"));
          CU_ASSERT_EQUAL (json_object_get_int_member (object, "total"), 2);
          CU_ASSERT_EQUAL (json_object_get_int_member (object, "ok"), 1);
          CU_ASSERT_EQUAL (json_object_get_int_member (object, "not_found"), 1);
          CU_ASSERT_EQUAL (json_object_get_int_member (object, "error"), 0);
          CU_ASSERT_EQUAL (json_object_get_int_member (object, "cancelled"), 0);
          CU_ASSERT_TRUE (json_object_get_double_member (object, "elapsed") > 0);
          continue;
        }

      CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "kind"), "catalog");
      CU_ASSERT_TRUE (json_object_has_member (object, "message"));
      CU_ASSERT_TRUE (json_object_has_member (object, "elapsed"));
      if (g_str_equal (json_object_get_string_member (object, "input"), "BR"))
        {
          const char *path = json_object_get_string_member (object, "path");

          seen_br = TRUE;
          CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "state"), "ok");
          CU_ASSERT_TRUE (path != NULL && g_str_has_suffix (path, "BR.gif"));
          CU_ASSERT_TRUE (json_object_get_int_member (object, "bytes") > 100);
        }
      else if (g_str_equal (json_object_get_string_member (object, "input"), "ZZ"))
        {
          seen_zz = TRUE;
          CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "state"), "not-found");
          CU_ASSERT_TRUE (json_object_get_null_member (object, "path"));
        }
    }
  CU_ASSERT_TRUE (seen_br);
  CU_ASSERT_TRUE (seen_zz);
  fb_test_rm_rf (dir);
}

/* fb_cli_job_to_json () writes the line itself (json-glib's builder cost a
 * tenth of a big probe's CPU): json-glib must read it back and write the
 * very same bytes, whatever the strings hold. */
static char *
json_glib_round_trip (const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, line, -1, &error))
    return g_strdup (error->message);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

/* Counts the values whose text differs from g_ascii_dtostr's (and prints
 * the first few). */
static guint
dtostr_mismatches (double value)
{
  static guint shown;
  char expected[G_ASCII_DTOSTR_BUF_SIZE];
  char got[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (expected, sizeof expected, value);
  fb_cli_format_double (got, value);
  if (strcmp (expected, got) == 0)
    return 0;
  if (shown++ < 5)
    g_printerr ("\n%a: \"%s\", g_ascii_dtostr \"%s\"\n", value, got, expected);
  return 1;
}

/* The line's numbers are written without printf: every elapsed time of
 * up to 1 s in microseconds, 200,000 random doubles over the whole range
 * and as many over the fast path's exponents, and the edges (powers of ten
 * and their neighbours, halfway cases, signs, zeros, infinities, NaN), as
 * g_ascii_dtostr writes them. */
static void
test_cli_format_double_is_dtostr (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  guint bad = 0;

  for (gint64 us = 0; us <= G_USEC_PER_SEC; us++)
    bad += dtostr_mismatches (us / (double) G_USEC_PER_SEC);
  for (guint i = 0; i < 200000; i++)
    {
      guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      double value;

      memcpy (&value, &bits, sizeof value);
      bad += dtostr_mismatches (value);
      /* The same spread of exponents over the fast path's range. */
      bad += dtostr_mismatches (g_rand_double_range (rand, 1.0, 10.0) *
                                pow (10.0, g_rand_int_range (rand, -5, 17)));
    }
  for (int e = -8; e <= 17; e++)
    {
      double power = pow (10.0, e);

      bad += dtostr_mismatches (power);
      bad += dtostr_mismatches (nextafter (power, 0.0));
      bad += dtostr_mismatches (nextafter (power, G_MAXDOUBLE));
      bad += dtostr_mismatches (power * 0.5);
      bad += dtostr_mismatches (power * 9.999999999999999);
    }
  for (int e = -20; e <= 60; e++)
    {
      bad += dtostr_mismatches (ldexp (1.0, e));
      bad += dtostr_mismatches (ldexp (3.0, e));
    }
  bad += dtostr_mismatches (0.0);
  bad += dtostr_mismatches (-0.0);
  bad += dtostr_mismatches (-1.5);
  bad += dtostr_mismatches (1e-4);
  bad += dtostr_mismatches (1e15);
  bad += dtostr_mismatches (999999999999999.875);
  bad += dtostr_mismatches (HUGE_VAL);
  bad += dtostr_mismatches (-HUGE_VAL);
  bad += dtostr_mismatches (NAN);
  bad += dtostr_mismatches (5e-324);
  CU_ASSERT_EQUAL (bad, 0);
}

static void
test_cli_job_json_line_is_json_glibs (void)
{
  g_autoptr(FbJob) probe = fb_job_new (FB_JOB_KIND_PROBE, "a\"b\\c\td\x01\x7f\xc3\xa9\xe4\xb8\xad");
  g_autoptr(FbJob) download = fb_job_new (FB_JOB_KIND_DOWNLOAD, "http://127.0.0.1:1/x/y.gif");
  g_autoptr(FbJob) catalog = fb_job_new (FB_JOB_KIND_CATALOG, "ZZ");
  FbJob *jobs[] = { probe, download, catalog };
  g_autofree char *probe_line = NULL;

  _fb_job_set_addresses (probe, "127.0.0.1, ::1,  , 10.0.0.1");
  _fb_job_finish (probe, FB_JOB_STATE_OK, "line one\nline \"two\"\r\b\f");
  _fb_job_set_http_status (download, 503);
  _fb_job_add_retry (download, 3, 1.25, "HTTP 503 \"busy\"");
  _fb_job_add_retry (download, 3, 2.0, NULL);
  _fb_job_set_saved_path (download, "/tmp/y.gif");
  _fb_job_finish (download, FB_JOB_STATE_ERROR, "HTTP 503");
  _fb_job_finish (catalog, FB_JOB_STATE_NOT_FOUND, "HTTP 404");

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_autofree char *line = fb_cli_job_to_json (jobs[i]);
      g_autofree char *again = json_glib_round_trip (line);

      ASSERT_STR (again, line);
    }
  probe_line = fb_cli_job_to_json (probe);
  CU_ASSERT_TRUE (g_str_has_prefix (probe_line,
                                    "{\"input\":\"a\\\"b\\\\c\\td\\u0001\\u007f\xc3\xa9\xe4\xb8\xad\","
                                    "\"kind\":\"probe\",\"state\":\"ok\","
                                    "\"message\":\"line one\\nline \\\"two\\\"\\r\\b\\f\","
                                    "\"path\":null,\"bytes\":0,\"elapsed\":"));
  CU_ASSERT_TRUE (g_str_has_suffix (probe_line,
                                    ",\"addresses\":[\"127.0.0.1\",\"::1\",\"10.0.0.1\"]}"));
}

static void
test_cli_retries_show_in_verbose_and_json (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *url = fb_test_server_url (server, "/flaky/a.bin?fail=1&size=100");
  g_autofree char *url2 = fb_test_server_url (server, "/flaky/b.bin?fail=1&size=100");
  g_autofree char *url3 = fb_test_server_url (server, "/flaky/c.bin?fail=1&size=100");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  g_autofree char *out3 = NULL;
  g_autofree char *err3 = NULL;
  g_autofree char *prefix = g_strdup_printf ("%s retry 1 of 2 in 0.", url);
  int status;

  /* -v: a line when the retry is decided, then the job's own line. */
  status = run_cli (dir, NULL, &out, &err, "download", "-v", "--retries", "2", "--retry-delay",
                    "0.05", url, NULL);
  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_TRUE (has_line_starting (out, prefix));
  CU_ASSERT_TRUE (strstr (out, " s: HTTP 503\n") != NULL);
  CU_ASSERT_TRUE (has_line_starting (out, url));

  /* --json: the finished job lists its retries. */
  status = run_cli (dir, NULL, &out2, &err2, "download", "--json", "--retries", "2",
                    "--retry-delay", "0.05", url2, NULL);
  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_TRUE (strstr (out2, "\"retries\":[{\"number\":1,\"of\":2,\"wait\":0.") != NULL);
  CU_ASSERT_TRUE (strstr (out2, "\"reason\":\"HTTP 503\"}]") != NULL);

  /* The default is no retry at all, as curl's. */
  status = run_cli (dir, NULL, &out3, &err3, "download", "-v", url3, NULL);
  CU_ASSERT_EQUAL (status, 1);
  CU_ASSERT_TRUE (strstr (out3, "retry") == NULL);
  fb_test_rm_rf (dir);
}

static void
test_cli_usage_errors_exit_2 (void)
{
  const char *cases[][6] = {
    { "flags", "-m", "0", NULL },
    { "flags", "-m", "1001", NULL },
    { "flags", "--max-req", "many", NULL },
    { "flags", "B1", NULL },
    { "flags", "-l", "0", NULL },
    { "flags", "--no-such-option", NULL },
    { "flags", "-s", "ftp://127.0.0.1/flags", NULL },
    { "flags", "-v", "-q", NULL },
    { "bogus", NULL },
    { "--bogus", NULL },
    { NULL },
    { "download", NULL },
    { "download", "--timeout", "0", "http://127.0.0.1:1/x", NULL },
    { "probe", NULL },
    { "serve", "--error-rate", "2", NULL },
    { "serve", "extra", NULL },
    { "serve", "--bind", "localhost", NULL },
    { "serve", "--backlog", "0", NULL },
    { "serve", "--tcp-port", "70000", NULL },
    { "serve", "--root", "/nonexistent/folder", NULL },
    { "flags", "-s", "LOCALHOST", NULL },
    { "find", NULL },
    { "download", "--retries", "-1", "http://127.0.0.1:1/x", NULL },
    { "download", "--retries", "101", "http://127.0.0.1:1/x", NULL },
    { "download", "--per-host", "1001", "http://127.0.0.1:1/x", NULL },
    { "download", "--max-time", "0", "http://127.0.0.1:1/x", NULL },
    { "download", "--connect-timeout", "1e13", "http://127.0.0.1:1/x", NULL },
  };
  g_autofree char *dir = fb_test_make_tmpdir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_cli_strv (dir, NULL, &out, &err, cases[i]);

      CU_ASSERT_EQUAL (status, 2);
      CU_ASSERT_TRUE (g_str_has_prefix (err, "*** Usage error: "));
      CU_ASSERT_TRUE (has_line_starting (err, "Usage: fetchboard-cli "));
      CU_ASSERT_STRING_EQUAL (out, "");
      if (status != 2 || !g_str_has_prefix (err, "*** Usage error: "))
        g_printerr ("\ncase %u (%s): %d\n%s", i, cases[i][0], status, err);
    }

  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    run_cli (dir, NULL, &out, &err, "flags", "b1", NULL);
    CU_ASSERT_TRUE (has_line (err, "*** Usage error: each CC argument must be A to Z or AA to "
                                   "ZZ."));
  }
  /* Nothing was created by a refused command line. */
  {
    g_auto(GStrv) names = fb_test_list_dir (dir);

    CU_ASSERT_EQUAL (g_strv_length (names), 0);
  }
  fb_test_rm_rf (dir);
}

static void
test_cli_help_documents_commands_and_options (void)
{
  const char *flags_options[] = { "--all", "--every", "--limit", "--max-req", "--server",
                                  "--output", "--metadata", "--timeout", "--verbose",
                                  "--quiet", "--json", "--overwrite", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *flags_out = NULL;
  g_autofree char *flags_err = NULL;
  g_autofree char *serve_out = NULL;
  g_autofree char *serve_err = NULL;

  CU_ASSERT_EQUAL (run_cli (NULL, NULL, &out, &err, "--help", NULL), 0);
  CU_ASSERT_TRUE (has_line_starting (out, "  flags "));
  CU_ASSERT_TRUE (has_line_starting (out, "  download "));
  CU_ASSERT_TRUE (has_line_starting (out, "  probe "));
  CU_ASSERT_TRUE (has_line_starting (out, "  serve "));

  CU_ASSERT_EQUAL (run_cli (NULL, NULL, &flags_out, &flags_err, "flags", "--help", NULL), 0);
  for (guint i = 0; flags_options[i] != NULL; i++)
    CU_ASSERT_PTR_NOT_NULL (strstr (flags_out, flags_options[i]));
  CU_ASSERT_PTR_NOT_NULL (strstr (flags_out, "fetchboard-cli flags [OPTION…] [CC…]"));

  CU_ASSERT_EQUAL (run_cli (NULL, NULL, &serve_out, &serve_err, "help", "serve", NULL), 0);
  CU_ASSERT_PTR_NOT_NULL (strstr (serve_out, "--delay"));
  CU_ASSERT_PTR_NOT_NULL (strstr (serve_out, "--error-rate"));
  CU_ASSERT_PTR_NOT_NULL (strstr (serve_out, "--port"));
}

/* ---- download ---- */

static char *
write_list (const char         *dir,
            const char         *name,
            const char * const *lines)
{
  g_autofree char *text = g_strjoinv ("\n", (char **) lines);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&text);
}

static void
test_cli_download_reports_bad_lines_and_runs_the_rest (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *saved = g_build_filename (dir, "out", NULL);
  g_autofree char *a = fb_test_server_url (server, "/file/a.bin?size=100");
  g_autofree char *b = fb_test_server_url (server, "/file/b.bin?size=20000");
  g_autofree char *missing = fb_test_server_url (server, "/status/404");
  g_autofree char *list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) err_lines = NULL;
  int status;

  list = write_list (dir, "list.txt", (const char *[]) {
    a, "ftp://127.0.0.1/x.bin", "example.com", b, missing, "# a comment", "BR", NULL });
  status = run_cli (dir, NULL, &out, &err, "download", "-o", "out", "@list.txt", NULL);

  /* A rejected line makes the exit status 1, the rest still runs. */
  CU_ASSERT_EQUAL (status, 1);
  err_lines = g_strsplit (err, "\n", -1);
  CU_ASSERT_EQUAL_FATAL (g_strv_length (err_lines), 4);
  CU_ASSERT_TRUE (g_str_has_prefix (err_lines[0], "list.txt:2: "));
  CU_ASSERT_PTR_NOT_NULL (strstr (err_lines[0], "ftp"));
  CU_ASSERT_STRING_EQUAL (err_lines[1], "list.txt:3: not a URL (looks like a domain; use probe)");
  CU_ASSERT_STRING_EQUAL (err_lines[2],
                          "list.txt:7: not a URL (looks like a country code; use flags)");
  assert_lines (out, (const char *[]) {
    "--------------------",
    "  2 files downloaded.",
    "  1 not found.",
    "Elapsed time: ",
    NULL });
  CU_ASSERT_EQUAL (file_size (saved, "a.bin"), 100);
  CU_ASSERT_EQUAL (file_size (saved, "b.bin"), 20000);
  CU_ASSERT_EQUAL (fb_test_count_suffix (saved, ".part"), 0);
  fb_test_rm_rf (dir);
}

static void
test_cli_download_without_valid_urls_exits_2 (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *err2 = NULL;
  int status;

  list = write_list (dir, "hosts.txt", (const char *[]) { "example.com", "", NULL });
  status = run_cli (dir, NULL, &out, &err, "download", "@hosts.txt", NULL);
  CU_ASSERT_EQUAL (status, 2);
  CU_ASSERT_TRUE (has_line (err, "hosts.txt:1: not a URL (looks like a domain; use probe)"));
  CU_ASSERT_TRUE (has_line (err, "*** Usage error: no valid URL to download"));
  CU_ASSERT_STRING_EQUAL (out, "");

  /* An empty list says so, not only that nothing is left to run. */
  {
    g_autofree char *empty = write_list (dir, "empty.txt",
                                         (const char *[]) { "# nothing", "", NULL });
    g_autofree char *out3 = NULL;
    g_autofree char *err3 = NULL;

    status = run_cli (dir, NULL, &out3, &err3, "download", "@empty.txt", NULL);
    CU_ASSERT_EQUAL (status, 2);
    CU_ASSERT_TRUE (has_line (err3, "empty.txt: the list is empty: "
                                    "no line but blank ones and comments"));
    CU_ASSERT_TRUE (has_line (err3, "*** Usage error: no valid URL to download"));
  }

  /* A missing list file is named, and nothing else remains. */
  status = run_cli (dir, NULL, &out2, &err2, "download", "@missing.txt", NULL);
  CU_ASSERT_EQUAL (status, 2);
  CU_ASSERT_TRUE (has_line_starting (err2, "missing.txt: "));

  /* A binary file named by mistake is refused as a whole, once, with the
   * line that gave it away; not reported line by line as invalid UTF-8. */
  {
    static const char data[] = "GIF89a\n\x01\x00\xff\xfe\n\x80\x81\n";
    g_autofree char *path = g_build_filename (dir, "flag.gif", NULL);
    g_autofree char *out4 = NULL;
    g_autofree char *err4 = NULL;

    CU_ASSERT_TRUE_FATAL (g_file_set_contents (path, data, sizeof data - 1, NULL));
    status = run_cli (dir, NULL, &out4, &err4, "download", "@flag.gif", NULL);
    CU_ASSERT_EQUAL (status, 2);
    CU_ASSERT_TRUE (has_line (err4, "flag.gif: not a text list: line 2 holds "
                                    "a NUL byte (a binary file, or text not in UTF-8)"));
    CU_ASSERT_PTR_NULL (strstr (err4, "UTF-8\n"));
    CU_ASSERT_PTR_NULL (strstr (err4, "flag.gif:3"));
    CU_ASSERT_TRUE (has_line (err4, "*** Usage error: no valid URL to download"));
  }
  fb_test_rm_rf (dir);
}

static void
test_cli_download_stdin_and_arguments_with_errors (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *c = fb_test_server_url (server, "/file/c.bin?size=321");
  g_autofree char *d = fb_test_server_url (server, "/file/d.bin?size=5");
  g_autofree char *broken = fb_test_server_url (server, "/status/500");
  g_autofree char *teapot = fb_test_server_url (server, "/status/418");
  g_autofree char *input = g_strdup_printf ("%s\n%s\n", d, teapot);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected_500 = g_strdup_printf ("%s error: ", broken);
  int status;

  status = run_cli (dir, input, &out, &err, "download", c, "-", broken, NULL);
  CU_ASSERT_EQUAL (status, 1);
  assert_lines (out, (const char *[]) {
    "--------------------",
    "  2 files downloaded.",
    "  2 errors.",
    "Elapsed time: ",
    NULL });
  CU_ASSERT_TRUE (has_line_starting (err, expected_500));
  CU_ASSERT_PTR_NOT_NULL (strstr (err, "500"));
  CU_ASSERT_PTR_NOT_NULL (strstr (err, "418"));
  CU_ASSERT_EQUAL (file_size (dir, "c.bin"), 321);
  CU_ASSERT_EQUAL (file_size (dir, "d.bin"), 5);
  fb_test_rm_rf (dir);
}

/* A URL's password is shown as "***" in error lines and --json, whatever the
 * path that named it; the request still gets the real URL. */
static void
test_cli_passwords_in_urls_are_masked (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *plain = fb_test_server_url (server, "/status/404");
  g_autofree char *ok_plain = fb_test_server_url (server, "/file/k.bin?size=7");
  g_autofree char *missing = NULL;
  g_autofree char *ok = NULL;
  g_autofree char *shown_missing = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *list = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json_out = NULL;
  g_autofree char *json_err = NULL;
  g_autofree char *server_out = NULL;
  g_autofree char *server_err = NULL;
  int status;

  CU_ASSERT_TRUE_FATAL (g_str_has_prefix (plain, "http://"));
  missing = g_strconcat ("http://alice:s3cret@", plain + strlen ("http://"), NULL);
  ok = g_strconcat ("http://alice:s3cret@", ok_plain + strlen ("http://"), NULL);
  shown_missing = g_strconcat ("http://alice:***@", plain + strlen ("http://"), NULL);

  list = write_list (dir, "list.txt", (const char *[]) {
    missing, "ftp://bob:hunter2@127.0.0.1/x.bin", ok, NULL });
  status = run_cli (dir, NULL, &out, &err, "download", "-v", "@list.txt", NULL);
  CU_ASSERT_EQUAL (status, 1);
  CU_ASSERT_PTR_NULL (strstr (out, "s3cret"));
  CU_ASSERT_PTR_NULL (strstr (err, "s3cret"));
  CU_ASSERT_PTR_NULL (strstr (err, "hunter2"));
  expected = g_strdup_printf ("%s not found: Not found (HTTP 404): %s", shown_missing,
                              shown_missing);
  CU_ASSERT_TRUE (has_line (err, expected) || has_line (out, expected));
  CU_ASSERT_EQUAL (file_size (dir, "k.bin"), 7);

  status = run_cli (dir, NULL, &json_out, &json_err, "download", "--json", "-o", "j", missing,
                    NULL);
  /* Not found is not an error: exit 0. */
  CU_ASSERT_EQUAL (status, 0);
  CU_ASSERT_PTR_NULL (strstr (json_out, "s3cret"));
  CU_ASSERT_PTR_NULL (strstr (json_err, "s3cret"));
  {
    g_auto(GStrv) lines = g_strsplit (json_out, "\n", -1);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *message = g_strdup_printf ("Not found (HTTP 404): %s", shown_missing);
    JsonObject *object;

    CU_ASSERT_TRUE_FATAL (g_strv_length (lines) >= 1);
    CU_ASSERT_TRUE_FATAL (json_parser_load_from_data (parser, lines[0], -1, NULL));
    object = json_node_get_object (json_parser_get_root (parser));
    CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "input"), shown_missing);
    CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "message"), message);
  }

  /* A usage error about --server shows it masked too. */
  status = run_cli (dir, NULL, &server_out, &server_err, "flags", "-s",
                    "ftp://carol:pa55@127.0.0.1/flags", "BR", NULL);
  CU_ASSERT_EQUAL (status, 2);
  CU_ASSERT_PTR_NULL (strstr (server_err, "pa55"));
  CU_ASSERT_PTR_NOT_NULL (strstr (server_err, "ftp://carol:***@127.0.0.1/flags"));
  fb_test_rm_rf (dir);
}

/* Every number on the command line is checked whole and against its range
 * before it reaches a timer or a counter: exit 2, a message naming the
 * option and what it allows, nothing run. */
static void
test_cli_numeric_options_out_of_range_exit_2 (void)
{
  static const char timeout_error[] = "*** Usage error: --timeout SECONDS must be from 0.1 to 600";
  static const char max_req_error[] = "*** Usage error: --max-req N must be from 1 to 1000";
  static const char limit_error[] =
    "*** Usage error: --limit N must be a whole number from 1 to 2147483647";
  static const char port_error[] = "*** Usage error: --port N must be from 0 to 65535";
  static const char rate_error[] = "*** Usage error: --error-rate P must be from 0 to 1";
  static const struct
  {
    const char *args[6];
    const char *error;
  } cases[] = {
    { { "download", "--timeout", "1e13", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "1e308", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "1e400", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "-1", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "nan", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "inf", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "-inf", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "0.05", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "600.5", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "3s", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "", "http://127.0.0.1:1/x", NULL }, timeout_error },
    { { "download", "--timeout", "-1.7976931348623157e308", "http://127.0.0.1:1/x", NULL },
      timeout_error },
    { { "probe", "--timeout", "4294968", "localhost", NULL }, timeout_error },
    { { "flags", "--timeout", "1e13", "BR", NULL }, timeout_error },
    { { "flags", "-m", "1e13", NULL }, max_req_error },
    { { "flags", "-m", "99999999999", NULL }, max_req_error },
    { { "flags", "-m", "-2147483648", NULL }, max_req_error },
    { { "flags", "-m", "-1", NULL }, max_req_error },
    { { "flags", "--max_req", "0x10", NULL }, max_req_error },
    { { "probe", "-m", "1001", "localhost", NULL }, max_req_error },
    { { "flags", "-l", "-5", NULL }, limit_error },
    { { "flags", "-l", "2147483648", NULL }, limit_error },
    { { "flags", "-l", "1.5", NULL }, limit_error },
    { { "serve", "--port", "70000", NULL }, port_error },
    { { "serve", "--port", "-1", NULL }, port_error },
    { { "serve", "--port", "4294967296", NULL }, port_error },
    { { "serve", "--error-rate", "nan", NULL }, rate_error },
    { { "serve", "--error-rate", "-0.5", NULL }, rate_error },
    { { "serve", "--error-rate", "1e308", NULL }, rate_error },
    { { "serve", "--delay", "1e308", NULL },
      "*** Usage error: --delay: Invalid delay “1e308”: expected seconds from 0 to 3600, like "
      "0.5 or 0.5-5" },
  };
  g_autofree char *dir = fb_test_make_tmpdir ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = run_cli_strv (dir, NULL, &out, &err, cases[i].args);
      g_auto(GStrv) lines = g_strsplit (err, "\n", -1);

      CU_ASSERT_EQUAL (status, 2);
      CU_ASSERT_STRING_EQUAL (lines[0], cases[i].error);
      CU_ASSERT_STRING_EQUAL (out, "");
      if (status != 2 || g_strcmp0 (lines[0], cases[i].error) != 0)
        g_printerr ("\ncase %u (%s %s): %d\n%s", i, cases[i].args[1], cases[i].args[2], status,
                    err);
    }

  /* The edges themselves are allowed. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = run_cli (dir, NULL, &out, &err, "probe", "--timeout", "600", "-m", "1000",
                          "nothere.invalid", NULL);

    CU_ASSERT_EQUAL (status, 0);
    CU_ASSERT_TRUE (has_line (out, "  nothere.invalid"));
  }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = run_cli (dir, NULL, &out, &err, "probe", "--timeout", "0.1", "-m", "1",
                          "nothere.invalid", NULL);

    CU_ASSERT_EQUAL (status, 0);
  }
  {
    g_auto(GStrv) names = fb_test_list_dir (dir);

    CU_ASSERT_EQUAL (g_strv_length (names), 0);
  }
  fb_test_rm_rf (dir);
}

/* Lines that cannot run are reported in line order per list, then (with
 * -v) the duplicates, within a list and of an earlier list. */
static void
test_cli_download_reports_in_line_order_across_lists (void)
{
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *one = fb_test_server_url (server, "/file/one.bin?size=10");
  g_autofree char *two = fb_test_server_url (server, "/file/two.bin?size=20");
  g_autofree char *three = fb_test_server_url (server, "/file/three.bin?size=30");
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  a = write_list (dir, "a.txt", (const char *[]) {
    one, "example.com", "ftp://x/y", one, two, "ftp://x/z", NULL });
  b = write_list (dir, "b.txt", (const char *[]) { two, "BR", three, NULL });
  status = run_cli (dir, NULL, &out, &err, "download", "-v", "-o", "out", "@a.txt", "@b.txt",
                    NULL);
  CU_ASSERT_EQUAL (status, 1);
  lines = g_strsplit (err, "\n", -1);
  CU_ASSERT_EQUAL_FATAL (g_strv_length (lines), 7);
  CU_ASSERT_STRING_EQUAL (lines[0], "a.txt:2: not a URL (looks like a domain; use probe)");
  CU_ASSERT_STRING_EQUAL (lines[1], "a.txt:3: unsupported scheme “ftp”");
  CU_ASSERT_STRING_EQUAL (lines[2], "a.txt:6: unsupported scheme “ftp”");
  CU_ASSERT_STRING_EQUAL (lines[3], "a.txt:4: duplicate of line 1");
  CU_ASSERT_STRING_EQUAL (lines[4], "b.txt:2: not a URL (looks like a country code; use flags)");
  CU_ASSERT_STRING_EQUAL (lines[5], "b.txt:1: duplicate of a.txt:5");
  CU_ASSERT_STRING_EQUAL (lines[6], "");
  CU_ASSERT_TRUE (has_line (out, "  3 files downloaded."));
  {
    g_autofree char *saved = g_build_filename (dir, "out", NULL);

    CU_ASSERT_EQUAL (file_size (saved, "one.bin"), 10);
    CU_ASSERT_EQUAL (file_size (saved, "two.bin"), 20);
    CU_ASSERT_EQUAL (file_size (saved, "three.bin"), 30);
  }
  fb_test_rm_rf (dir);
}

/* ---- probe ---- */

static void
test_cli_probe_prints_found_and_not_found (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json_out = NULL;
  g_autofree char *json_err = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  status = run_cli (NULL, NULL, &out, &err, "probe", "localhost", "nothere.invalid",
                    "http://127.0.0.1/x", NULL);
  /* The URL is rejected (exit 1); the names still run. */
  CU_ASSERT_EQUAL (status, 1);
  CU_ASSERT_TRUE (has_line (err, "command line:3: not a domain name (looks like a URL; use "
                                 "download)"));
  lines = g_strsplit (out, "\n", -1);
  CU_ASSERT_EQUAL_FATAL (g_strv_length (lines), 7);
  /* Completion order: either name may come first. */
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) lines, "+ localhost"));
  CU_ASSERT_TRUE (g_strv_contains ((const char * const *) lines, "  nothere.invalid"));
  CU_ASSERT_STRING_EQUAL (lines[2], "--------------------");
  CU_ASSERT_STRING_EQUAL (lines[3], "  1 name found.");
  CU_ASSERT_STRING_EQUAL (lines[4], "  1 not found.");
  CU_ASSERT_TRUE (g_str_has_prefix (lines[5], "Elapsed time: "));

  status = run_cli (NULL, NULL, &json_out, &json_err, "probe", "--json", "localhost", NULL);
  CU_ASSERT_EQUAL (status, 0);
  {
    g_auto(GStrv) json_lines = g_strsplit (json_out, "\n", -1);
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *object;
    JsonArray *addresses;

    CU_ASSERT_EQUAL_FATAL (g_strv_length (json_lines), 3);
    CU_ASSERT_TRUE_FATAL (json_parser_load_from_data (parser, json_lines[0], -1, NULL));
    object = json_node_get_object (json_parser_get_root (parser));
    CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "kind"), "probe");
    CU_ASSERT_STRING_EQUAL (json_object_get_string_member (object, "state"), "ok");
    addresses = json_object_get_array_member (object, "addresses");
    CU_ASSERT_TRUE (addresses != NULL && json_array_get_length (addresses) >= 1);
  }
}

/* ---- Ctrl+C ---- */

static gboolean
send_sigint_cb (gpointer user_data)
{
  g_subprocess_send_signal (user_data, SIGINT);
  return G_SOURCE_REMOVE;
}

static void
test_cli_sigint_cancels_and_exits_130 (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *downloaded = g_build_filename (dir, "downloaded", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start = g_get_monotonic_time ();
  int status;

  server = start_demo_server (NULL, &base);
  fb_demo_server_set_delay (server, 1.0, 1.0);
  process = spawn_cli (dir, FALSE, (const char *[]) { "flags", "-s", base, "BR", "CN", "US",
                                                      "-m", "2", NULL });
  g_timeout_add (300, send_sigint_cb, process);
  status = finish_cli (process, NULL, &out, &err);

  CU_ASSERT_EQUAL (status, 130);
  /* Cancelled at once, not after the server's delay. */
  CU_ASSERT_TRUE (g_get_monotonic_time () - start < 900 * 1000);
  CU_ASSERT_TRUE (has_line (out, "--------------------"));
  CU_ASSERT_TRUE (has_line (out, "  0 flags downloaded."));
  CU_ASSERT_TRUE (has_line (out, "  3 cancelled."));
  CU_ASSERT_TRUE (has_line_starting (out, "Elapsed time: "));
  CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".part"), 0);
  CU_ASSERT_EQUAL (fb_test_count_suffix (downloaded, ".gif"), 0);
  fb_test_rm_rf (dir);
}

/* Every catchable way a terminal or a supervisor ends a program is a clean
 * cancel: no .part left, the summary printed, status 128 + the signal. */
typedef struct
{
  const char *dir;
  guint       n;
} PartWait;

static gboolean
part_exists (gpointer user_data)
{
  PartWait *wait = user_data;

  return fb_test_count_suffix (wait->dir, ".part") >= wait->n;
}

static int
signal_mid_download (FbTestServer *server,
                     const int    *signums,
                     guint         n_signals,
                     char        **out,
                     char        **err,
                     guint        *n_part_before)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *saved = g_build_filename (dir, "out", NULL);
  g_autofree char *big = fb_test_server_url (server, "/partial?size=2000000&sent=600000");
  g_autofree char *stall = fb_test_server_url (server, "/stall");
  g_autoptr(GSubprocess) process = NULL;
  PartWait wait = { saved, 1 };
  int status;

  process = spawn_cli (dir, FALSE, (const char *[]) { "download", "-o", "out", big, stall,
                                                      NULL });
  /* The big body is being written to its .part when the signal comes. */
  CU_ASSERT_TRUE (fb_test_wait_until (part_exists, &wait, CHILD_DEADLINE));
  *n_part_before = fb_test_count_suffix (saved, ".part");
  for (guint i = 0; i < n_signals; i++)
    g_subprocess_send_signal (process, signums[i]);
  status = finish_cli (process, NULL, out, err);
  CU_ASSERT_EQUAL (fb_test_count_suffix (saved, ".part"), 0);
  {
    g_auto(GStrv) names = fb_test_list_dir (saved);

    CU_ASSERT_EQUAL (g_strv_length (names), 0);
  }
  fb_test_rm_rf (dir);
  return status;
}

static void
test_cli_signals_cancel_cleanly (void)
{
  static const int signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
  g_autoptr(FbTestServer) server = fb_test_server_new ();

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      guint n_part = 0;
      int status = signal_mid_download (server, &signals[i], 1, &out, &err, &n_part);

      CU_ASSERT_EQUAL (n_part, 1);
      CU_ASSERT_EQUAL (status, 128 + signals[i]);
      if (status != 128 + signals[i])
        g_printerr ("\nsignal %d: status %d\n", signals[i], status);
      CU_ASSERT_TRUE (has_line (out, "--------------------"));
      CU_ASSERT_TRUE (has_line (out, "  2 cancelled."));
      CU_ASSERT_STRING_EQUAL (err, "");
    }
}

/* More signals while cancelling never skip removing the .part files; the
 * first one handled gives the status. Different signals, so that GLib does not merge
 * them into one dispatch (the old code left at once on the second). */
static void
test_cli_second_ctrl_c_still_cleans_up (void)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGINT };
  g_autoptr(FbTestServer) server = fb_test_server_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  guint n_part = 0;
  int status = signal_mid_download (server, signals, G_N_ELEMENTS (signals), &out, &err,
                                    &n_part);

  CU_ASSERT_EQUAL (n_part, 1);
  /* GLib dispatches pending signals in its own order, not as they came. */
  CU_ASSERT_TRUE (status == 128 + SIGINT || status == 128 + SIGTERM || status == 128 + SIGHUP);
  CU_ASSERT_TRUE (has_line (out, "  2 cancelled."));
}

/* ---- serve ---- */

typedef struct
{
  gboolean  done;
  char     *line;
  gsize     length;
  char      buffer[4096];
} Reading;

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Reading *reading = user_data;

  reading->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object),
                                                             result, NULL, NULL);
  reading->done = TRUE;
}

static void
read_all_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Reading *reading = user_data;

  g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &reading->length, NULL);
  reading->done = TRUE;
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (object), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static void
test_cli_serve_serves_flags_until_ctrl_c (void)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree Reading *first = g_new0 (Reading, 1);
  g_autofree Reading *rest = g_new0 (Reading, 1);
  gboolean exited = FALSE;
  const char *base;
  int status;

  server = spawn_cli (dir, FALSE, (const char *[]) { "serve", "--port", "0", "--delay",
                                                     "0.01-0.02", "--error-rate", "1",
                                                     NULL });
  stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, read_line_cb, first);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&first->done, CHILD_DEADLINE));
  CU_ASSERT_PTR_NOT_NULL_FATAL (first->line);
  CU_ASSERT_TRUE (g_regex_match_simple ("^Serving http://127\\.0\\.0\\.1:[0-9]+/flags$",
                                        first->line, 0, 0));
  base = first->line + strlen ("Serving ");

  /* Error rate 1: every answer is 418, an error (exit 1), never a 404. */
  status = run_cli (dir, NULL, &out, &err, "flags", "-s", base, "BR", "ZZ", NULL);
  CU_ASSERT_EQUAL (status, 1);
  CU_ASSERT_TRUE (has_line (out, "  0 flags downloaded."));
  CU_ASSERT_TRUE (has_line (out, "  2 errors."));

  g_subprocess_send_signal (server, SIGINT);
  g_input_stream_read_all_async (G_INPUT_STREAM (stream), rest->buffer,
                                 sizeof rest->buffer - 1, G_PRIORITY_DEFAULT, NULL,
                                 read_all_cb, rest);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&rest->done, CHILD_DEADLINE));
  g_subprocess_wait_async (server, NULL, wait_cb, &exited);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&exited, CHILD_DEADLINE));

  CU_ASSERT_TRUE (g_subprocess_get_if_exited (server));
  CU_ASSERT_EQUAL (g_subprocess_get_exit_status (server), 0);
  rest->buffer[rest->length] = '\0';
  assert_lines (rest->buffer, (const char *[]) {
    "Delay: a random 0.01 to 0.02 s before each answer",
    "Error rate: 100% of answers are 418 I'm a Teapot",
    "Press Ctrl+C to stop.",
    "2 requests served.",
    NULL });
  g_free (first->line);
  fb_test_rm_rf (dir);
}

#define STATUS_DASHES "──────────────────────────────────────────────────────────────────"

static void
test_cli_find_prints_the_book_lines (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_cli (NULL, NULL, &out, &err, "find", "cat", "FACE", NULL);

  CU_ASSERT_EQUAL (g_utf8_strlen (STATUS_DASHES, -1), 66);
  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) {
    "U+1F431\t🐱\tCAT FACE",
    "U+1F638\t😸\tGRINNING CAT FACE WITH SMILING EYES",
    "U+1F639\t😹\tCAT FACE WITH TEARS OF JOY",
    "U+1F63A\t😺\tSMILING CAT FACE WITH OPEN MOUTH",
    "U+1F63B\t😻\tSMILING CAT FACE WITH HEART-SHAPED EYES",
    "U+1F63C\t😼\tCAT FACE WITH WRY SMILE",
    "U+1F63D\t😽\tKISSING CAT FACE WITH CLOSED EYES",
    "U+1F63E\t😾\tPOUTING CAT FACE",
    "U+1F63F\t😿\tCRYING CAT FACE",
    "U+1F640\t🙀\tWEARY CAT FACE",
    STATUS_DASHES " 10 found",
    NULL });
  CU_ASSERT_STRING_EQUAL (err, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = run_cli (NULL, NULL, &out, &err, "find", "brillig", NULL);
  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) { STATUS_DASHES " 0 found", NULL });
}

static void
test_cli_find_catalog_in_the_readers_language (void)
{
  g_autofree char *localedir = g_build_filename (g_getenv ("FETCHBOARD_BUILD_ROOT"), "po", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *zh_out = NULL;
  g_autofree char *zh_err = NULL;
  int status = run_cli (NULL, NULL, &out, &err, "find", "--catalog", "中国", NULL);
  int zh_status;

  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) { "CN\t🇨🇳\tChina", STATUS_DASHES " 1 found", NULL });

  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("FETCHBOARD_LOCALEDIR", localedir, TRUE);
  zh_status = run_cli (NULL, NULL, &zh_out, &zh_err, "find", "--catalog", "korea", NULL);
  g_unsetenv ("LANGUAGE");
  g_unsetenv ("FETCHBOARD_LOCALEDIR");

  CU_ASSERT_EQUAL (zh_status, 0);
  assert_lines (zh_out, (const char *[]) {
    "KP\t🇰🇵\t朝鲜民主主义人民共和国",
    "KR\t🇰🇷\t大韩民国",
    STATUS_DASHES " 2 found",
    NULL });
}

static void
test_cli_find_without_words_or_names (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *missing_out = NULL;
  g_autofree char *missing_err = NULL;
  int status = run_cli (NULL, NULL, &out, &err, "find", "--catalog", NULL);
  int missing_status;

  CU_ASSERT_EQUAL (status, 2);
  CU_ASSERT_STRING_EQUAL (out, "");
  CU_ASSERT_TRUE (g_str_has_prefix (err, "*** Usage error: no word given"));
  CU_ASSERT_PTR_NOT_NULL (strstr (err, "Usage: fetchboard-cli find [OPTION…] WORD…\n"));

  g_setenv ("FETCHBOARD_UNICODE_DATA", "/nonexistent/UnicodeData.txt", TRUE);
  missing_status = run_cli (NULL, NULL, &missing_out, &missing_err, "find", "a", NULL);
  g_unsetenv ("FETCHBOARD_UNICODE_DATA");
  CU_ASSERT_EQUAL (missing_status, 1);
  CU_ASSERT_STRING_EQUAL (missing_out, "");
  CU_ASSERT_PTR_NOT_NULL (strstr (missing_err, "/nonexistent/UnicodeData.txt"));
  CU_ASSERT_PTR_NOT_NULL (strstr (missing_err, "unicode-data"));
}

/* ---- parity with the book ---- */

static void
test_cli_flags_all_is_the_books_194 (void)
{
  g_autoptr(FbDemoServer) server = NULL;
  g_autofree char *base = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *own_out = NULL;
  g_autofree char *own_err = NULL;
  g_autofree char *site = NULL;
  g_auto(GStrv) files = NULL;
  int status;
  int own_status;

  /* Against the book's data set: exactly its 194 codes are served. */
  server = start_demo_server (fb_countries_book_codes (), &base);
  site = g_strdup_printf ("LOCAL site: %s", base);
  status = run_cli (dir, NULL, &out, &err, "flags", "-a", "-m", "100", "-s", base, NULL);
  CU_ASSERT_EQUAL (status, 0);
  assert_lines (out, (const char *[]) {
    site,
    "Searching for 194 flags: from AD to ZW",
    "100 concurrent connections will be used.",
    "--------------------",
    "194 flags downloaded.",
    "Elapsed time: ",
    NULL });
  files = fb_test_list_dir (dir);
  CU_ASSERT_EQUAL (g_strv_length (files), 1);

  /* The built-in server has all 194 too. */
  own_status = run_cli (dir, NULL, &own_out, &own_err, "flags", "-a", "-m", "100", "-o", "own",
                        NULL);
  CU_ASSERT_EQUAL (own_status, 0);
  CU_ASSERT_TRUE (has_line (own_out, "194 flags downloaded."));
  CU_ASSERT_FALSE (has_line_starting (own_out, "  "));
  CU_ASSERT_PTR_NULL (strstr (own_out, "not found"));
  fb_test_rm_rf (dir);
}

static void
test_cli_flags_server_labels_are_the_books (void)
{
  const struct { const char *label; const char *line; } labels[] = {
    { "LOCAL", "LOCAL site: http://localhost:8000/flags" },
    { "delay", "DELAY site: http://localhost:8001/flags" },
    { "Error", "ERROR site: http://localhost:8002/flags" },
  };
  g_autofree char *dir = fb_test_make_tmpdir ();

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_auto(GStrv) lines = NULL;

      /* Whatever answers there (maybe nothing), the opening line names the label. */
      run_cli (dir, NULL, &out, &err, "flags", "-s", labels[i].label, "--timeout", "1", "BR",
               NULL);
      lines = g_strsplit (out, "\n", 2);
      CU_ASSERT_STRING_EQUAL (lines[0], labels[i].line);
    }
  CU_ASSERT_STRING_EQUAL (fb_cli_server_for_label ("remote"),
                          "https://www.fluentpython.com/data/flags");
  CU_ASSERT_PTR_NULL (fb_cli_server_for_label ("LOCALHOST"));
  fb_test_rm_rf (dir);
}

static void
test_cli_probe_takes_two_letter_names_as_hosts (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_cli (NULL, NULL, &out, &err, "probe", "--timeout", "3", "xx", "localhost",
                        NULL);

  /* "xx" is probed (found or not), never rejected as a country code. */
  CU_ASSERT_NOT_EQUAL (status, 2);
  CU_ASSERT_PTR_NULL (strstr (err, "country code"));
  CU_ASSERT_TRUE (has_line (out, "  xx") || has_line (out, "+ xx"));
  CU_ASSERT_TRUE (has_line (out, "+ localhost"));
  CU_ASSERT_TRUE (has_line (out, "  2 names found.") || has_line (out, "  1 name found."));
}

static void
test_cli_serve_root_and_line_server (void)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree Reading *first = g_new0 (Reading, 1);
  g_autofree Reading *second = g_new0 (Reading, 1);
  g_autofree char *pattern = NULL;
  g_autofree char *escaped = g_regex_escape_string (dir, -1);
  gboolean exited = FALSE;

  server = spawn_cli (dir, FALSE, (const char *[]) { "serve", "--port", "0", "--tcp-port", "0",
                                                     "--root", dir, "--bind", "127.0.0.1",
                                                     "--backlog", "16", NULL });
  stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, read_line_cb, first);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&first->done, CHILD_DEADLINE));
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, read_line_cb, second);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&second->done, CHILD_DEADLINE));
  CU_ASSERT_PTR_NOT_NULL_FATAL (first->line);
  CU_ASSERT_PTR_NOT_NULL_FATAL (second->line);

  pattern = g_strdup_printf ("^Serving the folder %s at http://127\\.0\\.0\\.1:[0-9]+/$",
                             escaped);
  CU_ASSERT_TRUE (g_regex_match_simple (pattern, first->line, 0, 0));
  CU_ASSERT_TRUE (g_regex_match_simple ("^Finder \\(TCP line protocol\\) on 127\\.0\\.0\\.1 "
                                        "port [0-9]+$", second->line, 0, 0));

  g_subprocess_send_signal (server, SIGINT);
  g_subprocess_wait_async (server, NULL, wait_cb, &exited);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_flag (&exited, CHILD_DEADLINE));
  CU_ASSERT_TRUE (g_subprocess_get_if_exited (server));
  CU_ASSERT_EQUAL (g_subprocess_get_exit_status (server), 0);
  g_free (first->line);
  g_free (second->line);
  fb_test_rm_rf (dir);
}

static const FbTestCase tests[] = {
  { "test_cli_expand_codes_follows_the_book", test_cli_expand_codes_follows_the_book },
  FB_TEST (test_cli_job_json_line_is_json_glibs),
  FB_TEST (test_cli_format_double_is_dtostr),
  FB_TEST (test_cli_find_prints_the_book_lines),
  FB_TEST (test_cli_find_catalog_in_the_readers_language),
  FB_TEST (test_cli_find_without_words_or_names),
  FB_TEST (test_cli_flags_all_is_the_books_194),
  FB_TEST (test_cli_flags_server_labels_are_the_books),
  FB_TEST (test_cli_probe_takes_two_letter_names_as_hosts),
  FB_TEST (test_cli_serve_root_and_line_server),
  { "test_cli_format_lines_match_the_book", test_cli_format_lines_match_the_book },
  { "test_cli_url_is_local_for_loopback_only", test_cli_url_is_local_for_loopback_only },
  { "test_cli_progress_format_is_tqdm_like", test_cli_progress_format_is_tqdm_like },
  { "test_cli_flags_prints_the_book_lines_and_saves_files",
    test_cli_flags_prints_the_book_lines_and_saves_files },
  { "test_cli_follows_language_zh_cn", test_cli_follows_language_zh_cn },
  { "test_cli_flags_limit_and_letter_expansion", test_cli_flags_limit_and_letter_expansion },
  { "test_cli_flags_every_with_limit", test_cli_flags_every_with_limit },
  { "test_cli_flags_default_server_is_local", test_cli_flags_default_server_is_local },
  { "test_cli_flags_metadata_saves_country_names", test_cli_flags_metadata_saves_country_names },
  { "test_cli_flags_keeps_existing_files_unless_overwrite",
    test_cli_flags_keeps_existing_files_unless_overwrite },
  { "test_cli_flags_http_errors_exit_1", test_cli_flags_http_errors_exit_1 },
  { "test_cli_flags_quiet_prints_nothing", test_cli_flags_quiet_prints_nothing },
  { "test_cli_json_output_parses", test_cli_json_output_parses },
  { "test_cli_usage_errors_exit_2", test_cli_usage_errors_exit_2 },
  { "test_cli_retries_show_in_verbose_and_json", test_cli_retries_show_in_verbose_and_json },
  { "test_cli_help_documents_commands_and_options",
    test_cli_help_documents_commands_and_options },
  { "test_cli_download_reports_bad_lines_and_runs_the_rest",
    test_cli_download_reports_bad_lines_and_runs_the_rest },
  { "test_cli_download_without_valid_urls_exits_2", test_cli_download_without_valid_urls_exits_2 },
  { "test_cli_download_stdin_and_arguments_with_errors",
    test_cli_download_stdin_and_arguments_with_errors },
  FB_TEST (test_cli_passwords_in_urls_are_masked),
  FB_TEST (test_cli_download_reports_in_line_order_across_lists),
  FB_TEST (test_cli_numeric_options_out_of_range_exit_2),
  { "test_cli_probe_prints_found_and_not_found", test_cli_probe_prints_found_and_not_found },
  { "test_cli_sigint_cancels_and_exits_130", test_cli_sigint_cancels_and_exits_130 },
  FB_TEST (test_cli_signals_cancel_cleanly),
  FB_TEST (test_cli_second_ctrl_c_still_cleans_up),
  { "test_cli_serve_serves_flags_until_ctrl_c", test_cli_serve_serves_flags_until_ctrl_c },
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "cli", tests);
}
