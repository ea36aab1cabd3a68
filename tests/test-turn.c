/* test-turn.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fb-test-utils.h"
#include "fb-turn.h"

typedef struct
{
  guint    turn;            /* which dispatch this is */
  guint    granted_first;   /* grants given in the first turn, before the budget ran out */
  gboolean refused_first;   /* the first turn was refused once its budget was spent */
  gboolean granted_second;  /* the next turn started with a fresh budget */
  gboolean done;
} Burst;

/* One piece of work a turn, as a deferred burst does it: an idle that
 * stays ready while work is left. */
static gboolean
burst_cb (gpointer user_data)
{
  Burst *b = user_data;

  b->turn++;
  if (b->turn == 1)
    {
      /* The first pieces of a turn are always granted, however long the
       * turn has run... */
      for (guint i = 0; i < FB_TURN_MIN_GRANTS; i++)
        if (fb_turn_grant ())
          b->granted_first++;
      /* ...the next one not, once the turn has spent its budget. */
      g_usleep (FB_TURN_BUDGET_US + 2000);
      b->refused_first = !fb_turn_grant ();
      return G_SOURCE_CONTINUE;
    }
  b->granted_second = fb_turn_grant ();
  b->done = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
burst_done (gpointer data)
{
  return ((Burst *) data)->done;
}

static void
test_turn_budget_is_per_turn (void)
{
  Burst b = { 0 };

  g_idle_add (burst_cb, &b);
  CU_ASSERT_TRUE (fb_test_wait_until (burst_done, &b, 5));
  CU_ASSERT_EQUAL (b.turn, 2);
  CU_ASSERT_EQUAL (b.granted_first, FB_TURN_MIN_GRANTS);
  CU_ASSERT_TRUE (b.refused_first);
  CU_ASSERT_TRUE (b.granted_second);
}

/* A thread that iterates a context of its own (pushed as its thread
 * default) gets that context's turns, not the global default's. */
static void
test_turn_follows_thread_default_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GSource *idle = g_idle_source_new ();
  Burst b = { 0 };
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_main_context_push_thread_default (context);
  g_source_set_callback (idle, burst_cb, &b, NULL);
  g_source_attach (idle, context);
  g_source_unref (idle);
  while (!b.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE);
  g_main_context_pop_thread_default (context);

  CU_ASSERT_TRUE (b.done);
  CU_ASSERT_EQUAL (b.turn, 2);
  CU_ASSERT_EQUAL (b.granted_first, FB_TURN_MIN_GRANTS);
  CU_ASSERT_TRUE (b.refused_first);
  CU_ASSERT_TRUE (b.granted_second);

  /* Back on the default context, its own turns count again. */
  memset (&b, 0, sizeof b);
  g_idle_add (burst_cb, &b);
  CU_ASSERT_TRUE (fb_test_wait_until (burst_done, &b, 5));
  CU_ASSERT_TRUE (b.refused_first);
  CU_ASSERT_TRUE (b.granted_second);
}

static const FbTestCase tests[] = {
  { "test_turn_budget_is_per_turn", test_turn_budget_is_per_turn },
  { "test_turn_follows_thread_default_context", test_turn_follows_thread_default_context },
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_test_main (argc, argv, "turn", tests);
}
