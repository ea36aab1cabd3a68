/* test-index.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "fb-index.h"
#include "fb-test-utils.h"

static FbIndex *ascii_index;
static FbIndex *unicode_index;
static FbIndex *catalog_index;

/* The characters a query finds, concatenated: "#$%+<=>". */
static char *
search_text (FbIndex    *index,
             const char *query)
{
  GString *out = g_string_new (NULL);
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, query, &n);

  for (guint i = 0; i < n; i++)
    g_string_append (out, fb_index_get_text (index, ids[i]));
  return g_string_free (out, FALSE);
}

/* The country codes a catalog query finds: "CN TW". */
static char *
search_codes (FbIndex    *index,
              const char *query)
{
  GString *out = g_string_new (NULL);
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, query, &n);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, i > 0 ? " %s" : "%s", fb_index_get_code (index, ids[i]));
  return g_string_free (out, FALSE);
}

static FbIndex *
get_ascii (void)
{
  if (ascii_index == NULL)
    {
      g_autoptr(GError) error = NULL;

      /* The book's doctests index chr(32) … chr(127). */
      ascii_index = fb_index_new_unicode (NULL, 32, 128, &error);
      g_assert_no_error (error);
    }
  return ascii_index;
}

static FbIndex *
get_unicode (void)
{
  if (unicode_index == NULL)
    {
      g_autoptr(GError) error = NULL;

      unicode_index = fb_index_new_unicode (NULL, 32, 0x110000, &error);
      g_assert_no_error (error);
    }
  return unicode_index;
}

static FbIndex *
get_catalog (void)
{
  if (catalog_index == NULL)
    {
      g_autoptr(GError) error = NULL;

      catalog_index = fb_index_new_catalog (NULL, &error);
      g_assert_no_error (error);
    }
  return catalog_index;
}

static void
test_index_book_doctests_over_ascii (void)
{
  FbIndex *index = get_ascii ();
  g_autofree char *dollar = search_text (index, "DOLLAR");
  g_autofree char *sign = search_text (index, "SIGN");
  g_autofree char *capital_a = search_text (index, "capital a");
  g_autofree char *brillig = search_text (index, "BRILLIG");
  guint n = 99;
  g_autofree guint *none = fb_index_search (index, "BRILLIG", &n);

  CU_ASSERT_STRING_EQUAL (dollar, "$");
  CU_ASSERT_STRING_EQUAL (sign, "#$%+<=>");
  CU_ASSERT_STRING_EQUAL (capital_a, "A");
  CU_ASSERT_STRING_EQUAL (brillig, "");
  CU_ASSERT_PTR_NULL (none);
  CU_ASSERT_EQUAL (n, 0);
  /* 32 … 126 have names; 127 is a control. */
  CU_ASSERT_EQUAL (fb_index_get_n_entries (index), 95);
}

static void
test_index_entries_carry_code_point_text_and_name (void)
{
  FbIndex *index = get_ascii ();
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, "dollar", &n);

  CU_ASSERT_EQUAL_FATAL (n, 1);
  CU_ASSERT_EQUAL (fb_index_get_code_point (index, ids[0]), 0x24);
  CU_ASSERT_STRING_EQUAL (fb_index_get_text (index, ids[0]), "$");
  CU_ASSERT_STRING_EQUAL (fb_index_get_name (index, ids[0]), "DOLLAR SIGN");
  CU_ASSERT_PTR_NULL (fb_index_get_code (index, ids[0]));
  CU_ASSERT_EQUAL (fb_index_get_corpus (index), FB_INDEX_CORPUS_UNICODE);
}

static void
test_index_tokenize_upper_cases_and_splits_hyphens (void)
{
  g_auto(GStrv) words = fb_index_tokenize ("  x-ray\tcat,face 中国 straße ");
  g_auto(GStrv) none = fb_index_tokenize (" - , ");
  g_auto(GStrv) broken = fb_index_tokenize ("a\xff" "b");
  const char * const expected[] = { "X", "RAY", "CAT", "FACE", "中国", "STRASSE", NULL };
  const char * const expected_broken[] = { "A", "B", NULL };

  CU_ASSERT_TRUE (g_strv_equal ((const char * const *) words, expected));
  CU_ASSERT_EQUAL (g_strv_length (none), 0);
  CU_ASSERT_TRUE (g_strv_equal ((const char * const *) broken, expected_broken));
}

static void
test_index_query_is_intersection_in_code_point_order (void)
{
  FbIndex *index = get_unicode ();
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, "cat face", &n);
  g_autofree char *text = search_text (index, "cat face");
  gboolean found_1f638 = FALSE;

  /* Unicode 15: the ten cat faces from 😸 (U+1F638) to 🙀 (U+1F640) and 🐱. */
  CU_ASSERT_STRING_EQUAL (text, "🐱😸😹😺😻😼😽😾😿🙀");
  CU_ASSERT_EQUAL_FATAL (n, 10);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        CU_ASSERT_TRUE (fb_index_get_code_point (index, ids[i - 1])
                        < fb_index_get_code_point (index, ids[i]));
      if (fb_index_get_code_point (index, ids[i]) == 0x1F638)
        {
          found_1f638 = TRUE;
          CU_ASSERT_STRING_EQUAL (fb_index_get_name (index, ids[i]),
                                  "GRINNING CAT FACE WITH SMILING EYES");
        }
    }
  CU_ASSERT_TRUE (found_1f638);
}

static void
test_index_derives_ideograph_and_hangul_names (void)
{
  FbIndex *index = get_unicode ();
  g_autofree char *ideograph = search_text (index, "cjk unified ideograph-4e00");
  g_autofree char *ga = search_text (index, "hangul syllable ga");
  g_autofree char *hih = search_text (index, "HANGUL SYLLABLE HIH");
  g_autofree char *surrogate = search_text (index, "surrogate");
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, "4E00", &n);

  /* And SQUARED CJK UNIFIED IDEOGRAPH-4E00. */
  CU_ASSERT_STRING_EQUAL (ideograph, "一🈩");
  CU_ASSERT_STRING_EQUAL (ga, "가");
  CU_ASSERT_STRING_EQUAL (hih, "힣");
  CU_ASSERT_STRING_EQUAL (surrogate, "");
  CU_ASSERT_EQUAL_FATAL (n, 2);
  CU_ASSERT_STRING_EQUAL (fb_index_get_name (index, ids[0]), "CJK UNIFIED IDEOGRAPH-4E00");
  CU_ASSERT_STRING_EQUAL (fb_index_get_name (index, ids[1]), "SQUARED CJK UNIFIED IDEOGRAPH-4E00");
}

static void
test_index_empty_or_unknown_queries_find_nothing (void)
{
  FbIndex *index = get_unicode ();
  const char *queries[] = { "", "   ", "-", "$", "cat brillig", "\xff\xfe", NULL };

  for (guint i = 0; queries[i] != NULL; i++)
    {
      guint n = 7;
      g_autofree guint *ids = fb_index_search (index, queries[i], &n);

      CU_ASSERT_PTR_NULL (ids);
      CU_ASSERT_EQUAL (n, 0);
    }
}

static void
test_index_missing_file_says_which_package (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *missing = g_build_filename (dir, "UnicodeData.txt", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.txt", NULL);
  FbIndex *index = fb_index_new_unicode (missing, 32, 128, &error);

  CU_ASSERT_PTR_NULL (index);
  CU_ASSERT_TRUE (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  CU_ASSERT_PTR_NOT_NULL (strstr (error->message, "unicode-data"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (empty, "0041;\n", -1, NULL));
  index = fb_index_new_unicode (empty, 32, 128, &error);
  CU_ASSERT_PTR_NULL (index);
  CU_ASSERT_TRUE (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  fb_test_rm_rf (dir);
}

static void
test_index_environment_names_the_data_file (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "names.txt", NULL);
  g_autofree char *chosen = NULL;
  g_autofree char *text = NULL;
  g_autoptr(FbIndex) index = NULL;

  g_assert_true (g_file_set_contents (path,
                                      "0041;LATIN CAPITAL LETTER A;Lu;0;L;;;;;N;;;;0061;\n"
                                      "1F638;GRINNING CAT FACE WITH SMILING EYES;So;0;ON;;;;;N;;;;;\n",
                                      -1, NULL));
  g_setenv ("FETCHBOARD_UNICODE_DATA", path, TRUE);
  chosen = fb_index_dup_unicode_data_path ();
  index = fb_index_new_unicode (NULL, 32, 0x110000, NULL);
  g_unsetenv ("FETCHBOARD_UNICODE_DATA");

  CU_ASSERT_STRING_EQUAL (chosen, path);
  CU_ASSERT_EQUAL_FATAL (fb_index_get_n_entries (index), 2);
  text = search_text (index, "grinning");
  CU_ASSERT_STRING_EQUAL (text, "😸");
  fb_test_rm_rf (dir);
}

static void
test_index_catalog_finds_codes_flags_and_every_language (void)
{
  FbIndex *index = get_catalog ();
  g_autofree char *chinese = search_codes (index, "中国");
  g_autofree char *china = search_codes (index, "china");
  g_autofree char *code = search_codes (index, "cn");
  g_autofree char *flag = search_codes (index, "🇨🇳");
  g_autofree char *german = search_codes (index, "Österreich");
  g_autofree char *brazil = search_codes (index, "BRASIL");
  g_autofree char *korea = search_codes (index, "korea republic");
  g_autofree char *north = search_codes (index, "Korea, Democratic");
  guint n = 0;
  g_autofree guint *ids = fb_index_search (index, "cn", &n);

  CU_ASSERT_STRING_EQUAL (chinese, "CN");
  /* "Taiwan, Province of China" too. */
  CU_ASSERT_STRING_EQUAL (china, "CN TW");
  CU_ASSERT_STRING_EQUAL (code, "CN");
  CU_ASSERT_STRING_EQUAL (flag, "CN");
  CU_ASSERT_STRING_EQUAL (german, "AT");
  CU_ASSERT_STRING_EQUAL (brazil, "BR");
  CU_ASSERT_STRING_EQUAL (korea, "KP KR");
  CU_ASSERT_STRING_EQUAL (north, "KP");
  CU_ASSERT_EQUAL_FATAL (n, 1);
  CU_ASSERT_STRING_EQUAL (fb_index_get_text (index, ids[0]), "🇨🇳");
  CU_ASSERT_STRING_EQUAL (fb_index_get_name (index, ids[0]), "China");
  CU_ASSERT_EQUAL (fb_index_get_n_entries (index), 249);
  CU_ASSERT_EQUAL (fb_index_get_corpus (index), FB_INDEX_CORPUS_CATALOG);
}

static void
test_index_catalog_without_translations_is_english (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *bad_dir = g_build_filename (dir, "xx", "LC_MESSAGES", NULL);
  g_autofree char *bad_mo = g_build_filename (bad_dir, "iso_3166-1.mo", NULL);
  g_autoptr(FbIndex) index = NULL;
  g_autofree char *chinese = NULL;
  g_autofree char *china = NULL;
  /* A .mo header claiming 1000 strings in a 28-byte file. */
  const guint8 broken[28] = { 0xde, 0x12, 0x04, 0x95, 0, 0, 0, 0, 0xe8, 0x03, 0, 0, 28, 0, 0, 0,
                              28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

  g_assert_cmpint (g_mkdir_with_parents (bad_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (bad_mo, (const char *) broken, sizeof broken, NULL));
  index = fb_index_new_catalog (dir, &error);
  g_assert_no_error (error);
  chinese = search_codes (index, "中国");
  china = search_codes (index, "china");

  CU_ASSERT_STRING_EQUAL (chinese, "");
  CU_ASSERT_STRING_EQUAL (china, "CN TW");
  fb_test_rm_rf (dir);
}

static void
test_index_flag_for_code_is_regional_indicators (void)
{
  g_autofree char *cn = fb_index_flag_for_code ("CN");
  g_autofree char *br = fb_index_flag_for_code ("BR");

  CU_ASSERT_STRING_EQUAL (cn, "\xf0\x9f\x87\xa8\xf0\x9f\x87\xb3");
  CU_ASSERT_STRING_EQUAL (br, "🇧🇷");
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  FbIndex **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = fb_index_load_finish (result, &error);
  g_assert_no_error (error);
}

static gboolean
both_loaded (gpointer data)
{
  FbIndex **pair = data;

  return pair[0] != NULL && pair[1] != NULL;
}

static gboolean
is_loaded (gpointer data)
{
  return *(FbIndex **) data != NULL;
}

static void
test_index_load_async_builds_once_off_the_main_thread (void)
{
  FbIndex *pair[2] = { NULL, NULL };
  FbIndex *again = NULL;
  guint n = 0;
  g_autofree guint *ids = NULL;

  fb_index_load_async (FB_INDEX_CORPUS_CATALOG, NULL, load_cb, &pair[0]);
  fb_index_load_async (FB_INDEX_CORPUS_CATALOG, NULL, load_cb, &pair[1]);
  /* Nothing is returned before the main loop runs. */
  CU_ASSERT_PTR_NULL (pair[0]);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (both_loaded, pair, 30));
  CU_ASSERT_PTR_EQUAL (pair[0], pair[1]);

  fb_index_load_async (FB_INDEX_CORPUS_CATALOG, NULL, load_cb, &again);
  CU_ASSERT_TRUE_FATAL (fb_test_wait_until (is_loaded, &again, 10));
  CU_ASSERT_PTR_EQUAL (again, pair[0]);
  ids = fb_index_search (again, "中国", &n);
  CU_ASSERT_EQUAL (n, 1);

  fb_index_unref (pair[0]);
  fb_index_unref (pair[1]);
  fb_index_unref (again);
}

static void
test_index_boxed_type_refs (void)
{
  FbIndex *index = get_ascii ();
  FbIndex *copy = g_boxed_copy (FB_TYPE_INDEX, index);

  CU_ASSERT_PTR_EQUAL (copy, index);
  g_boxed_free (FB_TYPE_INDEX, copy);
  CU_ASSERT_EQUAL (fb_index_get_n_entries (index), 95);
}

static void
test_index_free_shared (void)
{
  g_clear_pointer (&ascii_index, fb_index_unref);
  g_clear_pointer (&unicode_index, fb_index_unref);
  g_clear_pointer (&catalog_index, fb_index_unref);
}

static const FbTestCase tests[] = {
  FB_TEST (test_index_book_doctests_over_ascii),
  FB_TEST (test_index_entries_carry_code_point_text_and_name),
  FB_TEST (test_index_tokenize_upper_cases_and_splits_hyphens),
  FB_TEST (test_index_query_is_intersection_in_code_point_order),
  FB_TEST (test_index_derives_ideograph_and_hangul_names),
  FB_TEST (test_index_empty_or_unknown_queries_find_nothing),
  FB_TEST (test_index_missing_file_says_which_package),
  FB_TEST (test_index_environment_names_the_data_file),
  FB_TEST (test_index_catalog_finds_codes_flags_and_every_language),
  FB_TEST (test_index_catalog_without_translations_is_english),
  FB_TEST (test_index_flag_for_code_is_regional_indicators),
  FB_TEST (test_index_load_async_builds_once_off_the_main_thread),
  FB_TEST (test_index_boxed_type_refs),
  FB_TEST (test_index_free_shared),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  return fb_test_main (argc, argv, "index", tests);
}
