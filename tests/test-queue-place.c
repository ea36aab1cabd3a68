/* test-queue-place.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fb-hosts.h"
#include "fb-queue-place.h"
#include "fb-run.h"
#include "fb-test-utils.h"

/* The places against a plain list, over joins at both ends and leaves
 * from anywhere, through several growths of the trees. */
static void
test_queue_places_match_a_plain_deque (void)
{
  g_autoptr(FbQueuePlaces) places = fb_queue_places_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(GArray) line = g_array_new (FALSE, FALSE, sizeof (guint32));
  guint checked = 0;

  for (guint step = 0; step < 6000; step++)
    {
      guint what = g_rand_int_range (rand, 0, 10);

      if (what < 5 || line->len == 0)
        {
          guint32 ticket = fb_queue_places_join (places, FALSE);

          CU_ASSERT_NOT_EQUAL (ticket, 0);
          g_array_append_val (line, ticket);
        }
      else if (what < 7)
        {
          guint32 ticket = fb_queue_places_join (places, TRUE);

          g_array_prepend_val (line, ticket);
        }
      else
        {
          guint at = what == 7 ? 0 : (guint) g_rand_int_range (rand, 0, (gint32) line->len);
          guint32 ticket = g_array_index (line, guint32, at);

          fb_queue_places_leave (places, ticket);
          CU_ASSERT_EQUAL (fb_queue_places_get (places, ticket), 0);
          g_array_remove_index (line, at);
        }
      if (step % 97 == 0)
        for (guint i = 0; i < line->len; i++, checked++)
          if (fb_queue_places_get (places, g_array_index (line, guint32, i)) != i + 1)
            {
              CU_FAIL ("a place differs from the plain deque's");
              return;
            }
    }
  CU_ASSERT_EQUAL (fb_queue_places_get_length (places), line->len);
  CU_ASSERT_TRUE (checked > 10000);
  /* Leaving twice, or with a ticket never given, changes nothing. */
  fb_queue_places_leave (places, 0);
  fb_queue_places_leave (places, 1u << 30);
  CU_ASSERT_EQUAL (fb_queue_places_get_length (places), line->len);
}

/* The plain path of fb_hosts_key agrees with GUri's on every form. */
static void
test_hosts_key_plain_and_parsed_agree (void)
{
  static const struct { const char *url; const char *key; } cases[] = {
    { "http://Example.COM/a/b.gif", "example.com:80" },
    { "https://example.com", "example.com:443" },
    { "https://example.com:8443/x?y#z", "example.com:8443" },
    { "http://127.0.0.1:8001/flags", "127.0.0.1:8001" },
    { "http://example.com?q", "example.com:80" },
    { "http://user:pw@example.com/", "example.com:80" },
    { "http://[::1]:8080/", "::1:8080" },
    { "http://example.com:0/", "example.com:80" },
    { "HTTP://Example.COM:080/x", "example.com:80" },
    { "https://a-b.example:65535", "a-b.example:65535" },
    { "https://a.example:65536/", NULL },
    { "http://a.example:123456/", NULL },
    { "ftp://example.com/", NULL },
    { "mailto:a@example.com", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = fb_hosts_key (cases[i].url);

      if (g_strcmp0 (key, cases[i].key) != 0)
        {
          CU_FAIL (cases[i].url);
        }
    }
}

/* A run's queued jobs know their place; a cancel moves those behind up,
 * and the host view's counts follow. */
static void
test_run_jobs_know_their_place (void)
{
  g_autoptr(FbRun) run = fb_run_new ();
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) stats = NULL;
  const FbHostStats *a;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *url = g_strdup_printf ("http://%s.test/%u.gif", i % 3 == 0 ? "b" : "a", i);

      g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_DOWNLOAD, url));
    }
  fb_run_add_jobs (run, (FbJob **) jobs->pdata, jobs->len);
  for (guint i = 0; i < jobs->len; i++)
    CU_ASSERT_EQUAL (fb_job_get_queue_place (jobs->pdata[i]), i + 1);

  fb_run_cancel_job (run, jobs->pdata[4]);
  CU_ASSERT_EQUAL (fb_job_get_queue_place (jobs->pdata[4]), 0);
  CU_ASSERT_EQUAL (fb_job_get_queue_place (jobs->pdata[3]), 4);
  CU_ASSERT_EQUAL (fb_job_get_queue_place (jobs->pdata[5]), 5);
  CU_ASSERT_EQUAL (fb_job_get_queue_place (jobs->pdata[11]), 11);
  CU_ASSERT_FALSE (fb_job_get_host_wait (jobs->pdata[5], NULL, NULL, NULL, NULL));

  stats = fb_run_dup_host_stats (run);
  CU_ASSERT_EQUAL_FATAL (stats->len, 2);
  a = &g_array_index (stats, FbHostStats, 0);
  CU_ASSERT_STRING_EQUAL (a->key, "a.test:80");
  CU_ASSERT_EQUAL (a->counts[FB_HOSTS_TOTAL], 8);
  CU_ASSERT_EQUAL (a->counts[FB_HOSTS_CANCELLED], 1);
  CU_ASSERT_EQUAL (a->counts[FB_HOSTS_ACTIVE], 0);
  CU_ASSERT_STRING_EQUAL (g_array_index (stats, FbHostStats, 1).key, "b.test:80");
  CU_ASSERT_EQUAL (g_array_index (stats, FbHostStats, 1).counts[FB_HOSTS_TOTAL], 4);

  fb_run_cancel (run);
  for (guint i = 0; i < jobs->len; i++)
    CU_ASSERT_EQUAL (fb_job_get_queue_place (jobs->pdata[i]), 0);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_queue_places_match_a_plain_deque),
    FB_TEST (test_hosts_key_plain_and_parsed_agree),
    FB_TEST (test_run_jobs_know_their_place),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "queue-place", tests);
}
