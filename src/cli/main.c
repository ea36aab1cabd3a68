/* main.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "fb-cli.h"
#include "fb-system.h"

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("FETCHBOARD_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* FETCHBOARD_LOCALEDIR runs the translations from a build tree. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && localedir[0] != '\0' ? localedir
                                                                             : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  fb_system_raise_fd_limit ();
  fb_system_reserve_fds (FB_SYSTEM_RESERVED_FDS);

  return fb_cli_main (argc, argv);
}
