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
