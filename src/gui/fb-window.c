/* fb-window.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-countries.h"
#include "fb-destination.h"
#include "fb-format.h"
#include "fb-renderer.h"
#include "fb-settings.h"
#include "fb-window-private.h"

#define SPACE_CHECK_USEC    (2 * G_USEC_PER_SEC)
/* Jobs a list adds to the run per main-loop turn (about 3 ms), taking turns
 * with the run's sockets: at a lower priority a busy run would starve it. */
#define FEED_SLICE          2000
#define FEED_PRIORITY       G_PRIORITY_DEFAULT
/* How long a closing window waits for its cancelled jobs to clean up. */
#define CLOSE_GRACE_MS      5000

/* Codes the demo asks for that no country has, so "not found" shows too. */
static const char * const demo_missing_codes[] = { "QX", "XZ", "ZB" };

G_DEFINE_FINAL_TYPE (FbWindow, fb_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_DEMO_HOST,
  PROP_FILTER,
  PROP_SHOW_DETAILS,
  PROP_SHOW_WATERFALL,
  PROP_SHOW_HOSTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RUN_ADDED,
  RUN_RELEASED,
  RUN_RECORDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean close_timeout_cb (gpointer user_data);

void
_fb_window_show_toast (FbWindow   *self,
                       const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  /* Notes, not warnings: they make room for the rows soon. */
  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
_fb_window_show_trouble (FbWindow   *self,
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

void
_fb_window_hide_trouble (FbWindow *self)
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
    gtk_window_set_focus (GTK_WINDOW (self),
                          GTK_WIDGET (fb_job_list_get_column_view (self->job_list)));
  else
    gtk_window_set_focus (GTK_WINDOW (self), self->demo_button);
}

/* The intake may show a list when the window has drawn and no list is
 * still going into the run. */
static void
update_intake_ready (FbWindow *self)
{
  fb_intake_set_ready (self->intake, self->painted && self->feed == NULL && !self->closing);
}

static void
first_paint_cb (GdkFrameClock *clock,
                FbWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_paint_cb, self);
  self->painted = TRUE;
  _fb_window_stall_painted (self);
  update_intake_ready (self);
}

/* The run */

gboolean
_fb_window_is_running (FbWindow *self)
{
  return self->run != NULL && fb_run_get_running (self->run);
}

void
_fb_window_update_actions (FbWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean running = _fb_window_is_running (self);

  gtk_widget_action_set_enabled (widget, "win.start",
                                 self->run != NULL && !self->started &&
                                 !self->checking_destination &&
                                 fb_run_get_total (self->run) > 0);
  gtk_widget_action_set_enabled (widget, "win.cancel", running);
  gtk_widget_action_set_enabled (widget, "win.new-run", self->run != NULL && !running);

  if (self->run == NULL)
    adw_window_title_set_subtitle (self->window_title, NULL);
  else if (running)
    adw_window_title_set_subtitle (self->window_title, _("Running"));
  else if (self->checking_destination)
    adw_window_title_set_subtitle (self->window_title, _("Starting…"));
  else if (self->started)
    {
      guint cancelled = fb_run_get_n_cancelled (self->run);

      adw_window_title_set_subtitle (self->window_title,
                                     cancelled == 0 ? _("Finished")
                                     : cancelled == fb_run_get_total (self->run)
                                     ? _("Cancelled")
                                     : _("Finished, some jobs cancelled"));
    }
  else
    adw_window_title_set_subtitle (self->window_title, _("Ready: press Start"));
}

static void
update_shown (FbWindow *self)
{
  guint total = self->run != NULL ? g_list_model_get_n_items (fb_run_get_jobs (self->run)) : 0;
  guint shown = fb_job_list_get_n_shown (self->job_list);
  g_autofree char *text = NULL;

  if (g_str_equal (fb_job_list_get_filter (self->job_list), "all"))
    text = g_strdup_printf (ngettext ("%u job", "%u jobs", total), total);
  else
    /* Translators: jobs that pass the filter, of all jobs */
    text = g_strdup_printf (ngettext ("Showing %u of %u job", "Showing %u of %u jobs", total),
                            shown, total);
  gtk_label_set_label (self->shown_label, text);
}

/* The run has started (or a finished one starts again for a retry). */
void
_fb_window_mark_started (FbWindow *self)
{
  self->started = TRUE;
  fb_intake_set_run (self->intake, self->run, TRUE);
  _fb_window_update_actions (self);
}

static void
really_start (FbWindow *self)
{
  _fb_window_stall_begin (self);
  fb_run_start (self->run);
  _fb_window_mark_started (self);
}

static void
check_destination_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(FbWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!fb_destination_check_finish (result, &error))
    {
      g_autofree char *path = NULL;
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->checking_destination = FALSE;
      path = fb_format_path (fb_destination_check_get_path (result));
      message = g_strdup_printf (_("Files cannot be saved in “%s”: %s. Choose another "
                                   "destination folder, then press Start."),
                                 path, error->message);
      _fb_window_show_trouble (self, message, _("_Choose Folder…"), "win.choose-destination");
      _fb_window_update_actions (self);
      return;
    }

  self->checking_destination = FALSE;
  if (self->run != NULL && !self->started)
    really_start (self);
}

/* Whether a job still to run writes a file. The count covers the jobs the
 * window added and those of a run it was shown; a restored run comes in
 * slices after that, so when the count says none the jobs are looked at
 * (up to the first that writes). */
static gboolean
run_writes_files (FbWindow *self)
{
  GListModel *jobs;

  if (self->n_writing_jobs > 0)
    return TRUE;
  jobs = fb_run_get_jobs (self->run);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

      if (!fb_job_is_final (job) && fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
        return TRUE;
    }
  return FALSE;
}

/* Downloads and catalog jobs need a folder they can write to: checked off
 * the main thread before the run starts, so the person learns it once, not
 * from a thousand failed rows. */
void
_fb_window_start_run (FbWindow *self)
{
  if (self->run == NULL || self->started || self->checking_destination)
    return;

  _fb_window_hide_trouble (self);
  if (!run_writes_files (self))
    {
      really_start (self);
      return;
    }

  self->checking_destination = TRUE;
  _fb_window_update_actions (self);
  fb_destination_check_async (fb_run_get_destination (self->run), self->cancellable,
                              check_destination_cb, g_object_ref (self));
}

/* The rest of a long list is dropped: its run was cancelled or replaced,
 * or the window goes. */
static void
stop_feeding (FbWindow *self)
{
  g_clear_handle_id (&self->feed_id, g_source_remove);
  g_clear_pointer (&self->feed, fb_input_feed_free);
  update_intake_ready (self);
}

void
_fb_window_cancel_run (FbWindow *self)
{
  if (!_fb_window_is_running (self))
    return;
  stop_feeding (self);
  fb_run_cancel (self->run);
}

static void
space_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(FbWindow) self = user_data;
  guint64 free_bytes;

  if (!fb_destination_query_free_finish (result, &free_bytes, NULL) ||
      g_cancellable_is_cancelled (self->cancellable) || self->run == NULL)
    return;

  if (free_bytes < FB_DESTINATION_FULL_BYTES)
    {
      g_autofree char *shown = fb_format_path (fb_run_get_destination (self->run));
      g_autofree char *size = g_format_size (free_bytes);
      g_autofree char *message =
        g_strdup_printf (_("The disk that holds “%s” is full (%s free). Free some space or "
                           "choose another folder, then retry the failed jobs."), shown, size);

      _fb_window_show_trouble (self, message, _("_Choose Folder…"), "win.choose-destination");
    }
}

static void
maybe_check_space (FbWindow *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->last_space_check < SPACE_CHECK_USEC || fb_run_get_destination (self->run) == NULL)
    return;
  self->last_space_check = now;
  fb_destination_query_free_async (fb_run_get_destination (self->run), self->cancellable,
                                   space_cb, g_object_ref (self));
}

static void
job_finished_cb (FbRun    *run,
                 FbJob    *job,
                 FbWindow *self)
{
  fb_job_list_schedule_refresh (self->job_list);
  _fb_window_schedule_job_actions (self);
  if (fb_job_get_state (job) == FB_JOB_STATE_ERROR && fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
    maybe_check_space (self);
}

/* Whether whoever keeps the journal records the window's run. */
gboolean
_fb_window_run_is_recorded (FbWindow *self)
{
  gboolean recorded = FALSE;

  if (self->run != NULL)
    g_signal_emit (self, signals[RUN_RECORDED], 0, self->run, &recorded);
  return recorded;
}

static void
notify_finished (FbWindow *self)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *counts = fb_format_run_counts (self->run);
  g_autofree char *duration = fb_format_duration (fb_run_get_elapsed (self->run));
  g_autofree char *body = NULL;

  if (gtk_window_is_active (GTK_WINDOW (self)) || !gtk_widget_get_visible (GTK_WIDGET (self)))
    return;
  /* Without a session bus there is nobody to show it. */
  if (app == NULL || g_application_get_dbus_connection (app) == NULL)
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
  _fb_window_stall_end (self, "at run end");
  fb_job_list_schedule_refresh (self->job_list);
  _fb_window_update_actions (self);
  _fb_window_update_job_actions (self);

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
    _fb_window_update_actions (self);
  else if (g_str_equal (name, "active"))
    fb_job_list_schedule_refresh (self->job_list);
}

void
_fb_window_set_run (FbWindow *self,
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

  fb_intake_set_run (self->intake, run, FALSE);
  fb_job_list_set_jobs (self->job_list, run != NULL ? fb_run_get_jobs (run) : NULL);
  fb_job_details_set_job (self->details, NULL);
  fb_run_summary_set_run (self->summary, run);
  fb_timeline_set_run (self->timeline, run);
  fb_host_view_set_run (self->host_view, run);
  show_page (self, run != NULL ? "jobs" : "empty");
  update_shown (self);
  _fb_window_update_actions (self);
  _fb_window_update_job_actions (self);
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
  _fb_window_set_run (self, run);
  g_signal_emit (self, signals[RUN_ADDED], 0, run);
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
  FbDemoServer *server = fb_demo_host_ensure (self->demo_host, &error);
  g_autofree char *url = NULL;

  if (server == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The built-in demo server could not start: %s. Close the program "
                           "that uses its port or start Fetchboard without --demo-port, or set "
                           "a catalog address in Preferences."), error->message);

      _fb_window_show_trouble (self, message, _("_Preferences"), "app.preferences");
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
  _fb_window_update_actions (self);
  if (start)
    _fb_window_start_run (self);
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
  update_intake_ready (self);
  return G_SOURCE_REMOVE;
}

static gboolean
apply_input_cb (FbIntake *intake,
                gpointer  input_pointer,
                gboolean  start,
                FbWindow *self)
{
  FbInput *input = input_pointer;
  g_autoptr(FbInputFeed) feed = NULL;
  guint n_writing;

  if (fb_input_get_n_entries (input) == 0)
    return FALSE;

  prepare_run (self);
  if (fb_input_count_kind (input, FB_ENTRY_CODE) > 0 && !ensure_catalog_base (self))
    return FALSE;

  n_writing = fb_input_count_kind (input, FB_ENTRY_CODE) + fb_input_count_kind (input, FB_ENTRY_URL);
  if (start || self->started)
    _fb_window_stall_begin (self);
  fb_job_list_reveal_gradually (self->job_list);
  fb_run_summary_expect_total (self->summary,
                               fb_run_get_total (self->run) + fb_input_get_n_entries (input));
  feed = fb_input_feed_new (input);
  if (!fb_input_feed_next (feed, self->run, FEED_SLICE))
    {
      /* The rest goes in over the next turns of the main loop, between
       * frames; lists that come meanwhile wait for it. */
      self->feed = g_steal_pointer (&feed);
      self->feed_id = g_idle_add_full (FEED_PRIORITY, feed_cb, self, NULL);
      update_intake_ready (self);
    }
  jobs_added (self, n_writing, start);
  return TRUE;
}

static void
intake_toast_cb (FbIntake   *intake,
                 const char *message,
                 FbWindow   *self)
{
  _fb_window_show_toast (self, message);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         FbWindow      *self)
{
  return fb_intake_drop_value (self->intake, value);
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
          _fb_window_hide_trouble (self);
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

  /* A running run is not thrown away by one stray key: ask first. */
  if (_fb_window_is_running (self) && !self->closing && !self->close_confirmed)
    {
      _fb_window_confirm_stop (self, TRUE);
      return TRUE;
    }

  /* Cancelled jobs remove their partial files on the thread pool: the
   * window hides and goes only once the run says every job has ended. */
  if (_fb_window_is_running (self) && !self->closing)
    {
      self->closing = TRUE;
      fb_intake_close (self->intake);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      self->close_timeout_id = g_timeout_add (CLOSE_GRACE_MS, close_timeout_cb, self);
      stop_feeding (self);
      /* Left unfinished in the journal, its partial downloads kept: it
       * comes back next time and continues them with Range. Without a
       * journal nothing could continue them, so they go. */
      if (_fb_window_run_is_recorded (self))
        fb_run_suspend (self->run);
      else
        {
          g_signal_emit (self, signals[RUN_RELEASED], 0, self->run);
          fb_run_cancel (self->run);
        }
      return TRUE;
    }

  return GTK_WINDOW_CLASS (fb_window_parent_class)->close_request (window);
}

/* Adaptive layout: below these widths the window drops what a person can
 * do without (labels beside icons, less needed columns), so it stays usable
 * at 360 px (a phone), at half of a 1366 px screen and at full HD. Above
 * MEDIUM_WIDTH the job list still drops the medium columns while long names
 * would leave the messages too little room (fb_job_list_get_compact ()). */
#define NARROW_WIDTH 560
#define MEDIUM_WIDTH 900

enum {
  WIDTH_WIDE,
  WIDTH_MEDIUM,
  WIDTH_NARROW,
};

static gboolean
apply_layout_cb (gpointer user_data)
{
  FbWindow *self = user_data;
  gboolean narrow = self->width_class == WIDTH_NARROW;
  gboolean medium = self->width_class != WIDTH_WIDE;

  self->layout_id = 0;
  gtk_widget_set_margin_start (self->concurrency_box, narrow ? 0 : 12);
  gtk_widget_set_visible (GTK_WIDGET (self->destination_label), !narrow);
  fb_job_list_set_compact (self->job_list, narrow ? 2 : medium ? 1 : 0);
  return G_SOURCE_REMOVE;
}

static void
fb_window_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  FbWindow *self = FB_WINDOW (widget);
  int width_class;

  /* The header's squeezers (label or none, text or icon buttons) let the
   * window get this narrow; the rest follows the width here. */
  width_class = width < NARROW_WIDTH ? WIDTH_NARROW
                : width < MEDIUM_WIDTH ? WIDTH_MEDIUM : WIDTH_WIDE;

  GTK_WIDGET_CLASS (fb_window_parent_class)->size_allocate (widget, width, height, baseline);

  /* Not from inside the allocation: hiding widgets queues a resize. */
  if (width_class != self->width_class && self->layout_id == 0)
    {
      self->width_class = width_class;
      self->layout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_layout_cb, self, NULL);
    }
  else
    self->width_class = width_class;
}

/* GObject */

static void
fb_window_dispose (GObject *object)
{
  FbWindow *self = FB_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (!self->painted && gtk_widget_get_frame_clock (GTK_WIDGET (self)) != NULL)
    g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (self)),
                                          first_paint_cb, self);
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  g_clear_handle_id (&self->layout_id, g_source_remove);
  g_clear_handle_id (&self->feed_id, g_source_remove);
  g_clear_handle_id (&self->job_actions_id, g_source_remove);
  g_clear_pointer (&self->feed, fb_input_feed_free);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->intake != NULL)
    fb_intake_close (self->intake);
  g_clear_object (&self->intake);
  if (self->confirm != NULL)
    gtk_window_destroy (GTK_WINDOW (self->confirm));
  g_clear_weak_pointer (&self->confirm);
  _fb_window_stall_end (self, "at exit");

  if (self->run != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->run, self);
      if (fb_run_get_running (self->run))
        fb_run_cancel (self->run);
      g_clear_object (&self->run);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_WINDOW);

  g_clear_object (&self->demo_host);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->icons, g_ptr_array_unref);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (fb_window_parent_class)->dispose (object);
}

/* The icons the jobs page and its rows draw are read from their files and
 * decoded when first drawn: in the frame that first shows a run, the
 * window's biggest (the page is new from top to bottom). They are loaded
 * as the window first shows instead, and kept (the icon theme keeps only
 * the last few it looked up). The states' icons are fb_format_job_icon ()'s;
 * the size and flags are those of a GtkImage and of the rows' cells. */
static void
load_jobs_page_icons (FbWindow *self)
{
  static const char * const names[] = {
    /* the jobs page's toggles */
    "view-continuous-symbolic", "network-server-symbolic", "view-reveal-symbolic",
    /* the jobs' states */
    "emblem-ok-symbolic", "action-unavailable-symbolic", "dialog-error-symbolic",
    "process-stop-symbolic", "view-list-symbolic", "preferences-system-time-symbolic",
    "network-transmit-symbolic", "go-down-symbolic", "document-save-symbolic",
    "emblem-default-symbolic",
  };
  GtkWidget *widget = GTK_WIDGET (self);
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (widget));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;

  g_clear_pointer (&self->icons, g_ptr_array_unref);
  self->icons = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GtkIconPaintable *icon = gtk_icon_theme_lookup_icon (theme, names[i], NULL, 16,
                                                           gtk_widget_get_scale_factor (widget),
                                                           gtk_widget_get_direction (widget), 0);

      gdk_paintable_snapshot (GDK_PAINTABLE (icon), snapshot, 16, 16);
      g_ptr_array_add (self->icons, icon);
    }
  node = gtk_snapshot_free_to_node (snapshot);
  g_clear_pointer (&node, gsk_render_node_unref);
}

static void
fb_window_map (GtkWidget *widget)
{
  FbWindow *self = FB_WINDOW (widget);

  if (!self->painted)
    {
      load_jobs_page_icons (self);
      fb_renderer_warm_up_uploads (widget);
    }
  GTK_WIDGET_CLASS (fb_window_parent_class)->map (widget);

  if (!self->painted)
    g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                      G_CALLBACK (first_paint_cb), self);

  /* The first focus goes to the page, not to the first control of the header. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "jobs") == 0)
    gtk_widget_grab_focus (GTK_WIDGET (fb_job_list_get_column_view (self->job_list)));
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
    case PROP_DEMO_HOST:
      g_value_set_object (value, self->demo_host);
      break;
    case PROP_FILTER:
      g_value_set_string (value, fb_window_get_filter (self));
      break;
    case PROP_SHOW_WATERFALL:
      g_value_set_boolean (value, self->list_stack != NULL &&
                                  g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack),
                                             "waterfall") == 0);
      break;
    case PROP_SHOW_HOSTS:
      g_value_set_boolean (value, self->list_stack != NULL &&
                                  g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack),
                                             "hosts") == 0);
      break;
    case PROP_SHOW_DETAILS:
      /* Asked by the toggle while the template is still being built. */
      g_value_set_boolean (value, self->details_revealer != NULL &&
                                  gtk_revealer_get_reveal_child (self->details_revealer));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The list, the waterfall or the host view, one at a time; turning a view
 * off goes back to the list. */
static void
show_view (FbWindow   *self,
           const char *view,
           gboolean    shown)
{
  const char *before = gtk_stack_get_visible_child_name (self->list_stack);
  const char *page = shown ? view : g_str_equal (before, view) ? "list" : before;

  if (g_strcmp0 (before, page) == 0)
    return;
  /* Hidden, the waterfall follows no model: it costs nothing. */
  fb_waterfall_set_jobs (self->waterfall, g_str_equal (page, "waterfall")
                                          ? fb_job_list_get_shown (self->job_list) : NULL);
  gtk_stack_set_visible_child_name (self->list_stack, page);
  if (g_str_equal (before, "waterfall") || g_str_equal (page, "waterfall"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_WATERFALL]);
  if (g_str_equal (before, "hosts") || g_str_equal (page, "hosts"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_HOSTS]);
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
    case PROP_DEMO_HOST:
      g_set_object (&self->demo_host, g_value_get_object (value));
      break;
    case PROP_FILTER:
      fb_window_set_filter (self, g_value_get_string (value));
      break;
    case PROP_SHOW_WATERFALL:
      show_view (self, "waterfall", g_value_get_boolean (value));
      break;
    case PROP_SHOW_HOSTS:
      show_view (self, "hosts", g_value_get_boolean (value));
      break;
    case PROP_SHOW_DETAILS:
      if (gtk_revealer_get_reveal_child (self->details_revealer) != g_value_get_boolean (value))
        {
          gtk_revealer_set_reveal_child (self->details_revealer, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_window_constructed (GObject *object)
{
  FbWindow *self = FB_WINDOW (object);

  G_OBJECT_CLASS (fb_window_parent_class)->constructed (object);

  /* A window made without one still runs the demo, on a server of its own. */
  if (self->demo_host == NULL)
    self->demo_host = fb_demo_host_new ();
}

static void
fb_window_class_init (FbWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = fb_window_constructed;
  object_class->dispose = fb_window_dispose;
  object_class->get_property = fb_window_get_property;
  object_class->set_property = fb_window_set_property;

  /* The window made @run from input (not from the journal): whoever keeps
   * the journal records it (the application's FbSession). */
  signals[RUN_ADDED] = g_signal_new ("run-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 1, FB_TYPE_RUN);
  /* @run goes away with the window, cancelled, without ending. */
  signals[RUN_RELEASED] = g_signal_new ("run-released", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, FB_TYPE_RUN);
  /* Whether @run is recorded, so that quitting can keep its partial
   * downloads for the next start; FALSE when nobody answers. */
  signals[RUN_RECORDED] = g_signal_new ("run-recorded", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0,
                                        g_signal_accumulator_true_handled, NULL, NULL,
                                        G_TYPE_BOOLEAN, 1, FB_TYPE_RUN);
  widget_class->map = fb_window_map;
  widget_class->size_allocate = fb_window_size_allocate;
  window_class->close_request = fb_window_close_request;

  properties[PROP_DEMO_HOST] =
    g_param_spec_object ("demo-host", NULL, NULL,
                         FB_TYPE_DEMO_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILTER] =
    g_param_spec_string ("filter", NULL, NULL,
                         "all",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_WATERFALL] =
    g_param_spec_boolean ("show-waterfall", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_HOSTS] =
    g_param_spec_boolean ("show-hosts", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_DETAILS] =
    g_param_spec_boolean ("show-details", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FB_TYPE_HOST_VIEW);
  g_type_ensure (FB_TYPE_JOB_DETAILS);
  g_type_ensure (FB_TYPE_JOB_LIST);
  g_type_ensure (FB_TYPE_RUN_SUMMARY);
  g_type_ensure (FB_TYPE_TIMELINE);
  g_type_ensure (FB_TYPE_WATERFALL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FbWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, concurrency_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, concurrency_spin);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, concurrency_box);
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
  gtk_widget_class_bind_template_child (widget_class, FbWindow, filter_box);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, filter_squeezer);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, job_list);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, waterfall);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, host_view);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, details_revealer);
  gtk_widget_class_bind_template_child (widget_class, FbWindow, details);

  _fb_window_class_actions_init (widget_class);
}

static void
filter_notify_cb (FbWindow *self)
{
  update_shown (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}

/* Chinese, Japanese and Korean labels carry their mnemonic after the word,
 * "全部(_A)": 25 px a button, which held the window at 405 px. The filter
 * bar then has a second form with the words alone (Alt+1…4 still filter),
 * which the squeezer shows when the first does not fit. */
static void
add_short_filters (FbWindow *self)
{
  GtkWidget *box = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (self->filter_box);
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *label = gtk_button_get_label (GTK_BUTTON (child));
      const char *open = label != NULL ? strstr (label, "(_") : NULL;
      g_autofree char *word = NULL;
      GtkWidget *button;

      if (open == NULL || open == label || g_utf8_strlen (open, -1) != 4 || open[3] != ')')
        return;
      word = g_strchomp (g_strndup (label, open - label));
      button = gtk_toggle_button_new_with_label (word);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button),
                                      gtk_actionable_get_action_name (GTK_ACTIONABLE (child)));
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                              gtk_actionable_get_action_target_value (GTK_ACTIONABLE (child)));
      gtk_widget_set_tooltip_text (button, gtk_widget_get_tooltip_text (child));
      if (box == NULL)
        {
          box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
          gtk_widget_add_css_class (box, "linked");
          gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Show jobs"), -1);
        }
      gtk_box_append (GTK_BOX (box), button);
    }
  if (box != NULL)
    adw_squeezer_add (self->filter_squeezer, box);
}

static void
fb_window_init (FbWindow *self)
{
  GtkDropTarget *target;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_STRING };

  gtk_widget_init_template (GTK_WIDGET (self));
  add_short_filters (self);

  self->cancellable = g_cancellable_new ();

  g_signal_connect_swapped (self->job_list, "notify::n-shown", G_CALLBACK (update_shown), self);
  g_signal_connect_swapped (self->job_list, "notify::filter", G_CALLBACK (filter_notify_cb), self);
  g_signal_connect_swapped (self->concurrency_adjustment, "value-changed",
                            G_CALLBACK (concurrency_changed_cb), self);

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

  self->intake = fb_intake_new (GTK_WINDOW (self), self->settings);
  g_signal_connect (self->intake, "apply", G_CALLBACK (apply_input_cb), self);
  g_signal_connect (self->intake, "toast", G_CALLBACK (intake_toast_cb), self);

  _fb_window_actions_init (self);
  _fb_window_update_actions (self);
  _fb_window_apply_bench_view (self);
}

FbWindow *
fb_window_new (GtkApplication *application,
               FbDemoHost     *demo_host)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (demo_host == NULL || FB_IS_DEMO_HOST (demo_host), NULL);

  return g_object_new (FB_TYPE_WINDOW,
                       "application", application,
                       "demo-host", demo_host,
                       NULL);
}

gboolean
fb_window_drop_value (FbWindow     *self,
                      const GValue *value)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), FALSE);

  return fb_intake_drop_value (self->intake, value);
}

void
fb_window_open_files (FbWindow  *self,
                      GFile    **files,
                      guint      n_files)
{
  g_return_if_fail (FB_IS_WINDOW (self));

  fb_intake_open_files (self->intake, files, n_files);
}

void
fb_window_add_text (FbWindow   *self,
                    const char *text,
                    const char *source)
{
  g_return_if_fail (FB_IS_WINDOW (self));

  fb_intake_add_text (self->intake, text, source);
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

  server = fb_demo_host_ensure (self->demo_host, &error);
  if (server == NULL)
    {
      message = g_strdup_printf (_("The demo server could not start: %s. Close the program "
                                   "that uses its port, or run the demo without --demo-port."),
                                 error->message);
      _fb_window_show_trouble (self, message, NULL, NULL);
      return;
    }
  demo_url = fb_demo_server_dup_base_url (server);

  if (_fb_window_is_running (self) && g_strcmp0 (run_base_url (self), demo_url) != 0)
    {
      _fb_window_show_toast (self, _("Cancel the current run to try the demo"));
      return;
    }

  prepare_run (self);
  if (!_fb_window_is_running (self))
    fb_run_set_base_url (self->run, demo_url);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_CATALOG, codes[i]));
  for (guint i = 0; i < G_N_ELEMENTS (demo_missing_codes); i++)
    g_ptr_array_add (jobs, fb_job_new (FB_JOB_KIND_CATALOG, demo_missing_codes[i]));

  _fb_window_stall_begin (self);
  fb_run_add_jobs (self->run, (FbJob **) jobs->pdata, jobs->len);
  jobs_added (self, jobs->len, TRUE);

  /* Translators: %s is the demo server's address */
  message = g_strdup_printf (_("Demo: flags from %s, with random delays and errors"), demo_url);
  _fb_window_show_toast (self, message);
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

  _fb_window_set_run (self, run);
  jobs = fb_run_get_jobs (run);
  for (guint i = 0; i < g_list_model_get_n_items (jobs); i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

      if (!fb_job_is_final (job) && fb_job_get_kind (job) != FB_JOB_KIND_PROBE)
        n_writing++;
    }
  self->n_writing_jobs = n_writing;
  _fb_window_update_actions (self);
}

void
fb_window_show_notice (FbWindow   *self,
                       const char *message)
{
  g_return_if_fail (FB_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  _fb_window_show_trouble (self, message, NULL, NULL);
}

AdwMessageDialog *
fb_window_get_confirmation (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->confirm;
}

FbPreviewDialog *
fb_window_get_preview (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return fb_intake_get_preview (self->intake);
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

const char *
fb_window_get_width_class (FbWindow *self)
{
  static const char * const names[] = { "wide", "medium", "narrow" };

  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return names[self->width_class];
}

FbWaterfall *
fb_window_get_waterfall (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->waterfall;
}

FbHostView *
fb_window_get_host_view (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->host_view;
}

FbJobDetails *
fb_window_get_details (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->details;
}

FbJobList *
fb_window_get_job_list (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return self->job_list;
}

GtkColumnView *
fb_window_get_column_view (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return fb_job_list_get_column_view (self->job_list);
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
fb_window_get_status (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  return adw_window_title_get_subtitle (self->window_title);
}

const char *
fb_window_get_filter (FbWindow *self)
{
  g_return_val_if_fail (FB_IS_WINDOW (self), NULL);

  /* The filter buttons ask while the template is still being built. */
  if (self->job_list == NULL)
    return "all";
  return fb_job_list_get_filter (self->job_list);
}

void
fb_window_set_filter (FbWindow   *self,
                      const char *filter)
{
  g_return_if_fail (FB_IS_WINDOW (self));

  fb_job_list_set_filter (self->job_list, filter);
}

