/* fuzz-catalog.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Catalog metadata from the network: any bytes give a country name or an
 * error naming the URL, never a critical, and the name becomes a safe file
 * name. Whatever the strict checker passes, json-glib parses: its error
 * paths, which leak in 1.6, are never taken.
 */

#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-catalog.h"
#include "fb-filename.h"
#include "fb-json-check.h"
#include "fuzz-common.h"

#define URL "http://127.0.0.1/flags/br/metadata.json"

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
  /* An empty input gives an empty GBytes with NULL data, as the network can. */
  g_autoptr(GBytes) bytes = g_bytes_new (size > 0 ? data : NULL, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *country = fb_catalog_parse_country (bytes, URL, &error);

  FUZZ_CHECK ((country == NULL) == (error != NULL));
  if (size > 0 && fb_json_check ((const char *) data, size, NULL))
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();

      FUZZ_CHECK (json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL));
    }
  if (country == NULL)
    {
      FUZZ_CHECK (g_str_has_prefix (error->message, URL ": "));
      return 0;
    }
  FUZZ_CHECK (country[0] != '\0');
  {
    g_autofree char *name = fb_filename_from_country (country, "BR", ".gif");

    fuzz_check_filename (name);
  }
  return 0;
}
