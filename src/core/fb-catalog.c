/* fb-catalog.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-catalog.h"
#include "fb-filename.h"

static char *
catalog_url (const char *base_url,
             const char *code,
             const char *leaf)
{
  g_autofree char *cc = g_ascii_strdown (code, -1);
  gsize len = strlen (base_url);

  while (len > 0 && base_url[len - 1] == '/')
    len--;
  return g_strdup_printf ("%.*s/%s/%s", (int) len, base_url, cc, leaf);
}

char *
fb_catalog_image_url (const char *base_url,
                      const char *code)
{
  g_autofree char *cc = NULL;
  g_autofree char *leaf = NULL;

  g_return_val_if_fail (base_url != NULL && code != NULL, NULL);
  cc = g_ascii_strdown (code, -1);
  leaf = g_strconcat (cc, ".gif", NULL);
  return catalog_url (base_url, code, leaf);
}

char *
fb_catalog_metadata_url (const char *base_url,
                         const char *code)
{
  g_return_val_if_fail (base_url != NULL && code != NULL, NULL);
  return catalog_url (base_url, code, "metadata.json");
}

char *
fb_catalog_code_filename (const char *code)
{
  g_autofree char *cc = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (code != NULL, NULL);
  cc = g_ascii_strup (code, -1);
  name = g_strconcat (cc, ".gif", NULL);
  /* The parser only passes two letters; a job built by hand may not. */
  return fb_filename_sanitize (name, "catalog.gif");
}

char *
fb_catalog_parse_country (GBytes  *metadata,
                          GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize size;
  const char *data = g_bytes_get_data (metadata, &size);
  JsonNode *root;
  JsonObject *object;
  const char *country;

  if (!json_parser_load_from_data (parser, data, (gssize) size, error))
    {
      g_prefix_error (error, _("metadata.json is not valid JSON: "));
      return NULL;
    }

  root = json_parser_get_root (parser);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  country = object != NULL && json_object_has_member (object, "country")
    ? json_object_get_string_member_with_default (object, "country", NULL)
    : NULL;
  if (country == NULL || *country == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("metadata.json has no “country” text"));
      return NULL;
    }
  return g_strdup (country);
}
