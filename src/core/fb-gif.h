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

G_END_DECLS
