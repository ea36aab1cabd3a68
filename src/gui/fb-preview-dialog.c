/* fb-preview-dialog.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-preview-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-format.h"
#include "fb-preview-dialog.h"
#include "fb-url.h"

/* Rows of problems shown; the rest are counted. */
#define MAX_PROBLEM_ROWS 100

struct _FbPreviewDialog
{
  AdwWindow         parent_instance;

  AdwWindowTitle   *window_title;
  GtkWidget        *cancel_button;
  GtkWidget        *add_button;
  GtkWidget        *start_button;
  GtkWidget        *entries_group;
  GtkWidget        *problems_group;
  AdwActionRow     *probe_row;
  AdwActionRow     *download_row;
  AdwActionRow     *catalog_row;
  AdwExpanderRow   *duplicates_row;
  AdwExpanderRow   *rejected_row;

  FbInput          *input;

  guint             responded : 1;
};

G_DEFINE_FINAL_TYPE (FbPreviewDialog, fb_preview_dialog, ADW_TYPE_WINDOW)

enum {
  RESPONSE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fill_problems (AdwExpanderRow *row,
               GPtrArray      *lines,
               guint           total)
{
  for (guint i = 0; i < lines->len; i++)
    {
      GtkWidget *label = gtk_label_new (g_ptr_array_index (lines, i));

      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "problem");
      adw_expander_row_add_row (row, label);
    }

  if (total > lines->len)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("and %u more", "and %u more",
                                                         total - lines->len),
                                               total - lines->len);
      GtkWidget *label = gtk_label_new (more);

      gtk_label_set_xalign (GTK_LABEL (label), 0.0);
      gtk_widget_add_css_class (label, "problem");
      gtk_widget_add_css_class (label, "dim-label");
      adw_expander_row_add_row (row, label);
    }
}

static void
set_row (GtkWidget  *row,
         guint       count,
         const char *title)
{
  gtk_widget_set_visible (row, count > 0);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
}

static void
cancel_clicked_cb (FbPreviewDialog *self)
{
  fb_preview_dialog_respond (self, "cancel");
}

static void
add_clicked_cb (FbPreviewDialog *self)
{
  fb_preview_dialog_respond (self, "add");
}

static void
start_clicked_cb (FbPreviewDialog *self)
{
  fb_preview_dialog_respond (self, "start");
}

static gboolean
fb_preview_dialog_close_request (GtkWindow *window)
{
  FbPreviewDialog *self = FB_PREVIEW_DIALOG (window);

  if (!self->responded)
    {
      self->responded = TRUE;
      g_signal_emit (self, signals[RESPONSE], 0, "cancel");
    }
  return GTK_WINDOW_CLASS (fb_preview_dialog_parent_class)->close_request (window);
}

static void
fb_preview_dialog_dispose (GObject *object)
{
  FbPreviewDialog *self = FB_PREVIEW_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_PREVIEW_DIALOG);
  g_clear_pointer (&self->input, fb_input_free);

  G_OBJECT_CLASS (fb_preview_dialog_parent_class)->dispose (object);
}

static void
fb_preview_dialog_class_init (FbPreviewDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = fb_preview_dialog_dispose;
  window_class->close_request = fb_preview_dialog_close_request;

  signals[RESPONSE] =
    g_signal_new ("response", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-preview-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, entries_group);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, problems_group);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, probe_row);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, download_row);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, catalog_row);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, duplicates_row);
  gtk_widget_class_bind_template_child (widget_class, FbPreviewDialog, rejected_row);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fb_preview_dialog_init (FbPreviewDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FbPreviewDialog *
fb_preview_dialog_new (GtkWindow  *parent,
                       FbInput    *input,
                       const char *destination,
                       const char *catalog_source,
                       gboolean    run_active,
                       gboolean    replaces_run)
{
  FbPreviewDialog *self;
  g_autofree char *sources = NULL;
  g_autofree char *text = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *shown_source = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autofree char *count = NULL;
  guint n_entries;
  guint n_unreadable;
  guint n_problems = 0;
  guint n;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (input != NULL, NULL);

  self = g_object_new (FB_TYPE_PREVIEW_DIALOG, "transient-for", parent, NULL);
  self->input = input;
  n_entries = fb_input_get_n_entries (input);
  sources = fb_input_describe_sources (input);
  folder = fb_format_path (destination);

  count = fb_format_count (n_entries);
  if (n_entries == 0)
    text = g_strdup (_("Nothing to Run"));
  else if (replaces_run)
    /* Translators: the finished run on screen makes way for these jobs */
    text = g_strdup_printf (ngettext ("Start a New Run with %s Job?",
                                      "Start a New Run with %s Jobs?", n_entries), count);
  else
    text = g_strdup_printf (ngettext ("Add %s Job?", "Add %s Jobs?", n_entries), count);
  adw_window_title_set_title (self->window_title, text);
  gtk_window_set_title (GTK_WINDOW (self), text);
  g_clear_pointer (&text, g_free);

  if (*sources != '\0')
    {
      /* Translators: %s names the dropped lists */
      text = g_strdup_printf (_("From %s"), sources);
      adw_window_title_set_subtitle (self->window_title, text);
      g_clear_pointer (&text, g_free);
    }

  if (n_entries == 0)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->entries_group),
                                           _("No line is a domain, a URL or a country code."));
  else if (run_active)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->entries_group),
                                           _("They join the run going on now."));
  else if (replaces_run)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->entries_group),
                                           _("The finished run makes way for them; nothing "
                                             "runs until you start."));
  else
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->entries_group),
                                           _("Nothing runs until you start."));

  n = fb_input_count_kind (input, FB_ENTRY_DOMAIN);
  text = g_strdup_printf (ngettext ("%u domain to probe", "%u domains to probe", n), n);
  set_row (GTK_WIDGET (self->probe_row), n, text);
  g_clear_pointer (&text, g_free);

  n = fb_input_count_kind (input, FB_ENTRY_URL);
  text = g_strdup_printf (ngettext ("%u URL to download", "%u URLs to download", n), n);
  set_row (GTK_WIDGET (self->download_row), n, text);
  g_clear_pointer (&text, g_free);
  /* Translators: %s is a folder */
  text = g_strdup_printf (_("Saved in %s"), folder);
  adw_action_row_set_subtitle (self->download_row, text);
  g_clear_pointer (&text, g_free);

  n = fb_input_count_kind (input, FB_ENTRY_CODE);
  text = g_strdup_printf (ngettext ("%u country code for the flag catalog",
                                    "%u country codes for the flag catalog", n), n);
  set_row (GTK_WIDGET (self->catalog_row), n, text);
  g_clear_pointer (&text, g_free);
  /* Translators: first %s is a server (an address or “the built-in demo server”), then a folder */
  shown_source = fb_url_for_display (catalog_source != NULL ? catalog_source : "");
  text = g_strdup_printf (_("Flags from %s, saved in %s"), shown_source, folder);
  adw_action_row_set_subtitle (self->catalog_row, text);
  g_clear_pointer (&text, g_free);

  n = fb_input_get_n_duplicates (input);
  n_problems += n;
  text = g_strdup_printf (ngettext ("%u duplicate", "%u duplicates", n), n);
  set_row (GTK_WIDGET (self->duplicates_row), n, text);
  g_clear_pointer (&text, g_free);
  lines = fb_input_list_duplicates (input, MAX_PROBLEM_ROWS);
  fill_problems (self->duplicates_row, lines, n);
  g_clear_pointer (&lines, g_ptr_array_unref);

  n = fb_input_get_n_rejected (input);
  n_problems += n;
  n_unreadable = fb_input_get_n_unreadable (input);
  /* A file that cannot be read is not "lines rejected". */
  if (n_unreadable > 0 && n == n_unreadable)
    {
      text = g_strdup_printf (ngettext ("%u file could not be read",
                                        "%u files could not be read", n), n);
      adw_expander_row_set_subtitle (self->rejected_row,
                                     ngettext ("Missing, unreadable, or not a text list",
                                               "Missing, unreadable, or not text lists", n));
    }
  else if (n_unreadable > 0)
    {
      g_autofree char *lines_text = g_strdup_printf (ngettext ("%u line rejected",
                                                               "%u lines rejected",
                                                               n - n_unreadable),
                                                     n - n_unreadable);

      /* Translators: “3 lines rejected”, then a count of files */
      text = g_strdup_printf (ngettext ("%s, %u file could not be read",
                                        "%s, %u files could not be read", n_unreadable),
                              lines_text, n_unreadable);
      adw_expander_row_set_subtitle (self->rejected_row,
                                     _("Lines that are not a domain, a URL or a country "
                                       "code, and files that could not be read"));
    }
  else
    text = g_strdup_printf (ngettext ("%u line rejected", "%u lines rejected", n), n);
  set_row (GTK_WIDGET (self->rejected_row), n, text);
  lines = fb_input_list_rejected (input, MAX_PROBLEM_ROWS);
  fill_problems (self->rejected_row, lines, n);
  /* A few reasons are shown at once; many stay folded. */
  adw_expander_row_set_expanded (self->rejected_row, n > 0 && n <= 10);

  gtk_widget_set_visible (self->problems_group, n_problems > 0);
  /* "The rest runs anyway" only when there is a rest. */
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->problems_group),
                                         n_entries > 0 ? _("The rest of the list runs anyway.")
                                                       : NULL);

  if (n_entries == 0)
    {
      gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
      gtk_widget_set_visible (self->add_button, FALSE);
      gtk_widget_set_visible (self->start_button, FALSE);
      gtk_window_set_default_widget (GTK_WINDOW (self), self->cancel_button);
    }
  else if (run_active)
    {
      gtk_button_set_label (GTK_BUTTON (self->add_button), _("_Add to Run"));
      gtk_widget_add_css_class (self->add_button, "suggested-action");
      gtk_widget_set_visible (self->start_button, FALSE);
      gtk_window_set_default_widget (GTK_WINDOW (self), self->add_button);
    }

  /* Enter runs what was dropped or pasted: the default button has the
   * focus, never Cancel. */
  gtk_window_set_focus (GTK_WINDOW (self), gtk_window_get_default_widget (GTK_WINDOW (self)));
  return self;
}

FbInput *
fb_preview_dialog_get_input (FbPreviewDialog *self)
{
  g_return_val_if_fail (FB_IS_PREVIEW_DIALOG (self), NULL);

  return self->input;
}

void
fb_preview_dialog_respond (FbPreviewDialog *self,
                           const char      *response)
{
  g_return_if_fail (FB_IS_PREVIEW_DIALOG (self));
  g_return_if_fail (response != NULL);

  if (self->responded)
    return;
  self->responded = TRUE;

  g_object_ref (self);
  g_signal_emit (self, signals[RESPONSE], 0, response);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

const char *
fb_preview_dialog_get_kind_title (FbPreviewDialog *self,
                                  FbEntryKind      kind)
{
  AdwActionRow *row;

  g_return_val_if_fail (FB_IS_PREVIEW_DIALOG (self), NULL);

  switch (kind)
    {
    case FB_ENTRY_URL:
      row = self->download_row;
      break;
    case FB_ENTRY_DOMAIN:
      row = self->probe_row;
      break;
    case FB_ENTRY_CODE:
      row = self->catalog_row;
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  if (!gtk_widget_get_visible (GTK_WIDGET (row)))
    return NULL;
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
}

const char *
fb_preview_dialog_get_heading (FbPreviewDialog *self)
{
  g_return_val_if_fail (FB_IS_PREVIEW_DIALOG (self), NULL);

  return adw_window_title_get_title (self->window_title);
}

const char *
fb_preview_dialog_get_problems (FbPreviewDialog *self,
                                const char     **description,
                                const char     **subtitle)
{
  g_return_val_if_fail (FB_IS_PREVIEW_DIALOG (self), NULL);

  if (description != NULL)
    *description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (self->problems_group));
  if (subtitle != NULL)
    *subtitle = adw_expander_row_get_subtitle (self->rejected_row);
  if (!gtk_widget_get_visible (GTK_WIDGET (self->rejected_row)))
    return NULL;
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->rejected_row));
}
