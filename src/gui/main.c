/* main.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "fb-application.h"
#include "fb-renderer.h"
#include "fb-system.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(FbApplication) app = NULL;
  const char *localedir = g_getenv ("FETCHBOARD_LOCALEDIR");

  /* First, while this is the only thread (see fb_system_reserve_fds). */
  fb_system_raise_fd_limit ();
  fb_system_reserve_fds (FB_SYSTEM_RESERVED_FDS);
  /* TLS handshakes, saves and the rest of GLib's worker pool give way to
   * the window's frames on busy cores. */
  fb_system_background_worker_pool ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Before any window: the renderer is chosen once, for all of them. */
  fb_renderer_avoid_software_gl ();

  app = fb_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
