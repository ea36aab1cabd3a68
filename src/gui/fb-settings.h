/* fb-settings.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FB_SETTINGS_SCHEMA "io.github.fetchboard.Fetchboard"

/* The destination setting, or ~/Downloads/Fetchboard when it is empty. */
char *fb_settings_dup_destination (GSettings *settings);

G_END_DECLS
