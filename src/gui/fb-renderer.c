/* fb-renderer.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-renderer"

#include "config.h"

#include <epoxy/gl.h>
#include <gtk/gtk.h>
#include <string.h>

#ifdef FB_HAVE_CAIRO_XLIB
#include <cairo-xlib.h>
#include <gdk/x11/gdkx.h>
#endif

#include "fb-renderer.h"

static gboolean chose_cairo;

static gboolean
renderer_is_software (const char *renderer)
{
  static const char * const names[] = { "llvmpipe", "softpipe", "swrast", "Software Rasterizer" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strstr (renderer, names[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* GTK 4.13.8 and later never pair their GPU renderers with llvmpipe
 * (GNOME/gtk commit 6c4739a2, "gsk: Don't use gpu renderers with
 * llvmpipe"); GTK 4.8 does. Software GL redraws the whole window on every
 * frame and the main thread waits for it: during a 10,000-job run under
 * Xvfb a frame took about 30 ms that way against about 10 ms with cairo
 * (bench/RESULTS.md). This applies the newer rule to GTK 4.8. */
void
fb_renderer_avoid_software_gl (void)
{
  g_autoptr(GdkGLContext) context = NULL;
  g_autoptr(GError) error = NULL;
  const char *renderer;
  gboolean software;

  if (g_getenv ("GSK_RENDERER") != NULL || !gtk_init_check ())
    return;

  context = gdk_display_create_gl_context (gdk_display_get_default (), &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      /* GTK falls back to cairo by itself. */
      g_debug ("No OpenGL: %s", error->message);
      return;
    }

  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  software = renderer != NULL && renderer_is_software (renderer);
  g_debug ("OpenGL renderer: %s", renderer != NULL ? renderer : "(unknown)");
  gdk_gl_context_clear_current ();

  if (!software)
    return;
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  chose_cairo = TRUE;
}

gboolean
fb_renderer_chose_cairo (void)
{
  return chose_cairo;
}

#ifdef FB_HAVE_CAIRO_XLIB
/* Two rooms of this size are touched at most (a window up to 1,448×1,448 px). */
#define MAX_UPLOAD_ROOM (8 << 20)

/* What keeps cairo's shared memory for this display alive; never freed. */
static cairo_surface_t *upload_keeper;

typedef struct
{
  cairo_surface_t *root;      /* the display's root window, for similar images */
  cairo_surface_t *room[2];
  gint64           start;
} WarmUp;

static void
warm_up_free (WarmUp *warm_up)
{
  for (guint i = 0; i < G_N_ELEMENTS (warm_up->room); i++)
    g_clear_pointer (&warm_up->room[i], cairo_surface_destroy);
  g_clear_pointer (&warm_up->root, cairo_surface_destroy);
  g_free (warm_up);
}

/* In a worker thread: the faults cost the main loop nothing there. */
static void
touch_rooms (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  WarmUp *warm_up = task_data;

  for (guint i = 0; i < G_N_ELEMENTS (warm_up->room); i++)
    {
      cairo_surface_t *room = warm_up->room[i];
      unsigned char *data = cairo_image_surface_get_data (room);

      if (data != NULL)
        memset (data, 0, (gsize) cairo_image_surface_get_stride (room) *
                         cairo_image_surface_get_height (room));
    }
  g_task_return_boolean (task, TRUE);
}

static void
rooms_touched_cb (GObject      *source_object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  WarmUp *warm_up = g_task_get_task_data (G_TASK (result));

  /* The small image goes where the first room was, so the pieces cairo
   * splits off around it for smaller frames are touched memory too; it
   * keeps the pool, and the second room's touched block, alive. */
  g_clear_pointer (&warm_up->room[0], cairo_surface_destroy);
  upload_keeper = cairo_surface_create_similar_image (warm_up->root, CAIRO_FORMAT_ARGB32, 8, 8);
  g_debug ("Touched 2 × %d bytes for X11 frames in %.1f ms",
           cairo_image_surface_get_stride (warm_up->room[1]) *
           cairo_image_surface_get_height (warm_up->room[1]),
           (g_get_monotonic_time () - warm_up->start) / 1000.0);
}
#endif

/* With the cairo renderer on X11, every frame is drawn into an image and
 * copied into shared memory that cairo (1.16) hands to the X server. cairo
 * keeps that memory in pools and destroys a pool as soon as nothing in it
 * is in use, so a frame often copies into a new segment, and each of its
 * pages costs a page fault: a list's worth of rows, 1,090×404 px, took
 * 4.4–4.9 ms of faults to copy against 0.2 ms into memory already touched
 * (bench/README.md, "ninth pass"). When the first window maps, this takes
 * room for two frames of its size in one pool, touches it in a worker
 * thread, and then keeps the pool alive with a small image, so that later
 * frames copy into memory that is already there. It costs 8 MiB of shared
 * memory for a window of 1,100×720 px, touched once (44–57 ms of a worker's
 * time on a virtual machine where a page fault costs 10 µs); a window
 * larger than 1,448×1,448 px is left as it was. */
void
fb_renderer_warm_up_uploads (GtkWidget *window)
{
#ifdef FB_HAVE_CAIRO_XLIB
  GdkDisplay *display = gtk_widget_get_display (window);
  GtkNative *native = gtk_widget_get_native (window);
  static gboolean started;
  g_autoptr(GTask) task = NULL;
  GdkSurface *surface;
  Display *xdisplay;
  WarmUp *warm_up;
  gsize block;
  int stride;
  int scale;
  int width;
  int height;

  if (started || native == NULL || !GDK_IS_X11_DISPLAY (display) ||
      !GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (native)))
    return;
  surface = gtk_native_get_surface (native);
  scale = gdk_surface_get_scale_factor (surface);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  width = MAX (gdk_surface_get_width (surface), width) * scale;
  height = MAX (gdk_surface_get_height (surface), height) * scale;
  if (width <= 0 || height <= 0)
    return;
  /* cairo hands out its shared memory in blocks of powers of two: a room
   * fills the whole block a frame of this size gets. */
  stride = cairo_format_stride_for_width (CAIRO_FORMAT_ARGB32, width);
  block = 1;
  while (block < (gsize) stride * height)
    block <<= 1;
  if (block > MAX_UPLOAD_ROOM)
    return;
  height = block / stride;
  started = TRUE;

  warm_up = g_new0 (WarmUp, 1);
  warm_up->start = g_get_monotonic_time ();
  xdisplay = gdk_x11_display_get_xdisplay (display);
  warm_up->root = cairo_xlib_surface_create (xdisplay, DefaultRootWindow (xdisplay),
                                             DefaultVisual (xdisplay, DefaultScreen (xdisplay)),
                                             width, height);
  /* Images similar to an X11 surface are cairo's shared memory when the
   * X server offers it; plain memory otherwise, which this touches for
   * nothing, once. */
  for (guint i = 0; i < G_N_ELEMENTS (warm_up->room); i++)
    {
      warm_up->room[i] = cairo_surface_create_similar_image (warm_up->root, CAIRO_FORMAT_ARGB32,
                                                             width, height);
      cairo_surface_flush (warm_up->room[i]);
    }
  task = g_task_new (NULL, NULL, rooms_touched_cb, NULL);
  g_task_set_source_tag (task, fb_renderer_warm_up_uploads);
  g_task_set_task_data (task, warm_up, (GDestroyNotify) warm_up_free);
  g_task_run_in_thread (task, touch_rooms);
#else
  (void) window;
#endif
}

gboolean
fb_renderer_uploads_warm (void)
{
#ifdef FB_HAVE_CAIRO_XLIB
  return upload_keeper != NULL;
#else
  return FALSE;
#endif
}
