/* fb-countries.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char code[3];   /* "BR" */
  char *name;     /* English name from iso-codes: "Brazil" */
} FbCountry;

/* The ISO 3166-1 countries from Debian's iso-codes, sorted by code; loaded
 * once (about 250 entries, 100 KB of JSON). Empty if the data is missing. */
const FbCountry *fb_countries_get_all      (guint      *n_countries);
const FbCountry *fb_countries_lookup       (const char *code);
/* The name in the user's language (iso_3166-1 gettext domain). */
const char      *fb_countries_display_name (const FbCountry *country);
/* The book's 194 codes (country_codes.txt, the sovereign states whose flags
 * its data set has), sorted, NULL-terminated: what `flags -a` means. */
const char * const *fb_countries_book_codes (void);
/* The 20 most populous countries, the book's default list, sorted. */
const char * const *fb_countries_most_populous (void);

G_END_DECLS
