/* fb-finder-dialog.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-finder-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-countries.h"
#include "fb-finder-dialog.h"
#include "fb-index.h"

struct _FbFinderDialog
{
  AdwWindow            parent_instance;

  GtkSearchEntry      *search_entry;
  GtkStack            *stack;
  GtkListView         *list_view;
  GtkWidget           *download_button;
  AdwStatusPage       *error_page;

  GtkStringList       *results;
  GtkMultiSelection   *selection;
  GCancellable        *cancellable;
  FbIndex             *index;
  char                *query;

  guint                setting_text : 1;  /* set_query () writes the entry */
};

G_DEFINE_FINAL_TYPE (FbFinderDialog, fb_finder_dialog, ADW_TYPE_WINDOW)

enum {
  DOWNLOAD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_results (FbFinderDialog *self)
{
  g_autoptr(GPtrArray) codes = g_ptr_array_new ();
  const char *query = self->query != NULL ? self->query : "";
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->results));
  g_auto(GStrv) words = NULL;

  if (self->index == NULL)
    return;

  /* No words: every country, to browse. */
  words = fb_index_tokenize (query);
  if (words[0] == NULL)
    {
      for (guint i = 0; i < fb_index_get_n_entries (self->index); i++)
        g_ptr_array_add (codes, (gpointer) fb_index_get_code (self->index, i));
    }
  else
    {
      guint n = 0;
      g_autofree guint *ids = fb_index_search (self->index, query, &n);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (codes, (gpointer) fb_index_get_code (self->index, ids[i]));
    }
  g_ptr_array_add (codes, NULL);

  gtk_string_list_splice (self->results, 0, n_items, (const char * const *) codes->pdata);
  gtk_stack_set_visible_child_name (self->stack, codes->len > 1 ? "results" : "empty");
}

static void
selection_changed_cb (FbFinderDialog *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (
    GTK_SELECTION_MODEL (self->selection));

  gtk_widget_set_sensitive (self->download_button, !gtk_bitset_is_empty (selected));
}

static void
search_changed_cb (FbFinderDialog *self)
{
  /* Replacing the text empties the entry first, and an empty entry reports
   * at once: that is not a query. */
  if (self->setting_text)
    return;
  fb_finder_dialog_set_query (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
index_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(FbFinderDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  FbIndex *index = fb_index_load_finish (result, &error);

  if (index == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  self->index = index;
  show_results (self);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *flag = gtk_label_new (NULL);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *code = gtk_label_new (NULL);

  gtk_widget_add_css_class (flag, "title-2");
  gtk_label_set_xalign (GTK_LABEL (name), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (code, "dim-label");
  gtk_widget_add_css_class (code, "monospace");
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_box_append (GTK_BOX (box), flag);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), code);
  gtk_list_item_set_child (item, box);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *flag = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_next_sibling (flag);
  GtkWidget *code_label = gtk_widget_get_next_sibling (name);
  const char *code = gtk_string_object_get_string (gtk_list_item_get_item (item));
  const FbCountry *country = fb_countries_lookup (code);
  g_autofree char *emoji = fb_index_flag_for_code (code);
  const char *display = country != NULL ? fb_countries_display_name (country) : code;

  gtk_label_set_text (GTK_LABEL (flag), emoji);
  gtk_label_set_text (GTK_LABEL (name), display);
  gtk_label_set_text (GTK_LABEL (code_label), code);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  display, -1);
}

static void
cancel_clicked_cb (FbFinderDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
download_clicked_cb (FbFinderDialog *self)
{
  fb_finder_dialog_download (self);
}

static void
fb_finder_dialog_dispose (GObject *object)
{
  FbFinderDialog *self = FB_FINDER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_FINDER_DIALOG);
  g_clear_object (&self->selection);
  g_clear_object (&self->results);
  g_clear_pointer (&self->index, fb_index_unref);

  G_OBJECT_CLASS (fb_finder_dialog_parent_class)->dispose (object);
}

static void
fb_finder_dialog_finalize (GObject *object)
{
  FbFinderDialog *self = FB_FINDER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_free (self->query);

  G_OBJECT_CLASS (fb_finder_dialog_parent_class)->finalize (object);
}

static void
fb_finder_dialog_class_init (FbFinderDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fb_finder_dialog_dispose;
  object_class->finalize = fb_finder_dialog_finalize;

  signals[DOWNLOAD] =
    g_signal_new ("download", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRV);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-finder-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FbFinderDialog, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FbFinderDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, FbFinderDialog, list_view);
  gtk_widget_class_bind_template_child (widget_class, FbFinderDialog, download_button);
  gtk_widget_class_bind_template_child (widget_class, FbFinderDialog, error_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, download_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fb_finder_dialog_init (FbFinderDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->results = gtk_string_list_new (NULL);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->results)));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  gtk_widget_set_sensitive (self->download_button, FALSE);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  fb_index_load_async (FB_INDEX_CORPUS_CATALOG, self->cancellable, index_loaded_cb,
                       g_object_ref (self));
}

FbFinderDialog *
fb_finder_dialog_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (FB_TYPE_FINDER_DIALOG, "transient-for", parent, NULL);
}

void
fb_finder_dialog_set_query (FbFinderDialog *self,
                            const char     *query)
{
  g_return_if_fail (FB_IS_FINDER_DIALOG (self));

  if (g_strcmp0 (self->query, query) == 0)
    return;
  g_free (self->query);
  self->query = g_strdup (query);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), query) != 0)
    {
      self->setting_text = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query != NULL ? query : "");
      self->setting_text = FALSE;
    }
  show_results (self);
}

GListModel *
fb_finder_dialog_get_results (FbFinderDialog *self)
{
  g_return_val_if_fail (FB_IS_FINDER_DIALOG (self), NULL);

  return G_LIST_MODEL (self->results);
}

GtkSelectionModel *
fb_finder_dialog_get_selection (FbFinderDialog *self)
{
  g_return_val_if_fail (FB_IS_FINDER_DIALOG (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

gboolean
fb_finder_dialog_is_loaded (FbFinderDialog *self)
{
  g_return_val_if_fail (FB_IS_FINDER_DIALOG (self), FALSE);

  return self->index != NULL;
}

void
fb_finder_dialog_download (FbFinderDialog *self)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) codes = NULL;
  GtkBitsetIter iter;
  guint position;

  g_return_if_fail (FB_IS_FINDER_DIALOG (self));

  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  if (gtk_bitset_is_empty (selected))
    return;
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_strv_builder_add (builder, gtk_string_list_get_string (self->results, position));
  codes = g_strv_builder_end (builder);

  g_signal_emit (self, signals[DOWNLOAD], 0, codes);
  gtk_window_close (GTK_WINDOW (self));
}
