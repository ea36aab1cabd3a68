/* fb-filename.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FB_FILENAME_MAX_BYTES 255

/* Names from the network are untrusted. These return one safe path
 * component: valid UTF-8, no '/', no NUL or control characters, not "."
 * or "..", no leading dot, at most 255 bytes (cut on a character
 * boundary, keeping the extension), never empty (then @fallback, itself
 * sanitized, or "download"). */
char *fb_filename_sanitize      (const char *untrusted,
                                 const char *fallback);
/* The percent-decoded last segment of the URL's path, sanitized;
 * "index.html" when the path ends in '/'. */
char *fb_filename_from_url      (const char *url);
/* flags3: "Korea, North" → "Korea,_North.gif"; @code when nothing is left. */
char *fb_filename_from_country  (const char *country,
                                 const char *code,
                                 const char *extension);
/* "x.gif", 2 → "x (2).gif"; ".tar.gz" is kept whole; n = 0 returns a copy. */
char *fb_filename_numbered      (const char *name,
                                 guint       n);

G_END_DECLS
