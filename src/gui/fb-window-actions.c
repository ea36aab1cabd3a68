/* fb-window-actions.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-window"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-finder-dialog.h"
#include "fb-format.h"
#include "fb-renderer.h"
#include "fb-settings.h"
#include "fb-window-private.h"

/* Job actions follow the selected jobs' states at most this often. */
#define JOB_ACTIONS_INTERVAL_MS 300

/* The window's actions: win.* for the run and its input, job.* for the
 * selected jobs. */


static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  _fb_window_start_run (FB_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);

  if (_fb_window_is_running (self))
    _fb_window_confirm_stop (self, FALSE);
}

static void
new_run_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);

  if (_fb_window_is_running (self))
    return;
  _fb_window_hide_trouble (self);
  _fb_window_set_run (self, NULL);
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
  _fb_window_hide_trouble (FB_WINDOW (widget));
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
        fb_intake_open_files (self->intake, (GFile **) array->pdata, array->len);
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
  fb_intake_drop_value (self->intake, value);
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
      _fb_window_show_toast (self, _("The clipboard holds no text to use as a list"));
      return;
    }
  fb_intake_add_text (self->intake, text, _("pasted text"));
}

/* Find Flags: the codes picked there become catalog jobs, started at once
 * (the dialog was the preview). */
static void
finder_download_cb (FbFinderDialog     *dialog,
                    const char * const *codes,
                    FbWindow           *self)
{
  g_autofree char *text = g_strjoinv ("\n", (char **) codes);

  fb_intake_add_chosen (self->intake, text, _("Find Flags"));
}

static void
find_flags_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  FbFinderDialog *dialog = fb_finder_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "download", G_CALLBACK (finder_download_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
  return fb_job_list_dup_selected (self->job_list);
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
  gboolean was_running = _fb_window_is_running (self);
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
      _fb_window_show_toast (self, _("Only failed or cancelled jobs can be retried"));
      return;
    }
  /* A finished run starts again for them. */
  if (!was_running)
    _fb_window_stall_begin (self);
  _fb_window_mark_started (self);
  fb_job_list_schedule_refresh (self->job_list);
}

/* Jobs that ended in an error go again; "not found" is an answer, not a
 * failure, and cancelled jobs were stopped on purpose. */
static void
retry_failed_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *jobs;
  gboolean was_running = _fb_window_is_running (self);
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;

  if (self->run == NULL)
    return;
  jobs = fb_run_get_jobs (self->run);
  for (guint i = 0, n = g_list_model_get_n_items (jobs); i < n; i++)
    {
      g_autoptr(FbJob) job = g_list_model_get_item (jobs, i);

      if (fb_job_get_state (job) == FB_JOB_STATE_ERROR)
        g_ptr_array_add (failed, g_steal_pointer (&job));
    }
  if (failed->len == 0)
    return;

  if (!was_running)
    _fb_window_stall_begin (self);
  for (guint i = 0; i < failed->len; i++)
    fb_run_retry_job (self->run, g_ptr_array_index (failed, i));
  _fb_window_mark_started (self);
  fb_job_list_schedule_refresh (self->job_list);
  _fb_window_update_job_actions (self);

  count = fb_format_count (failed->len);
  message = g_strdup_printf (ngettext ("Retrying %s failed job", "Retrying %s failed jobs",
                                       failed->len), count);
  _fb_window_show_toast (self, message);
}

static void
original_order_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  fb_job_list_sort_original (FB_WINDOW (widget)->job_list);
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
  _fb_window_show_toast (self, message);
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

      _fb_window_show_toast (self, message);
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

void
_fb_window_open_job (FbWindow *self,
                     FbJob    *job)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (job == NULL || fb_job_get_saved_path (job) == NULL)
    {
      _fb_window_show_toast (self, _("Nothing was saved for this job"));
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

  _fb_window_open_job (self, first_saved (jobs));
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
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
  GDBusConnection *bus = app != NULL ? g_application_get_dbus_connection (app) : NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *file_uri = NULL;
  g_autoptr(GTask) task = NULL;
  const char *uris[2] = { NULL, NULL };

  if (job == NULL)
    {
      _fb_window_show_toast (self, _("Nothing was saved for this job"));
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

/* Asking before a run is thrown away */

static void
confirm_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     FbWindow         *self)
{
  g_clear_weak_pointer (&self->confirm);
  if (g_str_equal (response, "cancel-run"))
    _fb_window_cancel_run (self);
  else if (g_str_equal (response, "close"))
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

void
_fb_window_confirm_stop (FbWindow *self,
                         gboolean  closing)
{
  guint total = fb_run_get_total (self->run);
  guint left = total - fb_run_get_n_finished (self->run);
  g_autofree char *n_left = fb_format_count (left);
  g_autofree char *n_total = fb_format_count (total);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (self->confirm != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->confirm));
      return;
    }

  if (closing && _fb_window_run_is_recorded (self))
    /* Translators: %s are counts of jobs, "1,234 of 10,000 jobs" */
    body = g_strdup_printf (ngettext ("%s of %s job has not finished. It stops now and waits, "
                                      "paused, for the next start; a partial download is kept "
                                      "and continues from where it stopped.",
                                      "%s of %s jobs have not finished. They stop now and wait, "
                                      "paused, for the next start; partial downloads are kept "
                                      "and continue from where they stopped.", left),
                            n_left, n_total);
  else
    /* Translators: %s are counts of jobs, "1,234 of 10,000 jobs" */
    body = g_strdup_printf (ngettext ("%s of %s job has not finished. Stopping cancels it; "
                                      "what has finished stays.",
                                      "%s of %s jobs have not finished. Stopping cancels them; "
                                      "what has finished stays.", left),
                            n_left, n_total);
  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   closing ? _("Stop the Run and Close?") : _("Cancel the Run?"),
                                   body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Running"),
                                    closing ? "close" : "cancel-run",
                                    closing ? _("_Stop and Close") : _("_Cancel Run"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog),
                                              closing ? "close" : "cancel-run",
                                              ADW_RESPONSE_DESTRUCTIVE);
  /* A stray Enter or Escape keeps the run. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  g_set_weak_pointer (&self->confirm, ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Escape in a text field (the limit) backs out of what was typed there; it
 * never reaches the run. Elsewhere it asks before cancelling the run. */
static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  FbWindow *self = FB_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus != NULL && (GTK_IS_EDITABLE (focus) ||
                        gtk_widget_get_ancestor (focus, GTK_TYPE_EDITABLE) != NULL))
    {
      GtkWidget *spin = gtk_widget_get_ancestor (focus, GTK_TYPE_SPIN_BUTTON);

      if (spin != NULL)
        {
          GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (spin));
          g_autofree char *text = g_strdup_printf ("%.0f", gtk_adjustment_get_value (adjustment));

          gtk_editable_set_text (GTK_EDITABLE (spin), text);
          gtk_editable_select_region (GTK_EDITABLE (spin), 0, -1);
        }
      return;
    }

  if (_fb_window_is_running (self))
    _fb_window_confirm_stop (self, FALSE);
}

/* The details pane follows a single selected job. */
static void
update_details (FbWindow *self)
{
  g_autoptr(GPtrArray) jobs = fb_job_list_dup_selected (self->job_list);

  fb_job_details_set_job (self->details, jobs->len == 1 ? g_ptr_array_index (jobs, 0) : NULL);
}

static void
update_job_actions_cb (FbWindow *self)
{
  _fb_window_update_job_actions (self);
  update_details (self);
}

/* What the selected jobs allow, from their states: Open and Show in Folder
 * need a saved file, Cancel an unfinished job, Retry a finished one that
 * did not succeed. */
void
_fb_window_update_job_actions (FbWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  g_autoptr(GPtrArray) jobs = fb_job_list_dup_selected (self->job_list);
  gboolean can_open = FALSE;
  gboolean can_cancel = FALSE;
  gboolean can_retry = FALSE;

  g_clear_handle_id (&self->job_actions_id, g_source_remove);
  for (guint i = 0; i < jobs->len && !(can_open && can_cancel && can_retry); i++)
    {
      FbJob *job = g_ptr_array_index (jobs, i);

      can_open |= fb_job_get_saved_path (job) != NULL;
      can_cancel |= !fb_job_is_final (job);
      can_retry |= fb_job_is_final (job) && fb_job_get_state (job) != FB_JOB_STATE_OK;
    }

  gtk_widget_action_set_enabled (widget, "job.cancel", can_cancel);
  gtk_widget_action_set_enabled (widget, "job.retry", can_retry);
  gtk_widget_action_set_enabled (widget, "job.copy-url", jobs->len > 0);
  gtk_widget_action_set_enabled (widget, "job.open", can_open);
  gtk_widget_action_set_enabled (widget, "job.show-in-folder", can_open);
  gtk_widget_action_set_enabled (widget, "win.retry-failed",
                                 self->run != NULL && fb_run_get_n_error (self->run) > 0);
}

static gboolean
job_actions_cb (gpointer user_data)
{
  FbWindow *self = user_data;

  self->job_actions_id = 0;
  _fb_window_update_job_actions (self);
  return G_SOURCE_REMOVE;
}

/* Jobs changed state: the actions follow a few times a second, not once
 * per finished job (a selection may hold 10,000 of them). */
void
_fb_window_schedule_job_actions (FbWindow *self)
{
  if (self->job_actions_id == 0)
    self->job_actions_id = g_timeout_add (JOB_ACTIONS_INTERVAL_MS, job_actions_cb, self);
}

static void
job_activated_cb (FbJobList *list,
                  FbJob     *job,
                  FbWindow  *self)
{
  _fb_window_open_job (self, job);
}

void
_fb_window_actions_init (FbWindow *self)
{
  g_signal_connect_swapped (self->job_list, "selection-changed",
                            G_CALLBACK (update_job_actions_cb), self);
  g_signal_connect (self->job_list, "job-activated", G_CALLBACK (job_activated_cb), self);
  _fb_window_update_job_actions (self);
}

void
_fb_window_class_actions_init (GtkWidgetClass *widget_class)
{
  static const char * const filters[] = { "all", "active", "failed", "done" };

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.escape", NULL, escape_action);
  gtk_widget_class_install_action (widget_class, "win.new-run", NULL, new_run_action);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_action);
  gtk_widget_class_install_action (widget_class, "win.original-order", NULL,
                                   original_order_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.find-flags", NULL, find_flags_action);
  gtk_widget_class_install_action (widget_class, "win.choose-destination", NULL,
                                   choose_destination_action);
  gtk_widget_class_install_action (widget_class, "win.dismiss-trouble", NULL,
                                   dismiss_trouble_action);
  gtk_widget_class_install_property_action (widget_class, "win.filter", "filter");
  gtk_widget_class_install_property_action (widget_class, "win.show-details", "show-details");
  gtk_widget_class_install_property_action (widget_class, "win.show-waterfall", "show-waterfall");
  gtk_widget_class_install_property_action (widget_class, "win.show-hosts", "show-hosts");
  gtk_widget_class_install_action (widget_class, "job.cancel", NULL, job_cancel_action);
  gtk_widget_class_install_action (widget_class, "job.retry", NULL, job_retry_action);
  gtk_widget_class_install_action (widget_class, "job.copy-url", NULL, job_copy_url_action);
  gtk_widget_class_install_action (widget_class, "job.open", NULL, job_open_action);
  gtk_widget_class_install_action (widget_class, "job.show-in-folder", NULL,
                                   job_show_in_folder_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.escape", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_v, GDK_CONTROL_MASK,
                                       "win.paste", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.retry-failed", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK,
                                       "win.choose-destination", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-details", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F8, 0, "win.show-waterfall", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F7, 0, "win.show-hosts", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.filter", "s", filters[i]);
}
