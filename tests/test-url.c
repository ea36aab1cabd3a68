/* test-url.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Passwords in URLs: shown as "***" wherever a URL reaches a person, while
 * the job keeps the real URL for its request.
 */

#include "config.h"

#include <string.h>

#include "fb-job-private.h"
#include "fb-list-parser.h"
#include "fb-test-utils.h"
#include "fb-url.h"

static void
assert_shown (const char *text,
              const char *expected)
{
  g_autofree char *shown = fb_url_for_display (text);

  CU_ASSERT_STRING_EQUAL (shown, expected);
  if (g_strcmp0 (shown, expected) != 0)
    g_printerr ("\n“%s” → “%s”, expected “%s”\n", text, shown, expected);
  CU_ASSERT_EQUAL (fb_url_has_password (text), strcmp (text, expected) != 0);
}

static void
test_url_password_is_masked (void)
{
  assert_shown ("http://user:pw@host/path", "http://user:***@host/path");
  assert_shown ("https://alice:s3cret@example.com:8443/a?b#c",
                "https://alice:***@example.com:8443/a?b#c");
  assert_shown ("http://user:pw@host", "http://user:***@host");
  assert_shown ("http://user:pw@host?q=1", "http://user:***@host?q=1");
  assert_shown ("http://:pw@host/", "http://:***@host/");
  assert_shown ("http://user:@host/", "http://user:***@host/");
  assert_shown ("HTTP://u:p@h/", "HTTP://u:***@h/");
  assert_shown ("ftp://bob:hunter2@127.0.0.1/x", "ftp://bob:***@127.0.0.1/x");
  assert_shown ("http://u:p@[::1]:8080/", "http://u:***@[::1]:8080/");
  /* An '@' in the password: the authority ends at its last '@', as curl reads it. */
  assert_shown ("http://u:p@ss@host/", "http://u:***@host/");
  assert_shown ("http://u:a:b@host/", "http://u:***@host/");
}

static void
test_url_without_password_is_unchanged (void)
{
  assert_shown ("http://host/path", "http://host/path");
  assert_shown ("http://user@host/", "http://user@host/");
  assert_shown ("http://host:8080/", "http://host:8080/");
  assert_shown ("http://[::1]:8080/x", "http://[::1]:8080/x");
  /* '@' after the authority is part of the path or query. */
  assert_shown ("http://host/a:b@c", "http://host/a:b@c");
  assert_shown ("http://host:80?x=a:b@c", "http://host:80?x=a:b@c");
  assert_shown ("http://host:80#a:b@c", "http://host:80#a:b@c");
  assert_shown ("example.com", "example.com");
  assert_shown ("BR", "BR");
  assert_shown ("", "");
  assert_shown ("://a:b@c", "://a:b@c");
  assert_shown ("mailto:a:b@c", "mailto:a:b@c");
  CU_ASSERT_PTR_NULL (fb_url_for_display (NULL));
  CU_ASSERT_FALSE (fb_url_has_password (NULL));
}

static void
test_url_every_url_in_a_message_is_masked (void)
{
  assert_shown ("Not found (HTTP 404): http://a:b@h/x",
                "Not found (HTTP 404): http://a:***@h/x");
  assert_shown ("from http://a:b@h/x to https://c:d@i/y, then “http://e:f@j”.",
                "from http://a:***@h/x to https://c:***@i/y, then “http://e:***@j”.");
  assert_shown ("http://h/?next=http://u:p@i/", "http://h/?next=http://u:***@i/");
  assert_shown ("a http://u:p@h b http://h c", "a http://u:***@h b http://h c");
}

/* The job keeps the real URL for its request; its message never has the password. */
static void
test_url_job_message_is_masked (void)
{
  static const char url[] = "http://alice:s3cret@127.0.0.1:9/f.bin";
  g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_DOWNLOAD, url);
  g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                         "Not found (HTTP 404): %s", url);

  _fb_job_set_error (job, error);
  CU_ASSERT_TRUE (_fb_job_finish (job, FB_JOB_STATE_NOT_FOUND, error->message));
  CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), url);
  CU_ASSERT_STRING_EQUAL (fb_job_get_message (job),
                          "Not found (HTTP 404): http://alice:***@127.0.0.1:9/f.bin");
  CU_ASSERT_STRING_EQUAL (fb_job_get_error (job)->message,
                          "Not found (HTTP 404): http://alice:***@127.0.0.1:9/f.bin");
  /* The caller's error is not changed. */
  CU_ASSERT_STRING_EQUAL (error->message, "Not found (HTTP 404): http://alice:s3cret@127.0.0.1:9/f.bin");
}

/* A rejected line is shown (window, preview): its password is not. */
static void
test_url_rejected_line_is_masked (void)
{
  static const char text[] = "ftp://bob:hunter2@127.0.0.1/x\n"
                             "gopher://u:p\0w@h/\n"
                             "ftp://al\x0c" "ice:sc3ret@h/x\n";
  FbListResult *result = fb_list_parse ("list.txt", text, sizeof text - 1);
  const FbListProblem *problem;

  CU_ASSERT_EQUAL_FATAL (result->rejected->len, 3);
  problem = g_ptr_array_index (result->rejected, 0);
  CU_ASSERT_STRING_EQUAL (problem->text, "ftp://bob:***@127.0.0.1/x");
  problem = g_ptr_array_index (result->rejected, 1);
  CU_ASSERT_STRING_EQUAL (problem->text, "gopher://u:***@h/");
  /* A control character shows as U+FFFD, so it does not end the URL there either. */
  problem = g_ptr_array_index (result->rejected, 2);
  CU_ASSERT_STRING_EQUAL (problem->text, "ftp://al\xef\xbf\xbdice:***@h/x");
  fb_list_result_free (result);

  /* A password with a '?' or a '/' is not a URL GLib or curl would read
   * as one (the authority ends there), but is still hidden. */
  result = fb_list_parse ("list.txt", "http://alice:hunter2?x@127.0.0.1:9/\n"
                                      "http://alice:s3cr/et@127.0.0.1/\n", -1);
  CU_ASSERT_EQUAL_FATAL (result->rejected->len, 2);
  problem = g_ptr_array_index (result->rejected, 0);
  CU_ASSERT_STRING_EQUAL (problem->text, "http://alice:***@127.0.0.1:9/");
  problem = g_ptr_array_index (result->rejected, 1);
  CU_ASSERT_STRING_EQUAL (problem->text, "http://alice:***@127.0.0.1/");
  fb_list_result_free (result);
}

static const FbTestCase tests[] = {
  FB_TEST (test_url_password_is_masked),
  FB_TEST (test_url_without_password_is_unchanged),
  FB_TEST (test_url_every_url_in_a_message_is_masked),
  FB_TEST (test_url_job_message_is_masked),
  FB_TEST (test_url_rejected_line_is_masked),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "url", tests);
}
