/* test-semaphore.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fb-semaphore.h"
#include "fb-test-utils.h"

typedef struct
{
  GString  *order;
  char      name;
  gboolean  done;
  gboolean  granted;
  GError   *error;
} Acquire;

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Acquire *a = user_data;

  a->granted = fb_semaphore_acquire_finish (FB_SEMAPHORE (source), result, &a->error);
  a->done = TRUE;
  if (a->granted && a->order != NULL)
    g_string_append_c (a->order, a->name);
}

static void
acquire (FbSemaphore  *sem,
         Acquire      *a,
         GCancellable *cancellable)
{
  fb_semaphore_acquire_async (sem, cancellable, acquired_cb, a);
}

static void
test_semaphore_grants_in_fifo_order (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (1);
  g_autoptr(GString) order = g_string_new (NULL);
  Acquire a[4] = {
    { order, 'A' }, { order, 'B' }, { order, 'C' }, { order, 'D' },
  };

  for (guint i = 0; i < 4; i++)
    acquire (sem, &a[i], NULL);
  fb_test_wait_flag (&a[0].done, 2);
  fb_test_spin (0.02);
  CU_ASSERT_STRING_EQUAL (order->str, "A");
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);
  CU_ASSERT_EQUAL (fb_semaphore_get_waiting (sem), 3);

  for (guint i = 1; i < 4; i++)
    {
      fb_semaphore_release (sem);
      fb_test_wait_flag (&a[i].done, 2);
    }
  CU_ASSERT_STRING_EQUAL (order->str, "ABCD");
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);
  fb_semaphore_release (sem);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
  CU_ASSERT_EQUAL (fb_semaphore_get_peak (sem), 1);
}

static void
test_semaphore_cancelled_wait_loses_no_slot (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Acquire first = { 0 }, waiting = { 0 }, after = { 0 };

  acquire (sem, &first, NULL);
  fb_test_wait_flag (&first.done, 2);
  acquire (sem, &waiting, cancellable);
  fb_test_spin (0.02);
  CU_ASSERT_FALSE (waiting.done);
  CU_ASSERT_EQUAL (fb_semaphore_get_waiting (sem), 1);

  g_cancellable_cancel (cancellable);
  fb_test_wait_flag (&waiting.done, 2);
  CU_ASSERT_FALSE (waiting.granted);
  CU_ASSERT_TRUE (g_error_matches (waiting.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  CU_ASSERT_EQUAL (fb_semaphore_get_waiting (sem), 0);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);

  /* The slot held by the first acquire comes back and is free again. */
  CU_ASSERT_TRUE (fb_semaphore_release (sem));
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
  acquire (sem, &after, NULL);
  fb_test_wait_flag (&after.done, 2);
  CU_ASSERT_TRUE (after.granted);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);
  fb_semaphore_release (sem);
  g_clear_error (&waiting.error);
}

static void
test_semaphore_already_cancelled_fails_at_once (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (3);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Acquire a = { 0 };

  g_cancellable_cancel (cancellable);
  acquire (sem, &a, cancellable);
  fb_test_wait_flag (&a.done, 2);
  CU_ASSERT_FALSE (a.granted);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
  g_clear_error (&a.error);
}

static void
test_semaphore_grant_then_cancel_keeps_slot (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Acquire holder = { 0 }, waiter = { 0 };

  acquire (sem, &holder, NULL);
  fb_test_wait_flag (&holder.done, 2);
  acquire (sem, &waiter, cancellable);
  fb_test_spin (0.01);
  /* The slot is handed over, then the caller cancels before it looks:
   * the result still says granted, so the caller can give it back. */
  fb_semaphore_release (sem);
  g_cancellable_cancel (cancellable);
  fb_test_wait_flag (&waiter.done, 2);
  CU_ASSERT_TRUE (waiter.granted);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);
  fb_semaphore_release (sem);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
}

static void
test_semaphore_raising_limit_wakes_waiters (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (1);
  Acquire a[4] = { 0 };

  for (guint i = 0; i < 4; i++)
    acquire (sem, &a[i], NULL);
  fb_test_wait_flag (&a[0].done, 2);
  CU_ASSERT_EQUAL (fb_semaphore_get_waiting (sem), 3);

  fb_semaphore_set_limit (sem, 3);
  /* Granted before the main loop even runs again. */
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 3);
  CU_ASSERT_EQUAL (fb_semaphore_get_waiting (sem), 1);
  fb_test_wait_flag (&a[2].done, 2);
  CU_ASSERT_TRUE (a[1].granted && a[2].granted);
  CU_ASSERT_FALSE (a[3].done);

  for (guint i = 0; i < 4; i++)
    fb_semaphore_release (sem);
  fb_test_wait_flag (&a[3].done, 2);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
}

static void
test_semaphore_lowering_limit_waits_for_returns (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (3);
  Acquire a[5] = { 0 };

  for (guint i = 0; i < 5; i++)
    acquire (sem, &a[i], NULL);
  fb_test_wait_flag (&a[2].done, 2);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 3);

  fb_semaphore_set_limit (sem, 1);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 3);
  fb_semaphore_release (sem);
  fb_test_spin (0.02);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 2);
  CU_ASSERT_FALSE (a[3].done);
  fb_semaphore_release (sem);
  fb_test_spin (0.02);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);
  CU_ASSERT_FALSE (a[3].done);
  fb_semaphore_release (sem);
  fb_test_wait_flag (&a[3].done, 2);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 1);
  CU_ASSERT_FALSE (a[4].done);
  fb_semaphore_release (sem);
  fb_test_wait_flag (&a[4].done, 2);
  fb_semaphore_release (sem);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
}

static guint n_criticals;

static void
count_log_cb (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  n_criticals++;
}

static void
test_semaphore_over_release_is_caught (void)
{
  g_autoptr(FbSemaphore) sem = fb_semaphore_new (2);
  GLogLevelFlags old_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  guint handler = g_log_set_handler ("fb-semaphore", G_LOG_LEVEL_CRITICAL, count_log_cb, NULL);

  n_criticals = 0;
  CU_ASSERT_TRUE (fb_semaphore_try_acquire (sem));
  CU_ASSERT_TRUE (fb_semaphore_release (sem));
  CU_ASSERT_FALSE (fb_semaphore_release (sem));
  CU_ASSERT_EQUAL (n_criticals, 1);
  CU_ASSERT_EQUAL (fb_semaphore_get_active (sem), 0);
  /* Nothing was corrupted: the limit still holds. */
  CU_ASSERT_TRUE (fb_semaphore_try_acquire (sem));
  CU_ASSERT_TRUE (fb_semaphore_try_acquire (sem));
  CU_ASSERT_FALSE (fb_semaphore_try_acquire (sem));

  g_log_remove_handler ("fb-semaphore", handler);
  g_log_set_always_fatal (old_fatal);
  fb_semaphore_release (sem);
  fb_semaphore_release (sem);
}

static guint n_notifies;

static void
notify_cb (void)
{
  n_notifies++;
}

static void
test_semaphore_limit_clamps_and_notifies_on_change (void)
{
  FbSemaphore *sem = fb_semaphore_new (5);
  gpointer weak = sem;

  g_object_add_weak_pointer (G_OBJECT (sem), &weak);
  n_notifies = 0;
  g_signal_connect (sem, "notify::limit", G_CALLBACK (notify_cb), NULL);
  fb_semaphore_set_limit (sem, 5);
  CU_ASSERT_EQUAL (n_notifies, 0);
  fb_semaphore_set_limit (sem, 5000);
  CU_ASSERT_EQUAL (fb_semaphore_get_limit (sem), 1000);
  CU_ASSERT_EQUAL (n_notifies, 1);
  fb_semaphore_set_limit (sem, 0);
  CU_ASSERT_EQUAL (fb_semaphore_get_limit (sem), 1);
  CU_ASSERT_EQUAL (n_notifies, 2);
  g_object_set (sem, "limit", 7, NULL);
  CU_ASSERT_EQUAL (fb_semaphore_get_limit (sem), 7);
  CU_ASSERT_EQUAL (n_notifies, 3);
  g_object_unref (sem);
  CU_ASSERT_PTR_NULL (weak);
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    { "test_semaphore_grants_in_fifo_order", test_semaphore_grants_in_fifo_order },
    { "test_semaphore_cancelled_wait_loses_no_slot", test_semaphore_cancelled_wait_loses_no_slot },
    { "test_semaphore_already_cancelled_fails_at_once", test_semaphore_already_cancelled_fails_at_once },
    { "test_semaphore_grant_then_cancel_keeps_slot", test_semaphore_grant_then_cancel_keeps_slot },
    { "test_semaphore_raising_limit_wakes_waiters", test_semaphore_raising_limit_wakes_waiters },
    { "test_semaphore_lowering_limit_waits_for_returns", test_semaphore_lowering_limit_waits_for_returns },
    { "test_semaphore_over_release_is_caught", test_semaphore_over_release_is_caught },
    { "test_semaphore_limit_clamps_and_notifies_on_change", test_semaphore_limit_clamps_and_notifies_on_change },
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "semaphore", tests);
}
