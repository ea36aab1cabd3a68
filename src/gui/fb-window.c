/* fb-window.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "fb-countries.h"
#include "fb-format.h"
#include "fb-input.h"
#include "fb-job-cell.h"
#include "fb-list-parser.h"
#include "fb-renderer.h"
#include "fb-timeline.h"
#include "fb-session.h"
#include "fb-window.h"

/* Filtering and sorting follow the jobs' states at most this often. */
#define REFRESH_INTERVAL_MS 300
/* Below this much free space, failed writes are reported as a full disk. */
#define DISK_FULL_BYTES     (1024 * 1024)
#define SPACE_CHECK_USEC    (2 * G_USEC_PER_SEC)
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
#define REVEAL_STEP         2
#define REVEAL_SCREENFUL    40
#define REVEAL_STEP_OUT     1
#define REVEAL_ALL_FROM     250
/* Jobs a list adds to the run per main-loop turn (about 3 ms), taking turns
 * with the run's sockets: at a lower priority a busy run would starve it. */
#define FEED_SLICE          2000
#define FEED_PRIORITY       G_PRIORITY_DEFAULT
/* How long a closing window waits for its cancelled jobs to clean up. */
#define CLOSE_GRACE_MS      5000

/* Codes the demo asks for that no country has, so "not found" shows too. */
static const char * const demo_missing_codes[] = { "QX", "XZ", "ZB" };

typedef enum
{
  FILTER_ALL,
  FILTER_ACTIVE,
  FILTER_FAILED,
  FILTER_DONE,
} FilterMode;

static const char * const filter_names[] = { "all", "active", "failed", "done" };

struct _FbWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkAdjustment        *concurrency_adjustment;
  GtkSpinButton        *concurrency_spin;
  GtkWidget            *destination_button;
  GtkLabel             *destination_label;
  GtkRevealer          *trouble_revealer;
  GtkLabel             *trouble_label;
  GtkButton            *trouble_button;
  GtkStack             *stack;
  GtkWidget            *demo_button;
  FbRunSummary         *summary;
  FbTimeline           *timeline;
  GtkLabel             *shown_label;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *kind_column;
  GtkColumnViewColumn  *state_column;
  GtkColumnViewColumn  *progress_column;
  GtkColumnViewColumn  *size_column;
  GtkColumnViewColumn  *speed_column;
  GtkColumnViewColumn  *elapsed_column;
  GtkColumnViewColumn  *message_column;
  GMenuModel           *job_menu_model;

  GSettings            *settings;
  GCancellable         *cancellable;
  FbRun                *run;
  GtkFilterListModel   *filter_model;
  GtkSortListModel     *sort_model;
  GtkSliceListModel    *reveal_model;     /* the first rows of sort_model */
  guint                 reveal_tick;
  GtkMultiSelection    *selection;
  GtkCustomFilter      *filter;
  GtkWidget            *job_menu;
  GtkFileChooserNative *chooser;
  GQueue                pending_inputs;   /* FbInput* waiting for the preview */
  FbInputFeed          *feed;             /* a long list still going into the run */
  guint                 feed_id;

  FbPreviewDialog      *preview;          /* weak */

  FilterMode            filter_mode;
  guint                 refresh_id;
  guint                 close_timeout_id;
  gint64                last_space_check;
  guint                 n_writing_jobs;

  guint                 started : 1;
  guint                 painted : 1;
  guint                 stall_wanted : 1;
  guint                 checking_destination : 1;
  guint                 closing : 1;
  guint                 resort_pending : 1;
};

G_DEFINE_FINAL_TYPE (FbWindow, fb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_FILTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void     present_input    (FbWindow *self,
                                  FbInput  *input,
                                  gboolean  from_queue);
static gboolean close_timeout_cb (gpointer  user_data);

static FbApplication *
get_app (FbWindow *self)
{
  return FB_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
show_toast (FbWindow   *self,
            const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  /* Notes, not warnings: they make room for the rows soon. */
  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_trouble (FbWindow   *self,
              const char *message,
              const char *button_label,
              const char *action_name)
{
  gtk_label_set_label (self->trouble_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->trouble_button), button_label != NULL);
  if (button_label != NULL)
    {
      gtk_button_set_label (self->trouble_button, button_label);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->trouble_button), action_name);
    }
  gtk_revealer_set_reveal_child (self->trouble_revealer, TRUE);
  g_message ("%s", message);
}

static void
hide_trouble (FbWindow *self)
{
  gtk_revealer_set_reveal_child (self->trouble_revealer, FALSE);
}

/* Keyboard focus never stays on a page that is going away. */
static void
show_page (FbWindow   *self,
           const char *name)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (self));
  GtkWidget *page;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), name) == 0)
    return;
  page = gtk_stack_get_visible_child (self->stack);
  gtk_stack_set_visible_child_name (self->stack, name);
  if (focus != NULL && (page == NULL || !gtk_widget_is_ancestor (focus, page)))
    return;

  if (g_str_equal (name, "jobs"))
    gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->column_view));
  else
    gtk_window_set_focus (GTK_WINDOW (self), self->demo_button);
}

static void present_pending_inputs_later (FbWindow *self);

static void
first_paint_cb (GdkFrameClock *clock,
                FbWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_paint_cb, self);
  self->painted = TRUE;
  if (self->stall_wanted)
    fb_application_stall_begin (get_app (self));
  self->stall_wanted = FALSE;
  present_pending_inputs_later (self);
}

/* With FETCHBOARD_STALL_LOG=1, the run's longest main-loop stall is
 * measured from the window's first frame on: creating the window and
 * compiling its shaders are not part of any run. */
static void
stall_begin (FbWindow *self)
{
  if (self->painted)
    fb_application_stall_begin (get_app (self));
  else
    self->stall_wanted = TRUE;
}

static gboolean
run_is_running (FbWindow *self)
{
  return self->run != NULL && fb_run_get_running (self->run);
}

static void
update_actions (FbWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = run_is_running (self);
  gboolean has_selection = FALSE;

  gtk_widget_action_set_enabled (widget, "win.start",
                                 self->run != NULL && !self->started &&
                                 !self->checking_destination &&
                                 fb_run_get_total (self->run) > 0);
  gtk_widget_action_set_enabled (widget, "win.cancel", running);
  gtk_widget_action_set_enabled (widget, "win.new-run", self->run != NULL && !running);

  if (self->selection != NULL)
    {
      GtkBitset *set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

      has_selection = !gtk_bitset_is_empty (set);
      gtk_bitset_unref (set);
    }
  gtk_widget_action_set_enabled (widget, "job.cancel", has_selection);
  gtk_widget_action_set_enabled (widget, "job.retry", has_selection);
  gtk_widget_action_set_enabled (widget, "job.copy-url", has_selection);
  gtk_widget_action_set_enabled (widget, "job.open", has_selection);
  gtk_widget_action_set_enabled (widget, "job.show-in-folder", has_selection);

  if (self->run == NULL)
    adw_window_title_set_subtitle (self->window_title, NULL);
  else if (running)
    adw_window_title_set_subtitle (self->window_title, _("Running"));
  else if (self->checking_destination)
    adw_window_title_set_subtitle (self->window_title, _("Starting…"));
  else if (self->started)
    adw_window_title_set_subtitle (self->window_title,
                                   fb_run_get_n_cancelled (self->run) > 0
                                   ? _("Finished, some jobs cancelled") : _("Finished"));
  else
    adw_window_title_set_subtitle (self->window_title, _("Ready: press Start"));
}

static void
update_shown (FbWindow *self)
{
  guint total = self->run != NULL ? g_list_model_get_n_items (fb_run_get_jobs (self->run)) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  g_autofree char *text = NULL;

  if (self->filter_mode == FILTER_ALL)
    text = g_strdup_printf (ngettext ("%u job", "%u jobs", total), total);
  else
    /* Translators: jobs that pass the filter, of all jobs */
    text = g_strdup_printf (ngettext ("Showing %u of %u job", "Showing %u of %u jobs", total),
                            shown, total);
  gtk_label_set_label (self->shown_label, text);
}

static gboolean
list_is_sorted (FbWindow *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);

  return sorter != NULL && gtk_sorter_get_order (sorter) != GTK_SORTER_ORDER_NONE;
}

/* Filter and sort model follow the jobs' states: re-evaluated a few times a
 * second at most, never per progress notification. */
static gboolean
refresh_cb (gpointer user_data)
{
  FbWindow *self = user_data;

  self->refresh_id = 0;
  if (self->filter_mode != FILTER_ALL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (self->resort_pending && list_is_sorted (self))
    gtk_sorter_changed (gtk_column_view_get_sorter (self->column_view),
                        GTK_SORTER_CHANGE_DIFFERENT);
  self->resort_pending = FALSE;
  update_shown (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (FbWindow *self,
                  gboolean  resort)
{
  self->resort_pending |= resort;
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add (REFRESH_INTERVAL_MS, refresh_cb, self);
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  FbWindow *self = user_data;
  FbJob *job = item;

  switch (self->filter_mode)
    {
    case FILTER_ACTIVE:
      switch (fb_job_get_phase (job))
        {
        case FB_JOB_PHASE_RESOLVING:
        case FB_JOB_PHASE_CONNECTING:
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
    case FILTER_FAILED:
      return fb_job_get_state (job) == FB_JOB_STATE_ERROR ||
             fb_job_get_state (job) == FB_JOB_STATE_NOT_FOUND;
    case FILTER_DONE:
      return fb_job_is_final (job);
    case FILTER_ALL:
    default:
      return TRUE;
    }
}

/* Sort keys, read through closures so they need no property names. */

static char *
job_input_key (FbJob *job)
{
  return g_strdup (fb_job_get_input (job));
}

static guint
job_kind_key (FbJob *job)
{
  return fb_job_get_kind (job);
}

static guint
job_state_key (FbJob *job)
{
  /* Pending jobs by how far they got, then the final states. */
  if (fb_job_is_final (job))
    return FB_JOB_N_PHASES + fb_job_get_state (job);
  return fb_job_get_phase (job);
}

static double
job_fraction_key (FbJob *job)
{
  return fb_job_get_state (job) == FB_JOB_STATE_OK ? 1.0 : fb_job_get_fraction (job);
}

static guint64
job_size_key (FbJob *job)
{
  return fb_job_get_bytes_received (job);
}

static double
job_speed_key (FbJob *job)
{
  return fb_job_get_speed (job);
}

static gint64
job_elapsed_key (FbJob *job)
{
  return fb_job_get_elapsed (job);
}

static char *
job_message_key (FbJob *job)
{
  return fb_format_job_message (job);
}

static GtkExpression *
key_expression (GType     type,
                GCallback callback)
{
  return gtk_cclosure_expression_new (type, NULL, 0, NULL, callback, NULL, NULL);
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

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  column)
{
  FbJobCell *cell = FB_JOB_CELL (gtk_list_item_get_child (item));

  fb_job_cell_set_position (cell, gtk_list_item_get_position (item));
  fb_job_cell_set_job (cell, gtk_list_item_get_item (item));
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  column)
{
  FbJobCell *cell = FB_JOB_CELL (gtk_list_item_get_child (item));

  fb_job_cell_set_job (cell, NULL);
  fb_job_cell_set_position (cell, G_MAXUINT);
}

static void
setup_factories (FbWindow *self)
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

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), GINT_TO_POINTER (i));
      gtk_column_view_column_set_factory (columns[i], factory);
    }
}

static void
setup_sorters (FbWindow *self)
{
  struct {
    GtkColumnViewColumn *column;
    GType                type;
    GCallback            key;
  } keys[] = {
    { self->name_column, G_TYPE_STRING, G_CALLBACK (job_input_key) },
    { self->kind_column, G_TYPE_UINT, G_CALLBACK (job_kind_key) },
    { self->state_column, G_TYPE_UINT, G_CALLBACK (job_state_key) },
    { self->progress_column, G_TYPE_DOUBLE, G_CALLBACK (job_fraction_key) },
    { self->size_column, G_TYPE_UINT64, G_CALLBACK (job_size_key) },
    { self->speed_column, G_TYPE_DOUBLE, G_CALLBACK (job_speed_key) },
    { self->elapsed_column, G_TYPE_INT64, G_CALLBACK (job_elapsed_key) },
    { self->message_column, G_TYPE_STRING, G_CALLBACK (job_message_key) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkExpression *expression = key_expression (keys[i].type, keys[i].key);
      g_autoptr(GtkSorter) sorter = NULL;

      if (keys[i].type == G_TYPE_STRING)
        sorter = GTK_SORTER (gtk_string_sorter_new (expression));
      else
        sorter = GTK_SORTER (gtk_numeric_sorter_new (expression));
      gtk_column_view_column_set_sorter (keys[i].column, sorter);
    }
}

/* The run */

static void
check_destination_worker (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  const char *path = task_data;
  int saved_errno;

  if (g_mkdir_with_parents (path, 0755) == 0 && g_access (path, W_OK) == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  saved_errno = errno;
  g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           "%s", g_strerror (saved_errno));
}

static void
really_start (FbWindow *self)
{
  stall_begin (self);
  self->started = TRUE;
  fb_run_start (self->run);
  update_actions (self);
}

static void
check_destination_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  FbWindow *self = FB_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *path = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->checking_destination = FALSE;
      path = fb_format_path (g_task_get_task_data (G_TASK (result)));
      message = g_strdup_printf (_("Files cannot be saved in “%s”: %s. Choose another "
                                   "destination folder, then press Start."),
                                 path, error->message);
      show_trouble (self, message, _("_Choose Folder…"), "win.choose-destination");
      update_actions (self);
      return;
    }

  self->checking_destination = FALSE;
  if (self->run != NULL && !self->started)
    really_start (self);
}

/* Downloads and catalog jobs need a folder they can write to: checked off
 * the main thread before the run starts, so the person learns it once, not
 * from a thousand failed rows. */
static void
start_run (FbWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->run == NULL || self->started || self->checking_destination)
    return;

  hide_trouble (self);
  if (self->n_writing_jobs == 0)
    {
      really_start (self);
      return;
    }

  self->checking_destination = TRUE;
  update_actions (self);
  task = g_task_new (self, self->cancellable, check_destination_cb, NULL);
  g_task_set_source_tag (task, start_run);
  g_task_set_task_data (task, g_strdup (fb_run_get_destination (self->run)), g_free);
  g_task_run_in_thread (task, check_destination_worker);
}

static void
space_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(FbWindow) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  guint64 free_bytes;

  info = g_file_query_filesystem_info_finish (G_FILE (object), result, NULL);
  if (info == NULL || g_cancellable_is_cancelled (self->cancellable) ||
      !g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    return;

  free_bytes = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  if (free_bytes < DISK_FULL_BYTES)
    {
      g_autofree char *path = g_file_get_path (G_FILE (object));
      g_autofree char *shown = fb_format_path (path);
      g_autofree char *size = g_format_size (free_bytes);
      g_autofree char *message =
        g_strdup_printf (_("The disk that holds “%s” is full (%s free). Free some space or "
                           "choose another folder, then retry the failed jobs."), shown, size);

      show_trouble (self, message, _("_Choose Folder…"), "win.choose-destination");
    }
}

static void
maybe_check_space (FbWindow *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GFile) folder = NULL;

  if (now - self->last_space_check < SPACE_CHECK_USEC || fb_run_get_destination (self->run) == NULL)
    return;
  self->last_space_check = now;
  folder = g_file_new_for_path (fb_run_get_destination (self->run));
  g_file_query_filesystem_info_async (folder, G_FILE_ATTRIBUTE_FILESYSTEM_FREE,
                                      G_PRIORITY_DEFAULT, self->cancellable, space_cb,
                                      g_object_ref (self));
}

static void
job_finished_cb (FbRun    *run,
                 FbJob    *job,
                 FbWindow *self)
{
  schedule_refresh (self, TRUE);
  if (fb_job_get_state (job) == FB_JOB_STATE_ERROR && fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
    maybe_check_space (self);
}

static void
notify_finished (FbWindow *self)
{
  GApplication *app = G_APPLICATION (get_app (self));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *counts = fb_format_run_counts (self->run);
  g_autofree char *duration = fb_format_duration (fb_run_get_elapsed (self->run));
  g_autofree char *body = NULL;

  if (gtk_window_is_active (GTK_WINDOW (self)) || !gtk_widget_get_visible (GTK_WIDGET (self)))
    return;
  /* Without a session bus there is nobody to show it. */
  if (g_application_get_dbus_connection (app) == NULL)
    return;

  /* Translators: the counts of a finished run, then how long it took */
  body = g_strdup_printf (_("%s in %s."), counts, duration);
  notification = g_notification_new (_("Run finished"));
  g_notification_set_body (notification, body);
  g_application_send_notification (app, "run-finished", notification);
}

static void
run_finished_cb (FbRun    *run,
                 FbWindow *self)
{
  fb_application_stall_end (get_app (self), "at run end");
  schedule_refresh (self, TRUE);
  update_actions (self);

  if (self->closing)
    {
      /* Not from inside the run's own signal: the window drops the run. */
      g_clear_handle_id (&self->close_timeout_id, g_source_remove);
      self->close_timeout_id = g_idle_add (close_timeout_cb, self);
      return;
    }
  notify_finished (self);
}

static void
run_notify_cb (FbRun      *run,
               GParamSpec *pspec,
               FbWindow   *self)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "running") || g_str_equal (name, "total"))
    update_actions (self);
  else if (g_str_equal (name, "active") && self->filter_mode == FILTER_ACTIVE)
    schedule_refresh (self, FALSE);
}

/* The rest of a long list is dropped: its run was cancelled or replaced,
 * or the window goes. */
static void
stop_feeding (FbWindow *self)
{
  g_clear_handle_id (&self->feed_id, g_source_remove);
  g_clear_pointer (&self->feed, fb_input_feed_free);
}

static void
set_run (FbWindow *self,
         FbRun    *run)
{
  if (self->run == run)
    return;

  stop_feeding (self);

  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      g_clear_object (&self->run);
    }

  self->run = run != NULL ? g_object_ref (run) : NULL;
  self->started = FALSE;
  self->checking_destination = FALSE;
  self->n_writing_jobs = 0;

  if (run != NULL)
    {
      g_signal_connect (run, "job-finished", G_CALLBACK (job_finished_cb), self);
      g_signal_connect (run, "finished", G_CALLBACK (run_finished_cb), self);
      g_signal_connect (run, "notify", G_CALLBACK (run_notify_cb), self);
    }

  gtk_filter_list_model_set_model (self->filter_model, run != NULL ? fb_run_get_jobs (run) : NULL);
  fb_run_summary_set_run (self->summary, run);
  fb_timeline_set_run (self->timeline, run);
  show_page (self, run != NULL ? "jobs" : "empty");
  update_shown (self);
  update_actions (self);
}

static void
new_run (FbWindow *self)
{
  g_autoptr(FbRun) run = fb_run_new ();
  g_autofree char *destination = fb_settings_dup_destination (self->settings);
  g_autofree char *base_url = g_settings_get_string (self->settings, "base-url");

  fb_run_set_max_concurrency (run, (guint) gtk_adjustment_get_value (self->concurrency_adjustment));
  fb_run_set_timeout (run, g_settings_get_double (self->settings, "timeout"));
  fb_run_set_dns_timeout (run, g_settings_get_double (self->settings, "dns-timeout"));
  fb_settings_bind_network (self->settings, run);
  fb_run_set_overwrite (run, g_settings_get_boolean (self->settings, "overwrite"));
  fb_run_set_metadata_names (run, g_settings_get_boolean (self->settings, "metadata-names"));
  fb_run_set_destination (run, destination);
  if (*base_url != '\0')
    fb_run_set_base_url (run, base_url);
  set_run (self, run);
  fb_session_track_run (fb_application_get_session (get_app (self)), run);
}

static const char *
run_base_url (FbWindow *self)
{
  const char *url = fb_run_get_base_url (self->run);

  return url != NULL && *url != '\0' ? url : NULL;
}

static gboolean
use_demo_server (FbWindow *self)
{
  g_autoptr(GError) error = NULL;
  FbDemoServer *server = fb_application_ensure_demo_server (get_app (self), &error);
  g_autofree char *url = NULL;

  if (server == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The built-in demo server could not start: %s. Close the program "
                           "that uses its port or start Fetchboard without --demo-port, or set "
                           "a catalog address in Preferences."), error->message);

      show_trouble (self, message, _("_Preferences"), "app.preferences");
      return FALSE;
    }

  url = fb_demo_server_dup_base_url (server);
  fb_run_set_base_url (self->run, url);
  return TRUE;
}

/* Catalog jobs need a base URL: the configured one, else the built-in
 * demo server, started on first use. */
static gboolean
ensure_catalog_base (FbWindow *self)
{
  if (run_base_url (self) != NULL)
    return TRUE;
  return use_demo_server (self);
}

static void reveal_gradually (FbWindow *self);

static void
prepare_run (FbWindow *self)
{
  /* A finished run stays on screen until more work comes. */
  if (self->run == NULL || (self->started && !fb_run_get_running (self->run)))
    new_run (self);
}

/* Jobs are in the run; the rest is bookkeeping and, maybe, the start. */
static void
jobs_added (FbWindow *self,
            guint     n_writing,
            gboolean  start)
{
  self->n_writing_jobs += n_writing;
  show_page (self, "jobs");
  update_actions (self);
  if (start)
    start_run (self);
}

static gboolean
feed_cb (gpointer user_data)
{
  FbWindow *self = user_data;
  gboolean done = fb_input_feed_next (self->feed, self->run, FEED_SLICE);

  /* A slice takes many turns to run (the run starts 64 jobs a turn), so the
   * run cannot end between two slices; should it ever, the jobs just added
   * must not stay queued in a run that has stopped. */
  if (self->started && !fb_run_get_running (self->run))
    fb_run_start (self->run);
  if (!done)
    return G_SOURCE_CONTINUE;

  self->feed_id = 0;
  g_clear_pointer (&self->feed, fb_input_feed_free);
  present_pending_inputs_later (self);
  return G_SOURCE_REMOVE;
}

static gboolean
apply_input (FbWindow *self,
             FbInput  *input,
             gboolean  start)
{
  g_autoptr(FbInputFeed) feed = NULL;
  guint n_writing;

  if (fb_input_get_n_entries (input) == 0)
    return FALSE;

  prepare_run (self);
  if (fb_input_count_kind (input, FB_ENTRY_CODE) > 0 && !ensure_catalog_base (self))
    return FALSE;

  n_writing = fb_input_count_kind (input, FB_ENTRY_CODE) + fb_input_count_kind (input, FB_ENTRY_URL);
  if (start || self->started)
    stall_begin (self);
  reveal_gradually (self);
  feed = fb_input_feed_new (input);
  if (!fb_input_feed_next (feed, self->run, FEED_SLICE))
    {
      /* The rest goes in over the next turns of the main loop, between
       * frames; lists that come meanwhile wait for it (see present_input). */
      self->feed = g_steal_pointer (&feed);
      self->feed_id = g_idle_add_full (FEED_PRIORITY, feed_cb, self, NULL);
    }
  jobs_added (self, n_writing, start);
  return TRUE;
}

/* Input */

static char *
dup_catalog_source (FbWindow *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "base-url");

  if (self->run != NULL && self->started && run_base_url (self) != NULL)
    return g_strdup (run_base_url (self));
  if (*setting != '\0')
    return g_steal_pointer (&setting);
  return g_strdup (_("the built-in demo server"));
}

static gboolean
present_next_input_cb (gpointer user_data)
{
  FbWindow *self = user_data;
  FbInput *next;

  /* One at a time while each opens a preview; all at once otherwise. */
  while (self->preview == NULL && self->feed == NULL &&
         (next = g_queue_pop_head (&self->pending_inputs)) != NULL)
    present_input (self, next, TRUE);
  return G_SOURCE_REMOVE;
}

/* Lists that waited (for the first frame, or for a preview to close) are
 * shown from an idle, not from inside the callback that freed the way. */
static void
present_pending_inputs_later (FbWindow *self)
{
  if (!g_queue_is_empty (&self->pending_inputs))
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, present_next_input_cb, g_object_ref (self),
                     g_object_unref);
}

static void
preview_response_cb (FbPreviewDialog *dialog,
                     const char      *response,
                     FbWindow        *self)
{
  FbInput *input = fb_preview_dialog_get_input (dialog);

  g_clear_weak_pointer (&self->preview);

  if (g_str_equal (response, "start"))
    apply_input (self, input, TRUE);
  else if (g_str_equal (response, "add"))
    apply_input (self, input, FALSE);

  present_pending_inputs_later (self);
}

/* @from_queue: @input comes from pending_inputs, ahead of what is left there. */
static void
present_input (FbWindow *self,
               FbInput  *input,
               gboolean  from_queue)
{
  g_autofree char *destination = NULL;
  g_autofree char *catalog = NULL;
  FbPreviewDialog *dialog;
  guint n_entries = fb_input_get_n_entries (input);
  guint n_rejected = fb_input_get_n_rejected (input);

  if (self->closing)
    {
      fb_input_free (input);
      return;
    }

  if (n_entries == 0 && n_rejected == 0 && fb_input_get_n_duplicates (input) == 0)
    {
      show_toast (self, _("The list is empty"));
      fb_input_free (input);
      return;
    }

  /* Lists given at start wait for the window's first frame: the window
   * shows at once, and the list grows into it a few rows per frame. Lists
   * are shown in the order they came. */
  if (self->preview != NULL || !self->painted || self->feed != NULL ||
      (!from_queue && !g_queue_is_empty (&self->pending_inputs)))
    {
      if (from_queue)
        g_queue_push_head (&self->pending_inputs, input);
      else
        g_queue_push_tail (&self->pending_inputs, input);
      return;
    }

  /* Appending to the run on screen: what it already has is a duplicate. */
  if (self->run != NULL && !(self->started && !fb_run_get_running (self->run)))
    {
      fb_input_skip_known (input, fb_run_get_jobs (self->run));
      n_entries = fb_input_get_n_entries (input);
    }

  if (n_entries > 0 && g_settings_get_boolean (self->settings, "start-after-drop"))
    {
      g_autofree char *message = NULL;

      if (apply_input (self, input, TRUE))
        {
          if (n_rejected > 0)
            message = g_strdup_printf (ngettext ("%u job added, %u line rejected",
                                                 "%u jobs added, %u lines rejected", n_entries),
                                       n_entries, n_rejected);
          else
            message = g_strdup_printf (ngettext ("%u job added", "%u jobs added", n_entries),
                                       n_entries);
          show_toast (self, message);
        }
      fb_input_free (input);
      return;
    }

  destination = self->run != NULL && self->started
                ? g_strdup (fb_run_get_destination (self->run))
                : fb_settings_dup_destination (self->settings);
  catalog = dup_catalog_source (self);
  dialog = fb_preview_dialog_new (GTK_WINDOW (self), input, destination, catalog,
                                  run_is_running (self));
  g_set_weak_pointer (&self->preview, dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (preview_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  FbListResult *result;
  char         *name;
  char         *error;
} Slot;

typedef struct
{
  FbWindow *window;
  GArray   *slots;     /* Slot, in the order the files came */
  GString  *links;     /* non-file URIs of a URI list: URLs to download */
  guint     pending;
} Load;

static void
slot_clear (gpointer data)
{
  Slot *slot = data;

  g_clear_pointer (&slot->result, fb_list_result_free);
  g_clear_pointer (&slot->name, g_free);
  g_clear_pointer (&slot->error, g_free);
}

static void
load_free (Load *load)
{
  g_clear_object (&load->window);
  g_clear_pointer (&load->slots, g_array_unref);
  if (load->links != NULL)
    g_string_free (load->links, TRUE);
  g_free (load);
}

static void
load_finish (Load *load)
{
  FbInput *input = fb_input_new ();

  for (guint i = 0; i < load->slots->len; i++)
    {
      Slot *slot = &g_array_index (load->slots, Slot, i);

      if (slot->result != NULL)
        fb_input_add_result (input, g_steal_pointer (&slot->result));
      else
        fb_input_add_failure (input, slot->name, slot->error);
    }
  if (load->links->len > 0)
    fb_input_add_result (input, fb_list_parse (_("dropped links"), load->links->str,
                                               (gssize) load->links->len));

  present_input (load->window, input, FALSE);
  load_free (load);
}

typedef struct
{
  Load  *load;
  guint  index;
} SlotRef;

static void
parse_file_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  SlotRef *ref = user_data;
  Load *load = ref->load;
  Slot *slot = &g_array_index (load->slots, Slot, ref->index);
  g_autoptr(GError) error = NULL;

  g_free (ref);
  slot->result = fb_list_parse_file_finish (G_FILE (object), result, &error);
  if (slot->result == NULL)
    slot->error = g_strdup (error->message);

  if (--load->pending > 0)
    return;
  if (g_cancellable_is_cancelled (load->window->cancellable))
    load_free (load);
  else
    load_finish (load);
}

void
fb_window_open_files (FbWindow  *self,
                      GFile    **files,
                      guint      n_files)
{
  Load *load;

  g_return_if_fail (FB_IS_WINDOW (self));
  g_return_if_fail (files != NULL || n_files == 0);

  load = g_new0 (Load, 1);
  load->window = g_object_ref (self);
  load->slots = g_array_new (FALSE, TRUE, sizeof (Slot));
  g_array_set_clear_func (load->slots, slot_clear);
  load->links = g_string_new (NULL);

  for (guint i = 0; i < n_files; i++)
    {
      GFile *file = files[i];

      if (g_file_is_native (file) || g_file_has_uri_scheme (file, "file"))
        {
          Slot slot = { NULL, g_file_get_basename (file), NULL };

          g_array_append_val (load->slots, slot);
        }
      else
        {
          /* A link dragged from a browser: the URL itself is the entry. */
          g_autofree char *uri = g_file_get_uri (file);

          g_string_append_printf (load->links, "%s\n", uri);
        }
    }

  load->pending = load->slots->len;
  if (load->pending == 0)
    {
      load_finish (load);
      return;
    }

  for (guint i = 0, slot = 0; i < n_files; i++)
    {
      SlotRef *ref;

      if (!g_file_is_native (files[i]) && !g_file_has_uri_scheme (files[i], "file"))
        continue;
      ref = g_new (SlotRef, 1);
      ref->load = load;
      ref->index = slot++;
      fb_list_parse_file_async (files[i], self->cancellable, parse_file_cb, ref);
    }
}

static void
parse_text_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  char **text_and_source = task_data;

  g_task_return_pointer (task, fb_list_parse (text_and_source[1], text_and_source[0], -1),
                         (GDestroyNotify) fb_list_result_free);
}

static void
parse_text_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FbWindow *self = FB_WINDOW (object);
  FbListResult *parsed = g_task_propagate_pointer (G_TASK (result), NULL);
  FbInput *input;

  if (parsed == NULL)
    return;
  input = fb_input_new ();
  fb_input_add_result (input, parsed);
  present_input (self, input, FALSE);
}

void
fb_window_add_text (FbWindow   *self,
                    const char *text,
                    const char *source)
{
  g_autoptr(GTask) task = NULL;
  char **data;

  g_return_if_fail (FB_IS_WINDOW (self));
  g_return_if_fail (text != NULL);

  /* A pasted list may be long: it is parsed on a worker thread. */
  data = g_new0 (char *, 3);
  data[0] = g_strdup (text);
  data[1] = g_strdup (source != NULL ? source : _("pasted text"));
  task = g_task_new (self, self->cancellable, parse_text_cb, NULL);
  g_task_set_source_tag (task, fb_window_add_text);
  g_task_set_task_data (task, data, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, parse_text_worker);
}

gboolean
fb_window_drop_value (FbWindow     *self,
                      const GValue *value)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *list = gdk_file_list_get_files (g_value_get_boxed (value));
      g_autoptr(GPtrArray) files = g_ptr_array_new ();

      for (GSList *l = list; l != NULL; l = l->next)
        g_ptr_array_add (files, l->data);
      g_slist_free (list);
      if (files->len == 0)
        return FALSE;
      fb_window_open_files (self, (GFile **) files->pdata, files->len);
      return TRUE;
    }

  if (G_VALUE_HOLDS_STRING (value) && g_value_get_string (value) != NULL)
    {
      fb_window_add_text (self, g_value_get_string (value), _("dropped text"));
      return TRUE;
    }

  return FALSE;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         FbWindow      *self)
{
  return fb_window_drop_value (self, value);
}

void
fb_window_start_demo (FbWindow *self)
{
  const char * const *codes = fb_countries_most_populous ();
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *message = NULL;
  g_autofree char *demo_url = NULL;
  FbDemoServer *server;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (FB_IS_WINDOW (self));

  server = fb_application_ensure_demo_server (get_app (self), &error);
  if (server == NULL)
    {
      message = g_strdup_printf (_("The demo server could not start: %s. Close the program "
                                   "that uses its port, or run the demo without --demo-port."),
                                 error->message);
      show_trouble (self, message, NULL, NULL);
      return;
    }
  demo_url = fb_demo_server_dup_base_url (server);

  if (run_is_running (self) && g_strcmp0 (run_base_url (self), demo_url) != 0)
    {
      show_toast (self, _("Cancel the current run to try the demo"));
      return;
    }

  prepare_run (self);
  if (!run_is_running (self))
    fb_run_set_base_url (self->run, demo_url);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_CATALOG, codes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (demo_missing_codes); i++)
    g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_CATALOG, demo_missing_codes[i]));

  stall_begin (self);
  fb_run_add_jobs (self->run, (FbJob **) jobs->pdata, jobs->len);
  jobs_added (self, jobs->len, TRUE);

  /* Translators: %s is the demo server's address */
  message = g_strdup_printf (_("Demo: flags from %s, with random delays and errors"), demo_url);
  show_toast (self, message);
}

/* Actions */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_run (FB_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);

  if (run_is_running (self))
    {
      stop_feeding (self);
      fb_run_cancel (self->run);
    }
}

static void
new_run_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);

  if (run_is_running (self))
    return;
  hide_trouble (self);
  set_run (self, NULL);
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  fb_window_start_demo (FB_WINDOW (widget));
}

static void
dismiss_trouble_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  hide_trouble (FB_WINDOW (widget));
}

static void
open_response_cb (GtkNativeDialog *chooser,
                  int              response,
                  FbWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        g_ptr_array_add (array, g_list_model_get_item (files, i));
      if (array->len > 0)
        fb_window_open_files (self, (GFile **) array->pdata, array->len);
    }
  g_clear_object (&self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GtkFileFilter) lists = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  gtk_file_filter_set_name (lists, _("Lists"));
  gtk_file_filter_add_mime_type (lists, "text/plain");
  gtk_file_filter_add_mime_type (lists, "text/csv");
  gtk_file_filter_add_suffix (lists, "txt");
  gtk_file_filter_add_suffix (lists, "list");
  gtk_file_filter_add_suffix (lists, "csv");
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");

  self->chooser = gtk_file_chooser_native_new (_("Open Lists"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), lists);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect (self->chooser, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
destination_response_cb (GtkNativeDialog *chooser,
                         int              response,
                         FbWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "destination", path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_destination_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autofree char *path = fb_settings_dup_destination (self->settings);
  g_autoptr(GFile) current = g_file_new_for_path (path);

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose the Destination Folder"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), current, NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (destination_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
paste_files_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FbWindow) self = user_data;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (object), result, NULL);

  if (value == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  fb_window_drop_value (self, value);
}

static void
paste_text_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FbWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (text == NULL)
    {
      show_toast (self, _("The clipboard holds no text to use as a list"));
      return;
    }
  fb_window_add_text (self, text, _("pasted text"));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (widget);
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT,
                                    self->cancellable, paste_files_cb, g_object_ref (self));
  else
    gdk_clipboard_read_text_async (clipboard, self->cancellable, paste_text_cb,
                                   g_object_ref (self));
}

static GPtrArray *
selected_jobs (FbWindow *self)
{
  GPtrArray *jobs = g_ptr_array_new_with_free_func (g_object_unref);
  GtkBitset *set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, set, &position);
       ok; ok = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (jobs, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  gtk_bitset_unref (set);
  return jobs;
}

static void
job_cancel_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GPtrArray) jobs = selected_jobs (self);

  for (guint i = 0; i < jobs->len; i++)
    if (!fb_job_is_final (g_ptr_array_index (jobs, i)))
      fb_run_cancel_job (self->run, g_ptr_array_index (jobs, i));
}

static void
job_retry_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GPtrArray) jobs = selected_jobs (self);
  gboolean was_running = run_is_running (self);
  guint retried = 0;

  for (guint i = 0; i < jobs->len; i++)
    {
      FbJob *job = g_ptr_array_index (jobs, i);

      if (fb_job_is_final (job) && fb_job_get_state (job) != FB_JOB_STATE_OK &&
          fb_run_retry_job (self->run, job))
        retried++;
    }

  if (retried == 0)
    {
      show_toast (self, _("Only failed or cancelled jobs can be retried"));
      return;
    }
  /* A finished run starts again for them. */
  if (!was_running)
    stall_begin (self);
  self->started = TRUE;
  update_actions (self);
  schedule_refresh (self, TRUE);
}

static const char *
job_url (FbJob *job)
{
  if (fb_job_get_kind (job) != FB_JOB_KIND_PROBE && fb_job_get_url (job) != NULL)
    return fb_job_get_url (job);
  return fb_job_get_input (job);
}

static void
job_copy_url_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GPtrArray) jobs = selected_jobs (self);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *message = NULL;

  for (guint i = 0; i < jobs->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", job_url (g_ptr_array_index (jobs, i)));
  if (jobs->len == 0)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text->str);
  message = g_strdup_printf (ngettext ("Copied %u address", "Copied %u addresses", jobs->len),
                             jobs->len);
  show_toast (self, message);
}

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(FbWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open it: %s"), error->message);

      show_toast (self, message);
    }
}

static void
launch_uri (FbWindow   *self,
            const char *uri)
{
  g_autoptr(GdkAppLaunchContext) context =
    gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));

  if (fb_renderer_chose_cairo ())
    g_app_launch_context_unsetenv (G_APP_LAUNCH_CONTEXT (context), "GSK_RENDERER");

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), self->cancellable,
                                           launch_cb, g_object_ref (self));
}

static FbJob *
first_saved (GPtrArray *jobs)
{
  for (guint i = 0; i < jobs->len; i++)
    {
      FbJob *job = g_ptr_array_index (jobs, i);

      if (fb_job_get_saved_path (job) != NULL)
        return job;
    }
  return NULL;
}

static void
open_job (FbWindow *self,
          FbJob    *job)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (job == NULL || fb_job_get_saved_path (job) == NULL)
    {
      show_toast (self, _("Nothing was saved for this job"));
      return;
    }
  file = g_file_new_for_path (fb_job_get_saved_path (job));
  uri = g_file_get_uri (file);
  launch_uri (self, uri);
}

static void
job_open_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GPtrArray) jobs = selected_jobs (self);

  open_job (self, first_saved (jobs));
}

static void
show_items_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FbWindow *self = g_task_get_source_object (task);
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
  if (reply == NULL && !g_cancellable_is_cancelled (self->cancellable))
    launch_uri (self, g_task_get_task_data (task));
  g_task_return_boolean (task, reply != NULL);
}

static void
job_show_in_folder_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GPtrArray) jobs = selected_jobs (self);
  FbJob *job = first_saved (jobs);
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (get_app (self)));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *file_uri = NULL;
  g_autoptr(GTask) task = NULL;
  const char *uris[2] = { NULL, NULL };

  if (job == NULL)
    {
      show_toast (self, _("Nothing was saved for this job"));
      return;
    }

  file = g_file_new_for_path (fb_job_get_saved_path (job));
  folder = g_file_get_parent (file);
  file_uri = g_file_get_uri (file);

  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_source_tag (task, job_show_in_folder_action);
  g_task_set_task_data (task, g_file_get_uri (folder), g_free);
  if (bus == NULL)
    {
      /* No file manager to ask: open the folder itself. */
      launch_uri (self, g_task_get_task_data (task));
      g_task_return_boolean (task, FALSE);
      return;
    }

  uris[0] = file_uri;
  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""), NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, show_items_cb,
                          g_steal_pointer (&task));
}

static void
popup_job_menu (FbWindow *self,
                double    x,
                double    y)
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
  FbWindow *self = FB_WINDOW (widget);
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
                    FbWindow        *self)
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
  FbWindow *self = FB_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
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
             FbWindow      *self)
{
  g_autoptr(FbJob) job = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  open_job (self, job);
}

static void
selection_changed_cb (FbWindow *self)
{
  update_actions (self);
}

static void
filter_items_changed_cb (FbWindow *self)
{
  update_shown (self);
}

static gboolean
reveal_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  FbWindow *self = FB_WINDOW (widget);
  guint size = gtk_slice_list_model_get_size (self->reveal_model);

  size += size < REVEAL_SCREENFUL ? REVEAL_STEP : REVEAL_STEP_OUT;

  if (size >= REVEAL_ALL_FROM || !gtk_widget_get_mapped (widget) ||
      size >= g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)))
    {
      self->reveal_tick = 0;
      gtk_slice_list_model_set_size (self->reveal_model, G_MAXUINT);
      return G_SOURCE_REMOVE;
    }
  gtk_slice_list_model_set_size (self->reveal_model, size);
  return G_SOURCE_CONTINUE;
}

/* Called just before the list may grow by many rows at once: while it is
 * short, it grows on screen a few rows per frame (see REVEAL_STEP). */
static void
reveal_gradually (FbWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));

  /* The list may be about to come into view: the window is what counts.
   * Sorted, new rows land anywhere, and a cap would hide rows already
   * shown (and drop their selection): then the list comes in at once. */
  if (self->reveal_tick != 0 || n >= REVEAL_ALL_FROM || !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      list_is_sorted (self))
    return;
  gtk_slice_list_model_set_size (self->reveal_model, n + REVEAL_STEP);
  self->reveal_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), reveal_tick_cb, self, NULL);
}

/* Settings */

static void
update_destination (FbWindow *self)
{
  g_autofree char *path = fb_settings_dup_destination (self->settings);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *shown = fb_format_path (path);
  /* Translators: tooltip of the destination button, %s is a folder */
  g_autofree char *tooltip = g_strdup_printf (_("Files are saved in %s (Ctrl+D to change)"), shown);

  gtk_label_set_label (self->destination_label, base);
  gtk_widget_set_tooltip_text (self->destination_button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->destination_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
}

static void
settings_changed_cb (GSettings  *settings,
                     const char *key,
                     FbWindow   *self)
{
  if (g_str_equal (key, "destination"))
    {
      update_destination (self);
      if (self->run != NULL && !self->started)
        {
          g_autofree char *path = fb_settings_dup_destination (self->settings);

          fb_run_set_destination (self->run, path);
          hide_trouble (self);
        }
      return;
    }

  if (self->run == NULL)
    return;

  if (g_str_equal (key, "timeout"))
    fb_run_set_timeout (self->run, g_settings_get_double (settings, key));
  else if (g_str_equal (key, "dns-timeout"))
    fb_run_set_dns_timeout (self->run, g_settings_get_double (settings, key));
  else if (g_str_equal (key, "overwrite"))
    fb_run_set_overwrite (self->run, g_settings_get_boolean (settings, key));
  else if (g_str_equal (key, "metadata-names"))
    fb_run_set_metadata_names (self->run, g_settings_get_boolean (settings, key));
  else if (g_str_equal (key, "base-url") && !self->started)
    {
      g_autofree char *url = g_settings_get_string (settings, key);

      fb_run_set_base_url (self->run, *url != '\0' ? url : NULL);
    }
}

static void
concurrency_changed_cb (FbWindow *self)
{
  if (self->run != NULL)
    fb_run_set_max_concurrency (self->run,
                                (guint) gtk_adjustment_get_value (self->concurrency_adjustment));
}

static void
save_window_state (FbWindow *self)
{
  int width;
  int height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)) && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static gboolean
close_timeout_cb (gpointer user_data)
{
  FbWindow *self = user_data;

  self->close_timeout_id = 0;
  gtk_window_destroy (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static gboolean
fb_window_close_request (GtkWindow *window)
{
  FbWindow *self = FB_WINDOW (window);

  if (!self->closing)
    save_window_state (self);

  /* Cancelled jobs remove their partial files on the thread pool: the
   * window hides and goes only once the run says every job has ended. */
  if (run_is_running (self) && !self->closing)
    {
      self->closing = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      self->close_timeout_id = g_timeout_add (CLOSE_GRACE_MS, close_timeout_cb, self);
      stop_feeding (self);
      /* Left unfinished in the journal: it comes back next time. */
      fb_session_release_run (fb_application_get_session (get_app (self)), self->run);
      fb_run_cancel (self->run);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (fb_window_parent_class)->close_request (window);
}

/* GObject */

static void
fb_window_dispose (GObject *object)
{
  FbWindow *self = FB_WINDOW (object);
  FbInput *input;

  g_cancellable_cancel (self->cancellable);
  if (!self->painted && gtk_widget_get_frame_clock (GTK_WIDGET (self)) != NULL)
    g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (self)),
                                          first_paint_cb, self);
  g_clear_handle_id (&self->refresh_id, g_source_remove);
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  stop_feeding (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  while ((input = g_queue_pop_head (&self->pending_inputs)) != NULL)
    fb_input_free (input);
  g_clear_weak_pointer (&self->preview);

  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      if (fb_run_get_running (self->run))
        fb_run_cancel (self->run);
      g_clear_object (&self->run);
    }

  /* The slice stays as it is: growing it now would make rows just before
   * the teardown. */
  if (self->reveal_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->reveal_tick);
  self->reveal_tick = 0;
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  g_clear_pointer (&self->job_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_WINDOW);

  g_clear_object (&self->selection);
  g_clear_object (&self->reveal_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (fb_window_parent_class)->dispose (object);
}

static void
fb_window_map (GtkWidget *widget)
{
  FbWindow *self = FB_WINDOW (widget);

  GTK_WIDGET_CLASS (fb_window_parent_class)->map (widget);

  if (!self->painted)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (first_paint_cb), self);

  /* The first focus goes to the page, not to the first control of the header. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "jobs") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
  else
    gtk_widget_grab_focus (self->demo_button);
}

static void
fb_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FbWindow *self = FB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      g_value_set_string (value, fb_window_get_filter (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FbWindow *self = FB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      fb_window_set_filter (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_window_class_init (FbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = fb_window_dispose;
  object_class->get_property = fb_window_get_property;
  object_class->set_property = fb_window_set_property;
  widget_class->map = fb_window_map;
  window_class->close_request = fb_window_close_request;

  properties[PROP_FILTER] =
    g_param_spec_string ("filter", NULL, NULL,
                         "all",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FB_TYPE_RUN_SUMMARY);
  g_type_ensure (FB_TYPE_TIMELINE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, concurrency_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, destination_button);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, destination_label);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, trouble_revealer);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, trouble_label);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, trouble_button);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, summary);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, shown_label);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, name_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, kind_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, state_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, progress_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, size_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, speed_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, elapsed_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, message_column);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, job_menu_model);

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.new-run", NULL, new_run_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.choose-destination", NULL,
                                   choose_destination_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-trouble", NULL,
                                   dismiss_trouble_action);
  gtk_widget_class_install_property_action (widget_class, "win.filter", "filter");
  gtk_widget_class_install_action (widget_class, "job.cancel", NULL, job_cancel_action);
  gtk_widget_class_install_action (widget_class, "job.retry", NULL, job_retry_action);
  gtk_widget_class_install_action (widget_class, "job.copy-url", NULL, job_copy_url_action);
  gtk_widget_class_install_action (widget_class, "job.open", NULL, job_open_action);
  gtk_widget_class_install_action (widget_class, "job.show-in-folder", NULL,
                                   job_show_in_folder_action);
  gtk_widget_class_install_action (widget_class, "job.menu", "(udd)", job_menu_action);
  gtk_widget_class_install_action (widget_class, "job.menu-key", NULL, job_menu_key_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK,
                                       "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK,
                                       "win.choose-destination", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (filter_names); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.filter", "s", filter_names[i]);
}

static void
fb_window_init (FbWindow *self)
{
  GtkDropTarget *target;
  GtkGesture *gesture;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->pending_inputs);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, NULL);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->reveal_model = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)),
                                                 0, G_MAXUINT);
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->reveal_model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  setup_factories (self);
  setup_sorters (self);

  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->filter_model, "items-changed",
                            G_CALLBACK (filter_items_changed_cb), self);
  g_signal_connect (self->column_view, "activate", G_CALLBACK (activate_cb), self);
  g_signal_connect_swapped (self->concurrency_adjustment, "value-changed",
                            G_CALLBACK (concurrency_changed_cb), self);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (context_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (gesture));

  self->job_menu = gtk_popover_menu_new_from_model (self->job_menu_model);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->job_menu), FALSE);
  gtk_widget_set_halign (self->job_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->job_menu, GTK_WIDGET (self->column_view));

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->toast_overlay), GTK_EVENT_CONTROLLER (target));

  /* Settings come straight from the schema: the window's application is
   * set only after construction. */
  self->settings = g_settings_new (FB_SETTINGS_SCHEMA);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  g_settings_bind (self->settings, "concurrent-jobs", self->concurrency_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  update_destination (self);

  update_actions (self);
}

FbWindow *
fb_window_new (FbApplication *application)
{
  g_return_val_if_fail (FB_IS_APPLICATION (application), NULL);

  return g_object_new (FB_TYPE_WINDOW, "application", application, NULL);
}

FbRun *
fb_window_get_run (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->run;
}

void
fb_window_show_run (FbWindow *self,
                    FbRun    *run)
{
  GListModel *jobs;
  guint n_writing = 0;

  g_return_if_fail (FB_IS_WINDOW (self));
  g_return_if_fail (FB_IS_RUN (run));

  set_run (self, run);
  jobs = fb_run_get_jobs (run);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

      if (!fb_job_is_final (job) && fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
        n_writing++;
    }
  self->n_writing_jobs = n_writing;
  update_actions (self);
}

void
fb_window_show_notice (FbWindow   *self,
                       const char *message)
{
  g_return_if_fail (FB_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  show_trouble (self, message, NULL, NULL);
}

FbPreviewDialog *
fb_window_get_preview (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->preview;
}

const char *
fb_window_get_trouble (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->trouble_revealer))
    return NULL;
  return gtk_label_get_label (self->trouble_label);
}

FbRunSummary *
fb_window_get_summary (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->summary;
}

GtkColumnView *
fb_window_get_column_view (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->column_view;
}

GtkSpinButton *
fb_window_get_concurrency_spin (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->concurrency_spin;
}

const char *
fb_window_get_page (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
fb_window_get_filter (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return filter_names[self->filter_mode];
}

void
fb_window_set_filter (FbWindow   *self,
                      const char *filter)
{
  FilterMode mode = FILTER_ALL;

  g_return_if_fail (FB_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (filter_names); i++)
    if (g_strcmp0 (filter, filter_names[i]) == 0)
      mode = i;

  if (mode == self->filter_mode)
    return;

  self->filter_mode = mode;
  reveal_gradually (self);
  /* "All" needs no filter at all, so 10,000 rows pass without a call each. */
  gtk_filter_list_model_set_filter (self->filter_model,
                                    mode == FILTER_ALL ? NULL : GTK_FILTER (self->filter));
  if (mode != FILTER_ALL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_shown (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}
