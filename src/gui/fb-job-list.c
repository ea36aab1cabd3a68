/* fb-job-list.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job-list"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <time.h>

#include "fb-format.h"
#include "fb-frame-phase.h"
#include "fb-job-cell.h"
#include "fb-job-list.h"
#include "fb-job-order.h"
#include "fb-job-rows.h"

/* Filtering and sorting follow the jobs' states at most this often. */
#define REFRESH_INTERVAL_MS 300
/* GTK 4.8 makes its whole pool of about 200 rows (1,600 cells) as soon as
 * the list holds that many: 65-130 ms in one go here, then 30-70 ms more
 * for their first layout. (Each new cell also makes its whole column
 * measure again, so any frame that adds rows lays out all of them: 10-20 ms
 * here.) A list about to grow past a screenful at once is let into view
 * this many rows per frame instead: a screenful in about 10 frames, the
 * whole pool in about 2 s. Each frame then pays the relayout and two rows'
 * first styling and layout; in runs taking turns under Xvfb the longest
 * stall was 14-19 ms (median 18) at 2 rows, 16-27 ms (23) at 4 and 27-52 ms
 * (37) at 10. Past a screenful the rows are out of view, and one a frame
 * costs less again: 8 runs in turns, median 17.1 ms at 2 rows, 12.4 at 1,
 * lower in every pair; the pool is then full in about 4 s. */
/* The State column's width (the template's), and in a narrow window. */
#define STATE_WIDTH         150
#define STATE_WIDTH_NARROW  110
#define REVEAL_STEP         2
#define REVEAL_SCREENFUL    40
#define REVEAL_STEP_OUT     1
#define REVEAL_ALL_FROM     250
/* Blank rows at the end of a list that got shorter go this many a frame
 * (see fb-job-rows.h): removing a row GTK made costs about 0.25 ms, and
 * each frame that removes any also lays the list out again (2-4 ms). As the
 * Active list drained at the end of a sorted run, 10 a frame made frames of
 * 12-16 ms of CPU (perf); 4 keep them under 10, over a second or so. */
#define TRIM_STEP           4

static const char * const filter_names[] = {
  [FB_JOB_FILTER_ALL] = "all",
  [FB_JOB_FILTER_ACTIVE] = "active",
  [FB_JOB_FILTER_FAILED] = "failed",
  [FB_JOB_FILTER_DONE] = "done",
};

struct _FbJobList
{
  GtkWidget            parent_instance;

  /* Template widgets */
  GtkStack            *stack;
  AdwStatusPage       *empty_page;
  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *kind_column;
  GtkColumnViewColumn *state_column;
  GtkColumnViewColumn *progress_column;
  GtkColumnViewColumn *size_column;
  GtkColumnViewColumn *speed_column;
  GtkColumnViewColumn *elapsed_column;
  GtkColumnViewColumn *message_column;
  GMenuModel          *job_menu_model;

  /* Owned */
  GListModel          *jobs;
  FbJobOrder          *order;            /* the jobs filtered and sorted */
  FbJobChanges        *changes;          /* while the order follows the jobs' states */
  FbJobRows           *rows;             /* the order's places, which the view shows */
  GtkSliceListModel   *reveal_model;     /* the first rows */
  GtkMultiSelection   *selection;
  GtkWidget           *job_menu;

  guint                n_shown;
  guint                name_chars;        /* longest name so far, in characters */
  int                  name_width;        /* what the list set, until the person resizes */
  int                  name_cap;          /* NAME_MAX_WIDTH, or NAME_MAX_NARROW */
  int                  name_room;         /* the list's width less the other columns' */
  int                  wide_others;       /* the columns but Name and Message, all shown */
  guint                compact_asked;     /* the window's level (fb_job_list_set_compact ()) */
  guint                compact;           /* the level shown (level_for_width ()) */
  guint                compact_idle;
  int                  hidden_width[FB_JOB_COLUMN_MESSAGE + 1]; /* of hidden columns */
  guint                refresh_id;
  guint                reveal_tick;
  guint                width_tick;
  guint                trim_tick;
  guint                trim_idle;
  guint                bench_id;
  guint                bench_n;
  gint64               bench_start;
  /* The frame clock's counter: the frame that shows new jobs arriving does
   * nothing else of the list's (see fb_job_list_reveal_gradually ()), and
   * the one that gives the Name column its new width adds no rows. */
  gint64               hold_until;
  gint64               width_frame;

  guint                name_resized : 1;
};

G_DEFINE_FINAL_TYPE (FbJobList, fb_job_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FILTER,
  PROP_N_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  JOB_ACTIVATED,
  SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
list_is_sorted (FbJobList *self)
{
  return fb_job_order_get_sort_column (self->order) != FB_JOB_ORDER_ORIGINAL;
}

/* A filter that shows nothing says so, instead of a blank list. */
static void
update_empty_page (FbJobList *self)
{
  static const char * const titles[] = {
    [FB_JOB_FILTER_ALL] = N_("No Jobs"),
    [FB_JOB_FILTER_ACTIVE] = N_("No Active Jobs"),
    [FB_JOB_FILTER_FAILED] = N_("No Failed Jobs"),
    [FB_JOB_FILTER_DONE] = N_("No Finished Jobs"),
  };
  FbJobFilter filter = fb_job_order_get_filter (self->order);
  gboolean empty = self->n_shown == 0 && filter != FB_JOB_FILTER_ALL;

  if (empty)
    {
      adw_status_page_set_title (self->empty_page, _(titles[filter]));
      adw_status_page_set_description (self->empty_page,
                                       _("Jobs show here as they get there. Alt+1 shows every job."));
    }
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
update_n_shown (FbJobList *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->order));

  update_empty_page (self);
  if (n == self->n_shown)
    return;
  self->n_shown = n;
  update_empty_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SHOWN]);
}

static gboolean
trim_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  FbJobList *self = FB_JOB_LIST (widget);

  fb_job_rows_sync (self->rows);
  if (fb_job_rows_trim (self->rows, TRIM_STEP) > 0)
    return G_SOURCE_CONTINUE;
  self->trim_tick = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
trim_all_cb (gpointer user_data)
{
  FbJobList *self = user_data;

  self->trim_idle = 0;
  fb_job_rows_sync (self->rows);
  fb_job_rows_trim (self->rows, G_MAXUINT);
  return G_SOURCE_REMOVE;
}

static gboolean root_is_mapped (FbJobList *self);

/* The order changed: the rows may have gone blank at the end. Out of
 * view, they go at once. */
static void
order_changed_cb (FbJobList *self)
{
  if (!root_is_mapped (self))
    {
      if (self->trim_idle == 0)
        self->trim_idle = g_idle_add (trim_all_cb, self);
    }
  else if (self->trim_tick == 0)
    self->trim_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), trim_tick_cb, self, NULL);
}

/* The view's rows keep their places while the jobs move (fb-job-rows.h),
 * and GTK's selection is of rows: the selected jobs are noted before a
 * change of the order and selected again where they went after it. */
static GPtrArray *
selection_save (FbJobList *self)
{
  GtkBitset *set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *selected = NULL;

  if (!gtk_bitset_is_empty (set))
    selected = fb_job_list_dup_selected (self);
  gtk_bitset_unref (set);
  return selected;
}

static void
selection_restore (FbJobList *self,
                   GPtrArray *selected)
{
  GtkSelectionModel *model = GTK_SELECTION_MODEL (self->selection);
  g_autoptr(GtkBitset) wanted = gtk_bitset_new_empty ();
  g_autoptr(GtkBitset) now = gtk_selection_model_get_selection (model);
  guint limit = g_list_model_get_n_items (G_LIST_MODEL (self->selection));

  for (guint i = 0; selected != NULL && i < selected->len; i++)
    {
      guint position = fb_job_order_find (self->order, g_ptr_array_index (selected, i));

      if (position < limit)
        gtk_bitset_add (wanted, position);
    }
  if (!gtk_bitset_equals (wanted, now))
    {
      g_autoptr(GtkBitset) mask = gtk_bitset_copy (wanted);

      gtk_bitset_union (mask, now);
      gtk_selection_model_set_selection (model, wanted, mask);
    }
}

/* The jobs that changed since the last refresh move to their new places. */
static gboolean
refresh_cb (gpointer user_data)
{
  FbJobList *self = user_data;
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  guint wait;

  self->refresh_id = 0;
  if (self->changes == NULL)
    return G_SOURCE_REMOVE;
  /* Rows that move (a sorted or filtered list) redraw the whole list: in
   * one of the list's own frames (see fb-frame-phase.h). */
  wait = fb_frame_phase_wait (g_get_monotonic_time (), FB_FRAME_PHASE_LIST);
  if (wait > 0)
    {
      self->refresh_id = g_timeout_add (wait, refresh_cb, self);
      return G_SOURCE_REMOVE;
    }
  changed = fb_job_changes_take (self->changes);
  /* A filtered list may grow from a few rows to hundreds at once. */
  fb_job_list_reveal_gradually (self);
  selected = selection_save (self);
  if (fb_job_order_update (self->order, changed) > 0)
    {
      fb_job_rows_sync (self->rows);
      if (selected != NULL)
        selection_restore (self, selected);
    }
  update_n_shown (self);
  return G_SOURCE_REMOVE;
}

/* The order follows the jobs' states while sorted or filtered; in the
 * list's own order, unfiltered, nothing moves and nobody watches. */
static void
follow_changes (FbJobList *self)
{
  if (!fb_job_order_follows_jobs (self->order))
    g_clear_pointer (&self->changes, fb_job_changes_free);
  else if (self->changes == NULL)
    self->changes = fb_job_changes_new ();
}

/* The column view's sorter tells which column sorts, and which way, only
 * through its compare function in GTK 4.8 (the primary sort column is
 * public from 4.10): it asks the columns' sorters in turn, the primary
 * one first, and each column's sorter knows two probe items. */
static struct
{
  gconstpointer a;
  gconstpointer b;
  int           column;
} probe;

static int
column_compare (gconstpointer a,
                gconstpointer b,
                gpointer      column)
{
  if (a == probe.a && b == probe.b)
    {
      probe.column = GPOINTER_TO_INT (column);
      return -1;
    }
  return fb_job_order_compare_jobs (GPOINTER_TO_INT (column), (FbJob *) a, (FbJob *) b);
}

static void
sorter_changed_cb (GtkSorter *sorter,
                   int        change,
                   FbJobList *self)
{
  g_autoptr(GPtrArray) selected = selection_save (self);
  GtkOrdering ordering;
  int column;

  probe.a = self;
  probe.b = self->order;
  probe.column = FB_JOB_ORDER_ORIGINAL;
  ordering = gtk_sorter_compare (sorter, (gpointer) probe.a, (gpointer) probe.b);
  column = probe.column;
  probe.a = probe.b = NULL;

  fb_job_order_set_sort (self->order, column, ordering == GTK_ORDERING_LARGER);
  fb_job_rows_sync (self->rows);
  if (selected != NULL)
    selection_restore (self, selected);
  follow_changes (self);
  update_n_shown (self);
}

/* Cells are made in C, not from a GtkBuilder template: GTK 4.8 keeps up to
 * 200 rows alive around the visible ones, and parsing a template for each
 * of their cells took tens of milliseconds whenever rows were first made. */
static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  column)
{
  gtk_list_item_set_child (item, fb_job_cell_new (GPOINTER_TO_INT (column)));
}

/* A row's cells follow the job at its place (see fb-job-rows.h). */
static void
row_job_cb (FbJobRow   *row,
            GParamSpec *pspec,
            FbJobCell  *cell)
{
  fb_job_cell_set_job (cell, fb_job_row_get_job (row));
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  column)
{
  FbJobCell *cell = FB_JOB_CELL (gtk_list_item_get_child (item));
  FbJobRow *row = gtk_list_item_get_item (item);

  fb_job_cell_set_position (cell, gtk_list_item_get_position (item));
  fb_job_cell_set_job (cell, fb_job_row_get_job (row));
  g_signal_connect_object (row, "notify::job", G_CALLBACK (row_job_cb), cell, 0);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  column)
{
  FbJobCell *cell = FB_JOB_CELL (gtk_list_item_get_child (item));

  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), row_job_cb, cell);
  fb_job_cell_set_job (cell, NULL);
  fb_job_cell_set_position (cell, G_MAXUINT);
}

static void
setup_columns (FbJobList *self)
{
  GtkColumnViewColumn *columns[] = {
    [FB_JOB_COLUMN_NAME] = self->name_column,
    [FB_JOB_COLUMN_KIND] = self->kind_column,
    [FB_JOB_COLUMN_STATE] = self->state_column,
    [FB_JOB_COLUMN_PROGRESS] = self->progress_column,
    [FB_JOB_COLUMN_SIZE] = self->size_column,
    [FB_JOB_COLUMN_SPEED] = self->speed_column,
    [FB_JOB_COLUMN_ELAPSED] = self->elapsed_column,
    [FB_JOB_COLUMN_MESSAGE] = self->message_column,
  };

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkCustomSorter) sorter = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), GINT_TO_POINTER (i));
      gtk_column_view_column_set_factory (columns[i], factory);

      /* The headers sort through these; the order itself is FbJobOrder's
       * (sorter_changed_cb ()). */
      sorter = gtk_custom_sorter_new (column_compare, GINT_TO_POINTER (i), NULL);
      gtk_column_view_column_set_sorter (columns[i], GTK_SORTER (sorter));
    }
}

/* The Name column is as wide as its longest name (within bounds), so two-
 * letter codes do not take 240 px; the person may resize it, and then it
 * stays as they left it. Names are counted in characters, not measured:
 * measuring 10,000 texts would stall the main loop. */
#define NAME_MIN_WIDTH 72
#define NAME_MAX_WIDTH 360
#define NAME_MAX_NARROW 150
#define MESSAGE_MIN_WIDTH 40
/* What the Name column leaves the Message column, within the list's width
 * (or half the room the other columns leave, if that is less): long URLs in
 * a 1,100 px window pushed Message, the column that says why a job failed,
 * past the right edge behind a horizontal scrollbar. */
#define MESSAGE_ROOM 200
/* The least room for a long name that keeps Kind, Size and Elapsed shown
 * (level_for_width ()). */
#define NAME_WIDE_MIN 200

static gint64
frame_counter (FbJobList *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  return clock != NULL ? gdk_frame_clock_get_frame_counter (clock) : 0;
}

/* A new width for the Name column lays out and draws every row again: in a
 * frame of its own, after the one that showed the jobs arrive (GTK 4.8
 * measured, styled and drew the list twice over in that frame when both
 * came at once: 20-27 ms of CPU instead of 5-13). */
static gboolean
width_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  FbJobList *self = FB_JOB_LIST (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);

  if (frame <= self->hold_until || !fb_frame_phase_is (clock, FB_FRAME_PHASE_LIST))
    return G_SOURCE_CONTINUE;
  self->width_tick = 0;
  self->width_frame = frame;
  if (!self->name_resized)
    gtk_column_view_column_set_fixed_width (self->name_column, self->name_width);
  return G_SOURCE_REMOVE;
}

/* The Name column's width for the longest name so far, within its cap (or
 * the width the person gave it). */
static int
wanted_name_width (FbJobList *self)
{
  PangoFontMetrics *metrics;
  int width;

  if (self->name_resized)
    return gtk_column_view_column_get_fixed_width (self->name_column);
  metrics = pango_context_get_metrics (gtk_widget_get_pango_context (GTK_WIDGET (self)),
                                       NULL, NULL);
  width = (int) (self->name_chars * pango_font_metrics_get_approximate_char_width (metrics)
                 / PANGO_SCALE) + 24;
  pango_font_metrics_unref (metrics);
  return CLAMP (width, NAME_MIN_WIDTH, self->name_cap);
}

/* The level of fb_job_list_set_compact () the list shows: the window's, or
 * 1 where the window asks for every column but they leave the name less
 * than it wants (at most NAME_WIDE_MIN) beside MESSAGE_ROOM: from about
 * 1,080 px a long name and its message have 200 px each beside every
 * column. Long URLs in a 1,010 px window had 165 px each for the name and
 * the reason, where 10 px less, without Kind, Size and Elapsed, showed
 * both whole. It depends on the view's width and the names, not on the
 * columns shown, so it cannot swing back and forth. */
static guint
level_for_width (FbJobList *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->scrolled_window);
  double page = gtk_adjustment_get_page_size (adjustment);

  if (self->compact_asked != 0 || page <= 0)
    return self->compact_asked;
  return page - self->wide_others - MESSAGE_ROOM >= MIN (wanted_name_width (self), NAME_WIDE_MIN)
         ? 0 : 1;
}

static void apply_compact (FbJobList *self,
                           guint      level);

static gboolean
compact_idle_cb (gpointer user_data)
{
  FbJobList *self = user_data;

  self->compact_idle = 0;
  apply_compact (self, level_for_width (self));
  return G_SOURCE_REMOVE;
}

/* Not from inside an allocation: showing and hiding columns queues one. */
static void
follow_level (FbJobList *self)
{
  if (level_for_width (self) != self->compact && self->compact_idle == 0)
    self->compact_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, compact_idle_cb, self, NULL);
}

/* The Name column's width for the longest name so far, within its cap and
 * the room the list's width leaves beside the other columns. */
static void
apply_name_width (FbJobList *self)
{
  int width;

  if (self->name_resized)
    return;
  width = MIN (wanted_name_width (self), MAX (NAME_MIN_WIDTH, self->name_room));
  if (width == self->name_width)
    return;
  self->name_width = width;
  if (!root_is_mapped (self))
    gtk_column_view_column_set_fixed_width (self->name_column, width);
  else if (self->width_tick == 0)
    self->width_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), width_tick_cb, self, NULL);
}

/* The room for Name: what the other shown columns leave of the view's
 * width, less MESSAGE_ROOM or half of it, whichever is more. Followed as
 * the view's width changes. */
static void
view_width_cb (FbJobList *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->scrolled_window);
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  int room = (int) gtk_adjustment_get_page_size (adjustment);

  if (gtk_adjustment_get_page_size (adjustment) <= 0)
    return;
  follow_level (self);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (column != self->name_column && column != self->message_column &&
          gtk_column_view_column_get_visible (column))
        room -= MAX (0, gtk_column_view_column_get_fixed_width (column));
    }
  room = MAX (room - MESSAGE_ROOM, room / 2);
  if (room == self->name_room)
    return;
  self->name_room = room;
  apply_name_width (self);
}

static void
jobs_changed_cb (GListModel *jobs,
                 guint       position,
                 guint       removed,
                 guint       added,
                 FbJobList  *self)
{
  guint chars = self->name_chars;

  if (self->name_resized || added == 0)
    return;
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

      if (fb_job_get_kind (job) == FB_JOB_KIND_CATALOG)
        {
          g_autofree char *name = fb_format_job_name (job);

          chars = MAX (chars, (guint) g_utf8_strlen (name, -1));
        }
      else
        chars = MAX (chars, (guint) g_utf8_strlen (fb_job_get_input (job), -1));
    }
  if (chars == self->name_chars)
    return;
  self->name_chars = chars;
  apply_name_width (self);
  follow_level (self);
}

static void
name_width_cb (FbJobList *self)
{
  if (gtk_column_view_column_get_fixed_width (self->name_column) != self->name_width)
    self->name_resized = TRUE;
}

/* The job menu */

static void
popup_job_menu (FbJobList *self,
                double     x,
                double     y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  gtk_popover_set_pointing_to (GTK_POPOVER (self->job_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->job_menu));
}

static void
job_menu_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  FbJobList *self = FB_JOB_LIST (widget);
  GtkSelectionModel *model = GTK_SELECTION_MODEL (self->selection);
  guint position;
  double x;
  double y;

  g_variant_get (parameter, "(udd)", &position, &x, &y);
  if (position < g_list_model_get_n_items (G_LIST_MODEL (model)) &&
      !gtk_selection_model_is_selected (model, position))
    gtk_selection_model_select_item (model, position, TRUE);
  popup_job_menu (self, x, y);
}

/* One gesture for the whole view: the row under the pointer is the cell's. */
static void
context_pressed_cb (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    FbJobList       *self)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  GtkWidget *picked = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
  GtkWidget *cell = picked != NULL ? gtk_widget_get_ancestor (picked, FB_TYPE_JOB_CELL) : NULL;

  if (cell == NULL || fb_job_cell_get_job (FB_JOB_CELL (cell)) == NULL)
    return;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  gtk_widget_activate_action (view, "job.menu", "(udd)",
                              fb_job_cell_get_position (FB_JOB_CELL (cell)), x, y);
}

static void
job_menu_key_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  FbJobList *self = FB_JOB_LIST (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  graphene_rect_t bounds;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->column_view)) &&
      gtk_widget_compute_bounds (focus, GTK_WIDGET (self->column_view), &bounds))
    popup_job_menu (self, bounds.origin.x + 24, bounds.origin.y + bounds.size.height);
  else
    popup_job_menu (self, 24, 24);
}

static void
activate_cb (GtkColumnView *view,
             guint          position,
             FbJobList     *self)
{
  g_autoptr(FbJobRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (row != NULL && fb_job_row_get_job (row) != NULL)
    g_signal_emit (self, signals[JOB_ACTIVATED], 0, fb_job_row_get_job (row));
}

static void
selection_changed_cb (FbJobList *self)
{
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

static FbJobCell *
find_cell (GtkWidget *widget)
{
  if (FB_IS_JOB_CELL (widget))
    return FB_JOB_CELL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      FbJobCell *cell = find_cell (child);

      if (cell != NULL)
        return cell;
    }
  return NULL;
}

/* Tab moves the focus onto a row without selecting it (GTK 4.8): with
 * nothing selected, the focused row is the selection, so Delete, Ctrl+R
 * and the menu key act on what has the focus. */
static void
focus_widget_cb (GtkRoot    *root,
                 GParamSpec *pspec,
                 FbJobList  *self)
{
  GtkWidget *focus = gtk_root_get_focus (root);
  FbJobCell *cell;
  guint position;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->column_view)) ||
      fb_job_list_has_selection (self))
    return;
  cell = gtk_widget_get_ancestor (focus, FB_TYPE_JOB_CELL) != NULL
         ? FB_JOB_CELL (gtk_widget_get_ancestor (focus, FB_TYPE_JOB_CELL))
         : find_cell (focus);
  if (cell == NULL || fb_job_cell_get_job (cell) == NULL)
    return;
  position = fb_job_cell_get_position (cell);
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

static gboolean
root_is_mapped (FbJobList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return root != NULL && gtk_widget_get_mapped (GTK_WIDGET (root));
}

static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  FbJobList *self = FB_JOB_LIST (widget);
  guint size = gtk_slice_list_model_get_size (self->reveal_model);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);

  /* The jobs' arrival and the Name column's width each have their frame. */
  if (root_is_mapped (self) &&
      (frame <= self->hold_until || frame == self->width_frame || self->width_tick != 0 ||
       !fb_frame_phase_is (clock, FB_FRAME_PHASE_LIST)))
    return G_SOURCE_CONTINUE;

  size += size < REVEAL_SCREENFUL ? REVEAL_STEP : REVEAL_STEP_OUT;

  if (size >= REVEAL_ALL_FROM || !root_is_mapped (self) ||
      size >= g_list_model_get_n_items (G_LIST_MODEL (self->rows)))
    {
      self->reveal_tick = 0;
      gtk_slice_list_model_set_size (self->reveal_model, G_MAXUINT);
      return G_SOURCE_REMOVE;
    }
  gtk_slice_list_model_set_size (self->reveal_model, size);
  return G_SOURCE_CONTINUE;
}

/* GtkWidget */

/* GTK 4.8's list moves Tab from row to row (4.12 added GtkListTabBehavior
 * for this), so Tab never left a list of many jobs: Tab and Shift+Tab go on
 * to what comes after and before the list; the arrows move in it. */
static gboolean
fb_job_list_focus (GtkWidget        *widget,
                   GtkDirectionType  direction)
{
  FbJobList *self = FB_JOB_LIST (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if ((direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD) &&
      focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->column_view)))
    return FALSE;
  return GTK_WIDGET_CLASS (fb_job_list_parent_class)->focus (widget, direction);
}

static void
fb_job_list_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (fb_job_list_parent_class)->root (widget);

  g_signal_connect_object (gtk_widget_get_root (widget), "notify::focus-widget",
                           G_CALLBACK (focus_widget_cb), widget, 0);
}

static void
fb_job_list_unroot (GtkWidget *widget)
{
  g_signal_handlers_disconnect_by_func (gtk_widget_get_root (widget), focus_widget_cb, widget);

  GTK_WIDGET_CLASS (fb_job_list_parent_class)->unroot (widget);
}

/* GObject */

static void
fb_job_list_dispose (GObject *object)
{
  FbJobList *self = FB_JOB_LIST (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->bench_id, g_source_remove);
  g_clear_handle_id (&self->trim_idle, g_source_remove);
  g_clear_handle_id (&self->compact_idle, g_source_remove);
  g_clear_pointer (&self->changes, fb_job_changes_free);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view),
                                          sorter_changed_cb, self);
  /* The slice stays as it is: growing it now would make rows just before
   * the teardown. */
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick);
  self->reveal_tick = 0;
  if (self->width_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->width_tick);
  self->width_tick = 0;
  if (self->trim_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->trim_tick);
  self->trim_tick = 0;
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_pointer (&self->job_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_JOB_LIST);

  g_clear_object (&self->selection);
  g_clear_object (&self->reveal_model);
  g_clear_object (&self->rows);
  g_clear_object (&self->order);
  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_clear_object (&self->jobs);

  G_OBJECT_CLASS (fb_job_list_parent_class)->dispose (object);
}

static void
fb_job_list_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  FbJobList *self = FB_JOB_LIST (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      g_value_set_string (value, fb_job_list_get_filter (self));
      break;
    case PROP_N_SHOWN:
      g_value_set_uint (value, self->n_shown);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_list_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  FbJobList *self = FB_JOB_LIST (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      fb_job_list_set_filter (self, g_value_get_string (value));
      break;
    case PROP_N_SHOWN:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_list_class_init (FbJobListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_job_list_dispose;
  object_class->get_property = fb_job_list_get_property;
  object_class->set_property = fb_job_list_set_property;
  widget_class->focus = fb_job_list_focus;
  widget_class->root = fb_job_list_root;
  widget_class->unroot = fb_job_list_unroot;

  properties[PROP_FILTER] =
    g_param_spec_string ("filter", NULL, NULL,
                         "all",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_SHOWN] =
    g_param_spec_uint ("n-shown", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A row was activated (Enter, double click). */
  signals[JOB_ACTIVATED] =
    g_signal_new ("job-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, FB_TYPE_JOB);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-job-list.ui");
  gtk_widget_class_bind_template_child (widget_class, FbJobList, stack);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, column_view);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, name_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, kind_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, state_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, progress_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, size_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, speed_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, elapsed_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, message_column);
  gtk_widget_class_bind_template_child (widget_class, FbJobList, job_menu_model);

  gtk_widget_class_install_action (widget_class, "job.menu", "(udd)", job_menu_action);
  gtk_widget_class_install_action (widget_class, "job.menu-key", NULL, job_menu_key_action);
}

static void
fb_job_list_init (FbJobList *self)
{
  GtkGesture *gesture;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* GTK's sort and filter models took 80-160 ms a refresh with 10,000
   * jobs (see fb-job-order.c): the order is the list's own, and moves only
   * the jobs that changed. */
  self->order = fb_job_order_new ();
  self->rows = fb_job_rows_new (G_LIST_MODEL (self->order));
  self->reveal_model = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                                 0, G_MAXUINT);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->reveal_model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  setup_columns (self);

  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->order, "items-changed",
                            G_CALLBACK (update_n_shown), self);
  g_signal_connect_swapped (self->order, "items-changed",
                            G_CALLBACK (order_changed_cb), self);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (sorter_changed_cb), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (activate_cb), self);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (context_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (gesture));

  self->name_width = gtk_column_view_column_get_fixed_width (self->name_column);
  self->name_cap = NAME_MAX_WIDTH;
  self->name_room = G_MAXINT;
  {
    GListModel *columns = gtk_column_view_get_columns (self->column_view);

    for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

        if (column != self->name_column && column != self->message_column)
          self->wide_others += MAX (0, gtk_column_view_column_get_fixed_width (column));
      }
  }
  g_signal_connect_swapped (self->name_column, "notify::fixed-width",
                            G_CALLBACK (name_width_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_hadjustment (self->scrolled_window),
                            "notify::page-size", G_CALLBACK (view_width_cb), self);

  self->job_menu = gtk_popover_menu_new_from_model (self->job_menu_model);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->job_menu), FALSE);
  gtk_widget_set_halign (self->job_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->job_menu, GTK_WIDGET (self->column_view));
}

GtkWidget *
fb_job_list_new (void)
{
  return g_object_new (FB_TYPE_JOB_LIST, NULL);
}

void
fb_job_list_set_jobs (FbJobList  *self,
                      GListModel *jobs)
{
  g_return_if_fail (FB_IS_JOB_LIST (self));
  g_return_if_fail (jobs == NULL || G_IS_LIST_MODEL (jobs));

  if (self->jobs != NULL)
    g_signal_handlers_disconnect_by_func (self->jobs, jobs_changed_cb, self);
  g_set_object (&self->jobs, jobs);
  /* A new run's names: two-letter codes after URLs get a narrow column. */
  self->name_chars = 0;
  if (jobs != NULL)
    {
      g_signal_connect (jobs, "items-changed", G_CALLBACK (jobs_changed_cb), self);
      jobs_changed_cb (jobs, 0, 0, g_list_model_get_n_items (jobs), self);
    }
  apply_name_width (self);
  follow_level (self);
  fb_job_order_set_jobs (self->order, jobs);
  fb_job_rows_sync (self->rows);
  update_n_shown (self);
}

GtkColumnView *
fb_job_list_get_column_view (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), NULL);

  return self->column_view;
}

const char *
fb_job_list_get_filter (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), NULL);

  return filter_names[fb_job_order_get_filter (self->order)];
}

void
fb_job_list_set_filter (FbJobList  *self,
                        const char *filter)
{
  FbJobFilter mode = FB_JOB_FILTER_ALL;
  g_autoptr(GPtrArray) selected = NULL;

  g_return_if_fail (FB_IS_JOB_LIST (self));

  for (guint i = 0; i < G_N_ELEMENTS (filter_names); i++)
    if (g_strcmp0 (filter, filter_names[i]) == 0)
      mode = i;

  if (mode == fb_job_order_get_filter (self->order))
    return;

  fb_job_list_reveal_gradually (self);
  selected = selection_save (self);
  fb_job_order_set_filter (self->order, mode);
  fb_job_rows_sync (self->rows);
  if (selected != NULL)
    selection_restore (self, selected);
  follow_changes (self);
  update_n_shown (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}

guint
fb_job_list_get_n_shown (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), 0);

  return self->n_shown;
}

GPtrArray *
fb_job_list_dup_selected (FbJobList *self)
{
  GPtrArray *jobs;
  GtkBitset *set;
  GtkBitsetIter iter;
  guint position;

  g_return_val_if_fail (FB_IS_JOB_LIST (self), NULL);

  jobs = g_ptr_array_new_with_free_func (g_object_unref);
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok; ok = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(FbJobRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      /* Not a blank row at the end (see fb-job-rows.h). */
      if (fb_job_row_get_job (row) != NULL)
        g_ptr_array_add (jobs, g_object_ref (fb_job_row_get_job (row)));
    }
  gtk_bitset_unref (set);
  return jobs;
}

/* GTK 4.8 counts the fixed width of a hidden column in the view's least
 * width (gtk_column_view_measure_across ()), so in a narrow window Message had
 * no room left to expand into and showed "HTT…" beside empty space: a hidden
 * column gives its width up, and gets it back (the person's, if they
 * resized it) when it shows again. */
static void
show_column (FbJobList           *self,
             FbJobColumn          index,
             GtkColumnViewColumn *column,
             gboolean             shown)
{
  int width = gtk_column_view_column_get_fixed_width (column);

  if (!shown && width > 0)
    {
      self->hidden_width[index] = width;
      gtk_column_view_column_set_fixed_width (column, 0);
    }
  else if (shown && width == 0 && self->hidden_width[index] > 0)
    gtk_column_view_column_set_fixed_width (column, self->hidden_width[index]);
  gtk_column_view_column_set_visible (column, shown);
}

void
fb_job_list_set_compact (FbJobList *self,
                         guint      level)
{
  g_return_if_fail (FB_IS_JOB_LIST (self));

  self->compact_asked = level;
  g_clear_handle_id (&self->compact_idle, g_source_remove);
  apply_compact (self, level_for_width (self));
}

guint
fb_job_list_get_compact (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), 0);

  return self->compact;
}

static void
apply_compact (FbJobList *self,
               guint      level)
{
  self->compact = level;

  /* Medium: Kind, Size and Elapsed go (the name and the message say most
   * of it); narrow: Progress and Speed too, so Name, State and Message fit. */
  show_column (self, FB_JOB_COLUMN_KIND, self->kind_column, level == 0);
  show_column (self, FB_JOB_COLUMN_SIZE, self->size_column, level == 0);
  show_column (self, FB_JOB_COLUMN_ELAPSED, self->elapsed_column, level == 0);
  show_column (self, FB_JOB_COLUMN_PROGRESS, self->progress_column, level < 2);
  show_column (self, FB_JOB_COLUMN_SPEED, self->speed_column, level < 2);
  /* An icon and a word: the room it gives up goes to the message. */
  gtk_column_view_column_set_fixed_width (self->state_column,
                                          level < 2 ? STATE_WIDTH : STATE_WIDTH_NARROW);
  /* A column without a fixed width is as wide as its widest cell, so GTK
   * 4.8 measures each cell of the Message column again in every frame the
   * list changes (1.5 ms of a run's first busy frame under load, about
   * 0.6 ms in the frames after it). In a wide window it has a least width
   * that it expands from, and shows as before; in a narrow one GTK 4.8
   * then leaves it that narrow, so there it keeps the cells' width. (A wide
   * window whose names leave Kind, Size and Elapsed out is still wide.) */
  gtk_column_view_column_set_fixed_width (self->message_column,
                                          self->compact_asked == 0 ? MESSAGE_MIN_WIDTH : -1);
  self->name_cap = level < 2 ? NAME_MAX_WIDTH : NAME_MAX_NARROW;
  view_width_cb (self);
  apply_name_width (self);
}

gboolean
fb_job_list_sort_by (FbJobList   *self,
                     FbJobColumn  column,
                     gboolean     descending)
{
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_return_val_if_fail (FB_IS_JOB_LIST (self), FALSE);

  view_column = g_list_model_get_item (gtk_column_view_get_columns (self->column_view), column);
  if (view_column == NULL)
    return FALSE;
  gtk_column_view_sort_by_column (self->column_view, view_column,
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  return TRUE;
}

guint
fb_job_list_get_pending (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), 0);

  return (self->reveal_tick != 0 ? 1 : 0) + (self->width_tick != 0 ? 1 : 0) +
         (self->refresh_id != 0 ? 1 : 0) +
         fb_job_rows_get_n_blank (self->rows);
}

void
fb_job_list_sort_original (FbJobList *self)
{
  g_return_if_fail (FB_IS_JOB_LIST (self));

  gtk_column_view_sort_by_column (self->column_view, NULL, GTK_SORT_ASCENDING);
}

gboolean
fb_job_list_is_sorted (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), FALSE);

  return list_is_sorted (self);
}

gboolean
fb_job_list_has_selection (FbJobList *self)
{
  GtkBitset *set;
  gboolean empty;

  g_return_val_if_fail (FB_IS_JOB_LIST (self), FALSE);

  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  empty = gtk_bitset_is_empty (set);
  gtk_bitset_unref (set);
  return !empty;
}

void
fb_job_list_schedule_refresh (FbJobList *self)
{
  g_return_if_fail (FB_IS_JOB_LIST (self));

  if (self->changes == NULL)
    return;
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

/* While the list is short, it grows on screen a few rows per frame (see
 * REVEAL_STEP), from the frame after the one that shows the jobs arrive:
 * that one already changes much of the window (the page, the summary), and
 * GTK 4.8 styled and measured rows made in it at several times the cost of
 * the same rows a frame later (first busy frame 20-27 ms of CPU, 13-19 ms
 * with the rows held back, in the window-stall bench). */
void
fb_job_list_reveal_gradually (FbJobList *self)
{
  guint n;

  g_return_if_fail (FB_IS_JOB_LIST (self));

  /* The rows, blank ones too: a cap below them would remove rows GTK made
   * widgets for, all at once (see fb-job-rows.h). */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  /* The list may be about to come into view: the window is what counts.
   * Sorted too: the rows stay in their places (new ones come at the end,
   * see fb-job-rows.h), so a cap hides no row already shown. */
  if (self->reveal_tick != 0 || n >= REVEAL_ALL_FROM || !root_is_mapped (self))
    return;
  self->hold_until = frame_counter (self) + 1;
  gtk_slice_list_model_set_size (self->reveal_model, n);
  self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_tick_cb, self, NULL);
}

const char *
fb_job_list_get_empty_title (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "empty") != 0)
    return NULL;
  return adw_status_page_get_title (self->empty_page);
}

GListModel *
fb_job_list_get_shown (FbJobList *self)
{
  g_return_val_if_fail (FB_IS_JOB_LIST (self), NULL);

  return G_LIST_MODEL (self->order);
}

/* For bench/window-stall.sh (STALL_VIEW="… switch"): the view switches
 * its filter or its sort, one at a time as a person would, every
 * BENCH_SWITCH_MS, and each switch says how long the main loop spent in
 * it and how long until the next frame was drawn. */
#define BENCH_SWITCH_MS 700
#define BENCH_SWITCHES  40

static const struct
{
  const char *filter;   /* NULL: the sort changes */
  int         column;
  const char *sort;
} bench_views[] = {
  { "all", 0, NULL },
  { "active", 0, NULL },
  { NULL, FB_JOB_ORDER_ORIGINAL, "original" },
  { NULL, FB_JOB_COLUMN_NAME, "name" },
  { "all", 0, NULL },
  { NULL, FB_JOB_COLUMN_STATE, "state" },
  { "failed", 0, NULL },
  { NULL, FB_JOB_ORDER_ORIGINAL, "original" },
  { "all", 0, NULL },
  { NULL, FB_JOB_COLUMN_STATE, "state" },
  { "active", 0, NULL },
};

static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
bench_painted_cb (GdkFrameClock *clock,
                  FbJobList     *self)
{
  g_signal_handlers_disconnect_by_func (clock, bench_painted_cb, self);
  g_printerr ("fetchboard: view switch %u: %.1f ms to the next frame\n",
              self->bench_n, (g_get_monotonic_time () - self->bench_start) / 1000.0);
}

static gboolean
bench_switch_cb (gpointer user_data)
{
  FbJobList *self = user_data;
  guint view = self->bench_n % G_N_ELEMENTS (bench_views);
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  gint64 cpu = thread_cpu_usec ();

  if (self->bench_n >= BENCH_SWITCHES || clock == NULL)
    {
      self->bench_id = 0;
      return G_SOURCE_REMOVE;
    }
  self->bench_n++;
  self->bench_start = g_get_monotonic_time ();
  if (bench_views[view].filter != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.filter", "s", bench_views[view].filter);
  else if (bench_views[view].column == FB_JOB_ORDER_ORIGINAL)
    fb_job_list_sort_original (self);
  else
    fb_job_list_sort_by (self, bench_views[view].column, FALSE);
  g_printerr ("fetchboard: view switch %u to %s=%s, %u rows: %.1f ms in the call "
              "(%.1f ms of CPU)\n",
              self->bench_n, bench_views[view].filter != NULL ? "filter" : "sort",
              bench_views[view].filter != NULL ? bench_views[view].filter : bench_views[view].sort,
              self->n_shown,
              (g_get_monotonic_time () - self->bench_start) / 1000.0,
              (thread_cpu_usec () - cpu) / 1000.0);
  g_signal_handlers_disconnect_by_func (clock, bench_painted_cb, self);
  g_signal_connect (clock, "after-paint", G_CALLBACK (bench_painted_cb), self);
  return G_SOURCE_CONTINUE;
}

void
fb_job_list_bench_switches (FbJobList *self)
{
  g_return_if_fail (FB_IS_JOB_LIST (self));

  if (self->bench_id == 0)
    self->bench_id = g_timeout_add (BENCH_SWITCH_MS, bench_switch_cb, self);
}
