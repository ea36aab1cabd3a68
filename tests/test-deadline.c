/* test-deadline.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fb-deadline.h"
#include "fb-test-utils.h"

#define N_STRESS 1000

typedef struct _Log Log;

typedef struct
{
  Log        *log;
  FbDeadline *deadline;
  guint       id;
  gint64      due;        /* what the test last set, or -1 */
  guint       n_fired;
  gint64      fired_at;
  gint64      fired_due;  /* what was set when it fired */
  FbDeadline *free_other; /* freed by this one's function */
  FbDeadline **free_other_slot;
  guint       rearm;      /* times to set itself due again at once */
  gboolean    free_self;
} Timer;

struct _Log
{
  GArray *order;          /* ids in firing order */
  guint   n_fired;
};

static void
timer_cb (gpointer user_data)
{
  Timer *t = user_data;

  t->n_fired++;
  t->fired_at = g_get_monotonic_time ();
  t->fired_due = t->due;
  g_array_append_val (t->log->order, t->id);
  t->log->n_fired++;
  t->due = -1;
  if (t->free_other_slot != NULL)
    g_clear_pointer (t->free_other_slot, fb_deadline_free);
  if (t->rearm > 0)
    {
      t->rearm--;
      t->due = g_get_monotonic_time ();
      fb_deadline_set (t->deadline, t->due);
    }
  if (t->free_self)
    g_clear_pointer (&t->deadline, fb_deadline_free);
}

static gboolean
fired_at_least (gpointer data)
{
  Log *log = ((gpointer *) data)[0];
  guint want = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return log->n_fired >= want;
}

static void
wait_fired (Log   *log,
            guint  n)
{
  gpointer data[2] = { log, GUINT_TO_POINTER (n) };

  fb_test_wait_until (fired_at_least, data, 10);
}

/* Deadlines set in any order fire in the order of their times, each once,
 * never before its time, on one shared source. */
static void
test_deadline_fires_in_time_order (void)
{
  Log log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  Timer timers[50] = { { 0 } };
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < G_N_ELEMENTS (timers); i++)
    {
      timers[i].log = &log;
      timers[i].id = i;
      timers[i].deadline = fb_deadline_new (NULL, timer_cb, &timers[i]);
    }
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), G_N_ELEMENTS (timers));
  /* Times 1..50 ms ahead, set in a scrambled order (37 is prime to 50). */
  for (guint k = 0; k < G_N_ELEMENTS (timers); k++)
    {
      guint i = (k * 37) % G_N_ELEMENTS (timers);

      timers[i].due = now + (gint64) (G_N_ELEMENTS (timers) - i) * 1000;
      fb_deadline_set (timers[i].deadline, timers[i].due);
      CU_ASSERT_EQUAL (fb_deadline_get (timers[i].deadline), timers[i].due);
    }

  wait_fired (&log, G_N_ELEMENTS (timers));
  fb_test_spin (0.02);
  CU_ASSERT_EQUAL (log.order->len, G_N_ELEMENTS (timers));
  for (guint k = 0; k < log.order->len; k++)
    CU_ASSERT_EQUAL (g_array_index (log.order, guint, k), G_N_ELEMENTS (timers) - 1 - k);
  for (guint i = 0; i < G_N_ELEMENTS (timers); i++)
    {
      CU_ASSERT_EQUAL (timers[i].n_fired, 1);
      CU_ASSERT_TRUE (timers[i].fired_at >= now + (gint64) (G_N_ELEMENTS (timers) - i) * 1000);
      CU_ASSERT_EQUAL (fb_deadline_get (timers[i].deadline), -1);
      fb_deadline_free (timers[i].deadline);
    }
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 0);
  g_array_unref (log.order);
}

/* A deadline moved later fires at the later time; one unset or freed
 * never fires. */
static void
test_deadline_moved_unset_and_freed (void)
{
  Log log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  Timer moved = { &log, NULL, 1 }, unset = { &log, NULL, 2 }, freed = { &log, NULL, 3 };
  Timer last = { &log, NULL, 4 };
  gint64 now = g_get_monotonic_time ();

  moved.deadline = fb_deadline_new (NULL, timer_cb, &moved);
  unset.deadline = fb_deadline_new (NULL, timer_cb, &unset);
  freed.deadline = fb_deadline_new (NULL, timer_cb, &freed);
  last.deadline = fb_deadline_new (NULL, timer_cb, &last);

  fb_deadline_set (moved.deadline, now + 1000);
  fb_deadline_set (unset.deadline, now + 2000);
  fb_deadline_set (freed.deadline, now + 3000);
  fb_deadline_set (last.deadline, now + 40000);
  fb_deadline_set (moved.deadline, now + 30000);
  fb_deadline_set (unset.deadline, -1);
  g_clear_pointer (&freed.deadline, fb_deadline_free);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 3);

  wait_fired (&log, 2);
  fb_test_spin (0.02);
  CU_ASSERT_EQUAL (log.order->len, 2);
  CU_ASSERT_EQUAL (g_array_index (log.order, guint, 0), 1);
  CU_ASSERT_EQUAL (g_array_index (log.order, guint, 1), 4);
  CU_ASSERT_TRUE (moved.fired_at >= now + 30000);
  CU_ASSERT_EQUAL (unset.n_fired, 0);
  CU_ASSERT_EQUAL (freed.n_fired, 0);

  fb_deadline_free (moved.deadline);
  fb_deadline_free (unset.deadline);
  fb_deadline_free (last.deadline);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 0);
  g_array_unref (log.order);
}

/* A function may free its own deadline and another that is due at the
 * same time (that one then never fires), and may set itself due again at
 * once: it then fires again in a later iteration, not in a loop. */
static void
test_deadline_function_frees_and_rearms (void)
{
  Log log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  Timer killer = { &log, NULL, 1 }, victim = { &log, NULL, 2 }, again = { &log, NULL, 3 };
  gint64 now = g_get_monotonic_time ();

  killer.deadline = fb_deadline_new (NULL, timer_cb, &killer);
  victim.deadline = fb_deadline_new (NULL, timer_cb, &victim);
  again.deadline = fb_deadline_new (NULL, timer_cb, &again);
  killer.free_self = TRUE;
  killer.free_other_slot = &victim.deadline;
  again.rearm = 3;

  fb_deadline_set (killer.deadline, now);
  fb_deadline_set (victim.deadline, now + 500);
  fb_deadline_set (again.deadline, now);
  /* The first iteration fires what is due; "again" is due again after. */
  g_usleep (1000);
  g_main_context_iteration (NULL, FALSE);
  CU_ASSERT_EQUAL (killer.n_fired, 1);
  CU_ASSERT_EQUAL (again.n_fired, 1);
  CU_ASSERT_PTR_NULL (killer.deadline);
  CU_ASSERT_PTR_NULL (victim.deadline);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 1);

  wait_fired (&log, 5);
  fb_test_spin (0.01);
  CU_ASSERT_EQUAL (again.n_fired, 4);
  CU_ASSERT_EQUAL (victim.n_fired, 0);
  CU_ASSERT_EQUAL (log.n_fired, 5);

  g_clear_pointer (&again.deadline, fb_deadline_free);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 0);
  g_array_unref (log.order);
}

/* A thousand deadlines set, moved, unset and freed at random, as a run's
 * fetches do: what is still set fires once, in time order. */
static void
test_deadline_heap_under_churn (void)
{
  Log log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  Timer *timers = g_new0 (Timer, N_STRESS);
  GRand *rand = g_rand_new_with_seed (20261203);
  gint64 now = g_get_monotonic_time ();
  guint n_set = 0;
  gint64 previous = 0;

  for (guint i = 0; i < N_STRESS; i++)
    {
      timers[i].log = &log;
      timers[i].id = i;
      timers[i].due = -1;
      timers[i].deadline = fb_deadline_new (NULL, timer_cb, &timers[i]);
    }
  for (guint step = 0; step < 20 * N_STRESS; step++)
    {
      Timer *t = &timers[g_rand_int_range (rand, 0, N_STRESS)];
      guint what = g_rand_int_range (rand, 0, 100);

      if (t->deadline == NULL)
        continue;
      if (what < 5)
        t->due = -1;
      else if (what == 5 && step > 10 * N_STRESS)
        {
          g_clear_pointer (&t->deadline, fb_deadline_free);
          continue;
        }
      else
        t->due = now + 20000 + g_rand_int_range (rand, 0, 30000);
      fb_deadline_set (t->deadline, t->due);
    }
  for (guint i = 0; i < N_STRESS; i++)
    if (timers[i].deadline != NULL && timers[i].due >= 0)
      n_set++;
  CU_ASSERT_TRUE (n_set > N_STRESS / 2);

  wait_fired (&log, n_set);
  fb_test_spin (0.02);
  CU_ASSERT_EQUAL (log.order->len, n_set);
  for (guint k = 0; k < log.order->len; k++)
    {
      Timer *t = &timers[g_array_index (log.order, guint, k)];

      CU_ASSERT_EQUAL (t->n_fired, 1);
      CU_ASSERT_PTR_NOT_NULL (t->deadline);
      /* Each fired no earlier than its time, and after every earlier one. */
      CU_ASSERT_TRUE (t->fired_due >= 0);
      CU_ASSERT_TRUE (t->fired_at >= t->fired_due);
      CU_ASSERT_TRUE (t->fired_due >= previous);
      previous = t->fired_due;
    }
  for (guint i = 0; i < N_STRESS; i++)
    {
      if (timers[i].deadline == NULL)
        {
          CU_ASSERT_EQUAL (timers[i].n_fired, 0);
        }
      else if (timers[i].n_fired == 0)
        {
          CU_ASSERT_EQUAL (fb_deadline_get (timers[i].deadline), -1);
        }
      fb_deadline_free (timers[i].deadline);
    }
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 0);
  g_rand_free (rand);
  g_free (timers);
  g_array_unref (log.order);
}

typedef struct
{
  GMainContext *context;
  Log           log;
  Timer         timer;
  GThread      *fired_in;
  guint         count_here;
} ThreadData;

static void
thread_timer_cb (gpointer user_data)
{
  ThreadData *data = user_data;

  data->fired_in = g_thread_self ();
  timer_cb (&data->timer);
}

static gpointer
thread_func (gpointer user_data)
{
  ThreadData *data = user_data;
  gint64 limit = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_main_context_push_thread_default (data->context);
  data->timer.deadline = fb_deadline_new (data->context, thread_timer_cb, data);
  data->count_here = fb_deadline_count_for_test (data->context);
  fb_deadline_set_in_ms (data->timer.deadline, 5);
  while (data->log.n_fired == 0 && g_get_monotonic_time () < limit)
    g_main_context_iteration (data->context, TRUE);
  g_clear_pointer (&data->timer.deadline, fb_deadline_free);
  g_main_context_pop_thread_default (data->context);
  return g_thread_self ();
}

/* Each context has its own source: a thread's deadlines fire in that
 * thread, whatever the default context holds. */
static void
test_deadline_per_context (void)
{
  ThreadData data = { g_main_context_new () };
  Log log = { g_array_new (FALSE, FALSE, sizeof (guint)), 0 };
  Timer local = { &log, NULL, 7 };
  GThread *thread;
  GThread *ran;

  data.log.order = g_array_new (FALSE, FALSE, sizeof (guint));
  data.timer.log = &data.log;
  data.timer.id = 9;
  local.deadline = fb_deadline_new (NULL, timer_cb, &local);
  fb_deadline_set (local.deadline, -1);

  thread = g_thread_new ("deadline-test", thread_func, &data);
  ran = g_thread_join (thread);

  CU_ASSERT_EQUAL (data.count_here, 1);
  CU_ASSERT_EQUAL (data.log.n_fired, 1);
  CU_ASSERT_PTR_EQUAL (data.fired_in, ran);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (data.context), 0);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 1);
  CU_ASSERT_EQUAL (local.n_fired, 0);

  g_clear_pointer (&local.deadline, fb_deadline_free);
  CU_ASSERT_EQUAL (fb_deadline_count_for_test (NULL), 0);
  g_main_context_unref (data.context);
  g_array_unref (data.log.order);
  g_array_unref (log.order);
}

static const FbTestCase tests[] = {
  FB_TEST (test_deadline_fires_in_time_order),
  FB_TEST (test_deadline_moved_unset_and_freed),
  FB_TEST (test_deadline_function_frees_and_rearms),
  FB_TEST (test_deadline_heap_under_churn),
  FB_TEST (test_deadline_per_context),
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_test_main (argc, argv, "deadline", tests);
}
