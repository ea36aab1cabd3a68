/* fb-history-page.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-history-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "fb-history-page.h"

struct _FbHistoryPage
{
  GtkBox        parent_instance;

  GtkStack     *stack;
  GtkListBox   *list;
  GtkButton    *clear_button;

  FbJournal    *journal;       /* NULL when there is none */
  GCancellable *cancellable;
  guint         n_runs;
};

G_DEFINE_FINAL_TYPE (FbHistoryPage, fb_history_page, GTK_TYPE_BOX)

enum {
  REOPEN,
  EXPORT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
list_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *runs = fb_journal_list_runs (task_data, &error);

  if (runs == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, runs, (GDestroyNotify) g_ptr_array_unref);
}

static gint64
row_run_id (GtkWidget *widget)
{
  GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

  return row != NULL ? GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "run-id")) : 0;
}

static void
reopen_clicked_cb (GtkButton     *button,
                   FbHistoryPage *self)
{
  g_signal_emit (self, signals[REOPEN], 0, row_run_id (GTK_WIDGET (button)));
}

static void
export_clicked_cb (GtkButton     *button,
                   FbHistoryPage *self)
{
  g_signal_emit (self, signals[EXPORT], 0, row_run_id (GTK_WIDGET (button)));
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(FbHistoryPage) self = user_data;

  fb_journal_flush_finish (FB_JOURNAL (source), result, NULL);
  fb_history_page_refresh (self);
}

static void
refresh_after_writes (FbHistoryPage *self)
{
  fb_journal_flush_async (self->journal, self->cancellable, flushed_cb, g_object_ref (self));
}

static void
delete_clicked_cb (GtkButton     *button,
                   FbHistoryPage *self)
{
  if (self->journal == NULL)
    return;
  fb_journal_delete_run (self->journal, row_run_id (GTK_WIDGET (button)));
  refresh_after_writes (self);
}

static void
clear_clicked_cb (FbHistoryPage *self)
{
  if (self->journal == NULL)
    return;
  fb_journal_clear_history (self->journal);
  refresh_after_writes (self);
}

static GtkWidget *
row_button (FbHistoryPage *self,
            const char    *icon_name,
            const char    *label,
            GCallback      callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_object (button, "clicked", callback, self, 0);
  return button;
}

static GtkWidget *
run_row (FbHistoryPage      *self,
         const FbJournalRun *run)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (run->created / G_USEC_PER_SEC);
  g_autofree char *date = g_date_time_format (created, "%Y-%m-%d %H:%M");
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, run->id);
  g_autofree char *title = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *subtitle = NULL;

  /* Translators: run number, its date, its kind ("download", "probe", "catalog") */
  title = g_strdup_printf (_("Run %s · %s · %s"), number, date, run->kind);
  /* Translators: how the run's jobs ended */
  counts = g_strdup_printf (_("%u jobs: %u OK, %u not found, %u errors, %u cancelled"),
                            run->n_total, run->n_ok, run->n_not_found, run->n_error,
                            run->n_cancelled);
  if (run->ended == 0)
    /* Translators: a run's counts, then how many jobs never ended */
    subtitle = g_strdup_printf (_("%s; %u unfinished"), counts, run->n_pending);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : counts);
  g_object_set_data (G_OBJECT (row), "run-id", GSIZE_TO_POINTER ((gsize) run->id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, "document-open-symbolic", _("Reopen"),
                                         G_CALLBACK (reopen_clicked_cb)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, "document-save-as-symbolic", _("Export…"),
                                         G_CALLBACK (export_clicked_cb)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button (self, "user-trash-symbolic",
                                         _("Delete from History (files are kept)"),
                                         G_CALLBACK (delete_clicked_cb)));
  return row;
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  FbHistoryPage *self = FB_HISTORY_PAGE (source);
  g_autoptr(GPtrArray) runs = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  runs = g_task_propagate_pointer (G_TASK (result), &error);
  if (runs == NULL)
    return;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = runs->len; i > 0; i--)
    gtk_list_box_append (self->list, run_row (self, runs->pdata[i - 1]));
  self->n_runs = runs->len;
  gtk_stack_set_visible_child_name (self->stack, runs->len > 0 ? "list" : "empty");
  gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button), runs->len > 0);
}

void
fb_history_page_refresh (FbHistoryPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (FB_IS_HISTORY_PAGE (self));

  if (self->journal == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      gtk_widget_set_sensitive (GTK_WIDGET (self->clear_button), FALSE);
      return;
    }
  task = g_task_new (self, self->cancellable, listed_cb, NULL);
  g_task_set_source_tag (task, fb_history_page_refresh);
  g_task_set_task_data (task, g_object_ref (self->journal), g_object_unref);
  g_task_run_in_thread (task, list_worker);
}

guint
fb_history_page_get_n_runs (FbHistoryPage *self)
{
  g_return_val_if_fail (FB_IS_HISTORY_PAGE (self), 0);
  return self->n_runs;
}

FbHistoryPage *
fb_history_page_new (FbJournal *journal)
{
  FbHistoryPage *self;

  g_return_val_if_fail (journal == NULL || FB_IS_JOURNAL (journal), NULL);

  self = g_object_new (FB_TYPE_HISTORY_PAGE, NULL);
  g_set_object (&self->journal, journal);
  fb_history_page_refresh (self);
  return self;
}

static void
fb_history_page_dispose (GObject *object)
{
  FbHistoryPage *self = FB_HISTORY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->journal);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_HISTORY_PAGE);

  G_OBJECT_CLASS (fb_history_page_parent_class)->dispose (object);
}

static void
fb_history_page_class_init (FbHistoryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_history_page_dispose;

  /* Reopen or Export… was pressed on the row of a run (its journal id):
   * whoever shows the page does it. */
  signals[REOPEN] = g_signal_new ("reopen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[EXPORT] = g_signal_new ("export", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/"
                                               "fb-history-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FbHistoryPage, stack);
  gtk_widget_class_bind_template_child (widget_class, FbHistoryPage, list);
  gtk_widget_class_bind_template_child (widget_class, FbHistoryPage, clear_button);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);
}

static void
fb_history_page_init (FbHistoryPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
