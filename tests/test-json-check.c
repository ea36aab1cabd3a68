/* test-json-check.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The strict check that stands in front of json-glib: what it lets through
 * json-glib parses, and what it stops gets the first error of the document,
 * with its line and column.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-json-check.h"
#include "fb-test-utils.h"

typedef struct
{
  const char *text;
  gsize       size;    /* 0: strlen */
  const char *reason;  /* NULL: a document */
} Case;

static void
check_cases (const Case *cases,
             guint       n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      gsize size = cases[i].size != 0 ? cases[i].size : strlen (cases[i].text);
      g_autofree char *reason = NULL;
      gboolean ok = fb_json_check (cases[i].text, size, &reason);

      CU_ASSERT_EQUAL (ok, cases[i].reason == NULL);
      ASSERT_STR (reason, cases[i].reason);
      if (ok)
        {
          g_autoptr(JsonParser) parser = json_parser_new_immutable ();
          g_autoptr(GError) error = NULL;

          /* What passes, json-glib parses: its leaking error paths stay shut. */
          CU_ASSERT_TRUE (json_parser_load_from_data (parser, cases[i].text, (gssize) size,
                                                      &error));
          CU_ASSERT_PTR_NULL (error);
        }
    }
}

static void
test_json_check_documents (void)
{
  static const Case cases[] = {
    { "{}", 0, NULL },
    { " [ ] ", 0, NULL },
    { "0", 0, NULL },
    { "-0.5e+3", 0, NULL },
    { "1E-2", 0, NULL },
    { "1e999", 0, NULL },
    { "\"\"", 0, NULL },
    { "[true,false,null,{\"\":[]}]", 0, NULL },
    { "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", 0, NULL },
    /* What the journal keeps of a run's settings. */
    { "{\"max-concurrency\":100,\"timeout\":10.5,\"dns-timeout\":5}", 0, NULL },
    /* RFC 8259 lets a reader skip a byte order mark; json-glib does. */
    { "\xef\xbb\xbf{\"country\":\"Brazil\"}", 0, NULL },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_json_check_errors_say_where (void)
{
  static const Case cases[] = {
    { "", 0, "line 1, column 1: the document ends too early" },
    { "  \n ", 0, "line 2, column 2: the document ends too early" },
    { "[/[][[/][]]", 0, "line 1, column 2: unexpected “/”" },
    { "[1,]", 0, "line 1, column 4: unexpected “]”" },
    { "{\"a\" 1}", 0, "line 1, column 6: unexpected “1”" },
    { "{\"a\":1,}", 0, "line 1, column 8: unexpected “}”" },
    { "{'a':1}", 0, "line 1, column 2: unexpected “'”" },
    { "[01]", 0, "line 1, column 3: unexpected “1”" },
    { "[1.]", 0, "line 1, column 4: unexpected “]”" },
    { "[1e]", 0, "line 1, column 4: unexpected “]”" },
    { "[-]", 0, "line 1, column 3: unexpected “]”" },
    { "[tru]", 0, "line 1, column 5: unexpected “]”" },
    { "[\"a\nb\"]", 0, "line 1, column 4: unexpected U+000A" },
    { "[\"\\x\"]", 0, "line 1, column 4: unexpected “x”" },
    { "[\"\\u12G4\"]", 0, "line 1, column 7: unexpected “G”" },
    { "[\"\\ud800\"]", 0, "line 1, column 3: half of a surrogate pair" },
    { "[\"\\ud800\\u0041\"]", 0, "line 1, column 3: half of a surrogate pair" },
    { "[\"\\udc00\"]", 0, "line 1, column 3: half of a surrogate pair" },
    /* Columns count characters, lines start at 1. */
    { "{\n  \"pays\": \"Côte d’Ivoire\" ?\n}", 0, "line 2, column 27: unexpected “?”" },
    /* A second value, or just something after the first. */
    { "{}{}", 0, "line 1, column 3: more than one value" },
    { "1 2", 0, "line 1, column 3: more than one value" },
    { "[]]", 0, "line 1, column 3: unexpected “]”" },
    { "1 // x", 0, "line 1, column 3: unexpected “/”" },
    { "0x10", 0, "line 1, column 2: unexpected “x”" },
    /* A combining mark or a private-use character shows as its code. */
    { "[1,\xcc\x81]", 0, "line 1, column 4: unexpected U+0301" },
    { "[\xee\x80\x80]", 0, "line 1, column 2: unexpected U+E000" },
    /* The first error of the document is the one told, wherever the bad byte is. */
    { "[1 2]\0", 6, "line 1, column 4: unexpected “2”" },
    { "[1]\0", 4, "line 1, column 4: unexpected U+0000" },
    { "[\"a\xff\"]", 0, "line 1, column 4: not UTF-8 text" },
    { "[1, \xff 2", 0, "line 1, column 5: not UTF-8 text" },
    { "[1 \xff", 0, "line 1, column 4: not UTF-8 text" },
    { "\xef\xbb\xbf[1,]", 0, "line 1, column 4: unexpected “]”" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

/* Nesting stops at FB_JSON_MAX_DEPTH, at the bracket that goes past it, and
 * the check itself never recurses (100,000 levels). */
static void
test_json_check_depth (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *reason = NULL;
  g_autofree char *expected = NULL;

  for (guint i = 0; i < FB_JSON_MAX_DEPTH; i++)
    g_string_append (text, i % 2 == 0 ? "[" : "{\"k\":");
  g_string_append_c (text, '0');
  for (guint i = FB_JSON_MAX_DEPTH; i > 0; i--)
    g_string_append (text, i % 2 == 1 ? "]" : "}");
  CU_ASSERT_TRUE (fb_json_check (text->str, text->len, &reason));
  CU_ASSERT_PTR_NULL (reason);

  g_string_truncate (text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  CU_ASSERT_FALSE (fb_json_check (text->str, text->len, &reason));
  expected = g_strdup_printf ("line 1, column %u: nested more than %u levels deep",
                              FB_JSON_MAX_DEPTH + 1, FB_JSON_MAX_DEPTH);
  ASSERT_STR (reason, expected);

  /* No reason asked for: the answer alone. */
  CU_ASSERT_FALSE (fb_json_check (text->str, text->len, NULL));
  CU_ASSERT_TRUE (fb_json_check ("[]", 2, NULL));
}

static const FbTestCase tests[] = {
  FB_TEST (test_json_check_documents),
  FB_TEST (test_json_check_errors_say_where),
  FB_TEST (test_json_check_depth),
  { NULL, NULL }
};

int
main (int   argc,
      char *argv[])
{
  return fb_test_main (argc, argv, "json-check", tests);
}
