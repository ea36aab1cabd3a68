/* fuzz-index-query.c: libFuzzer target for the finder's query parser
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds arbitrary bytes to fb_index_search () and fb_index_tokenize () over
 * both corpora (the queries of GET /search, GET /flags/search, the TCP line
 * server and `find`): they must accept anything, return ids in ascending
 * order, each of which has every query word in its own words.
 *
 * Build and run (clang, from the top of the checkout, after `meson setup build`):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Ibuild -Isrc/core \
 *     fuzz/fuzz-index-query.c src/core/fb-index.c src/core/fb-countries.c \
 *     $(pkg-config --cflags --libs gio-2.0 json-glib-1.0) -o build/fuzz-index-query
 *   build/fuzz-index-query -max_total_time=60 -max_len=4096
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fb-index.h"

static FbIndex *unicode;
static FbIndex *catalog;

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check (FbIndex    *index,
       const char *query)
{
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, query, &n);
  g_auto(GStrv) words = fb_index_tokenize (query);

  if ((ids == NULL) != (n == 0))
    __builtin_trap ();
  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) own = NULL;

      if (ids[i] >= fb_index_get_n_entries (index) || (i > 0 && ids[i - 1] >= ids[i]))
        __builtin_trap ();
      /* Each result has every word of the query (the catalog also indexes
       * translations, which the entry's own name does not show). */
      if (fb_index_get_corpus (index) != FB_INDEX_CORPUS_UNICODE)
        continue;
      own = fb_index_tokenize (fb_index_get_name (index, ids[i]));
      for (guint w = 0; words[w] != NULL; w++)
        if (!g_strv_contains ((const char * const *) own, words[w]))
          __builtin_trap ();
    }
  if (words[0] == NULL && n != 0)
    __builtin_trap ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *query = g_strndup ((const char *) data, size);

  if (unicode == NULL)
    {
      unicode = fb_index_new_unicode (NULL, 32, 0x110000, NULL);
      catalog = fb_index_new_catalog (NULL, NULL);
      if (unicode == NULL || catalog == NULL)
        __builtin_trap ();
    }
  check (unicode, query);
  check (catalog, query);
  return 0;
}
