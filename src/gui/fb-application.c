/* fb-application.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-application"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "fb-application.h"
#include "fb-preferences-window.h"
#include "fb-session.h"
#include "fb-tls-database.h"
#include "fb-window.h"

/* libadwaita 1.2's AdwStyleManager turns CSS transitions off while it loads
 * its stylesheet (a provider of `* { transition: none; }`) and takes that
 * provider away SWITCH_DURATION (250 ms) after adw_init (). Taking it away
 * restyles every widget of every window: 6-10 ms of the main loop for this
 * window, in the middle of the run's first frames when the window was
 * already showing. A window first shown after it costs nothing more: its
 * first frame styles every widget anyway. */
#define STYLE_SETTLES_MS 250

struct _FbApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  FbSession      *session;
  FbDemoHost     *demo_host;
  guint           style_settle_id;  /* until libadwaita's stylesheet settles */
  GPtrArray      *to_present;       /* windows held until then */
};

G_DEFINE_FINAL_TYPE (FbApplication, fb_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Start the built-in demo server and queue the 20 most populous countries’ flags"), NULL },
  { "demo-delay", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Demo server delay before each answer, in seconds (default 0.3-2)"), N_("SECONDS[-MAX]") },
  { "demo-error-rate", 0, 0, G_OPTION_ARG_DOUBLE, NULL,
    N_("Share of demo answers that are HTTP 418 errors (default 0.1)"), N_("RATE") },
  { "demo-port", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("Port of the demo server on 127.0.0.1 (default: any free port)"), N_("PORT") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and quit"), NULL },
  { NULL }
};

/* Shows @window, once libadwaita's stylesheet has settled (see
 * STYLE_SETTLES_MS): at most a quarter of a second after start-up. */
static void
present_window (FbApplication *self,
                GtkWindow     *window)
{
  if (self->style_settle_id == 0)
    {
      gtk_window_present (window);
      return;
    }
  if (!g_ptr_array_find (self->to_present, window, NULL))
    g_ptr_array_add (self->to_present, g_object_ref (window));
}

/* Shows the windows held until then, now. */
static void
present_held_windows (FbApplication *self)
{
  g_autoptr(GPtrArray) windows = g_steal_pointer (&self->to_present);

  g_clear_handle_id (&self->style_settle_id, g_source_remove);
  self->to_present = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < windows->len; i++)
    {
      GtkWindow *window = g_ptr_array_index (windows, i);

      /* Closed meanwhile (the application quit, say): nothing to show. */
      if (gtk_window_get_application (window) != NULL)
        gtk_window_present (window);
    }
}

static void
style_settled_cb (gpointer user_data)
{
  FbApplication *self = user_data;

  self->style_settle_id = 0;
  present_held_windows (self);
}

static FbWindow *
get_window (FbApplication *self)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (FB_IS_WINDOW (active))
    return FB_WINDOW (active);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (FB_IS_WINDOW (l->data))
      return FB_WINDOW (l->data);
  return fb_window_new (GTK_APPLICATION (self), self->demo_host);
}

static int
fb_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  FbApplication *self = FB_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  const char *delay = NULL;
  double min_seconds = FB_DEMO_DELAY_MIN;
  double max_seconds = FB_DEMO_DELAY_MAX;
  double error_rate = FB_DEMO_ERROR_RATE;
  gint32 port = 0;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("fetchboard %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "demo-delay", "&s", &delay) &&
      !fb_demo_server_parse_delay (delay, &min_seconds, &max_seconds, &error))
    {
      g_printerr ("fetchboard: --demo-delay: %s\n", error->message);
      return 2;
    }
  g_variant_dict_lookup (options, "demo-error-rate", "d", &error_rate);
  if (error_rate < 0.0 || error_rate > 1.0)
    {
      g_printerr ("fetchboard: %s\n", _("--demo-error-rate must be between 0 and 1"));
      return 2;
    }
  g_variant_dict_lookup (options, "demo-port", "i", &port);
  if (port < 0 || port > 65535)
    {
      g_printerr ("fetchboard: %s\n", _("--demo-port must be between 0 and 65535"));
      return 2;
    }

  if (g_variant_dict_contains (options, "demo"))
    {
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("fetchboard: %s\n", error->message);
          return 1;
        }
      /* Through the action, so a second `fetchboard --demo` reaches the
       * instance already running. */
      g_action_group_activate_action (G_ACTION_GROUP (self), "demo",
                                      g_variant_new ("(dddu)", min_seconds, max_seconds,
                                                     error_rate, (guint) port));
    }

  return -1;
}

static void
fb_application_startup (GApplication *app)
{
  FbApplication *self = FB_APPLICATION (app);

  /* GTK 4.8 would go on without a display and crash: fb_renderer_avoid_software_gl ()
   * may have spent the first gtk_init_check (), and a second one answers TRUE
   * however the first went. With GSK_RENDERER set, this is the first. */
  if (!gtk_init_check () || gdk_display_get_default () == NULL)
    {
      const char *x11 = g_getenv ("DISPLAY");
      const char *wayland = g_getenv ("WAYLAND_DISPLAY");

      /* Translators: the %s are the values of $DISPLAY and $WAYLAND_DISPLAY, often empty */
      g_printerr (_("fetchboard: cannot open a display (DISPLAY is “%s”, "
                    "WAYLAND_DISPLAY is “%s”); fetchboard-cli runs the same jobs without one\n"),
                  x11 != NULL ? x11 : "", wayland != NULL ? wayland : "");
      exit (1);
    }

  G_APPLICATION_CLASS (fb_application_parent_class)->startup (app);
  /* After the parent's startup, which ran adw_init (): libadwaita's own
   * timeout is due first, and at equal priority it is dispatched first. */
  self->style_settle_id = g_timeout_add_once (STYLE_SETTLES_MS, style_settled_cb, self);

  /* Here rather than at construction: `fetchboard --version` needs no schema. */
  if (self->settings == NULL)
    self->settings = g_settings_new (FB_SETTINGS_SCHEMA);
  /* Only the primary instance gets here: a second one hands its input over
   * through GApplication, so the journal has one owner. */
  self->session = fb_session_new (GTK_APPLICATION (self), self->demo_host);
  fb_tls_database_preload ();
  gtk_window_set_default_icon_name (APP_ID);
}

static void
fb_application_activate (GApplication *app)
{
  FbApplication *self = FB_APPLICATION (app);

  present_window (self, GTK_WINDOW (get_window (self)));
}

static void
fb_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  FbWindow *window = get_window (FB_APPLICATION (app));

  fb_window_open_files (window, files, (guint) n_files);
  present_window (FB_APPLICATION (app), GTK_WINDOW (window));
}

static void
fb_application_shutdown (GApplication *app)
{
  FbApplication *self = FB_APPLICATION (app);

  if (self->session != NULL)
    fb_session_close (self->session);
  fb_demo_host_stop (self->demo_host);

  G_APPLICATION_CLASS (fb_application_parent_class)->shutdown (app);
}

static void
demo_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  FbApplication *self = user_data;
  double min_seconds;
  double max_seconds;
  double error_rate;
  guint port;
  FbWindow *window;

  g_variant_get (parameter, "(dddu)", &min_seconds, &max_seconds, &error_rate, &port);
  fb_application_set_demo_options (self, min_seconds, max_seconds, error_rate, port);
  window = get_window (self);
  present_window (self, GTK_WINDOW (window));
  fb_window_start_demo (window);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  FbApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *window = fb_preferences_window_new (parent, fb_application_get_settings (self));

  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  FbApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Fetchboard developers", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Fetchboard"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Fetchboard developers"),
                         "developers", developers,
                         "version", PACKAGE_VERSION,
                         "comments", _("Run many lookups and downloads at once and watch each "
                                       "one: what is running, what is waiting, what failed "
                                       "and why."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Fetchboard developers",
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  FbApplication *self = user_data;
  GList *windows;

  /* GTK closes only a window it has shown (realized): one still held
   * shows now, to be asked about and closed like the others. */
  present_held_windows (self);
  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  /* Closing each window saves its size and cancels its run. */
  while (windows != NULL)
    {
      GList *next = windows->next;

      gtk_window_close (windows->data);
      windows = next;
    }
}

static const GActionEntry app_actions[] = {
  { .name = "demo", .activate = demo_action, .parameter_type = "(dddu)" },
  { .name = "preferences", .activate = preferences_action },
  { .name = "about", .activate = about_action },
  { .name = "quit", .activate = quit_action },
};

static void
fb_application_dispose (GObject *object)
{
  FbApplication *self = FB_APPLICATION (object);

  g_clear_handle_id (&self->style_settle_id, g_source_remove);
  g_clear_pointer (&self->to_present, g_ptr_array_unref);
  g_clear_object (&self->demo_host);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fb_application_parent_class)->dispose (object);
}

static void
fb_application_class_init (FbApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = fb_application_dispose;

  app_class->handle_local_options = fb_application_handle_local_options;
  app_class->startup = fb_application_startup;
  app_class->activate = fb_application_activate;
  app_class->open = fb_application_open;
  app_class->shutdown = fb_application_shutdown;
}

static void
fb_application_init (FbApplication *self)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };

  self->demo_host = fb_demo_host_new ();
  self->to_present = g_ptr_array_new_with_free_func (g_object_unref);

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[LIST…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Probe domains, download URLs and fetch flags, "
                                              "many at once. Each LIST is a text file with one "
                                              "domain, URL or country code per line."));

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);
}

FbApplication *
fb_application_new (const char        *application_id,
                    GApplicationFlags  flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (FB_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags | G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/fetchboard/Fetchboard",
                       NULL);
}

FbSession *
fb_application_get_session (FbApplication *self)
{
  g_return_val_if_fail (FB_IS_APPLICATION (self), NULL);
  return self->session;
}

GSettings *
fb_application_get_settings (FbApplication *self)
{
  g_return_val_if_fail (FB_IS_APPLICATION (self), NULL);

  if (self->settings == NULL)
    self->settings = g_settings_new (FB_SETTINGS_SCHEMA);
  return self->settings;
}

void
fb_application_set_demo_options (FbApplication *self,
                                 double         delay_min,
                                 double         delay_max,
                                 double         error_rate,
                                 guint          port)
{
  g_return_if_fail (FB_IS_APPLICATION (self));
  g_return_if_fail (delay_min >= 0 && delay_max >= delay_min);
  g_return_if_fail (error_rate >= 0 && error_rate <= 1);

  fb_demo_host_set_options (self->demo_host, delay_min, delay_max, error_rate, port);
}

FbDemoHost *
fb_application_get_demo_host (FbApplication *self)
{
  g_return_val_if_fail (FB_IS_APPLICATION (self), NULL);

  return self->demo_host;
}

FbDemoServer *
fb_application_get_demo_server (FbApplication *self)
{
  g_return_val_if_fail (FB_IS_APPLICATION (self), NULL);

  return fb_demo_host_get_server (self->demo_host);
}
