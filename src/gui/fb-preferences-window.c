/* fb-preferences-window.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "fb-format.h"
#include "fb-preferences-window.h"
#include "fb-settings.h"

struct _FbPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GtkAdjustment        *concurrency_adjustment;
  GtkAdjustment        *timeout_adjustment;
  GtkAdjustment        *dns_timeout_adjustment;
  GtkAdjustment        *connect_timeout_adjustment;
  GtkAdjustment        *max_time_adjustment;
  GtkAdjustment        *speed_limit_adjustment;
  GtkAdjustment        *speed_time_adjustment;
  GtkAdjustment        *retries_adjustment;
  GtkAdjustment        *per_host_adjustment;
  AdwActionRow         *destination_row;
  GtkButton            *destination_reset_button;
  GtkSwitch            *overwrite_switch;
  GtkSwitch            *metadata_names_switch;
  GtkSwitch            *start_after_drop_switch;
  AdwEntryRow          *base_url_row;

  GSettings            *settings;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (FbPreferencesWindow, fb_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_destination (FbPreferencesWindow *self)
{
  g_autofree char *setting = g_settings_get_string (self->settings, "destination");
  g_autofree char *path = fb_settings_dup_destination (self->settings);
  g_autofree char *shown = fb_format_path (path);

  if (*setting == '\0')
    {
      /* Translators: the destination folder, when the user has not chosen one */
      g_autofree char *text = g_strdup_printf (_("%s (default)"), shown);

      adw_action_row_set_subtitle (self->destination_row, text);
    }
  else
    adw_action_row_set_subtitle (self->destination_row, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->destination_reset_button), *setting != '\0');
}

static void
update_base_url (FbPreferencesWindow *self)
{
  g_autofree char *url = g_settings_get_string (self->settings, "base-url");

  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), url);
}

static void
settings_changed_cb (GSettings           *settings,
                     const char          *key,
                     FbPreferencesWindow *self)
{
  if (g_str_equal (key, "destination"))
    update_destination (self);
  else if (g_str_equal (key, "base-url"))
    update_base_url (self);
}

static void
chooser_response_cb (GtkNativeDialog     *chooser,
                     int                  response,
                     FbPreferencesWindow *self)
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
choose_destination_cb (FbPreferencesWindow *self)
{
  g_autofree char *path = fb_settings_dup_destination (self->settings);
  g_autoptr(GFile) current = g_file_new_for_path (path);

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose the Destination Folder"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  if (g_file_query_exists (current, NULL))
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), current, NULL);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reset_destination_cb (FbPreferencesWindow *self)
{
  g_settings_reset (self->settings, "destination");
}

static void
base_url_apply_cb (FbPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->base_url_row))));

  if (*url != '\0' && !g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      AdwToast *toast = adw_toast_new (_("The catalog address must start with http:// or https://"));

      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
      /* What was typed stays, marked, for the person to mend. */
      gtk_widget_add_css_class (GTK_WIDGET (self->base_url_row), "error");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->base_url_row), "error");
  g_settings_set_string (self->settings, "base-url", url);
}

static void
base_url_changed_cb (FbPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->base_url_row), "error");
}

static void
fb_preferences_window_constructed (GObject *object)
{
  FbPreferencesWindow *self = FB_PREFERENCES_WINDOW (object);

  G_OBJECT_CLASS (fb_preferences_window_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));

  g_settings_bind (self->settings, "concurrent-jobs", self->concurrency_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "timeout", self->timeout_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "dns-timeout", self->dns_timeout_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "connect-timeout", self->connect_timeout_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "max-time", self->max_time_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "speed-limit", self->speed_limit_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "speed-time", self->speed_time_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "retries", self->retries_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "per-host", self->per_host_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "overwrite", self->overwrite_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "metadata-names", self->metadata_names_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-after-drop", self->start_after_drop_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed", G_CALLBACK (settings_changed_cb), self, 0);
  update_destination (self);
  update_base_url (self);
}

static void
fb_preferences_window_dispose (GObject *object)
{
  FbPreferencesWindow *self = FB_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), FB_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fb_preferences_window_parent_class)->dispose (object);
}

static void
fb_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  FbPreferencesWindow *self = FB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  FbPreferencesWindow *self = FB_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_preferences_window_class_init (FbPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = fb_preferences_window_constructed;
  object_class->dispose = fb_preferences_window_dispose;
  object_class->get_property = fb_preferences_window_get_property;
  object_class->set_property = fb_preferences_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fetchboard/Fetchboard/fb-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, concurrency_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, dns_timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, connect_timeout_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, max_time_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, speed_limit_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, speed_time_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, retries_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, per_host_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, destination_row);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, destination_reset_button);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, overwrite_switch);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, metadata_names_switch);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, start_after_drop_switch);
  gtk_widget_class_bind_template_child (widget_class, FbPreferencesWindow, base_url_row);
  gtk_widget_class_bind_template_callback (widget_class, choose_destination_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_destination_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, base_url_changed_cb);
}

static void
fb_preferences_window_init (FbPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWindow *
fb_preferences_window_new (GtkWindow *parent,
                           GSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (FB_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       NULL);
}
