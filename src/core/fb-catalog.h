/* fb-catalog.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* {base}/{cc}/{cc}.gif and {base}/{cc}/metadata.json, codes lower-cased
 * (the book's flags layout); a trailing '/' on @base is allowed. */
char     *fb_catalog_image_url       (const char  *base_url,
                                      const char  *code);
char     *fb_catalog_metadata_url    (const char  *base_url,
                                      const char  *code);
/* "CC.gif", the book's flags2 name. */
char     *fb_catalog_code_filename   (const char  *code);
/* Reads "country" from a metadata.json document; errors name @url (as it
 * should be shown: see fb_url_for_display ()) and what was wrong. */
char     *fb_catalog_parse_country   (GBytes      *metadata,
                                      const char  *url,
                                      GError     **error);

G_END_DECLS
