/* fb-gif.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A small valid GIF89a flag, deterministic per code (same bytes every time). */
GBytes *fb_gif_generate_flag (const char *code);

/* Encodes one indexed image as a GIF89a: @palette holds @n_colors RGB
 * triples (2..256), @pixels width × height palette indices, row by row. */
GBytes *fb_gif_encode        (guint         width,
                              guint         height,
                              const guint8 *palette,
                              guint         n_colors,
                              const guint8 *pixels);

G_END_DECLS
