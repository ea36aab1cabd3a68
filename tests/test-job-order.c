/* test-job-order.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The job list's own order (FbJobOrder) and its rows (FbJobRows): after
 * any run of state changes the order is a full stable sort of the jobs
 * that pass the filter, and the signals say exactly what changed.
 */

#include "config.h"

#include <string.h>

#include "fb-job-order.h"
#include "fb-job-private.h"
#include "fb-job-rows.h"
#include "fb-test-utils.h"

/* What a model said, applied to an array of its own. */
typedef struct
{
  GListModel *model;
  GPtrArray  *items;        /* the items, as the signals say */
  guint       n_signals;
  guint       max_span;     /* the largest removed or added */
  gboolean    small_only;   /* every signal (p, 1, 0) or (p, 0, 1) */
  gboolean    ok;           /* no signal out of range */
} Mirror;

static void
mirror_changed_cb (GListModel *model,
                   guint       position,
                   guint       removed,
                   guint       added,
                   Mirror     *mirror)
{
  mirror->n_signals++;
  mirror->max_span = MAX (mirror->max_span, MAX (removed, added));
  if (!((removed == 1 && added == 0) || (removed == 0 && added == 1)))
    mirror->small_only = FALSE;
  if (position + removed > mirror->items->len ||
      mirror->items->len - removed + added != g_list_model_get_n_items (model))
    {
      mirror->ok = FALSE;
      return;
    }
  g_ptr_array_remove_range (mirror->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror->items, position + i, g_list_model_get_item (model, position + i));
}

static void
mirror_init (Mirror     *mirror,
             GListModel *model)
{
  mirror->model = model;
  mirror->items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (mirror->items, g_list_model_get_item (model, i));
  mirror->ok = TRUE;
  g_signal_connect (model, "items-changed", G_CALLBACK (mirror_changed_cb), mirror);
}

static void
mirror_reset_counts (Mirror *mirror)
{
  mirror->n_signals = 0;
  mirror->max_span = 0;
  mirror->small_only = TRUE;
}

static void
mirror_clear (Mirror *mirror)
{
  g_signal_handlers_disconnect_by_func (mirror->model, mirror_changed_cb, mirror);
  g_ptr_array_unref (mirror->items);
}

/* The order the test expects, worked out apart from the model. */

static gboolean
expected_filter (FbJobFilter filter,
                 FbJob      *job)
{
  FbJobPhase phase = fb_job_get_phase (job);
  FbJobState state = fb_job_get_state (job);

  switch (filter)
    {
    case FB_JOB_FILTER_ACTIVE:
      return state == FB_JOB_STATE_PENDING &&
             phase >= FB_JOB_PHASE_RESOLVING && phase <= FB_JOB_PHASE_SAVING;
    case FB_JOB_FILTER_FAILED:
      return state == FB_JOB_STATE_ERROR || state == FB_JOB_STATE_NOT_FOUND;
    case FB_JOB_FILTER_DONE:
      return state != FB_JOB_STATE_PENDING;
    case FB_JOB_FILTER_ALL:
    default:
      return TRUE;
    }
}

typedef struct
{
  FbJob *job;
  guint  index;
} Item;

typedef struct
{
  int      column;
  gboolean descending;
} SortSpec;

static int
expected_key_compare (int    column,
                      FbJob *a,
                      FbJob *b)
{
  double ka;
  double kb;

  switch (column)
    {
    case FB_JOB_ORDER_ORIGINAL:
      return 0;
    case FB_JOB_COLUMN_NAME:
      return strcmp (fb_job_get_input (a), fb_job_get_input (b));
    case FB_JOB_COLUMN_KIND:
      ka = fb_job_get_kind (a);
      kb = fb_job_get_kind (b);
      break;
    case FB_JOB_COLUMN_STATE:
      ka = fb_job_is_final (a) ? 100 + fb_job_get_state (a) : fb_job_get_phase (a);
      kb = fb_job_is_final (b) ? 100 + fb_job_get_state (b) : fb_job_get_phase (b);
      break;
    case FB_JOB_COLUMN_SIZE:
      ka = fb_job_get_bytes_received (a);
      kb = fb_job_get_bytes_received (b);
      break;
    case FB_JOB_COLUMN_PROGRESS:
      ka = fb_job_get_state (a) == FB_JOB_STATE_OK ? 1.0 : fb_job_get_fraction (a);
      kb = fb_job_get_state (b) == FB_JOB_STATE_OK ? 1.0 : fb_job_get_fraction (b);
      break;
    default:
      g_assert_not_reached ();
    }
  return (ka > kb) - (ka < kb);
}

static int
expected_compare (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  const Item *ia = a;
  const Item *ib = b;
  const SortSpec *spec = data;
  int result = expected_key_compare (spec->column, ia->job, ib->job);

  if (spec->descending)
    result = -result;
  return result != 0 ? result : (ia->index > ib->index) - (ia->index < ib->index);
}

/* TRUE when @model shows exactly the jobs of @jobs that pass @filter,
 * stably sorted by @column. */
static gboolean
order_is_expected (GListModel  *model,
                   GListModel  *jobs,
                   FbJobFilter  filter,
                   int          column,
                   gboolean     descending)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (Item));
  SortSpec spec = { column, descending };
  gboolean same;

  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      Item item = { g_list_model_get_item (jobs, i), i };

      if (expected_filter (filter, item.job))
        g_array_append_val (items, item);
      g_object_unref (item.job);   /* the store keeps it */
    }
  g_qsort_with_data (items->data, items->len, sizeof (Item), expected_compare, &spec);

  same = g_list_model_get_n_items (model) == items->len;
  for (guint i = 0; same && i < items->len; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (model, i);

      same = job == g_array_index (items, Item, i).job;
    }
  return same;
}

static gboolean
mirror_matches (Mirror *mirror)
{
  if (!mirror->ok || mirror->items->len != g_list_model_get_n_items (mirror->model))
    return FALSE;
  for (guint i = 0; i < mirror->items->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (mirror->model, i);

      if (item != g_ptr_array_index (mirror->items, i))
        return FALSE;
    }
  return TRUE;
}

/* Jobs and random changes */

static FbJob *
random_job (GRand *rand,
            guint  n)
{
  /* Names with repeats, so ties happen; three kinds. */
  static const FbJobKind kinds[] = { FB_JOB_KIND_DOWNLOAD, FB_JOB_KIND_PROBE, FB_JOB_KIND_CATALOG };
  g_autofree char *name = g_strdup_printf ("host-%02u.example", g_rand_int_range (rand, 0, 40));

  (void) n;
  return fb_job_new (kinds[g_rand_int_range (rand, 0, 3)], name);
}

static void
random_change (GRand *rand,
               FbJob *job)
{
  static const FbJobState finals[] = {
    FB_JOB_STATE_OK, FB_JOB_STATE_NOT_FOUND, FB_JOB_STATE_ERROR, FB_JOB_STATE_CANCELLED,
  };
  FbJobPhase phase = fb_job_get_phase (job);

  if (fb_job_is_final (job))
    {
      /* A retry. */
      if (g_rand_int_range (rand, 0, 3) == 0)
        _fb_job_reset (job);
      return;
    }
  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      _fb_job_set_phase (job, g_rand_int_range (rand, FB_JOB_PHASE_QUEUED, FB_JOB_PHASE_DONE));
      break;
    case 1:
      _fb_job_finish (job, finals[g_rand_int_range (rand, 0, G_N_ELEMENTS (finals))], NULL);
      break;
    default:
      /* Progress, which no change of phase announces: only while under
       * way, when the order looks at the job on its own. */
      if (phase != FB_JOB_PHASE_QUEUED && phase != FB_JOB_PHASE_WAITING)
        {
          _fb_job_set_expected (job, 1000);
          _fb_job_set_received (job, g_rand_int_range (rand, 0, 1001));
        }
      break;
    }
}

static const int columns[] = {
  FB_JOB_ORDER_ORIGINAL, FB_JOB_COLUMN_NAME, FB_JOB_COLUMN_KIND, FB_JOB_COLUMN_STATE,
  FB_JOB_COLUMN_SIZE, FB_JOB_COLUMN_PROGRESS,
};

/* Many refreshes of random changes, with the sort and the filter switched
 * and jobs added now and then; after each, the order is the expected one
 * and the signals rebuilt it in the mirror. */
static void
check_random_refreshes (guint32 seed,
                        guint   batch_from)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GListStore) store = g_list_store_new (FB_TYPE_JOB);
  g_autoptr(FbJobOrder) order = fb_job_order_new ();
  g_autoptr(FbJobChanges) changes = fb_job_changes_new ();
  FbJobFilter filter = FB_JOB_FILTER_ALL;
  int column = FB_JOB_ORDER_ORIGINAL;
  gboolean descending = FALSE;
  guint failures = 0;
  guint small_refreshes = 0;
  Mirror mirror;

  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(FbJob) job = random_job (rand, i);

      g_list_store_append (store, job);
    }
  fb_job_order_set_batch_from (order, batch_from);
  fb_job_order_set_jobs (order, G_LIST_MODEL (store));
  mirror_init (&mirror, G_LIST_MODEL (order));

  for (guint step = 0; step < 400; step++)
    {
      guint n_jobs = g_list_model_get_n_items (G_LIST_MODEL (store));
      guint n_changes = g_rand_int_range (rand, 1, step % 7 == 0 ? 600 : 12);
      g_autoptr(GPtrArray) changed = NULL;
      guint moves;

      if (step % 25 == 0)
        {
          filter = g_rand_int_range (rand, FB_JOB_FILTER_ALL, FB_JOB_FILTER_DONE + 1);
          fb_job_order_set_filter (order, filter);
        }
      if (step % 30 == 0)
        {
          column = columns[g_rand_int_range (rand, 0, G_N_ELEMENTS (columns))];
          descending = column != FB_JOB_ORDER_ORIGINAL && g_rand_boolean (rand);
          fb_job_order_set_sort (order, column, descending);
        }
      if (!order_is_expected (G_LIST_MODEL (order), G_LIST_MODEL (store), filter, column, descending))
        failures++;

      if (step % 40 == 39)
        {
          /* Jobs added: a few (one by one) or many (merged). */
          guint n_new = g_rand_boolean (rand) ? 3 : 150;
          g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < n_new; i++)
            {
              FbJob *job = random_job (rand, n_jobs + i);

              if (g_rand_boolean (rand))
                _fb_job_set_phase (job, FB_JOB_PHASE_CONNECTING);
              g_ptr_array_add (added, job);
            }
          g_list_store_splice (store, n_jobs, 0, added->pdata, added->len);
          n_jobs += n_new;
        }

      if (step % 50 == 49)
        {
          /* Not an append: the order is made again, and says so. */
          g_list_store_remove (store, g_rand_int_range (rand, 0, n_jobs));
          n_jobs--;
          if (!order_is_expected (G_LIST_MODEL (order), G_LIST_MODEL (store), filter, column,
                                  descending) || !mirror_matches (&mirror))
            failures++;
        }

      for (guint i = 0; i < n_changes; i++)
        {
          g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (store),
                                                        g_rand_int_range (rand, 0, n_jobs));

          random_change (rand, job);
        }
      changed = fb_job_changes_take (changes);
      mirror_reset_counts (&mirror);
      moves = fb_job_order_update (order, changed);
      if (!order_is_expected (G_LIST_MODEL (order), G_LIST_MODEL (store), filter, column, descending) ||
          !mirror_matches (&mirror))
        failures++;
      /* Few moves: two small signals at most for each. */
      if (moves <= batch_from)
        {
          if (!mirror.small_only || mirror.n_signals > 2 * moves)
            failures++;
          small_refreshes++;
        }
      else if (mirror.n_signals > 1)
        failures++;
    }
  CU_ASSERT_EQUAL (failures, 0);
  /* Both kinds of update ran (unless the test asks for one alone). */
  if (batch_from == G_MAXUINT)
    {
      CU_ASSERT_EQUAL (small_refreshes, 400);
    }
  else if (batch_from == 0)
    {
      CU_ASSERT_TRUE (small_refreshes < 400);
    }
  else
    {
      CU_ASSERT_TRUE (small_refreshes > 0 && small_refreshes < 400);
    }
  mirror_clear (&mirror);
}

static void
test_job_order_follows_random_changes (void)
{
  check_random_refreshes (16, 64);
}

static void
test_job_order_follows_random_changes_one_by_one (void)
{
  check_random_refreshes (17, G_MAXUINT);
}

static void
test_job_order_follows_random_changes_in_batches (void)
{
  check_random_refreshes (18, 0);
}

/* In the list's own order, unfiltered, nobody tells the order what
 * changed; sorted later by Size, it follows the jobs under way then. */
static void
test_job_order_sorted_later_follows_jobs_under_way (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(GListStore) store = g_list_store_new (FB_TYPE_JOB);
  g_autoptr(FbJobOrder) order = fb_job_order_new ();
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(FbJob) job = random_job (rand, i);

      g_list_store_append (store, job);
    }
  fb_job_order_set_jobs (order, G_LIST_MODEL (store));
  CU_ASSERT_FALSE (fb_job_order_follows_jobs (order));
  /* Half the jobs start, unseen. */
  for (guint i = 0; i < 100; i += 2)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);

      _fb_job_set_phase (job, FB_JOB_PHASE_TRANSFERRING);
    }
  fb_job_order_set_sort (order, FB_JOB_COLUMN_SIZE, TRUE);
  CU_ASSERT_TRUE (order_is_expected (G_LIST_MODEL (order), G_LIST_MODEL (store),
                                     FB_JOB_FILTER_ALL, FB_JOB_COLUMN_SIZE, TRUE));
  /* Their progress, which no change of phase announces. */
  for (guint round = 0; round < 5; round++)
    {
      for (guint i = 0; i < 100; i += 2)
        {
          g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (store), i);

          _fb_job_set_received (job, g_rand_int_range (rand, 0, 100000));
        }
      fb_job_order_update (order, none);
      CU_ASSERT_TRUE (order_is_expected (G_LIST_MODEL (order), G_LIST_MODEL (store),
                                         FB_JOB_FILTER_ALL, FB_JOB_COLUMN_SIZE, TRUE));
    }
}

/* A finished job leaves the Active filter at the next update; jobs whose
 * key did not change give no signal at all. */
static void
test_job_order_active_filter_and_quiet_updates (void)
{
  g_autoptr(GListStore) store = g_list_store_new (FB_TYPE_JOB);
  g_autoptr(FbJobOrder) order = fb_job_order_new ();
  g_autoptr(FbJobChanges) changes = fb_job_changes_new ();
  g_autoptr(GPtrArray) changed = NULL;
  FbJob *jobs[4];
  Mirror mirror;

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_autofree char *name = g_strdup_printf ("job-%u", i);

      jobs[i] = fb_job_new (FB_JOB_KIND_PROBE, name);
      g_list_store_append (store, jobs[i]);
      g_object_unref (jobs[i]);
    }
  _fb_job_set_phase (jobs[1], FB_JOB_PHASE_RESOLVING);
  _fb_job_set_phase (jobs[3], FB_JOB_PHASE_TRANSFERRING);
  fb_job_order_set_jobs (order, G_LIST_MODEL (store));
  CU_ASSERT_FALSE (fb_job_order_follows_jobs (order));
  fb_job_order_set_filter (order, FB_JOB_FILTER_ACTIVE);
  CU_ASSERT_TRUE (fb_job_order_follows_jobs (order));
  CU_ASSERT_EQUAL_FATAL (g_list_model_get_n_items (G_LIST_MODEL (order)), 2);
  CU_ASSERT_EQUAL (fb_job_order_find (order, jobs[1]), 0);
  CU_ASSERT_EQUAL (fb_job_order_find (order, jobs[3]), 1);
  CU_ASSERT_EQUAL (fb_job_order_find (order, jobs[0]), G_MAXUINT);

  mirror_init (&mirror, G_LIST_MODEL (order));
  mirror_reset_counts (&mirror);
  g_ptr_array_unref (fb_job_changes_take (changes));
  _fb_job_finish (jobs[1], FB_JOB_STATE_OK, NULL);
  _fb_job_set_phase (jobs[3], FB_JOB_PHASE_SAVING);      /* still active, same place */
  _fb_job_set_phase (jobs[0], FB_JOB_PHASE_WAITING);     /* still hidden */
  changed = fb_job_changes_take (changes);
  CU_ASSERT_EQUAL (changed->len, 3);
  CU_ASSERT_EQUAL (fb_job_order_update (order, changed), 1);
  CU_ASSERT_EQUAL (mirror.n_signals, 1);
  CU_ASSERT_TRUE (mirror_matches (&mirror));
  CU_ASSERT_EQUAL_FATAL (g_list_model_get_n_items (G_LIST_MODEL (order)), 1);
  CU_ASSERT_EQUAL (fb_job_order_find (order, jobs[3]), 0);
  CU_ASSERT_EQUAL (fb_job_order_find (order, jobs[1]), G_MAXUINT);
  mirror_clear (&mirror);
}

/* Sorted by State, then back to the order the jobs were added in. */
static void
test_job_order_original_order_comes_back (void)
{
  g_autoptr(GListStore) store = g_list_store_new (FB_TYPE_JOB);
  g_autoptr(FbJobOrder) order = fb_job_order_new ();
  const char *names[] = { "BR", "QX", "ZB", "IN" };
  const char *sorted[] = { "IN", "BR", "QX", "ZB" };
  const char *descending[] = { "QX", "ZB", "BR", "IN" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_CATALOG, names[i]);

      g_list_store_append (store, job);
    }
  fb_job_order_set_jobs (order, G_LIST_MODEL (store));
  {
    g_autoptr(FbJob) br = g_list_model_get_item (G_LIST_MODEL (store), 0);
    g_autoptr(FbJob) qx = g_list_model_get_item (G_LIST_MODEL (store), 1);
    g_autoptr(FbJob) zb = g_list_model_get_item (G_LIST_MODEL (store), 2);
    g_autoptr(FbJob) in = g_list_model_get_item (G_LIST_MODEL (store), 3);

    _fb_job_finish (br, FB_JOB_STATE_OK, NULL);
    _fb_job_finish (qx, FB_JOB_STATE_NOT_FOUND, NULL);
    _fb_job_finish (zb, FB_JOB_STATE_NOT_FOUND, NULL);
    _fb_job_set_phase (in, FB_JOB_PHASE_TRANSFERRING);
  }

  fb_job_order_set_sort (order, FB_JOB_COLUMN_STATE, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (order), i);

      CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), sorted[i]);
    }
  /* Descending: ties (QX, ZB) keep the list's order. */
  fb_job_order_set_sort (order, FB_JOB_COLUMN_STATE, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (descending); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (order), i);

      CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), descending[i]);
    }
  fb_job_order_set_sort (order, FB_JOB_ORDER_ORIGINAL, TRUE);
  CU_ASSERT_EQUAL (fb_job_order_get_sort_column (order), FB_JOB_ORDER_ORIGINAL);
  CU_ASSERT_FALSE (fb_job_order_get_descending (order));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (order), i);

      CU_ASSERT_STRING_EQUAL (fb_job_get_input (job), names[i]);
    }
}

/* The filter shows exactly the jobs in its states. */
static void
test_job_order_filters_show_their_states (void)
{
  g_autoptr(GListStore) store = g_list_store_new (FB_TYPE_JOB);
  g_autoptr(FbJobOrder) order = fb_job_order_new ();
  static const struct {
    FbJobPhase phase;
    FbJobState state;   /* PENDING: not finished */
  } setups[] = {
    { FB_JOB_PHASE_QUEUED, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_WAITING, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_HOST_WAIT, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_RETRY_WAIT, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_RESOLVING, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_CONNECTING, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_TLS, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_FIRST_BYTE, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_TRANSFERRING, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_SAVING, FB_JOB_STATE_PENDING },
    { FB_JOB_PHASE_DONE, FB_JOB_STATE_OK },
    { FB_JOB_PHASE_DONE, FB_JOB_STATE_NOT_FOUND },
    { FB_JOB_PHASE_DONE, FB_JOB_STATE_ERROR },
    { FB_JOB_PHASE_DONE, FB_JOB_STATE_CANCELLED },
  };
  static const struct {
    FbJobFilter filter;
    const char *shown;
  } expected[] = {
    { FB_JOB_FILTER_ALL, "0 1 2 3 4 5 6 7 8 9 10 11 12 13" },
    { FB_JOB_FILTER_ACTIVE, "4 5 6 7 8 9" },
    { FB_JOB_FILTER_FAILED, "11 12" },
    { FB_JOB_FILTER_DONE, "10 11 12 13" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (setups); i++)
    {
      g_autofree char *name = g_strdup_printf ("%u", i);
      g_autoptr(FbJob) job = fb_job_new (FB_JOB_KIND_PROBE, name);

      if (setups[i].state != FB_JOB_STATE_PENDING)
        _fb_job_finish (job, setups[i].state, NULL);
      else
        _fb_job_set_phase (job, setups[i].phase);
      g_list_store_append (store, job);
    }
  fb_job_order_set_jobs (order, G_LIST_MODEL (store));
  for (guint f = 0; f < G_N_ELEMENTS (expected); f++)
    {
      g_autoptr(GString) shown = g_string_new (NULL);

      fb_job_order_set_filter (order, expected[f].filter);
      CU_ASSERT_EQUAL (fb_job_order_get_filter (order), expected[f].filter);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (order)); i++)
        {
          g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (order), i);

          g_string_append_printf (shown, "%s%s", i > 0 ? " " : "", fb_job_get_input (job));
        }
      CU_ASSERT_STRING_EQUAL (shown->str, expected[f].shown);
    }
}

/* The rows keep their places: a change of the jobs changes which job a
 * row shows; rows come and go at the end only, and when the list gets
 * shorter the rows past it go blank until trimmed. */
static void
test_job_rows_keep_their_places (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GListStore) store = g_list_store_new (FB_TYPE_JOB);
  g_autoptr(FbJobRows) rows = NULL;
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_object_unref);
  guint failures = 0;
  Mirror mirror;

  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(FbJob) job = random_job (rand, i);

      g_list_store_append (store, job);
    }
  rows = fb_job_rows_new (G_LIST_MODEL (store));
  mirror_init (&mirror, G_LIST_MODEL (rows));
  CU_ASSERT_EQUAL (g_list_model_get_n_items (G_LIST_MODEL (rows)), 50);
  CU_ASSERT_EQUAL (g_list_model_get_item_type (G_LIST_MODEL (rows)), FB_TYPE_JOB_ROW);

  for (guint step = 0; step < 200; step++)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
      guint position = g_rand_int_range (rand, 0, n + 1);
      guint removed = g_rand_int_range (rand, 0, MIN (n - position, 6) + 1);
      guint added = g_rand_int_range (rand, 0, 7);
      g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
      guint n_rows;

      g_ptr_array_set_size (before, 0);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (rows)); i++)
        g_ptr_array_add (before, g_list_model_get_item (G_LIST_MODEL (rows), i));
      for (guint i = 0; i < added; i++)
        g_ptr_array_add (jobs, random_job (rand, i));
      g_list_store_splice (store, position, removed, jobs->pdata, added);
      mirror_reset_counts (&mirror);
      fb_job_rows_sync (rows);

      n = g_list_model_get_n_items (G_LIST_MODEL (store));
      n_rows = g_list_model_get_n_items (G_LIST_MODEL (rows));
      if (n_rows < n || n_rows - n != fb_job_rows_get_n_blank (rows) ||
          !mirror_matches (&mirror) || mirror.n_signals > 1)
        failures++;
      for (guint i = 0; i < n_rows; i++)
        {
          g_autoptr(FbJobRow) row = g_list_model_get_item (G_LIST_MODEL (rows), i);
          g_autoptr(FbJob) job = i < n ? g_list_model_get_item (G_LIST_MODEL (store), i) : NULL;

          /* The same row object where there was one, showing the job
           * there, or blank past the jobs. */
          if (fb_job_row_get_job (row) != job || (i < before->len && before->pdata[i] != row))
            failures++;
        }
      if (step % 3 == 0)
        {
          guint blank = fb_job_rows_get_n_blank (rows);

          if (fb_job_rows_trim (rows, 2) != blank - MIN (blank, 2) || !mirror_matches (&mirror))
            failures++;
        }
    }
  CU_ASSERT_EQUAL (failures, 0);

  /* Far shorter: the blank rows past FB_JOB_ROWS_KEEP_BLANK go at once. */
  {
    g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
    guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

    fb_job_rows_trim (rows, G_MAXUINT);
    for (guint i = 0; i < 500; i++)
      g_ptr_array_add (jobs, random_job (rand, i));
    g_list_store_splice (store, 0, n, jobs->pdata, jobs->len);
    fb_job_rows_sync (rows);
    CU_ASSERT_EQUAL (g_list_model_get_n_items (G_LIST_MODEL (rows)), 500);
    g_list_store_splice (store, 50, 450, NULL, 0);
    fb_job_rows_sync (rows);
    CU_ASSERT_EQUAL (g_list_model_get_n_items (G_LIST_MODEL (rows)), 50 + FB_JOB_ROWS_KEEP_BLANK);
    CU_ASSERT_EQUAL (fb_job_rows_get_n_blank (rows), FB_JOB_ROWS_KEEP_BLANK);
    CU_ASSERT_EQUAL (fb_job_rows_trim (rows, 10), FB_JOB_ROWS_KEEP_BLANK - 10);
    CU_ASSERT_EQUAL (fb_job_rows_trim (rows, G_MAXUINT), 0);
    CU_ASSERT_EQUAL (g_list_model_get_n_items (G_LIST_MODEL (rows)), 50);
    CU_ASSERT_TRUE (mirror_matches (&mirror));
  }
  mirror_clear (&mirror);
}

static const FbTestCase tests[] = {
  FB_TEST (test_job_order_follows_random_changes),
  FB_TEST (test_job_order_follows_random_changes_one_by_one),
  FB_TEST (test_job_order_follows_random_changes_in_batches),
  FB_TEST (test_job_order_sorted_later_follows_jobs_under_way),
  FB_TEST (test_job_order_active_filter_and_quiet_updates),
  FB_TEST (test_job_order_original_order_comes_back),
  FB_TEST (test_job_order_filters_show_their_states),
  FB_TEST (test_job_rows_keep_their_places),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "job-order", tests);
}
