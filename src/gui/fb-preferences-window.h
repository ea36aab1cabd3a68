/* fb-preferences-window.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FB_TYPE_PREFERENCES_WINDOW (fb_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (FbPreferencesWindow, fb_preferences_window, FB, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* Every control is bound to @settings (g_settings_bind), so a change applies at once. */
GtkWindow *fb_preferences_window_new (GtkWindow *parent,
                                      GSettings *settings);

G_END_DECLS
