/* fuzz-index-query.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The finder's query parser on any bytes, as GET /search, GET /flags/search,
 * the TCP line server and `find` hand it over: fb_index_search () and
 * fb_index_tokenize () accept anything, the ids come back ascending and
 * in range, and each Unicode result has every word of the query in its
 * own name (the catalog also indexes translations its name does not show).
 */

#include <string.h>

#include "fb-index.h"
#include "fuzz-common.h"

static FbIndex *unicode;
static FbIndex *catalog;

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  unicode = fb_index_new_unicode (NULL, 32, 0x110000, NULL);
  catalog = fb_index_new_catalog (NULL, NULL);
  FUZZ_CHECK (unicode != NULL && catalog != NULL);
  return 0;
}

static void
check (FbIndex    *index,
       const char *query)
{
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, query, &n);
  g_auto(GStrv) words = fb_index_tokenize (query);

  FUZZ_CHECK ((ids == NULL) == (n == 0));
  FUZZ_CHECK (words[0] != NULL || n == 0);
  for (guint w = 0; words[w] != NULL; w++)
    FUZZ_CHECK (words[w][0] != '\0' && g_utf8_validate (words[w], -1, NULL));

  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) own = NULL;

      FUZZ_CHECK (ids[i] < fb_index_get_n_entries (index));
      FUZZ_CHECK (i == 0 || ids[i - 1] < ids[i]);
      if (fb_index_get_corpus (index) != FB_INDEX_CORPUS_UNICODE)
        continue;
      own = fb_index_tokenize (fb_index_get_name (index, ids[i]));
      for (guint w = 0; words[w] != NULL; w++)
        FUZZ_CHECK (g_strv_contains ((const char * const *) own, words[w]));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *query = g_strndup ((const char *) data, size);

  check (unicode, query);
  check (catalog, query);
  return 0;
}
