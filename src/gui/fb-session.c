/* fb-session.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-session"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "fb-demo-host.h"
#include "fb-export.h"
#include "fb-history-page.h"
#include "fb-session.h"
#include "fb-window.h"

struct _FbSession
{
  GObject        parent_instance;

  GCancellable  *cancellable;
  FbJournal     *journal;
  GPtrArray     *waiting;  /* FbRun*, tracked once the journal is open */
  GtkApplication *app;     /* owns us */
  FbDemoHost    *demo_host; /* the app's, for the windows we open; a reference */
  char          *notice;
  char          *unsaid;   /* a message waiting for a window */
};

G_DEFINE_FINAL_TYPE (FbSession, fb_session, G_TYPE_OBJECT)

static FbWindow *
find_window (FbSession *self,
             gboolean   create)
{
  GtkWindow *active = gtk_application_get_active_window (self->app);

  if (FB_IS_WINDOW (active))
    return FB_WINDOW (active);
  for (GList *l = gtk_application_get_windows (self->app); l != NULL;
       l = l->next)
    if (FB_IS_WINDOW (l->data))
      return FB_WINDOW (l->data);
  return create ? fb_window_new (self->app, self->demo_host)
                : NULL;
}

static void
say (FbSession  *self,
     const char *message)
{
  FbWindow *window = find_window (self, FALSE);

  if (window != NULL)
    fb_window_show_notice (window, message);
  else
    {
      g_free (self->unsaid);
      self->unsaid = g_strdup (message);
    }
}

static void
run_added_cb (FbWindow  *window,
              FbRun     *run,
              FbSession *self)
{
  fb_session_track_run (self, run);
}

static void
run_released_cb (FbWindow  *window,
                 FbRun     *run,
                 FbSession *self)
{
  fb_session_release_run (self, run);
}

static gboolean
run_recorded_cb (FbWindow  *window,
                 FbRun     *run,
                 FbSession *self)
{
  return fb_session_records_run (self, run);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 FbSession      *self)
{
  if (!FB_IS_WINDOW (window))
    return;
  g_signal_connect_object (window, "run-added", G_CALLBACK (run_added_cb), self, 0);
  g_signal_connect_object (window, "run-released", G_CALLBACK (run_released_cb), self, 0);
  g_signal_connect_object (window, "run-recorded", G_CALLBACK (run_recorded_cb), self, 0);
  if (self->unsaid != NULL)
    {
      fb_window_show_notice (FB_WINDOW (window), self->unsaid);
      g_clear_pointer (&self->unsaid, g_free);
    }
}

static void
write_failed_cb (FbJournal *journal,
                 FbSession *self)
{
  say (self, fb_journal_get_write_error (journal)->message);
}

/* ---- restoring the newest unfinished run at startup ---- */

static void
restored_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(FbSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(FbRun) run = fb_journal_restore_run_finish (FB_JOURNAL (source), result, &error);
  FbWindow *window;

  if (run == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }

  window = find_window (self, TRUE);
  if (fb_window_get_run (window) != NULL && fb_run_get_running (fb_window_get_run (window)))
    {
      /* Not over a run under way: it stays in History. */
      fb_journal_untrack_run (self->journal, run);
      say (self, _("Stop the current run before reopening another"));
      return;
    }
  fb_window_show_run (window, run);
  gtk_window_present (GTK_WINDOW (window));
}

static void
find_unfinished_worker (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  GError *error = NULL;
  gint64 id = fb_journal_find_newest_unended (task_data, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, id);
}

static void
found_unfinished_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  FbSession *self = FB_SESSION (source);
  g_autoptr(GError) error = NULL;
  gint64 id = g_task_propagate_int (G_TASK (result), &error);
  FbWindow *window;

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }
  window = find_window (self, FALSE);
  /* Something came first (a list opened with the program): it wins. */
  if (id == 0 || (window != NULL && fb_window_get_run (window) != NULL))
    return;
  fb_journal_restore_run_async (self->journal, id, self->cancellable, restored_cb,
                                g_object_ref (self));
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(FbSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  FbJournal *journal = fb_journal_open_finish (result, &error);

  if (journal == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: the reason comes first */
      self->notice = g_strdup_printf (_("%s. Runs are not recorded until Fetchboard starts "
                                        "again."), error->message);
      g_ptr_array_set_size (self->waiting, 0);
      say (self, self->notice);
      return;
    }

  self->journal = journal;
  g_signal_connect_object (journal, "write-failed", G_CALLBACK (write_failed_cb), self, 0);
  if (fb_journal_get_notice (journal) != NULL)
    {
      self->notice = g_strdup (fb_journal_get_notice (journal));
      say (self, self->notice);
    }

  task = g_task_new (self, self->cancellable, found_unfinished_cb, NULL);
  g_task_set_source_tag (task, opened_cb);
  g_task_set_task_data (task, g_object_ref (journal), g_object_unref);
  g_task_run_in_thread (task, find_unfinished_worker);

  for (guint i = 0; i < self->waiting->len; i++)
    fb_session_track_run (self, self->waiting->pdata[i]);
  g_ptr_array_set_size (self->waiting, 0);
}

/* ---- export ---- */

typedef struct
{
  FbJournal      *journal;
  gint64          run_id;
  FbExportFormat  format;
  GFile          *file;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->journal);
  g_clear_object (&data->file);
  g_free (data);
}

static void
export_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  g_autofree char *text = NULL;
  GError *error = NULL;

  text = fb_export_run (data->journal, data->run_id, data->format, &error);
  if (text == NULL
      || !g_file_replace_contents (data->file, text, strlen (text), NULL, FALSE,
                                   G_FILE_CREATE_REPLACE_DESTINATION, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
exported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  FbSession *self = FB_SESSION (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: the reason */
      g_autofree char *message = g_strdup_printf (_("The run could not be exported: %s"),
                                                  error->message);

      say (self, message);
    }
}

static void
export_response_cb (GtkNativeDialog *chooser,
                    int              response,
                    gpointer         user_data)
{
  FbSession *self = user_data;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  ExportData *data;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL && self->journal != NULL)
    {
      data = g_new0 (ExportData, 1);
      data->journal = g_object_ref (self->journal);
      data->run_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (chooser), "run-id"));
      data->file = g_object_ref (file);
      name = g_file_get_basename (file);
      if (g_str_has_suffix (name, ".csv"))
        data->format = FB_EXPORT_CSV;
      else if (g_str_has_suffix (name, ".svg"))
        data->format = FB_EXPORT_SVG;
      else
        data->format = FB_EXPORT_JSON;
      task = g_task_new (self, self->cancellable, exported_cb, NULL);
      g_task_set_source_tag (task, export_response_cb);
      g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
      g_task_run_in_thread (task, export_worker);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *title,
            const char     *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, title);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (chooser, filter);
}

void
fb_session_export (FbSession *self,
                   GtkWindow *parent,
                   gint64     run_id)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  g_return_if_fail (FB_IS_SESSION (self));

  if (self->journal == NULL || run_id <= 0)
    {
      say (self, _("This run is not in the journal, so it cannot be exported"));
      return;
    }
  chooser = gtk_file_chooser_native_new (_("Export Run"), parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = g_strdup_printf ("fetchboard-run-%" G_GINT64_FORMAT ".json", run_id);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  add_filter (GTK_FILE_CHOOSER (chooser), _("JSON (one entry per job)"), "*.json");
  add_filter (GTK_FILE_CHOOSER (chooser), _("CSV (one line per job)"), "*.csv");
  add_filter (GTK_FILE_CHOOSER (chooser), _("SVG (the run’s timeline)"), "*.svg");
  g_object_set_data (G_OBJECT (chooser), "run-id", GSIZE_TO_POINTER ((gsize) run_id));
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- reopen ---- */

void
fb_session_reopen (FbSession *self,
                   gint64     run_id)
{
  FbWindow *window;

  g_return_if_fail (FB_IS_SESSION (self));

  if (self->journal == NULL)
    return;
  window = find_window (self, TRUE);
  if (fb_window_get_run (window) != NULL
      && fb_journal_get_run_id (self->journal, fb_window_get_run (window)) == run_id)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }
  if (fb_window_get_run (window) != NULL && fb_run_get_running (fb_window_get_run (window)))
    {
      say (self, _("Stop the current run before reopening another"));
      return;
    }
  fb_journal_restore_run_async (self->journal, run_id, self->cancellable, restored_cb,
                                g_object_ref (self));
}

/* ---- actions ---- */

static void
history_reopen_cb (FbHistoryPage *page,
                   gint64         run_id,
                   FbSession     *self)
{
  fb_session_reopen (self, run_id);
}

static void
history_export_cb (FbHistoryPage *page,
                   gint64         run_id,
                   FbSession     *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (page));

  fb_session_export (self, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, run_id);
}

static void
history_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  FbSession *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (self->app);
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  FbHistoryPage *page = fb_history_page_new (self->journal);

  g_signal_connect_object (page, "reopen", G_CALLBACK (history_reopen_cb), self, 0);
  g_signal_connect_object (page, "export", G_CALLBACK (history_export_cb), self, 0);
  gtk_window_set_title (GTK_WINDOW (window), _("History"));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 520);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_application (GTK_WINDOW (window), self->app);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (page));
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

static void
export_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  FbSession *self = user_data;
  FbWindow *window = find_window (self, FALSE);
  FbRun *run = window != NULL ? fb_window_get_run (window) : NULL;

  fb_session_export (self, GTK_WINDOW (window),
                     run != NULL && self->journal != NULL
                     ? fb_journal_get_run_id (self->journal, run) : 0);
}

static const GActionEntry session_actions[] = {
  { .name = "history", .activate = history_action },
  { .name = "export", .activate = export_action },
};

/* ---- public ---- */

FbSession *
fb_session_new (GtkApplication *app,
                FbDemoHost     *demo_host)
{
  FbSession *self;
  g_autofree char *path = fb_journal_default_path ();

  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (FB_IS_DEMO_HOST (demo_host), NULL);

  self = g_object_new (FB_TYPE_SESSION, NULL);
  self->app = app;
  self->demo_host = g_object_ref (demo_host);
  g_action_map_add_action_entries (G_ACTION_MAP (app), session_actions,
                                   G_N_ELEMENTS (session_actions), self);
  g_signal_connect_object (app, "window-added", G_CALLBACK (window_added_cb), self, 0);
  fb_journal_open_async (path, self->cancellable, opened_cb, g_object_ref (self));
  return self;
}

FbJournal *
fb_session_get_journal (FbSession *self)
{
  g_return_val_if_fail (FB_IS_SESSION (self), NULL);
  return self->journal;
}

const char *
fb_session_get_notice (FbSession *self)
{
  g_return_val_if_fail (FB_IS_SESSION (self), NULL);
  return self->notice;
}

void
fb_session_track_run (FbSession *self,
                      FbRun     *run)
{
  g_return_if_fail (FB_IS_SESSION (self));
  g_return_if_fail (FB_IS_RUN (run));

  if (self->journal != NULL)
    {
      if (fb_journal_get_run_id (self->journal, run) == 0)
        fb_journal_track_run (self->journal, run, NULL, NULL, NULL);
    }
  else if (self->notice == NULL)
    g_ptr_array_add (self->waiting, g_object_ref (run));
}

void
fb_session_release_run (FbSession *self,
                        FbRun     *run)
{
  g_return_if_fail (FB_IS_SESSION (self));

  if (run == NULL)
    return;
  g_ptr_array_remove (self->waiting, run);
  if (self->journal != NULL)
    fb_journal_untrack_run (self->journal, run);
}

gboolean
fb_session_records_run (FbSession *self,
                        FbRun     *run)
{
  g_return_val_if_fail (FB_IS_SESSION (self), FALSE);
  g_return_val_if_fail (FB_IS_RUN (run), FALSE);

  return self->journal != NULL && fb_journal_get_run_id (self->journal, run) > 0;
}

void
fb_session_close (FbSession *self)
{
  g_return_if_fail (FB_IS_SESSION (self));

  g_cancellable_cancel (self->cancellable);
  if (self->journal != NULL)
    fb_journal_close (self->journal);
}

static void
fb_session_dispose (GObject *object)
{
  FbSession *self = FB_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->journal);
  g_clear_object (&self->demo_host);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);

  G_OBJECT_CLASS (fb_session_parent_class)->dispose (object);
}

static void
fb_session_finalize (GObject *object)
{
  FbSession *self = FB_SESSION (object);

  g_free (self->notice);
  g_free (self->unsaid);

  G_OBJECT_CLASS (fb_session_parent_class)->finalize (object);
}

static void
fb_session_class_init (FbSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fb_session_dispose;
  object_class->finalize = fb_session_finalize;
}

static void
fb_session_init (FbSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}
