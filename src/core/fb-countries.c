/* fb-countries.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-countries"

#include "config.h"

#include <libintl.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fb-countries.h"
#include "fb-countries-private.h"

#define ISO_3166_DOMAIN "iso_3166-1"

typedef struct
{
  FbCountry *countries;
  guint      n_countries;
} CountryTable;

/* The book's default list (flags2_common.py POP20_CC), sorted. */
static const char * const most_populous[] = {
  "BD", "BR", "CD", "CN", "DE", "EG", "ET", "FR", "ID", "IN",
  "IR", "JP", "MX", "NG", "PH", "PK", "RU", "TR", "US", "VN",
  NULL
};

/* The book's country_codes.txt: the 194 flags of its data set. */
static const char * const book_codes[] = {
  "AD", "AE", "AF", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BB", "BD",
  "BE", "BF", "BG", "BH", "BI", "BJ", "BN", "BO", "BR", "BS", "BT", "BW", "BY", "BZ",
  "CA", "CD", "CF", "CG", "CH", "CI", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CY",
  "CZ", "DE", "DJ", "DK", "DM", "DZ", "EC", "EE", "EG", "ER", "ES", "ET", "FI", "FJ",
  "FM", "FR", "GA", "GB", "GD", "GE", "GH", "GM", "GN", "GQ", "GR", "GT", "GW", "GY",
  "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IN", "IQ", "IR", "IS", "IT", "JM", "JO",
  "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KZ", "LA", "LB", "LC",
  "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MG", "MH",
  "MK", "ML", "MM", "MN", "MR", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NE",
  "NG", "NI", "NL", "NO", "NP", "NR", "NZ", "OM", "PA", "PE", "PG", "PH", "PK", "PL",
  "PT", "PW", "PY", "QA", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG",
  "SI", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SY", "SZ", "TD", "TG",
  "TH", "TJ", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "US",
  "UY", "UZ", "VA", "VC", "VE", "VN", "VU", "WS", "YE", "ZA", "ZM", "ZW",
  NULL
};

static int
compare_countries (const void *a,
                   const void *b)
{
  const FbCountry *ca = a;
  const FbCountry *cb = b;

  return strcmp (ca->code, cb->code);
}

static gboolean
is_upper_code (const char *code)
{
  return code != NULL
         && g_ascii_isupper (code[0])
         && g_ascii_isupper (code[1])
         && code[2] == '\0';
}

FbCountry *
_fb_countries_load_file (const char  *path,
                         guint       *n_countries,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GArray) countries = NULL;
  JsonNode *root;
  JsonArray *entries;
  guint n_entries;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (n_countries != NULL, NULL);

  *n_countries = 0;
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL
      || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member (json_node_get_object (root), "3166-1")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "3166-1")))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s has no \"3166-1\" array", path);
      return NULL;
    }

  entries = json_object_get_array_member (json_node_get_object (root), "3166-1");
  n_entries = json_array_get_length (entries);
  countries = g_array_sized_new (FALSE, TRUE, sizeof (FbCountry), n_entries);

  for (guint i = 0; i < n_entries; i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      JsonObject *entry;
      const char *code;
      const char *name;
      FbCountry country = { { 0 }, NULL };

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = json_node_get_object (node);
      code = json_object_get_string_member_with_default (entry, "alpha_2", NULL);
      name = json_object_get_string_member_with_default (entry, "name", NULL);
      if (!is_upper_code (code) || name == NULL)
        continue;

      memcpy (country.code, code, 3);
      country.name = g_strdup (name);
      g_array_append_val (countries, country);
    }

  qsort (countries->data, countries->len, sizeof (FbCountry), compare_countries);
  *n_countries = countries->len;
  return (FbCountry *) g_array_free (g_steal_pointer (&countries), FALSE);
}

void
_fb_countries_free (FbCountry *countries,
                    guint      n_countries)
{
  for (guint i = 0; i < n_countries; i++)
    g_free (countries[i].name);
  g_free (countries);
}

static gpointer
load_table_once (gpointer data)
{
  g_autofree char *path = g_build_filename (ISO_CODES_DIR, "iso_3166-1.json", NULL);
  g_autoptr(GError) error = NULL;
  CountryTable *table = g_new0 (CountryTable, 1);

  table->countries = _fb_countries_load_file (path, &table->n_countries, &error);
  if (table->countries == NULL)
    {
      /* An empty table keeps every caller working; catalog jobs still run,
       * they just have no names to show. */
      g_message ("No country names: %s", error->message);
      table->countries = g_new0 (FbCountry, 1);
      table->n_countries = 0;
    }

  return table;
}

static const CountryTable *
get_table (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, load_table_once, NULL);
}

const FbCountry *
fb_countries_get_all (guint *n_countries)
{
  const CountryTable *table = get_table ();

  if (n_countries != NULL)
    *n_countries = table->n_countries;
  return table->countries;
}

/* Case-insensitive: "br" and "BR" both find Brazil, because codes come
 * from lists people type. */
const FbCountry *
fb_countries_lookup (const char *code)
{
  const CountryTable *table;
  FbCountry key = { { 0 }, NULL };

  g_return_val_if_fail (code != NULL, NULL);

  if (!g_ascii_isalpha (code[0]) || !g_ascii_isalpha (code[1]) || code[2] != '\0')
    return NULL;

  key.code[0] = g_ascii_toupper (code[0]);
  key.code[1] = g_ascii_toupper (code[1]);
  table = get_table ();
  if (table->n_countries == 0)
    return NULL;

  return bsearch (&key, table->countries, table->n_countries, sizeof (FbCountry),
                  compare_countries);
}

static gpointer
bind_domain_once (gpointer data)
{
  bindtextdomain (ISO_3166_DOMAIN, ISO_CODES_LOCALEDIR);
  bind_textdomain_codeset (ISO_3166_DOMAIN, "UTF-8");
  return NULL;
}

const char *
fb_countries_display_name (const FbCountry *country)
{
  static GOnce once = G_ONCE_INIT;

  g_return_val_if_fail (country != NULL, NULL);
  g_return_val_if_fail (country->name != NULL, NULL);

  g_once (&once, bind_domain_once, NULL);
  return dgettext (ISO_3166_DOMAIN, country->name);
}

const char * const *
fb_countries_book_codes (void)
{
  return book_codes;
}

const char * const *
fb_countries_most_populous (void)
{
  return most_populous;
}
