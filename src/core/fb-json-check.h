/* fb-json-check.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How deep arrays and objects may nest in a checked document. */
#define FB_JSON_MAX_DEPTH 64

/* Checks that @data is one strict JSON document (RFC 8259, UTF-8, no lone
 * surrogate escapes, at most FB_JSON_MAX_DEPTH levels), without building it.
 * json-glib 1.6 leaks or recurses without bound on some invalid documents
 * from the network; hand it only what this accepts. On failure returns FALSE
 * and sets @reason (if not NULL) to where and what, e.g.
 * "line 1, column 3: unexpected “/”". */
gboolean  fb_json_check              (const char  *data,
                                      gsize        size,
                                      char       **reason);

G_END_DECLS
