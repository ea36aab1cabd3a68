/* test-filename.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "fb-filename.h"
#include "fb-test-utils.h"

typedef struct
{
  const char *input;
  const char *expected;
} Case;

/* What every result must be, whatever came in. */
static void
assert_safe (const char *name)
{
  CU_ASSERT_PTR_NOT_NULL_FATAL (name);
  CU_ASSERT_TRUE (g_utf8_validate (name, -1, NULL));
  CU_ASSERT_TRUE (name[0] != '\0');
  CU_ASSERT_TRUE (name[0] != '.');
  CU_ASSERT_PTR_NULL (strchr (name, '/'));
  CU_ASSERT_TRUE (strlen (name) <= FB_FILENAME_MAX_BYTES);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    CU_ASSERT_FALSE (g_unichar_iscntrl (g_utf8_get_char (p)));
}

static void
check_sanitize (const Case *cases,
                guint       n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      g_autofree char *name = fb_filename_sanitize (cases[i].input, NULL);

      assert_safe (name);
      if (g_strcmp0 (name, cases[i].expected) != 0)
        g_printerr ("\n  sanitize “%s”: “%s”\n", cases[i].input, name);
      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_sanitize_keeps_paths_in_one_component (void)
{
  static const Case cases[] = {
    { "../../etc/passwd", "etc_passwd" },
    { "/abs", "abs" },
    { "a/b", "a_b" },
    { "a\\b", "a_b" },
    { "a/../b", "a_b" },
    { "./x", "x" },
    { "x/", "x" },
    { "//x//y//", "x_y" },
    { "..\\..\\Windows\\win.ini", "Windows_win.ini" },
    { "C:\\Windows\\x.exe", "C:_Windows_x.exe" },
    { "/..", "download" },
    { "../", "download" },
  };

  check_sanitize (cases, G_N_ELEMENTS (cases));
}

static void
test_filename_sanitize_removes_leading_dots_and_spaces (void)
{
  static const Case cases[] = {
    { ".bashrc", "bashrc" },
    { "...hidden", "hidden" },
    { " . x", "x" },
    { "  spaced name.txt  ", "spaced name.txt" },
    { "file.", "file." },
    { "a.b", "a.b" },
    { "__init__.py", "__init__.py" },
  };

  check_sanitize (cases, G_N_ELEMENTS (cases));
}

static void
test_filename_sanitize_falls_back_when_nothing_is_left (void)
{
  static const struct {
    const char *input;
    const char *fallback;
    const char *expected;
  } cases[] = {
    { NULL, NULL, "download" },
    { "", NULL, "download" },
    { ".", NULL, "download" },
    { "..", NULL, "download" },
    { "...", NULL, "download" },
    { "/", NULL, "download" },
    { " \t\n", NULL, "download" },
    { "\x01\x02", NULL, "download" },
    { NULL, "flag.gif", "flag.gif" },
    { "..", "../x", "x" },
    { "..", "/", "download" },
    { "ok.txt", "flag.gif", "ok.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_filename_sanitize (cases[i].input, cases[i].fallback);

      assert_safe (name);
      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_sanitize_removes_control_and_format_characters (void)
{
  static const Case cases[] = {
    { "a\nb\tc\x7f\x01" "d", "abcd" },
    { "line\r\n.txt", "line.txt" },
    { "c1\xc2\x85.txt", "c1.txt" },                    /* U+0085 NEXT LINE */
    { "\xe2\x80\xaegpj.exe", "gpj.exe" },              /* U+202E RIGHT-TO-LEFT OVERRIDE */
    { "name\xe2\x80\x8b.txt", "name.txt" },            /* U+200B ZERO WIDTH SPACE */
    { "para\xe2\x80\xa8graph", "paragraph" },          /* U+2028 LINE SEPARATOR */
    { "\xef\xbb\xbf" "bom.txt", "bom.txt" },           /* U+FEFF */
  };

  check_sanitize (cases, G_N_ELEMENTS (cases));
}

static void
test_filename_sanitize_repairs_invalid_utf8 (void)
{
  static const Case cases[] = {
    { "\xff" "abc", "\xef\xbf\xbd" "abc" },
    { "a\xc3", "a\xef\xbf\xbd" },
    { "caf\xe9.gif", "caf\xef\xbf\xbd.gif" },
    { "\xc0\xaf" "etc", "\xef\xbf\xbd\xef\xbf\xbd" "etc" },
  };

  check_sanitize (cases, G_N_ELEMENTS (cases));
}

static void
test_filename_sanitize_keeps_other_characters (void)
{
  static const Case cases[] = {
    { "report: 1/2 <draft>?|*\".txt", "report: 1_2 <draft>?|*\".txt" },
    { "Côte d'Ivoire.gif", "Côte d'Ivoire.gif" },
    { "例え.txt", "例え.txt" },
    { "😀.png", "😀.png" },
    /* decomposed text is composed: one name for one look */
    { "Co\xcc\x82te.gif", "C\xc3\xb4te.gif" },
  };

  check_sanitize (cases, G_N_ELEMENTS (cases));
}

static void
test_filename_sanitize_cuts_long_names_keeping_the_extension (void)
{
  g_autofree char *a_296 = g_strnfill (296, 'a');
  g_autofree char *a_251 = g_strnfill (251, 'a');
  g_autofree char *b_300 = g_strnfill (300, 'b');
  g_autofree char *b_248 = g_strnfill (248, 'b');
  g_autofree char *c_300 = g_strnfill (300, 'c');
  g_autofree char *c_255 = g_strnfill (255, 'c');
  g_autofree char *d_250 = g_strnfill (250, 'd');
  g_autofree char *e_20 = g_strnfill (20, 'e');
  g_autofree char *x_253 = g_strnfill (253, 'x');
  g_autoptr(GString) accents = g_string_new (NULL);
  g_autoptr(GString) accents_cut = g_string_new (NULL);
  g_autoptr(GString) emoji = g_string_new (NULL);
  g_autoptr(GString) emoji_cut = g_string_new (NULL);

  for (guint i = 0; i < 150; i++)
    g_string_append (accents, "é");
  g_string_append (accents, ".txt");
  for (guint i = 0; i < 125; i++)
    g_string_append (accents_cut, "é");
  g_string_append (accents_cut, ".txt");
  for (guint i = 0; i < 100; i++)
    g_string_append (emoji, "😀");
  for (guint i = 0; i < 63; i++)
    g_string_append (emoji_cut, "😀");

  {
    g_autofree char *in_gif = g_strconcat (a_296, ".gif", NULL);
    g_autofree char *out_gif = g_strconcat (a_251, ".gif", NULL);
    g_autofree char *in_tar = g_strconcat (b_300, ".tar.gz", NULL);
    g_autofree char *out_tar = g_strconcat (b_248, ".tar.gz", NULL);
    /* an "extension" of 20 letters is not one */
    g_autofree char *in_long_ext = g_strconcat (d_250, ".", e_20, NULL);
    g_autofree char *out_long_ext = g_strconcat (d_250, ".eeee", NULL);
    /* white space left at the cut goes */
    g_autofree char *in_space = g_strconcat (x_253, "  yyy", NULL);
    g_autofree char *in_255 = g_strconcat (a_251, ".gif", NULL);
    const Case cases[] = {
      { in_gif, out_gif },
      { in_tar, out_tar },
      { c_300, c_255 },
      { accents->str, accents_cut->str },
      { emoji->str, emoji_cut->str },
      { in_long_ext, out_long_ext },
      { in_space, x_253 },
      { in_255, in_255 },
    };

    check_sanitize (cases, G_N_ELEMENTS (cases));
    CU_ASSERT_EQUAL (strlen (out_gif), 255);
    CU_ASSERT_EQUAL (strlen (out_tar), 255);
    CU_ASSERT_EQUAL (strlen (accents_cut->str), 254);
    CU_ASSERT_EQUAL (strlen (emoji_cut->str), 252);
  }
}

static void
test_filename_from_url_takes_the_decoded_last_segment (void)
{
  static const Case cases[] = {
    { "http://127.0.0.1:8000/flags/br/br.gif", "br.gif" },
    { "http://x/a/b.gif?q=1#frag", "b.gif" },
    { "http://x/a/b.gif#frag/c.gif", "b.gif" },
    { "http://x/a?file=/c.gif", "a" },
    { "http://x/", "index.html" },
    { "http://x", "index.html" },
    { "http://x/dir/", "index.html" },
    { "http://x/?q=1", "index.html" },
    { "http://x/a%20b.txt", "a b.txt" },
    { "http://x/caf%C3%A9.gif", "café.gif" },
    { "http://x/%FF.gif", "\xef\xbf\xbd.gif" },
    { "http://x/%zz", "%zz" },
    { "https://x/%00a%0Ab", "ab" },
    { "HTTP://X/Mixed.Case.PNG", "Mixed.Case.PNG" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_filename_from_url (cases[i].input);

      assert_safe (name);
      if (g_strcmp0 (name, cases[i].expected) != 0)
        g_printerr ("\n  from_url “%s”: “%s”\n", cases[i].input, name);
      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_from_url_never_decodes_a_separator (void)
{
  static const Case cases[] = {
    { "http://x/a%2Fb", "a_b" },
    { "http://x/a%2fb", "a_b" },
    { "http://x/a%5Cb", "a_b" },
    { "http://x/..%2F..%2Fetc%2Fpasswd", "etc_passwd" },
    { "http://x/%2e%2e", "index.html" },
    { "http://x/%2E%2E%2F", "index.html" },
    { "http://x/a/..", "index.html" },
    { "http://x/.hidden", "hidden" },
    { "http://x/%2Ebashrc", "bashrc" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_filename_from_url (cases[i].input);

      assert_safe (name);
      if (g_strcmp0 (name, cases[i].expected) != 0)
        g_printerr ("\n  from_url “%s”: “%s”\n", cases[i].input, name);
      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_from_url_reads_what_is_not_a_url (void)
{
  g_autofree char *relative = fb_filename_from_url ("some/dir/file.txt?x#y");
  g_autofree char *bare = fb_filename_from_url ("file.txt");
  g_autofree char *empty = fb_filename_from_url ("");

  CU_ASSERT_STRING_EQUAL (relative, "file.txt");
  CU_ASSERT_STRING_EQUAL (bare, "file.txt");
  CU_ASSERT_STRING_EQUAL (empty, "index.html");
}

static void
test_filename_from_country_replaces_spaces (void)
{
  static const struct {
    const char *country;
    const char *code;
    const char *extension;
    const char *expected;
  } cases[] = {
    { "Korea, North", "KP", ".gif", "Korea,_North.gif" },
    { "Côte d'Ivoire", "CI", ".gif", "Côte_d'Ivoire.gif" },
    { "Congo (Kinshasa)", "CD", ".gif", "Congo_(Kinshasa).gif" },
    { "United States of America", "US", ".gif", "United_States_of_America.gif" },
    { "Brazil", "BR", ".gif", "Brazil.gif" },
    { "  Spaced  Out  ", "SO", ".gif", "Spaced__Out.gif" },
    { "Tab\tand\xc2\xa0nbsp", "TN", ".gif", "Tab_and_nbsp.gif" },
    { "A/B", "AB", ".gif", "A_B.gif" },
    { ".hidden", "HD", ".gif", "hidden.gif" },
    { "../../etc/passwd", "EP", ".gif", "etc_passwd.gif" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_filename_from_country (cases[i].country, cases[i].code,
                                                        cases[i].extension);

      assert_safe (name);
      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_from_country_falls_back_to_the_code (void)
{
  static const struct {
    const char *country;
    const char *code;
    const char *extension;
    const char *expected;
  } cases[] = {
    { "../..", "XX", ".gif", "XX.gif" },
    { "", "BR", ".gif", "BR.gif" },
    { NULL, "BR", "gif", "BR.gif" },
    { "   ", "BR", ".gif", "BR.gif" },
    { NULL, NULL, ".gif", "download.gif" },
    { "..", "..", ".gif", "download.gif" },
    { "Brazil", "BR", NULL, "Brazil" },
    { "Brazil", "BR", "", "Brazil" },
    { "Brazil", "BR", "../x", "Brazil.x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_filename_from_country (cases[i].country, cases[i].code,
                                                        cases[i].extension);

      assert_safe (name);
      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_from_country_cuts_long_names (void)
{
  g_autofree char *country = g_strnfill (300, 'n');
  g_autofree char *expected_base = g_strnfill (251, 'n');
  g_autofree char *expected = g_strconcat (expected_base, ".gif", NULL);
  g_autofree char *name = fb_filename_from_country (country, "XX", ".gif");

  CU_ASSERT_STRING_EQUAL (name, expected);
  CU_ASSERT_EQUAL (strlen (name), 255);
}

static void
test_filename_numbered_inserts_the_number_before_the_extension (void)
{
  static const struct {
    const char *name;
    guint       n;
    const char *expected;
  } cases[] = {
    { "x.gif", 2, "x (2).gif" },
    { "archive.tar.gz", 1, "archive (1).tar.gz" },
    { "x.TAR.GZ", 1, "x (1).TAR.GZ" },
    { "tar.gz", 1, "tar (1).gz" },
    { "noext", 3, "noext (3)" },
    { "x.gif", 0, "x.gif" },
    { "photo.JPG", 10, "photo (10).JPG" },
    { "a.b.c", 1, "a.b (1).c" },
    { "Mr. Smith", 1, "Mr. Smith (1)" },
    { ".profile", 1, ".profile (1)" },
    { "file.", 4, "file. (4)" },
    { "index.html", 4294967295u, "index (4294967295).html" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = fb_filename_numbered (cases[i].name, cases[i].n);

      CU_ASSERT_STRING_EQUAL (name, cases[i].expected);
    }
}

static void
test_filename_numbered_stays_within_the_limit (void)
{
  g_autofree char *a_251 = g_strnfill (251, 'a');
  g_autofree char *a_247 = g_strnfill (247, 'a');
  g_autofree char *a_238 = g_strnfill (238, 'a');
  g_autofree char *long_gif = g_strconcat (a_251, ".gif", NULL);
  g_autofree char *two = fb_filename_numbered (long_gif, 2);
  g_autofree char *max = fb_filename_numbered (long_gif, G_MAXUINT);
  g_autofree char *expected_two = g_strconcat (a_247, " (2).gif", NULL);
  g_autofree char *expected_max = g_strconcat (a_238, " (4294967295).gif", NULL);
  g_autoptr(GString) accents = g_string_new (NULL);
  g_autoptr(GString) accents_expected = g_string_new (NULL);
  g_autofree char *accents_numbered = NULL;

  CU_ASSERT_STRING_EQUAL (two, expected_two);
  CU_ASSERT_EQUAL (strlen (two), 255);
  CU_ASSERT_STRING_EQUAL (max, expected_max);
  CU_ASSERT_EQUAL (strlen (max), 255);

  /* 125 × "é" + ".txt" = 254 bytes; room for 247 bytes: 123 "é", never half */
  for (guint i = 0; i < 125; i++)
    g_string_append (accents, "é");
  g_string_append (accents, ".txt");
  for (guint i = 0; i < 123; i++)
    g_string_append (accents_expected, "é");
  g_string_append (accents_expected, " (7).txt");
  accents_numbered = fb_filename_numbered (accents->str, 7);
  CU_ASSERT_STRING_EQUAL (accents_numbered, accents_expected->str);
  CU_ASSERT_TRUE (g_utf8_validate (accents_numbered, -1, NULL));
}

static void
test_filename_results_are_safe_for_hostile_input (void)
{
  /* every byte value, in names built around it */
  for (guint byte = 1; byte < 256; byte++)
    {
      char input[] = { '.', '.', '/', (char) byte, '/', '.', (char) byte, '\0' };
      g_autofree char *sanitized = fb_filename_sanitize (input, NULL);
      g_autofree char *escaped = g_strdup_printf ("http://x/..%%2F%%%02X%%2F.%%%02X", byte, byte);
      g_autofree char *from_url = fb_filename_from_url (escaped);
      g_autofree char *from_country = fb_filename_from_country (input, input, input);
      g_autofree char *numbered = fb_filename_numbered (sanitized, 99);

      assert_safe (sanitized);
      assert_safe (from_url);
      assert_safe (from_country);
      assert_safe (numbered);
    }
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_filename_sanitize_keeps_paths_in_one_component),
    FB_TEST (test_filename_sanitize_removes_leading_dots_and_spaces),
    FB_TEST (test_filename_sanitize_falls_back_when_nothing_is_left),
    FB_TEST (test_filename_sanitize_removes_control_and_format_characters),
    FB_TEST (test_filename_sanitize_repairs_invalid_utf8),
    FB_TEST (test_filename_sanitize_keeps_other_characters),
    FB_TEST (test_filename_sanitize_cuts_long_names_keeping_the_extension),
    FB_TEST (test_filename_from_url_takes_the_decoded_last_segment),
    FB_TEST (test_filename_from_url_never_decodes_a_separator),
    FB_TEST (test_filename_from_url_reads_what_is_not_a_url),
    FB_TEST (test_filename_from_country_replaces_spaces),
    FB_TEST (test_filename_from_country_falls_back_to_the_code),
    FB_TEST (test_filename_from_country_cuts_long_names),
    FB_TEST (test_filename_numbered_inserts_the_number_before_the_extension),
    FB_TEST (test_filename_numbered_stays_within_the_limit),
    FB_TEST (test_filename_results_are_safe_for_hostile_input),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "filename", tests);
}
