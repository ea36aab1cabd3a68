/* test-window-startup.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's start: it first shows once libadwaita's stylesheet has
 * settled, so nothing restyles all of it while a run is under way. A
 * program of its own, because that happens once a process, 250 ms after
 * the application's startup.
 */

#include "config.h"

#include "fb-window-test-utils.h"

/* A widget that counts its style changes. */
#define FB_TYPE_PROBE (fb_probe_get_type ())
G_DECLARE_FINAL_TYPE (FbProbe, fb_probe, FB, PROBE, GtkWidget)

struct _FbProbe
{
  GtkWidget     parent_instance;
  GtkStateFlags last_flags;
  guint         n_css_changed;   /* restyles with the same state flags as the last */
};

G_DEFINE_FINAL_TYPE (FbProbe, fb_probe, GTK_TYPE_WIDGET)

static void
fb_probe_css_changed (GtkWidget         *widget,
                   GtkCssStyleChange *change)
{
  FbProbe *self = FB_PROBE (widget);
  GtkStateFlags flags = gtk_widget_get_state_flags (widget);

  GTK_WIDGET_CLASS (fb_probe_parent_class)->css_changed (widget, change);
  /* A state of its own (the probe's window losing the focus to the
   * application's: :backdrop) is a restyle for a reason; one without is
   * the whole display's style changing. */
  if (flags == self->last_flags)
    self->n_css_changed++;
  self->last_flags = flags;
}

static void
fb_probe_class_init (FbProbeClass *klass)
{
  GTK_WIDGET_CLASS (klass)->css_changed = fb_probe_css_changed;
}

static void
fb_probe_init (FbProbe *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 40, 40);
}

static gboolean
widget_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
first_frame_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* libadwaita turns CSS transitions off for 250 ms after adw_init () and then
 * restyles every window. The application shows its window only after that:
 * a window already showing (the probe, shown at once) is restyled once
 * more while the application's window waits, and never again after it
 * shows. Before, the window showed at once, and that restyle (6-10 ms of
 * the main loop, every widget of the window) fell in its run's first
 * frames. */
static void
test_window_first_shows_after_style_settles (void)
{
  g_autoptr(GtkWindow) probe_window = g_object_ref_sink (GTK_WINDOW (gtk_window_new ()));
  GtkWidget *probe = g_object_new (FB_TYPE_PROBE, NULL);
  GtkWindow *window;
  gboolean painted = FALSE;
  guint n_when_shown;

  gtk_window_set_child (probe_window, probe);
  gtk_window_present (probe_window);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (widget_mapped, probe, 5));

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL && gtk_application_get_windows (GTK_APPLICATION (app)) != NULL)
    window = gtk_application_get_windows (GTK_APPLICATION (app))->data;
  CU_ASSERT_TRUE_FATAL (FB_IS_WINDOW (window));
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (widget_mapped, window, 5));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (first_frame_cb), &painted);
  CU_ASSERT_TRUE (fb_test_wait_flag (&painted, 5));
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (GTK_WIDGET (window)),
                                        first_frame_cb, &painted);

  /* A style change of the display reaches the probe at its own next frame,
   * which may come after the application window's first: one more frame of
   * the probe's takes in whatever came before the window showed. */
  painted = FALSE;
  g_signal_connect (gtk_widget_get_frame_clock (probe), "after-paint",
                    G_CALLBACK (first_frame_cb), &painted);
  gtk_widget_queue_draw (probe);
  CU_ASSERT_TRUE (fb_test_wait_flag (&painted, 5));
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (probe), first_frame_cb, &painted);
  n_when_shown = FB_PROBE (probe)->n_css_changed;
  /* libadwaita's 250 ms are over by far: no restyle came after the window showed. */
  fb_test_spin (0.6);
  CU_ASSERT_EQUAL (FB_PROBE (probe)->n_css_changed, n_when_shown);

  gtk_window_destroy (window);
  gtk_window_destroy (probe_window);
}

static const FbTestCase tests[] = {
  FB_TEST (test_window_first_shows_after_style_settles),
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_window_test_main (argc, argv, "window-startup", tests);
}
