/* fuzz-filename.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file-name rules on untrusted names, URLs and country names: every
 * result is one safe path component (fb-filename.h), and a URL's password
 * never survives fb_url_for_display ().
 */

#include <string.h>

#include "fb-filename.h"
#include "fb-url.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *url = g_strconcat ("http://h/", text, NULL);
  g_autofree char *sanitized = fb_filename_sanitize (text, NULL);
  g_autofree char *with_fallback = fb_filename_sanitize (text, text);
  g_autofree char *from_url = fb_filename_from_url (text);
  g_autofree char *from_path = fb_filename_from_url (url);
  /* Country names come from JSON: always UTF-8. */
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *country = fb_filename_from_country (valid, "BR", ".gif");
  g_autofree char *numbered = NULL;
  g_autofree char *shown = fb_url_for_display (text);

  fuzz_check_filename (sanitized);
  fuzz_check_filename (with_fallback);
  fuzz_check_filename (from_url);
  fuzz_check_filename (from_path);
  fuzz_check_filename (country);

  numbered = fb_filename_numbered (sanitized, size % 100000);
  fuzz_check_filename (numbered);

  /* Masking is idempotent and leaves nothing to mask. */
  FUZZ_CHECK (shown != NULL);
  FUZZ_CHECK (!fb_url_has_password (shown) || strstr (shown, ":***@") != NULL);
  {
    g_autofree char *again = fb_url_for_display (shown);

    FUZZ_CHECK (strcmp (again, shown) == 0);
  }
  return 0;
}
