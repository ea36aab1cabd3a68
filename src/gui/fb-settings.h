/* fb-settings.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-run.h"

G_BEGIN_DECLS

#define FB_SETTINGS_SCHEMA "io.github.fetchboard.Fetchboard"

/* The destination setting, or ~/Downloads/Fetchboard when it is empty. */
char *fb_settings_dup_destination (GSettings *settings);
/* The connect and total timeouts, the speed limit, retries and the
 * per-host limit follow @settings on @run for as long as it lives. */
void  fb_settings_bind_network    (GSettings *settings,
                                   FbRun     *run);

G_END_DECLS
