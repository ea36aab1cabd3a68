/* fuzz-list-parser.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list parser on any bytes, as a dropped file, pasted text or a CSV
 * column: every line ends as exactly one entry, problem or skip, and every
 * text it keeps for display is valid UTF-8 without a URL's password.
 */

#include <string.h>

#include "fb-list-parser.h"
#include "fb-url.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_result (FbListResult *result)
{
  FUZZ_CHECK (result != NULL);
  FUZZ_CHECK (result->entries->len + result->rejected->len + result->duplicates->len
              <= result->n_lines);
  for (guint i = 0; i < result->entries->len; i++)
    {
      FbListEntry *entry = g_ptr_array_index (result->entries, i);
      FbEntryKind kind;
      g_autofree char *normalized = NULL;
      g_autofree char *reason = NULL;

      FUZZ_CHECK (entry->text != NULL && entry->text[0] != '\0');
      FUZZ_CHECK (g_utf8_validate (entry->text, -1, NULL));
      FUZZ_CHECK (entry->line >= 1 && entry->line <= result->n_lines);
      /* An entry is valid again on its own. (Not always the same kind: the
       * host name "AD." becomes "ad", which reads as a country code.) */
      FUZZ_CHECK (fb_list_classify (entry->text, &kind, &normalized, &reason));
      FUZZ_CHECK (entry->kind != FB_ENTRY_URL || kind == FB_ENTRY_URL);
    }
  for (guint i = 0; i < result->rejected->len; i++)
    {
      FbListProblem *problem = g_ptr_array_index (result->rejected, i);
      g_autofree char *message = fb_list_problem_format (result, problem);

      FUZZ_CHECK (problem->line >= 1 && problem->line <= result->n_lines);
      FUZZ_CHECK (g_utf8_validate (problem->text, -1, NULL));
      FUZZ_CHECK (g_utf8_strlen (problem->text, -1) <= 80);
      /* Already masked: masking again changes nothing. */
      {
        g_autofree char *shown = fb_url_for_display (problem->text);

        FUZZ_CHECK (strcmp (shown, problem->text) == 0);
      }
      FUZZ_CHECK (g_utf8_validate (message, -1, NULL));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FbListResult *result;
  gboolean csv;

  if (size < 1)
    return 0;
  csv = (data[0] & 1) != 0;
  data++;
  size--;

  result = fb_list_parse_full ("fuzz.txt", (const char *) data, (gssize) size, csv);
  check_result (result);
  fb_list_result_free (result);

  /* As a file is read: refused with a reason, or parsed (UTF-16 converted). */
  {
    GError *error = NULL;

    result = fb_list_parse_data ("fuzz.txt", (const char *) data, size, csv, &error);
    if (result != NULL)
      {
        FUZZ_CHECK (error == NULL);
        check_result (result);
        fb_list_result_free (result);
      }
    else
      {
        FUZZ_CHECK (error != NULL && g_utf8_validate (error->message, -1, NULL));
        g_error_free (error);
      }
  }

  /* One line, as the classifier sees it. */
  if (size < 4096 && memchr (data, '\0', size) == NULL)
    {
      g_autofree char *text = g_strndup ((const char *) data, size);
      FbEntryKind kind;
      g_autofree char *normalized = NULL;
      g_autofree char *reason = NULL;

      if (g_utf8_validate (text, -1, NULL))
        {
          if (fb_list_classify (text, &kind, &normalized, &reason))
            FUZZ_CHECK (normalized != NULL && reason == NULL);
          else
            FUZZ_CHECK (reason != NULL && g_utf8_validate (reason, -1, NULL));
        }
    }
  return 0;
}
