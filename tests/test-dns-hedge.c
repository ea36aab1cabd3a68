/* test-dns-hedge.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with lost-dns.so preloaded: the first lookup of a name under
 * .lost.test hangs for 3 s, as one whose UDP answer was lost.
 */

#include "config.h"

#include "fb-prober.h"
#include "fb-test-utils.h"

typedef struct
{
  GStrv     addresses;
  GError   *error;
  gboolean  done;
} Lookup;

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->addresses = fb_prober_lookup_finish (NULL, result, &lookup->error);
  lookup->done = TRUE;
}

static void
test_dns_lost_answer_is_asked_again (void)
{
  FbProber *prober = fb_prober_new (2);
  Lookup lookup = { 0 };

  /* A 2.5 s timeout: the first ask would still hang; the second answers. */
  fb_prober_lookup_async (prober, "a.lost.test", 2.5, NULL, lookup_cb, &lookup);
  fb_test_wait_flag (&lookup.done, 10);
  CU_ASSERT_PTR_NULL (lookup.error);
  CU_ASSERT_TRUE (lookup.addresses != NULL && g_strv_length (lookup.addresses) == 1 &&
                  g_str_equal (lookup.addresses[0], "127.0.0.1"));
  /* The other names still get their limit's threads. */
  CU_ASSERT_TRUE (fb_prober_get_peak_running (prober) <= 3);
  g_strfreev (lookup.addresses);
  g_clear_error (&lookup.error);
  fb_prober_free (prober);
  /* The abandoned first ask ends on its own thread. */
  fb_test_spin (3.2);
}

static void
test_dns_timeout_shorter_than_the_hedge_is_not_hedged (void)
{
  FbProber *prober = fb_prober_new (2);
  Lookup lookup = { 0 };

  fb_prober_lookup_async (prober, "b.lost.test", 0.5, NULL, lookup_cb, &lookup);
  fb_test_wait_flag (&lookup.done, 10);
  CU_ASSERT_TRUE (g_error_matches (lookup.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  CU_ASSERT_PTR_NULL (lookup.addresses);
  g_clear_error (&lookup.error);
  fb_prober_free (prober);
  fb_test_spin (3.2);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_dns_lost_answer_is_asked_again),
    FB_TEST (test_dns_timeout_shorter_than_the_hedge_is_not_hedged),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "dns-hedge", tests);
}
