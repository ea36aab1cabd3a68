/* fb-renderer.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Before any window exists: if OpenGL is software-rendered and the person
 * has not chosen a renderer with GSK_RENDERER, draw with cairo. */
void     fb_renderer_avoid_software_gl (void);
/* Whether fb_renderer_avoid_software_gl() set GSK_RENDERER: programs this
 * one starts must not inherit that choice. */
gboolean fb_renderer_chose_cairo       (void);
/* When @window (realized) draws with cairo on X11: have a worker thread touch
 * the shared memory its frames will be copied into, and keep it. */
void     fb_renderer_warm_up_uploads   (GtkWidget *window);
/* Whether that memory is touched and kept (for tests). */
gboolean fb_renderer_uploads_warm      (void);

G_END_DECLS
