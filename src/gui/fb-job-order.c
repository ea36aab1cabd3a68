/* fb-job-order.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job-order"

#include "config.h"

#include <string.h>

#include "fb-format.h"
#include "fb-job-order.h"

/* GTK 4.8's GtkSortListModel made every job's key through a GtkExpression
 * (a closure call with GValues) each time a job finished, and
 * GtkFilterListModel looked at every job again: with 10,000 jobs, sorted
 * by State and filtered to the active ones, 80-160 ms on the main loop
 * every refresh. Here a refresh looks at the jobs that changed and moves
 * those alone.
 *
 * Up to this many moves in one update go as their own small signals;
 * past it, one signal over the span that changed (see bench/README.md,
 * "The sorted list", for how it was chosen). */
#define DEFAULT_BATCH_FROM 64
/* The names' collation keys (2-3 µs each) are made ahead, this long
 * every NAME_KEYS_EVERY_MS, so the first sort by name does not make
 * 10,000 of them at once (25 ms). Not in idle time: a busy run's main
 * loop seldom gets there (a sort by name mid-run still made most keys). */
#define NAME_KEYS_SLICE_US 1500
#define NAME_KEYS_EVERY_MS 10

typedef struct
{
  FbJob  *job;           /* a reference */
  char   *name_key;      /* the name's collation key, made when first sorted by name */
  char   *str_key;       /* the message's, while sorted by message */
  double  num_key;       /* any other column's key */
  guint   index;         /* in jobs: the tie-breaker, and the original order */
  guint   shown : 1;
  guint   live : 1;      /* under way: in live */
  guint   touched : 1;   /* already looked at in this update */
} Entry;

/* A job's new place in the order, worked out before it moves. */
typedef struct
{
  Entry   *entry;
  char    *str_key;
  double   num_key;
  gboolean shown;
} Move;

struct _FbJobOrder
{
  GObject      parent_instance;

  /* Owned */
  GListModel  *jobs;
  GPtrArray   *entries;      /* Entry*, by index in jobs (owns them) */
  GHashTable  *by_job;       /* FbJob* -> Entry* */
  GPtrArray   *shown;        /* Entry*, the order shown */
  GPtrArray   *live;         /* Entry*, jobs under way (keys that move with time) */

  int          column;       /* FbJobColumn or FB_JOB_ORDER_ORIGINAL */
  FbJobFilter  filter;
  guint        batch_from;
  guint        name_keys_id;
  guint        name_keys_done;  /* entries before this one have their name's key */

  guint        descending : 1;
};

static void fb_job_order_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FbJobOrder, fb_job_order, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      fb_job_order_list_model_init))

/* Keys */

static guint
job_state_key (FbJob *job)
{
  /* Pending jobs by how far they got, then the final states. */
  if (fb_job_is_final (job))
    return FB_JOB_N_PHASES + fb_job_get_state (job);
  return fb_job_get_phase (job);
}

/* As GtkStringSorter compares (ignoring case, by the locale's collation). */
static char *
string_key (const char *text)
{
  g_autofree char *folded = g_utf8_casefold (text != NULL ? text : "", -1);

  return g_utf8_collate_key (folded, -1);
}

static gboolean
column_is_string (int column)
{
  return column == FB_JOB_COLUMN_NAME || column == FB_JOB_COLUMN_MESSAGE;
}

/* Keys that change while a job runs, without a change of phase or state. */
static gboolean
column_moves_with_time (int column)
{
  return column == FB_JOB_COLUMN_PROGRESS || column == FB_JOB_COLUMN_SIZE ||
         column == FB_JOB_COLUMN_SPEED || column == FB_JOB_COLUMN_ELAPSED;
}

static gboolean
job_is_live (FbJob *job)
{
  FbJobPhase phase = fb_job_get_phase (job);

  return !fb_job_is_final (job) && phase != FB_JOB_PHASE_QUEUED && phase != FB_JOB_PHASE_WAITING;
}

/* @column's key of @job now: a string key (owned) or a number. */
static void
job_key (int     column,
         FbJob  *job,
         char  **str_key,
         double *num_key)
{
  *str_key = NULL;
  *num_key = 0;
  switch (column)
    {
    case FB_JOB_COLUMN_NAME:
      *str_key = string_key (fb_job_get_input (job));
      break;
    case FB_JOB_COLUMN_MESSAGE:
      {
        g_autofree char *message = fb_format_job_message (job);

        *str_key = string_key (message);
      }
      break;
    case FB_JOB_COLUMN_KIND:
      *num_key = fb_job_get_kind (job);
      break;
    case FB_JOB_COLUMN_STATE:
      *num_key = job_state_key (job);
      break;
    case FB_JOB_COLUMN_PROGRESS:
      *num_key = fb_job_get_state (job) == FB_JOB_STATE_OK ? 1.0 : fb_job_get_fraction (job);
      break;
    case FB_JOB_COLUMN_SIZE:
      *num_key = (double) fb_job_get_bytes_received (job);
      break;
    case FB_JOB_COLUMN_SPEED:
      *num_key = fb_format_job_rate (job);
      break;
    case FB_JOB_COLUMN_ELAPSED:
      *num_key = (double) fb_job_get_elapsed (job);
      break;
    case FB_JOB_ORDER_ORIGINAL:
    default:
      break;
    }
}

static int
compare_keys (int         column,
              const char *str_a,
              double      num_a,
              const char *str_b,
              double      num_b)
{
  if (column == FB_JOB_ORDER_ORIGINAL)
    return 0;
  if (column_is_string (column))
    return strcmp (str_a, str_b);
  return (num_a > num_b) - (num_a < num_b);
}

static const char *
entry_str_key (FbJobOrder  *self,
               const Entry *entry)
{
  return self->column == FB_JOB_COLUMN_NAME ? entry->name_key : entry->str_key;
}

static int
compare_entries (const Entry *a,
                 const Entry *b,
                 FbJobOrder  *self)
{
  int result = compare_keys (self->column, entry_str_key (self, a), a->num_key,
                             entry_str_key (self, b), b->num_key);

  if (self->descending)
    result = -result;
  if (result == 0)
    result = (a->index > b->index) - (a->index < b->index);
  return result;
}

static int
compare_entry_ptrs (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  return compare_entries (*(Entry * const *) a, *(Entry * const *) b, user_data);
}

/* Where @entry goes in shown (the first place not before it). */
static guint
lower_bound (FbJobOrder  *self,
             const Entry *entry)
{
  guint lo = 0;
  guint hi = self->shown->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (compare_entries (g_ptr_array_index (self->shown, mid), entry, self) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static guint
find_entry (FbJobOrder  *self,
            const Entry *entry)
{
  guint position;

  if (!entry->shown)
    return G_MAXUINT;
  position = lower_bound (self, entry);
  g_assert (position < self->shown->len && g_ptr_array_index (self->shown, position) == entry);
  return position;
}

/* Sets @entry's key for the current column (the name's is made once). */
static void
entry_set_key (FbJobOrder *self,
               Entry      *entry)
{
  char *str_key;

  if (self->column == FB_JOB_COLUMN_NAME)
    {
      if (entry->name_key == NULL)
        entry->name_key = string_key (fb_job_get_input (entry->job));
      return;
    }
  job_key (self->column, entry->job, &str_key, &entry->num_key);
  g_free (entry->str_key);
  entry->str_key = str_key;
}

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_object_unref (entry->job);
  g_free (entry->name_key);
  g_free (entry->str_key);
  g_free (entry);
}

static void
update_live (FbJobOrder *self,
             Entry      *entry)
{
  gboolean live = job_is_live (entry->job);

  if (live && !entry->live)
    g_ptr_array_add (self->live, entry);
  entry->live = live;
}

static void
compact_live (FbJobOrder *self)
{
  guint kept = 0;

  for (guint i = 0; i < self->live->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->live, i);

      if (entry->live)
        self->live->pdata[kept++] = entry;
    }
  g_ptr_array_set_size (self->live, kept);
}

/* Replaces shown by @order (Entry*, sorted) and says what changed: one
 * signal over the span between the first and the last difference. */
static void
replace_shown (FbJobOrder *self,
               GPtrArray  *order)
{
  g_autoptr(GPtrArray) old = self->shown;
  guint lo = 0;
  guint tail = 0;

  self->shown = g_ptr_array_ref (order);
  while (lo < old->len && lo < order->len && old->pdata[lo] == order->pdata[lo])
    lo++;
  while (tail < old->len - lo && tail < order->len - lo &&
         old->pdata[old->len - 1 - tail] == order->pdata[order->len - 1 - tail])
    tail++;
  if (lo == old->len && lo == order->len)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), lo, old->len - lo - tail, order->len - lo - tail);
}

/* Every shown job, sorted again from the entries' keys. The jobs under
 * way are counted again too: unsorted and unfiltered, nobody told the
 * order of their changes. */
static void
resort_all (FbJobOrder *self)
{
  g_autoptr(GPtrArray) order = g_ptr_array_sized_new (self->entries->len);

  g_ptr_array_set_size (self->live, 0);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      entry->live = FALSE;
      update_live (self, entry);
      entry->shown = fb_job_filter_accepts (self->filter, entry->job);
      if (entry->shown)
        g_ptr_array_add (order, entry);
    }
  if (self->column != FB_JOB_ORDER_ORIGINAL || self->descending)
    g_qsort_with_data (order->pdata, order->len, sizeof (gpointer), compare_entry_ptrs, self);
  replace_shown (self, order);
}

static gboolean
name_keys_cb (gpointer user_data)
{
  FbJobOrder *self = user_data;
  gint64 end = g_get_monotonic_time () + NAME_KEYS_SLICE_US;

  while (self->name_keys_done < self->entries->len)
    {
      Entry *entry = g_ptr_array_index (self->entries, self->name_keys_done++);

      if (entry->name_key == NULL)
        entry->name_key = string_key (fb_job_get_input (entry->job));
      if ((self->name_keys_done & 63) == 0 && g_get_monotonic_time () >= end)
        return G_SOURCE_CONTINUE;
    }
  self->name_keys_id = 0;
  return G_SOURCE_REMOVE;
}

static void
add_entries (FbJobOrder *self,
             guint       from)
{
  guint n = g_list_model_get_n_items (self->jobs);

  for (guint i = from; i < n; i++)
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->job = g_list_model_get_item (self->jobs, i);
      entry->index = i;
      entry_set_key (self, entry);
      update_live (self, entry);
      g_ptr_array_add (self->entries, entry);
      g_hash_table_insert (self->by_job, entry->job, entry);
    }
  if (self->name_keys_id == 0 && self->name_keys_done < self->entries->len)
    self->name_keys_id = g_timeout_add (NAME_KEYS_EVERY_MS, name_keys_cb, self);
}

static void
clear_entries (FbJobOrder *self)
{
  guint n_shown = self->shown->len;

  /* Said at once: new entries may take the old ones' addresses, and
   * replace_shown () would then take a different job for the same. */
  if (n_shown > 0)
    {
      g_ptr_array_set_size (self->shown, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n_shown, 0);
    }
  self->name_keys_done = 0;
  g_hash_table_remove_all (self->by_job);
  g_ptr_array_set_size (self->live, 0);
  g_ptr_array_set_size (self->entries, 0);
}

/* Moves */

static void
move_clear (Move *move)
{
  g_free (move->str_key);
}

static void
move_apply (FbJobOrder *self,
            Move       *move)
{
  Entry *entry = move->entry;

  entry->shown = move->shown;
  if (self->column != FB_JOB_COLUMN_NAME)
    {
      entry->num_key = move->num_key;
      g_free (entry->str_key);
      entry->str_key = g_steal_pointer (&move->str_key);
    }
}

/* One job at a time: out of its old place, into its new one. */
static void
move_one (FbJobOrder *self,
          Move       *move)
{
  Entry *entry = move->entry;
  guint from = G_MAXUINT;
  guint to;

  if (entry->shown)
    {
      from = find_entry (self, entry);
      g_ptr_array_remove_index (self->shown, from);
    }
  move_apply (self, move);
  if (!entry->shown)
    {
      if (from != G_MAXUINT)
        g_list_model_items_changed (G_LIST_MODEL (self), from, 1, 0);
      return;
    }
  to = lower_bound (self, entry);
  if (to == from)
    {
      /* Its neighbours did not change: no signal at all. */
      g_ptr_array_insert (self->shown, to, entry);
      return;
    }
  if (from != G_MAXUINT)
    g_list_model_items_changed (G_LIST_MODEL (self), from, 1, 0);
  g_ptr_array_insert (self->shown, to, entry);
  g_list_model_items_changed (G_LIST_MODEL (self), to, 0, 1);
}

/* Many at once: the others keep their order, the movers are sorted and
 * merged in, and one signal covers the span that changed. */
static void
move_many (FbJobOrder *self,
           GArray     *moves)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_sized_new (self->shown->len);
  g_autoptr(GPtrArray) incoming = g_ptr_array_sized_new (moves->len);
  g_autoptr(GPtrArray) order = NULL;
  guint i = 0;
  guint j = 0;

  /* touched marks the movers here. */
  for (guint k = 0; k < self->shown->len; k++)
    {
      Entry *entry = g_ptr_array_index (self->shown, k);

      if (!entry->touched)
        g_ptr_array_add (kept, entry);
    }
  for (guint k = 0; k < moves->len; k++)
    {
      Move *move = &g_array_index (moves, Move, k);

      move_apply (self, move);
      if (move->entry->shown)
        g_ptr_array_add (incoming, move->entry);
    }
  g_qsort_with_data (incoming->pdata, incoming->len, sizeof (gpointer), compare_entry_ptrs, self);

  order = g_ptr_array_sized_new (kept->len + incoming->len);
  while (i < kept->len || j < incoming->len)
    {
      if (j == incoming->len ||
          (i < kept->len && compare_entries (kept->pdata[i], incoming->pdata[j], self) < 0))
        g_ptr_array_add (order, kept->pdata[i++]);
      else
        g_ptr_array_add (order, incoming->pdata[j++]);
    }
  replace_shown (self, order);
}

/* Works out where @entry belongs now; FALSE if nowhere new. */
static gboolean
plan_move (FbJobOrder *self,
           Entry      *entry,
           Move       *move)
{
  move->entry = entry;
  move->shown = fb_job_filter_accepts (self->filter, entry->job);
  move->str_key = NULL;
  move->num_key = entry->num_key;
  if (self->column != FB_JOB_ORDER_ORIGINAL && self->column != FB_JOB_COLUMN_NAME)
    job_key (self->column, entry->job, &move->str_key, &move->num_key);

  if (move->shown != entry->shown)
    return TRUE;
  if (!move->shown)
    {
      /* Hidden both times: its key is kept up to date all the same. */
      move_apply (self, move);
      return FALSE;
    }
  /* The original order and the names never move. */
  if (self->column != FB_JOB_ORDER_ORIGINAL && self->column != FB_JOB_COLUMN_NAME &&
      compare_keys (self->column, move->str_key, move->num_key,
                    entry_str_key (self, entry), entry->num_key) != 0)
    return TRUE;
  move_clear (move);
  return FALSE;
}

static void
consider (FbJobOrder *self,
          Entry      *entry,
          GArray     *moves,
          GPtrArray  *touched)
{
  Move move;

  if (entry->touched)
    return;
  entry->touched = TRUE;
  g_ptr_array_add (touched, entry);
  if (plan_move (self, entry, &move))
    g_array_append_val (moves, move);
}

/* The source list */

static void
jobs_changed_cb (GListModel *jobs,
                 guint       position,
                 guint       removed,
                 guint       added,
                 FbJobOrder *self)
{
  guint from = self->entries->len;
  g_autoptr(GArray) moves = NULL;

  if (removed != 0 || position != from)
    {
      /* Not an append: everything again. */
      clear_entries (self);
      add_entries (self, 0);
      resort_all (self);
      return;
    }

  add_entries (self, from);
  moves = g_array_sized_new (FALSE, FALSE, sizeof (Move), added);
  for (guint i = from; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      Move move = { entry, NULL, entry->num_key, fb_job_filter_accepts (self->filter, entry->job) };

      if (move.shown)
        {
          /* The key is the entry's already: keep it there. */
          move.str_key = g_strdup (entry->str_key);
          g_array_append_val (moves, move);
        }
    }
  if (moves->len <= self->batch_from)
    for (guint i = 0; i < moves->len; i++)
      move_one (self, &g_array_index (moves, Move, i));
  else
    {
      for (guint i = 0; i < moves->len; i++)
        g_array_index (moves, Move, i).entry->touched = TRUE;
      move_many (self, moves);
      for (guint i = 0; i < moves->len; i++)
        g_array_index (moves, Move, i).entry->touched = FALSE;
    }
  for (guint i = 0; i < moves->len; i++)
    move_clear (&g_array_index (moves, Move, i));
}

/* GListModel */

static GType
fb_job_order_get_item_type (GListModel *model)
{
  return FB_TYPE_JOB;
}

static guint
fb_job_order_get_n_items (GListModel *model)
{
  return FB_JOB_ORDER (model)->shown->len;
}

static gpointer
fb_job_order_get_item (GListModel *model,
                       guint       position)
{
  FbJobOrder *self = FB_JOB_ORDER (model);
  Entry *entry;

  if (position >= self->shown->len)
    return NULL;
  entry = g_ptr_array_index (self->shown, position);
  return g_object_ref (entry->job);
}

static void
fb_job_order_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = fb_job_order_get_item_type;
  iface->get_n_items = fb_job_order_get_n_items;
  iface->get_item = fb_job_order_get_item;
}

/* GObject */

static void
fb_job_order_dispose (GObject *object)
{
  FbJobOrder *self = FB_JOB_ORDER (object);

  g_clear_handle_id (&self->name_keys_id, g_source_remove);
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (fb_job_order_parent_class)->dispose (object);
}

static void
fb_job_order_finalize (GObject *object)
{
  FbJobOrder *self = FB_JOB_ORDER (object);

  g_ptr_array_unref (self->shown);
  g_ptr_array_unref (self->live);
  g_hash_table_unref (self->by_job);
  g_ptr_array_unref (self->entries);

  G_OBJECT_CLASS (fb_job_order_parent_class)->finalize (object);
}

static void
fb_job_order_class_init (FbJobOrderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_job_order_dispose;
  object_class->finalize = fb_job_order_finalize;
}

static void
fb_job_order_init (FbJobOrder *self)
{
  self->entries = g_ptr_array_new_with_free_func (entry_free);
  self->by_job = g_hash_table_new (NULL, NULL);
  self->shown = g_ptr_array_new ();
  self->live = g_ptr_array_new ();
  self->column = FB_JOB_ORDER_ORIGINAL;
  self->filter = FB_JOB_FILTER_ALL;
  self->batch_from = DEFAULT_BATCH_FROM;
}

FbJobOrder *
fb_job_order_new (void)
{
  return g_object_new (FB_TYPE_JOB_ORDER, NULL);
}

void
fb_job_order_set_jobs (FbJobOrder *self,
                       GListModel *jobs)
{
  g_return_if_fail (FB_IS_JOB_ORDER (self));
  g_return_if_fail (jobs == NULL || G_IS_LIST_MODEL (jobs));

  if (self->jobs == jobs)
    return;
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_set_object (&self->jobs, jobs);
  clear_entries (self);
  if (jobs != NULL)
    {
      g_signal_connect (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self);
      add_entries (self, 0);
    }
  resort_all (self);
}

void
fb_job_order_set_sort (FbJobOrder *self,
                       int         column,
                       gboolean    descending)
{
  g_return_if_fail (FB_IS_JOB_ORDER (self));
  g_return_if_fail (column >= FB_JOB_ORDER_ORIGINAL && column <= FB_JOB_COLUMN_MESSAGE);

  descending = column != FB_JOB_ORDER_ORIGINAL && descending;
  if (self->column == column && self->descending == !!descending)
    return;
  self->column = column;
  self->descending = !!descending;
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (column != FB_JOB_COLUMN_MESSAGE)
        g_clear_pointer (&entry->str_key, g_free);
      entry_set_key (self, entry);
    }
  resort_all (self);
}

int
fb_job_order_get_sort_column (FbJobOrder *self)
{
  g_return_val_if_fail (FB_IS_JOB_ORDER (self), FB_JOB_ORDER_ORIGINAL);

  return self->column;
}

gboolean
fb_job_order_get_descending (FbJobOrder *self)
{
  g_return_val_if_fail (FB_IS_JOB_ORDER (self), FALSE);

  return self->descending;
}

void
fb_job_order_set_filter (FbJobOrder  *self,
                         FbJobFilter  filter)
{
  g_return_if_fail (FB_IS_JOB_ORDER (self));
  g_return_if_fail (filter <= FB_JOB_FILTER_DONE);

  if (self->filter == filter)
    return;
  self->filter = filter;
  /* The keys of jobs that were hidden are as current as the shown ones'. */
  resort_all (self);
}

FbJobFilter
fb_job_order_get_filter (FbJobOrder *self)
{
  g_return_val_if_fail (FB_IS_JOB_ORDER (self), FB_JOB_FILTER_ALL);

  return self->filter;
}

gboolean
fb_job_order_follows_jobs (FbJobOrder *self)
{
  g_return_val_if_fail (FB_IS_JOB_ORDER (self), FALSE);

  return self->column != FB_JOB_ORDER_ORIGINAL || self->filter != FB_JOB_FILTER_ALL;
}

guint
fb_job_order_update (FbJobOrder *self,
                     GPtrArray  *changed)
{
  g_autoptr(GArray) moves = NULL;
  g_autoptr(GPtrArray) touched = NULL;
  guint n_moves;

  g_return_val_if_fail (FB_IS_JOB_ORDER (self), 0);
  g_return_val_if_fail (changed != NULL, 0);

  moves = g_array_new (FALSE, FALSE, sizeof (Move));
  touched = g_ptr_array_new ();
  for (guint i = 0; i < changed->len; i++)
    {
      Entry *entry = g_hash_table_lookup (self->by_job, g_ptr_array_index (changed, i));

      if (entry == NULL)
        continue;
      consider (self, entry, moves, touched);
      update_live (self, entry);
    }
  if (column_moves_with_time (self->column))
    for (guint i = 0; i < self->live->len; i++)
      {
        Entry *entry = g_ptr_array_index (self->live, i);

        if (entry->live)
          consider (self, entry, moves, touched);
      }
  compact_live (self);

  /* touched now marks the movers alone (move_many () needs them). */
  for (guint i = 0; i < touched->len; i++)
    ((Entry *) g_ptr_array_index (touched, i))->touched = FALSE;
  n_moves = moves->len;
  if (n_moves <= self->batch_from)
    for (guint i = 0; i < n_moves; i++)
      move_one (self, &g_array_index (moves, Move, i));
  else
    {
      for (guint i = 0; i < n_moves; i++)
        g_array_index (moves, Move, i).entry->touched = TRUE;
      move_many (self, moves);
      for (guint i = 0; i < n_moves; i++)
        g_array_index (moves, Move, i).entry->touched = FALSE;
    }
  for (guint i = 0; i < n_moves; i++)
    move_clear (&g_array_index (moves, Move, i));
  return n_moves;
}

guint
fb_job_order_find (FbJobOrder *self,
                   FbJob      *job)
{
  Entry *entry;

  g_return_val_if_fail (FB_IS_JOB_ORDER (self), G_MAXUINT);

  entry = g_hash_table_lookup (self->by_job, job);
  return entry != NULL ? find_entry (self, entry) : G_MAXUINT;
}

void
fb_job_order_set_batch_from (FbJobOrder *self,
                             guint       n_moves)
{
  g_return_if_fail (FB_IS_JOB_ORDER (self));

  self->batch_from = n_moves;
}

int
fb_job_order_compare_jobs (int    column,
                           FbJob *a,
                           FbJob *b)
{
  g_autofree char *str_a = NULL;
  g_autofree char *str_b = NULL;
  double num_a;
  double num_b;

  g_return_val_if_fail (FB_IS_JOB (a) && FB_IS_JOB (b), 0);

  job_key (column, a, &str_a, &num_a);
  job_key (column, b, &str_b, &num_b);
  return compare_keys (column, str_a, num_a, str_b, num_b);
}

gboolean
fb_job_filter_accepts (FbJobFilter  filter,
                       FbJob       *job)
{
  switch (filter)
    {
    case FB_JOB_FILTER_ACTIVE:
      switch (fb_job_get_phase (job))
        {
        case FB_JOB_PHASE_RESOLVING:
        case FB_JOB_PHASE_CONNECTING:
        case FB_JOB_PHASE_TLS:
        case FB_JOB_PHASE_FIRST_BYTE:
        case FB_JOB_PHASE_TRANSFERRING:
        case FB_JOB_PHASE_SAVING:
          return !fb_job_is_final (job);
        case FB_JOB_PHASE_QUEUED:
        case FB_JOB_PHASE_WAITING:
        case FB_JOB_PHASE_HOST_WAIT:
        case FB_JOB_PHASE_RETRY_WAIT:
        case FB_JOB_PHASE_DONE:
        default:
          return FALSE;
        }
    case FB_JOB_FILTER_FAILED:
      return fb_job_get_state (job) == FB_JOB_STATE_ERROR ||
             fb_job_get_state (job) == FB_JOB_STATE_NOT_FOUND;
    case FB_JOB_FILTER_DONE:
      return fb_job_is_final (job);
    case FB_JOB_FILTER_ALL:
    default:
      return TRUE;
    }
}
