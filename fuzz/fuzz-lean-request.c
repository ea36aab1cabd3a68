/* fuzz-lean-request.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo server's lean path reads request heads from the network: any
 * bytes are taken or left to libsoup, never read outside, and a taken one
 * names a corpus and gives a query.
 */

#include <string.h>

#include "fb-demo-lean.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* Exactly the input's bytes, so that ASan sees any read past them. */
  g_autofree char *head = g_malloc (MAX (size, 1));
  g_autofree char *q = NULL;
  FbIndexCorpus corpus = FB_INDEX_CORPUS_UNICODE;
  gboolean http_1_0 = FALSE;
  gboolean keep_alive = FALSE;

  g_autofree char *path = NULL;
  gboolean search;

  if (size > 0)
    memcpy (head, data, size);

  /* The flags' path: a plain path out of the request line, never a search. */
  if (_fb_demo_lean_parse_get (head, size, &path, &keep_alive))
    {
      FUZZ_CHECK (size >= 5 && memcmp (head, "GET /", 5) == 0);
      FUZZ_CHECK (path != NULL && path[0] == '/' && strlen (path) < size);
      FUZZ_CHECK (strstr (path, "/../") == NULL && strstr (path, "/./") == NULL
                  && strstr (path, "//") == NULL && strchr (path, '%') == NULL
                  && strchr (path, '?') == NULL);
      FUZZ_CHECK (strcmp (path, "/search") != 0 && strcmp (path, "/flags/search") != 0);
    }
  else
    FUZZ_CHECK (path == NULL);

  search = _fb_demo_lean_parse (head, size, &corpus, &q, &http_1_0, &keep_alive);
  FUZZ_CHECK (!search || path == NULL);
  if (!search)
    {
      FUZZ_CHECK (q == NULL);
      return 0;
    }
  FUZZ_CHECK (size >= 5 && memcmp (head, "GET /", 5) == 0);
  FUZZ_CHECK (corpus == FB_INDEX_CORPUS_UNICODE || corpus == FB_INDEX_CORPUS_CATALOG);
  FUZZ_CHECK (q != NULL && strlen (q) <= size);
  return 0;
}
