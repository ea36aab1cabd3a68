/* fb-renderer.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Before any window exists: if OpenGL is software-rendered and the person
 * has not chosen a renderer with GSK_RENDERER, draw with cairo. */
void     fb_renderer_avoid_software_gl (void);
/* Whether fb_renderer_avoid_software_gl() set GSK_RENDERER: programs this
 * one starts must not inherit that choice. */
gboolean fb_renderer_chose_cairo       (void);

G_END_DECLS
