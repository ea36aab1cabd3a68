/* test-countries.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "fb-countries.h"
#include "fb-countries-private.h"
#include "fb-test-utils.h"

/* Debian 12's iso-codes 4.15 lists 249 countries. */
#define N_ISO_COUNTRIES 249
#define N_THREADS 8

static gpointer
get_all_worker (gpointer data)
{
  guint n = 0;
  const FbCountry *all = fb_countries_get_all (&n);

  g_assert (n == N_ISO_COUNTRIES);
  return (gpointer) all;
}

/* Runs first so that the threads race for the one load. */
static void
test_countries_first_load_is_shared_by_threads (void)
{
  GThread *threads[N_THREADS];
  gpointer tables[N_THREADS];

  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("countries", get_all_worker, NULL);
  for (guint i = 0; i < N_THREADS; i++)
    tables[i] = g_thread_join (threads[i]);

  CU_ASSERT_PTR_NOT_NULL (tables[0]);
  for (guint i = 1; i < N_THREADS; i++)
    CU_ASSERT_PTR_EQUAL (tables[i], tables[0]);
  CU_ASSERT_PTR_EQUAL (fb_countries_get_all (NULL), tables[0]);
}

static void
test_countries_loads_every_iso_code_sorted (void)
{
  guint n = 0;
  const FbCountry *all = fb_countries_get_all (&n);

  CU_ASSERT_EQUAL (n, N_ISO_COUNTRIES);
  CU_ASSERT_STRING_EQUAL (all[0].code, "AD");
  CU_ASSERT_STRING_EQUAL (all[0].name, "Andorra");
  CU_ASSERT_STRING_EQUAL (all[n - 1].code, "ZW");
  CU_ASSERT_STRING_EQUAL (all[n - 1].name, "Zimbabwe");
  for (guint i = 1; i < n; i++)
    CU_ASSERT (strcmp (all[i - 1].code, all[i].code) < 0);
}

static void
test_countries_lookup_finds_exact_names (void)
{
  const FbCountry *brazil = fb_countries_lookup ("BR");
  const FbCountry *ivory = fb_countries_lookup ("CI");
  const FbCountry *congo = fb_countries_lookup ("CD");

  CU_ASSERT_PTR_NOT_NULL_FATAL (brazil);
  CU_ASSERT_STRING_EQUAL (brazil->code, "BR");
  CU_ASSERT_STRING_EQUAL (brazil->name, "Brazil");
  CU_ASSERT_PTR_NOT_NULL_FATAL (ivory);
  CU_ASSERT_STRING_EQUAL (ivory->name, "C\xc3\xb4te d'Ivoire");
  CU_ASSERT_PTR_NOT_NULL_FATAL (congo);
  CU_ASSERT_STRING_EQUAL (congo->name, "Congo, The Democratic Republic of the");
}

static void
test_countries_lookup_ignores_case (void)
{
  const FbCountry *upper = fb_countries_lookup ("BR");

  CU_ASSERT_PTR_NOT_NULL (upper);
  CU_ASSERT_PTR_EQUAL (fb_countries_lookup ("br"), upper);
  CU_ASSERT_PTR_EQUAL (fb_countries_lookup ("bR"), upper);
  CU_ASSERT_PTR_EQUAL (fb_countries_lookup ("Br"), upper);
}

static void
test_countries_lookup_rejects_unknown_codes (void)
{
  CU_ASSERT_PTR_NULL (fb_countries_lookup ("ZZ"));
  CU_ASSERT_PTR_NULL (fb_countries_lookup ("zz"));
  CU_ASSERT_PTR_NULL (fb_countries_lookup (""));
  CU_ASSERT_PTR_NULL (fb_countries_lookup ("B"));
  CU_ASSERT_PTR_NULL (fb_countries_lookup ("BRA"));
  CU_ASSERT_PTR_NULL (fb_countries_lookup ("B1"));
  CU_ASSERT_PTR_NULL (fb_countries_lookup ("1B"));
}

static void
set_language (const char *language)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
}

static void
test_countries_display_name_follows_language (void)
{
  const FbCountry *brazil = fb_countries_lookup ("BR");
  const FbCountry *ivory = fb_countries_lookup ("CI");
  g_autofree char *saved = g_strdup (g_getenv ("LANGUAGE"));

  CU_ASSERT_PTR_NOT_NULL_FATAL (brazil);
  CU_ASSERT_PTR_NOT_NULL_FATAL (ivory);

  set_language (NULL);
  CU_ASSERT_STRING_EQUAL (fb_countries_display_name (brazil), "Brazil");

  set_language ("zh_CN");
  CU_ASSERT_STRING_EQUAL (fb_countries_display_name (brazil), "\xe5\xb7\xb4\xe8\xa5\xbf");  /* 巴西 */
  CU_ASSERT_STRING_EQUAL (fb_countries_display_name (ivory),
                          "\xe7\xa7\x91\xe7\x89\xb9\xe8\xbf\xaa\xe7\x93\xa6");  /* 科特迪瓦 */

  set_language ("de");
  CU_ASSERT_STRING_EQUAL (fb_countries_display_name (brazil), "Brasilien");

  set_language (saved);
}

static void
test_countries_most_populous_is_the_book_list (void)
{
  static const char * const expected[] = {
    "BD", "BR", "CD", "CN", "DE", "EG", "ET", "FR", "ID", "IN",
    "IR", "JP", "MX", "NG", "PH", "PK", "RU", "TR", "US", "VN",
  };
  const char * const *codes = fb_countries_most_populous ();
  guint n = 0;

  while (codes[n] != NULL)
    n++;
  CU_ASSERT_EQUAL_FATAL (n, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      CU_ASSERT_STRING_EQUAL (codes[i], expected[i]);
      CU_ASSERT_PTR_NOT_NULL (fb_countries_lookup (codes[i]));
    }
}

static char *
write_temp (const char *dir,
            const char *name,
            const char *contents)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
test_countries_missing_file_gives_error (void)
{
  g_autoptr(GError) error = NULL;
  guint n = 99;
  FbCountry *countries = _fb_countries_load_file ("/nonexistent/iso_3166-1.json", &n, &error);

  CU_ASSERT_PTR_NULL (countries);
  CU_ASSERT_EQUAL (n, 0);
  CU_ASSERT_TRUE (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
}

static void
test_countries_broken_file_gives_error (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *broken = write_temp (dir, "broken.json", "{\"3166-1\": [ {\"alpha_2\": ");
  g_autofree char *wrong = write_temp (dir, "wrong.json", "{\"639-2\": []}");
  g_autoptr(GError) broken_error = NULL;
  g_autoptr(GError) wrong_error = NULL;
  guint n = 99;

  CU_ASSERT_PTR_NULL (_fb_countries_load_file (broken, &n, &broken_error));
  CU_ASSERT_EQUAL (n, 0);
  CU_ASSERT_PTR_NOT_NULL (broken_error);

  n = 99;
  CU_ASSERT_PTR_NULL (_fb_countries_load_file (wrong, &n, &wrong_error));
  CU_ASSERT_EQUAL (n, 0);
  CU_ASSERT_TRUE (g_error_matches (wrong_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));

  fb_test_rm_rf (dir);
}

static void
test_countries_file_is_sorted_and_filtered (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *path = write_temp (dir, "small.json",
    "{\"3166-1\": ["
    " {\"alpha_2\": \"ZW\", \"name\": \"Zimbabwe\"},"
    " {\"alpha_2\": \"br\", \"name\": \"lower case\"},"
    " {\"alpha_2\": \"XYZ\", \"name\": \"too long\"},"
    " {\"alpha_2\": \"FR\"},"
    " 42,"
    " {\"alpha_2\": \"AD\", \"name\": \"Andorra\"}"
    "]}");
  g_autoptr(GError) error = NULL;
  guint n = 0;
  FbCountry *countries = _fb_countries_load_file (path, &n, &error);

  CU_ASSERT_PTR_NULL (error);
  CU_ASSERT_EQUAL_FATAL (n, 2);
  CU_ASSERT_STRING_EQUAL (countries[0].code, "AD");
  CU_ASSERT_STRING_EQUAL (countries[0].name, "Andorra");
  CU_ASSERT_STRING_EQUAL (countries[1].code, "ZW");
  CU_ASSERT_STRING_EQUAL (countries[1].name, "Zimbabwe");

  _fb_countries_free (countries, n);
  fb_test_rm_rf (dir);
}

static const FbTestCase tests[] = {
  { "test_countries_first_load_is_shared_by_threads", test_countries_first_load_is_shared_by_threads },
  { "test_countries_loads_every_iso_code_sorted", test_countries_loads_every_iso_code_sorted },
  { "test_countries_lookup_finds_exact_names", test_countries_lookup_finds_exact_names },
  { "test_countries_lookup_ignores_case", test_countries_lookup_ignores_case },
  { "test_countries_lookup_rejects_unknown_codes", test_countries_lookup_rejects_unknown_codes },
  { "test_countries_display_name_follows_language", test_countries_display_name_follows_language },
  { "test_countries_most_populous_is_the_book_list", test_countries_most_populous_is_the_book_list },
  { "test_countries_missing_file_gives_error", test_countries_missing_file_gives_error },
  { "test_countries_broken_file_gives_error", test_countries_broken_file_gives_error },
  { "test_countries_file_is_sorted_and_filtered", test_countries_file_is_sorted_and_filtered },
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  return fb_test_main (argc, argv, "countries", tests);
}
