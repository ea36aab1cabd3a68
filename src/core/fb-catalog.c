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
#include "fb-json-check.h"

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

static const char *
node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return _("an object");
    case JSON_NODE_ARRAY:
      return _("an array");
    case JSON_NODE_NULL:
      return _("null");
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return _("a boolean");
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return _("text");
      return _("a number");
    default:
      return _("something else");
    }
}

/* Nothing but JSON's white space. */
static gboolean
is_blank (const char *data,
          gsize       size)
{
  for (gsize i = 0; i < size; i++)
    if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
      return FALSE;
  return TRUE;
}

char *
fb_catalog_parse_country (GBytes      *metadata,
                          const char  *url,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *reason = NULL;
  gsize size = 0;
  const char *data;
  JsonNode *root;
  JsonNode *member;
  JsonObject *object;
  const char *country;

  g_return_val_if_fail (url != NULL, NULL);

  /* An empty GBytes may hold NULL data, which json-glib refuses with a critical. */
  data = metadata != NULL ? g_bytes_get_data (metadata, &size) : NULL;
  if (data == NULL || size == 0 || is_blank (data, size))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the metadata is empty"), url);
      return NULL;
    }
  if (size > G_MAXSSIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the metadata is too large"), url);
      return NULL;
    }

  /* Only a strict document reaches json-glib: 1.6 leaks nodes on some
   * invalid ones ("[/[][[/][]]"), takes "{…}{…}" as one, and recurses
   * as deep as the brackets go. */
  if (!fb_json_check (data, size, &reason))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the metadata is not valid JSON: %s"), url, reason);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the metadata is not valid JSON: %s"), url, local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the metadata is empty"), url);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: the second %s is "an array", "a number", … */
                   _("%s: the metadata is %s, not a JSON object"), url, node_kind (root));
      return NULL;
    }

  object = json_node_get_object (root);
  member = json_object_get_member (object, "country");
  if (member == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: the metadata has no “country”"), url);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: the second %s is "an array", "a number", … */
                   _("%s: “country” is %s, not text"), url, node_kind (member));
      return NULL;
    }
  country = json_node_get_string (member);
  if (country == NULL || *country == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s: “country” is empty"), url);
      return NULL;
    }
  return g_strdup (country);
}
