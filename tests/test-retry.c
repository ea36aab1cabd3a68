/* test-retry.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fb-downloader.h"
#include "fb-hosts.h"
#include "fb-retry.h"
#include "fb-test-utils.h"

static gboolean
transient (GQuark       domain,
           int          code,
           guint        status,
           gboolean     answered)
{
  g_autoptr(GError) error = g_error_new_literal (domain, code, "x");

  return fb_retry_is_transient (error, status, answered);
}

static void
test_retry_classifies_failures (void)
{
  CU_ASSERT_TRUE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT, 0, FALSE));
  CU_ASSERT_TRUE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_LOST, 0, FALSE));
  CU_ASSERT_TRUE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_SHORT_BODY, 200, TRUE));
  for (guint status = 400; status < 600; status++)
    {
      gboolean expected = status == 408 || status == 429 || status == 502 || status == 503 ||
                          status == 504;

      CU_ASSERT_EQUAL (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP, status, TRUE), expected);
    }
  /* Refused: only from a host that answered before. */
  CU_ASSERT_FALSE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_REFUSED, 0, FALSE));
  CU_ASSERT_TRUE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_REFUSED, 0, TRUE));
  CU_ASSERT_FALSE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_NOT_FOUND, 404, TRUE));
  CU_ASSERT_FALSE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_BAD_URL, 0, TRUE));
  CU_ASSERT_FALSE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_TOO_LARGE, 200, TRUE));
  CU_ASSERT_FALSE (transient (FB_FETCH_ERROR, FB_FETCH_ERROR_TRANSPORT, 0, TRUE));
  CU_ASSERT_FALSE (transient (G_IO_ERROR, G_IO_ERROR_CANCELLED, 0, TRUE));
  CU_ASSERT_FALSE (transient (G_IO_ERROR, G_IO_ERROR_NO_SPACE, 200, TRUE));
  /* The prober's: a lost answer, a resolver saying "try again". */
  CU_ASSERT_TRUE (transient (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, 0, FALSE));
  CU_ASSERT_TRUE (transient (G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, 0, FALSE));
  CU_ASSERT_FALSE (transient (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, 0, FALSE));
}

static void
test_retry_backoff_grows_with_jitter (void)
{
  g_autoptr(GRand) a = g_rand_new_with_seed (1);
  g_autoptr(GRand) b = g_rand_new_with_seed (2);
  guint differ = 0;

  for (guint retry = 1; retry <= 10; retry++)
    {
      double ceiling = MIN (0.5 * (1u << (retry - 1)), FB_RETRY_MAX_DELAY);
      double wa = fb_retry_backoff (retry, 0.5, a);
      double wb = fb_retry_backoff (retry, 0.5, b);

      /* In the upper half of the doubled delay, and never the same for two
       * jobs that failed together. */
      CU_ASSERT_TRUE (wa >= ceiling / 2 && wa <= ceiling);
      CU_ASSERT_TRUE (wb >= ceiling / 2 && wb <= ceiling);
      if (wa != wb)
        differ++;
      /* Each retry waits at least as long as the one before could have. */
      if (retry > 1 && ceiling < FB_RETRY_MAX_DELAY)
        {
          CU_ASSERT_TRUE (wa >= MIN (0.5 * (1u << (retry - 2)), FB_RETRY_MAX_DELAY));
        }
    }
  CU_ASSERT_EQUAL (differ, 10);
  CU_ASSERT_EQUAL (fb_retry_backoff (3, 0, a), 0);
  CU_ASSERT_TRUE (fb_retry_backoff (40, 1, a) <= FB_RETRY_MAX_DELAY);
}

static void
test_retry_parses_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 12, 3, 5, 0, 0);
  double seconds = -1;

  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("1", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 1);
  CU_ASSERT_TRUE (fb_retry_parse_retry_after (" 17 ", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 17);
  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("0", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 0);
  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("99999999999999999999", now, &seconds));
  CU_ASSERT_EQUAL (seconds, FB_RETRY_MAX_DELAY);
  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("Thu, 03 Dec 2026 05:00:30 GMT", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 30);
  /* The obsolete forms RFC 9110 still asks a client to read. */
  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("Thursday, 03-Dec-26 05:00:12 GMT", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 12);
  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("Thu Dec  3 05:00:05 2026", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 5);
  CU_ASSERT_TRUE (fb_retry_parse_retry_after ("Wed, 02 Dec 2026 05:00:00 GMT", now, &seconds));
  CU_ASSERT_EQUAL (seconds, 0);
  seconds = -1;
  CU_ASSERT_FALSE (fb_retry_parse_retry_after ("1.5", now, &seconds));
  CU_ASSERT_FALSE (fb_retry_parse_retry_after ("-3", now, &seconds));
  CU_ASSERT_FALSE (fb_retry_parse_retry_after ("soon", now, &seconds));
  CU_ASSERT_FALSE (fb_retry_parse_retry_after ("", now, &seconds));
  CU_ASSERT_FALSE (fb_retry_parse_retry_after (NULL, now, &seconds));
  CU_ASSERT_EQUAL (seconds, -1);
}

static void
test_retry_describes_reasons (void)
{
  struct { GQuark domain; int code; guint status; const char *reason; } cases[] = {
    { FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP, 503, "HTTP 503" },
    { FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT, 0, "timed out" },
    { FB_FETCH_ERROR, FB_FETCH_ERROR_REFUSED, 0, "connection refused" },
    { FB_FETCH_ERROR, FB_FETCH_ERROR_LOST, 0, "connection lost" },
    { FB_FETCH_ERROR, FB_FETCH_ERROR_SHORT_BODY, 200, "connection lost" },
    { G_IO_ERROR, G_IO_ERROR_TIMED_OUT, 0, "timed out" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");
      g_autofree char *reason = fb_retry_describe (error, cases[i].status);

      CU_ASSERT_STRING_EQUAL (reason, cases[i].reason);
    }
}

static void
test_hosts_keys (void)
{
  struct { const char *url; const char *key; } cases[] = {
    { "http://Example.COM/x", "example.com:80" },
    { "https://example.com/x", "example.com:443" },
    { "http://127.0.0.1:8001/flags/br/br.gif", "127.0.0.1:8001" },
    { "https://[::1]:8443/", "::1:8443" },
    { "ftp://example.com/", NULL },
    { "not a url", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = fb_hosts_key (cases[i].url);

      if (cases[i].key == NULL)
        {
          CU_ASSERT_PTR_NULL (key);
        }
      else
        {
          CU_ASSERT_STRING_EQUAL (key, cases[i].key);
        }
    }
}

static void
test_hosts_limit_and_hold (void)
{
  FbHosts *hosts = fb_hosts_new (g_free);
  gint64 until = -1;
  g_autoptr(GPtrArray) all = NULL;
  char *waiter;

  CU_ASSERT_FALSE (fb_hosts_is_gating (hosts));
  CU_ASSERT_TRUE (fb_hosts_can_enter (hosts, "a:80", 1000, &until));
  fb_hosts_set_limit (hosts, 2);
  CU_ASSERT_TRUE (fb_hosts_is_gating (hosts));
  fb_hosts_enter (hosts, "a:80");
  fb_hosts_enter (hosts, "a:80");
  CU_ASSERT_EQUAL (fb_hosts_get_active (hosts, "a:80"), 2);
  CU_ASSERT_FALSE (fb_hosts_can_enter (hosts, "a:80", 1000, &until));
  CU_ASSERT_EQUAL (until, 0);
  /* Another host does not care. */
  CU_ASSERT_TRUE (fb_hosts_can_enter (hosts, "b:80", 1000, &until));
  fb_hosts_leave (hosts, "a:80");
  CU_ASSERT_TRUE (fb_hosts_can_enter (hosts, "a:80", 1000, &until));

  /* A hold stops every new job until it ends; a shorter one does not cut it. */
  fb_hosts_hold (hosts, "b:80", 5000);
  fb_hosts_hold (hosts, "b:80", 3000);
  CU_ASSERT_EQUAL (fb_hosts_get_hold (hosts, "b:80"), 5000);
  CU_ASSERT_FALSE (fb_hosts_can_enter (hosts, "b:80", 4999, &until));
  CU_ASSERT_EQUAL (until, 5000);
  CU_ASSERT_TRUE (fb_hosts_can_enter (hosts, "b:80", 5000, &until));

  CU_ASSERT_FALSE (fb_hosts_get_answered (hosts, "a:80"));
  fb_hosts_set_answered (hosts, "a:80");
  CU_ASSERT_TRUE (fb_hosts_get_answered (hosts, "a:80"));

  /* Waiters come back in order; the rest are freed with the table. */
  fb_hosts_push_waiter (hosts, "a:80", g_strdup ("1"));
  fb_hosts_push_waiter (hosts, "a:80", g_strdup ("2"));
  fb_hosts_push_waiter (hosts, "b:80", g_strdup ("3"));
  CU_ASSERT_EQUAL (fb_hosts_get_n_waiters (hosts, "a:80"), 2);
  waiter = fb_hosts_pop_waiter (hosts, "a:80");
  CU_ASSERT_STRING_EQUAL (waiter, "1");
  g_free (waiter);
  all = fb_hosts_take_all_waiters (hosts);
  CU_ASSERT_EQUAL (all->len, 2);
  g_ptr_array_set_free_func (all, g_free);
  fb_hosts_push_waiter (hosts, "c:80", g_strdup ("left for the free"));
  fb_hosts_free (hosts);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_retry_classifies_failures),
    FB_TEST (test_retry_backoff_grows_with_jitter),
    FB_TEST (test_retry_parses_retry_after),
    FB_TEST (test_retry_describes_reasons),
    FB_TEST (test_hosts_keys),
    FB_TEST (test_hosts_limit_and_hold),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "retry", tests);
}
