/* fb-demo-search.h: the finder's answers for the demo server
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "fb-index.h"

G_BEGIN_DECLS

/* GET /search?q=: the book's web_mojifinder response,
 * [{"char":"😸","name":"GRINNING CAT FACE WITH SMILING EYES"}, …] sorted by
 * character, compact UTF-8 JSON as FastAPI writes it. For the catalog
 * (GET /flags/search?q=): [{"code":"CN","flag":"🇨🇳","name":"China"}, …]. */
GBytes *_fb_demo_search_json (FbIndex    *index,
                              const char *query);
/* GET /: a self-contained page (no external script, style or font) with a
 * search box that asks /search or /flags/search and lists the answers. */
GBytes *_fb_demo_search_page (void);

G_END_DECLS
