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
