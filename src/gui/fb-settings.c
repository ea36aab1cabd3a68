/* fb-settings.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-settings"

#include "config.h"

#include "fb-settings.h"

char *
fb_settings_dup_destination (GSettings *settings)
{
  g_autofree char *path = NULL;
  const char *downloads;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  path = g_settings_get_string (settings, "destination");
  if (*path != '\0')
    return g_steal_pointer (&path);

  downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
  if (downloads != NULL)
    return g_build_filename (downloads, "Fetchboard", NULL);
  return g_build_filename (g_get_home_dir (), "Downloads", "Fetchboard", NULL);
}

void
fb_settings_bind_network (GSettings *settings,
                          FbRun     *run)
{
  /* Keys and properties share names and types. */
  static const char *const keys[] = {
    "connect-timeout", "max-time", "speed-limit", "speed-time", "retries", "per-host",
  };

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (FB_IS_RUN (run));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_bind (settings, keys[i], run, keys[i],
                     G_SETTINGS_BIND_GET | G_SETTINGS_BIND_NO_SENSITIVITY);
}
