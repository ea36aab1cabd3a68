/* fb-countries-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-countries.h"

G_BEGIN_DECLS

/* Parses an iso-codes iso_3166-1.json file into a sorted array (free it with
 * _fb_countries_free); the shared table uses ISO_CODES_DIR, tests use this
 * to check a missing or broken file. */
FbCountry *_fb_countries_load_file (const char  *path,
                                    guint       *n_countries,
                                    GError     **error);
void       _fb_countries_free      (FbCountry   *countries,
                                    guint        n_countries);

G_END_DECLS
