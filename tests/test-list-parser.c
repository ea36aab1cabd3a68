/* test-list-parser.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fb-list-parser.h"
#include "fb-test-utils.h"

static FbListResult *
parse (const char *text)
{
  FbListResult *result = fb_list_parse ("list.txt", text, -1);

  CU_ASSERT_PTR_NOT_NULL_FATAL (result);
  return result;
}

static void
assert_entry (const FbListResult *result,
              guint               index,
              FbEntryKind         kind,
              const char         *text,
              guint               line)
{
  const FbListEntry *entry;

  CU_ASSERT_FATAL (index < result->entries->len);
  entry = g_ptr_array_index (result->entries, index);
  CU_ASSERT_EQUAL (entry->kind, kind);
  CU_ASSERT_STRING_EQUAL (entry->text, text);
  CU_ASSERT_EQUAL (entry->line, line);
}

/* Checks a problem and its "file:line: reason" form. */
static void
assert_problem (const FbListResult *result,
                GPtrArray          *problems,
                guint               index,
                guint               line,
                const char         *text,
                const char         *formatted)
{
  const FbListProblem *problem;
  g_autofree char *message = NULL;

  CU_ASSERT_FATAL (index < problems->len);
  problem = g_ptr_array_index (problems, index);
  message = fb_list_problem_format (result, problem);
  CU_ASSERT_EQUAL (problem->line, line);
  CU_ASSERT_STRING_EQUAL (problem->text, text);
  CU_ASSERT_STRING_EQUAL (message, formatted);
  CU_ASSERT_TRUE (g_utf8_validate (problem->text, -1, NULL));
  CU_ASSERT_TRUE (g_utf8_validate (problem->reason, -1, NULL));
}

static void
assert_counts (const FbListResult *result,
               guint               n_lines,
               guint               n_entries,
               guint               n_rejected,
               guint               n_duplicates)
{
  CU_ASSERT_EQUAL (result->n_lines, n_lines);
  CU_ASSERT_EQUAL (result->entries->len, n_entries);
  CU_ASSERT_EQUAL (result->rejected->len, n_rejected);
  CU_ASSERT_EQUAL (result->duplicates->len, n_duplicates);
}

static void
test_list_parse_detects_each_kind (void)
{
  g_autoptr(FbListResult) result = parse ("http://example.com/a.gif\n"
                                          "HTTPS://Example.com:8443/b?c=d#e\n"
                                          "Example.COM\n"
                                          "Bücher.de\n"
                                          "br\n"
                                          "Us\n"
                                          "192.0.2.1\n"
                                          "::1\n"
                                          "[2001:DB8::1]\n"
                                          "example.org.\n"
                                          "localhost\n"
                                          "例え.テスト\n");

  assert_counts (result, 12, 12, 0, 0);
  assert_entry (result, 0, FB_ENTRY_URL, "http://example.com/a.gif", 1);
  assert_entry (result, 1, FB_ENTRY_URL, "HTTPS://Example.com:8443/b?c=d#e", 2);
  assert_entry (result, 2, FB_ENTRY_DOMAIN, "example.com", 3);
  assert_entry (result, 3, FB_ENTRY_DOMAIN, "xn--bcher-kva.de", 4);
  assert_entry (result, 4, FB_ENTRY_CODE, "BR", 5);
  assert_entry (result, 5, FB_ENTRY_CODE, "US", 6);
  assert_entry (result, 6, FB_ENTRY_DOMAIN, "192.0.2.1", 7);
  assert_entry (result, 7, FB_ENTRY_DOMAIN, "::1", 8);
  assert_entry (result, 8, FB_ENTRY_DOMAIN, "2001:db8::1", 9);
  assert_entry (result, 9, FB_ENTRY_DOMAIN, "example.org", 10);
  assert_entry (result, 10, FB_ENTRY_DOMAIN, "localhost", 11);
  assert_entry (result, 11, FB_ENTRY_DOMAIN, "xn--r8jz45g.xn--zckzah", 12);
}

static void
test_list_parse_skips_comments_and_blank_lines (void)
{
  g_autoptr(FbListResult) result = parse ("# a comment\n"
                                          "\n"
                                          "   # x\n"
                                          "\t#\ttab first\n"
                                          "   \t  \n"
                                          "  example.com  \n"
                                          "\xc2\xa0nbsp.example\xc2\xa0\n"
                                          "#example.net\n");

  assert_counts (result, 8, 2, 0, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "example.com", 6);
  assert_entry (result, 1, FB_ENTRY_DOMAIN, "nbsp.example", 7);
}

static void
test_list_parse_strips_comments_after_white_space (void)
{
  g_autoptr(FbListResult) result = parse ("example.com # the first\n"
                                          "http://example.com/#fragment\n"
                                          "http://example.com/x\t# note\n"
                                          "br #Brazil\n"
                                          "example.net#not-a-comment\n");

  assert_counts (result, 5, 4, 1, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "example.com", 1);
  assert_entry (result, 1, FB_ENTRY_URL, "http://example.com/#fragment", 2);
  assert_entry (result, 2, FB_ENTRY_URL, "http://example.com/x", 3);
  assert_entry (result, 3, FB_ENTRY_CODE, "BR", 4);
  assert_problem (result, result->rejected, 0, 5, "example.net#not-a-comment",
                  "list.txt:5: not a host name");
}

static void
test_list_parse_handles_crlf_and_lone_cr (void)
{
  g_autoptr(FbListResult) result = parse ("a.example\r\n"
                                          "b.example\r"
                                          "c.example\n"
                                          "\r\n"
                                          "# comment\r\n"
                                          "d.example");

  assert_counts (result, 6, 4, 0, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "a.example", 1);
  assert_entry (result, 1, FB_ENTRY_DOMAIN, "b.example", 2);
  assert_entry (result, 2, FB_ENTRY_DOMAIN, "c.example", 3);
  assert_entry (result, 3, FB_ENTRY_DOMAIN, "d.example", 6);
}

static void
test_list_parse_strips_bom_only_at_start (void)
{
  g_autoptr(FbListResult) result = parse ("\xef\xbb\xbf# starts with a BOM\n"
                                          "example.com\n"
                                          "\xef\xbb\xbf# BOM inside the data\n");
  g_autoptr(FbListResult) url = parse ("\xef\xbb\xbfhttp://example.com/\n");

  assert_counts (result, 3, 1, 1, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "example.com", 2);
  assert_problem (result, result->rejected, 0, 3, "\xef\xbb\xbf# BOM inside the data",
                  "list.txt:3: not a host name");

  assert_counts (url, 1, 1, 0, 0);
  assert_entry (url, 0, FB_ENTRY_URL, "http://example.com/", 1);
}

static void
test_list_parse_counts_lines (void)
{
  static const struct {
    const char *text;
    gssize      length;
    guint       n_lines;
    guint       n_entries;
  } cases[] = {
    { "", -1, 0, 0 },
    { "\xef\xbb\xbf", -1, 0, 0 },
    { "\n", -1, 1, 0 },
    { "\r\n", -1, 1, 0 },
    { "\r", -1, 1, 0 },
    { "\n\n", -1, 2, 0 },
    { "\r\r\n", -1, 2, 0 },
    { "a.example", -1, 1, 1 },
    { "a.example\n", -1, 1, 1 },
    { "a.example\n\n", -1, 2, 1 },
    { "a.example\nb.example", -1, 2, 2 },
    /* the length bounds the data, which needs no NUL */
    { "a.example\nb.example", 9, 1, 1 },
    { "a.example\nb.example", 10, 1, 1 },
    { "a.example\nb.example", 11, 2, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FbListResult) result = fb_list_parse (NULL, cases[i].text, cases[i].length);

      CU_ASSERT_EQUAL (result->n_lines, cases[i].n_lines);
      CU_ASSERT_EQUAL (result->entries->len, cases[i].n_entries);
      CU_ASSERT_EQUAL (result->rejected->len, 0);
    }

  {
    g_autoptr(FbListResult) empty = fb_list_parse (NULL, NULL, 0);

    CU_ASSERT_STRING_EQUAL (empty->source, "pasted text");
    assert_counts (empty, 0, 0, 0, 0);
  }

  {
    g_autoptr(FbListResult) b_only = fb_list_parse (NULL, "a.example\nb.example" + 10, 1);

    assert_counts (b_only, 1, 1, 0, 0);
    /* "b" alone is a one-label host name, not a code */
    assert_entry (b_only, 0, FB_ENTRY_DOMAIN, "b", 1);
  }
}

static void
test_list_parse_reports_every_rejection_with_its_line (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(FbListResult) result = NULL;
  g_autofree char *long_line = g_strnfill (5000, 'a');
  g_autofree char *a_79 = g_strnfill (79, 'a');
  g_autofree char *long_shown = g_strconcat (a_79, "…", NULL);

  g_string_append (text, "ftp://example.com/file\n");             /* 1 */
  g_string_append (text, "mailto:someone@example.com\n");         /* 2 */
  g_string_append (text, "exa mple.com\n");                        /* 3 */
  g_string_append (text, "http://example.com/a b.gif\n");         /* 4 */
  g_string_append (text, "ok.example\n");                          /* 5 */
  g_string_append (text, "caf\xe9.example\n");                     /* 6 */
  g_string_append_printf (text, "%s\n", long_line);               /* 7 */
  g_string_append (text, "http://\n");                             /* 8 */
  g_string_append (text, "-bad.example\n");                        /* 9 */
  g_string_append (text, "example.com:8080\n");                    /* 10 */
  g_string_append (text, "1.2.3\n");                               /* 11 */
  g_string_append (text, "a..b\n");                                /* 12 */
  g_string_append (text, "www.example.com/path\n");                /* 13 */
  g_string_append (text, "FILE:///etc/passwd\n");                  /* 14 */
  g_string_append (text, "://nothing\n");                          /* 15 */
  g_string_append (text, "https://example.com:99999/\n");          /* 16 */
  g_string_append (text, "last.example");                          /* 17 */

  result = fb_list_parse ("list.txt", text->str, text->len);

  assert_counts (result, 17, 2, 15, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "ok.example", 5);
  assert_entry (result, 1, FB_ENTRY_DOMAIN, "last.example", 17);

  assert_problem (result, result->rejected, 0, 1, "ftp://example.com/file",
                  "list.txt:1: unsupported scheme “ftp”");
  assert_problem (result, result->rejected, 1, 2, "mailto:someone@example.com",
                  "list.txt:2: unsupported scheme “mailto”");
  assert_problem (result, result->rejected, 2, 3, "exa mple.com",
                  "list.txt:3: not a host name");
  assert_problem (result, result->rejected, 3, 4, "http://example.com/a b.gif",
                  "list.txt:4: URL contains spaces");
  assert_problem (result, result->rejected, 4, 6, "caf\xef\xbf\xbd.example",
                  "list.txt:6: invalid UTF-8");
  assert_problem (result, result->rejected, 5, 7, long_shown,
                  "list.txt:7: line too long (5000 bytes, at most 4096)");
  assert_problem (result, result->rejected, 6, 8, "http://",
                  "list.txt:8: not a valid URL");
  assert_problem (result, result->rejected, 7, 9, "-bad.example",
                  "list.txt:9: not a host name");
  assert_problem (result, result->rejected, 8, 10, "example.com:8080",
                  "list.txt:10: not a host name");
  assert_problem (result, result->rejected, 9, 11, "1.2.3",
                  "list.txt:11: not a host name");
  assert_problem (result, result->rejected, 10, 12, "a..b",
                  "list.txt:12: not a host name");
  assert_problem (result, result->rejected, 11, 13, "www.example.com/path",
                  "list.txt:13: not a host name");
  assert_problem (result, result->rejected, 12, 14, "FILE:///etc/passwd",
                  "list.txt:14: unsupported scheme “file”");
  assert_problem (result, result->rejected, 13, 15, "://nothing",
                  "list.txt:15: not a valid URL");
  assert_problem (result, result->rejected, 14, 16, "https://example.com:99999/",
                  "list.txt:16: not a valid URL: port “99999” is not a number "
                  "from 1 to 65535");
}

static void
test_list_parse_rejects_lines_longer_than_the_limit (void)
{
  g_autofree char *at_limit = g_strnfill (FB_LIST_MAX_LINE, 'x');
  g_autofree char *over_limit = g_strnfill (FB_LIST_MAX_LINE + 1, 'y');
  g_autofree char *indented = g_strnfill (FB_LIST_MAX_LINE - 1, 'z');
  g_autofree char *comment = g_strnfill (5000, 'c');
  g_autofree char *text = g_strdup_printf ("%s\n%s\r\n  %s\n#%s\n\t# caf\xe9\nok.example\n",
                                           at_limit, over_limit, indented, comment);
  g_autoptr(FbListResult) result = parse (text);
  const FbListProblem *problem;

  /* 4096 bytes is a line (a label too long for a host name); 4097 is too
   * long, counting the surrounding spaces but not the line end; comments
   * are skipped whatever their length or encoding */
  assert_counts (result, 6, 1, 3, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "ok.example", 6);

  problem = g_ptr_array_index (result->rejected, 0);
  CU_ASSERT_EQUAL (problem->line, 1);
  CU_ASSERT_STRING_EQUAL (problem->reason, "not a host name");

  problem = g_ptr_array_index (result->rejected, 1);
  CU_ASSERT_EQUAL (problem->line, 2);
  CU_ASSERT_STRING_EQUAL (problem->reason, "line too long (4097 bytes, at most 4096)");
  CU_ASSERT_EQUAL (g_utf8_strlen (problem->text, -1), 80);
  CU_ASSERT_TRUE (g_str_has_prefix (problem->text, "yyyyyyyyy"));
  CU_ASSERT_TRUE (g_str_has_suffix (problem->text, "y…"));

  problem = g_ptr_array_index (result->rejected, 2);
  CU_ASSERT_EQUAL (problem->line, 3);
  CU_ASSERT_STRING_EQUAL (problem->reason, "line too long (4097 bytes, at most 4096)");
}

static void
test_list_parse_rejects_invalid_utf8 (void)
{
  /* a lone continuation byte, an overlong '/', a surrogate, a cut
   * sequence at the end of the data, and a NUL inside a line */
  static const char data[] = "\x80" "abc\n"
                             "\xc0\xaf" "etc\n"
                             "\xed\xa0\x80" "x.example\n"
                             "good.example\n"
                             "bad\0nul.example\n"
                             "end\xe2\x82";
  g_autoptr(FbListResult) result = fb_list_parse ("utf8.txt", data, sizeof data - 1);

  assert_counts (result, 6, 1, 5, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "good.example", 4);
  assert_problem (result, result->rejected, 0, 1, "\xef\xbf\xbd" "abc",
                  "utf8.txt:1: invalid UTF-8");
  assert_problem (result, result->rejected, 1, 2, "\xef\xbf\xbd\xef\xbf\xbd" "etc",
                  "utf8.txt:2: invalid UTF-8");
  assert_problem (result, result->rejected, 3, 5, "bad\xef\xbf\xbdnul.example",
                  "utf8.txt:5: invalid UTF-8");
  assert_problem (result, result->rejected, 4, 6, "end\xef\xbf\xbd\xef\xbf\xbd",
                  "utf8.txt:6: invalid UTF-8");
  CU_ASSERT_EQUAL (((FbListProblem *) g_ptr_array_index (result->rejected, 2))->line, 3);
}

static void
test_list_parse_reports_duplicates_with_the_first_line (void)
{
  g_autoptr(FbListResult) result = parse ("Example.com\n"              /* 1 */
                                          "example.com.\n"             /* 2 */
                                          "http://x.example/\n"        /* 3 */
                                          "HTTP://X.EXAMPLE:80\n"      /* 4 */
                                          "br\n"                       /* 5 */
                                          "  BR  \n"                   /* 6 */
                                          "http://x.example/#top\n"    /* 7 */
                                          "http://x.example/?q=1\n"    /* 8 */
                                          "xn--bcher-kva.de\n"         /* 9 */
                                          "bücher.de\n"                /* 10 */
                                          "EXAMPLE.COM # again\n"      /* 11 */
                                          "http://x.example/a\n"       /* 12 */
                                          "http://x.example/A\n"       /* 13 */
                                          "https://x.example/\n");     /* 14 */

  assert_counts (result, 14, 8, 0, 6);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "example.com", 1);
  assert_entry (result, 1, FB_ENTRY_URL, "http://x.example/", 3);
  assert_entry (result, 2, FB_ENTRY_CODE, "BR", 5);
  assert_entry (result, 3, FB_ENTRY_URL, "http://x.example/?q=1", 8);
  assert_entry (result, 4, FB_ENTRY_DOMAIN, "xn--bcher-kva.de", 9);
  assert_entry (result, 5, FB_ENTRY_URL, "http://x.example/a", 12);
  assert_entry (result, 6, FB_ENTRY_URL, "http://x.example/A", 13);
  /* another scheme is another URL */
  assert_entry (result, 7, FB_ENTRY_URL, "https://x.example/", 14);

  assert_problem (result, result->duplicates, 0, 2, "example.com.",
                  "list.txt:2: duplicate of line 1");
  assert_problem (result, result->duplicates, 1, 4, "HTTP://X.EXAMPLE:80",
                  "list.txt:4: duplicate of line 3");
  assert_problem (result, result->duplicates, 2, 6, "BR",
                  "list.txt:6: duplicate of line 5");
  assert_problem (result, result->duplicates, 3, 7, "http://x.example/#top",
                  "list.txt:7: duplicate of line 3");
  assert_problem (result, result->duplicates, 4, 10, "bücher.de",
                  "list.txt:10: duplicate of line 9");
  assert_problem (result, result->duplicates, 5, 11, "EXAMPLE.COM",
                  "list.txt:11: duplicate of line 1");
}

static void
test_list_parse_keeps_kinds_apart_for_duplicates (void)
{
  /* a code and a one-label domain, a domain and a URL to it, never clash */
  g_autoptr(FbListResult) result = parse ("example.com\nhttp://example.com/\nbr\nbr.\n");

  assert_counts (result, 4, 4, 0, 0);
  assert_entry (result, 3, FB_ENTRY_DOMAIN, "br", 4);
}

static void
test_list_parse_shortens_problem_text (void)
{
  g_autofree char *eighty = g_strnfill (80, 'b');
  g_autofree char *eighty_one = g_strnfill (81, 'c');
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *expected_wide = NULL;
  g_autoptr(FbListResult) result = NULL;
  const FbListProblem *problem;

  for (guint i = 0; i < 100; i++)
    g_string_append (wide, "é");
  text = g_strdup_printf ("a %s\n"
                          "a %s\n"
                          "a %s\n"
                          "a\x01z \x7f\n",
                          eighty, eighty_one, wide->str);
  result = parse (text);
  assert_counts (result, 4, 0, 4, 0);

  /* "a " + 78 of 80 'b' + "…" = 80 characters */
  problem = g_ptr_array_index (result->rejected, 0);
  CU_ASSERT_EQUAL (g_utf8_strlen (problem->text, -1), 80);
  CU_ASSERT_TRUE (g_str_has_prefix (problem->text, "a bbb"));
  CU_ASSERT_TRUE (g_str_has_suffix (problem->text, "bb…"));
  CU_ASSERT_EQUAL (strlen (problem->text), 2 + 77 + strlen ("…"));

  problem = g_ptr_array_index (result->rejected, 1);
  CU_ASSERT_EQUAL (g_utf8_strlen (problem->text, -1), 80);

  /* 80 characters exactly stay whole */
  {
    g_autofree char *seventy_eight = g_strnfill (78, 'd');
    g_autofree char *line = g_strdup_printf ("a %s", seventy_eight);
    g_autoptr(FbListResult) exact = parse (line);

    problem = g_ptr_array_index (exact->rejected, 0);
    CU_ASSERT_STRING_EQUAL (problem->text, line);
  }

  /* cut between characters, never inside one */
  problem = g_ptr_array_index (result->rejected, 2);
  expected_wide = g_strdup_printf ("a %.*s…", 77 * 2, wide->str);
  CU_ASSERT_STRING_EQUAL (problem->text, expected_wide);

  /* control characters are shown as U+FFFD */
  problem = g_ptr_array_index (result->rejected, 3);
  CU_ASSERT_STRING_EQUAL (problem->text, "a\xef\xbf\xbdz \xef\xbf\xbd");
}

static void
test_list_parse_counts_ten_thousand_lines (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(FbListResult) result = NULL;

  for (guint i = 0; i < 10000; i++)
    {
      guint code = (i / 10) % 676;

      switch (i % 10)
        {
        case 0:
          g_string_append_printf (text, "http://h%u.example.com/\n", i);
          break;
        case 1:
          g_string_append_printf (text, "Domain%u.Example.org\n", i);
          break;
        case 2:
          g_string_append_printf (text, "%c%c\n", 'a' + code / 26, 'a' + code % 26);
          break;
        case 3:
          g_string_append (text, "   # comment\n");
          break;
        case 4:
          g_string_append (text, "\r");
          break;
        case 5:
          g_string_append_printf (text, "ftp://f%u.example.net/\n", i);
          break;
        case 6:
          g_string_append_printf (text, "domain%u.example.org.\n", i - 5);
          break;
        case 7:
          g_string_append_printf (text, "  spaced%u.example.com\t\r\n", i);
          break;
        case 8:
          g_string_append_printf (text, "bad host %u\n", i);
          break;
        case 9:
        default:
          g_string_append_printf (text, "\xff%u\n", i);
          break;
        }
    }

  result = fb_list_parse ("big.txt", text->str, text->len);

  /* entries: 1000 URLs + 1000 domains + 676 codes + 1000 domains;
   * rejected: 1000 schemes + 1000 host names + 1000 UTF-8;
   * duplicates: 324 codes + 1000 domains */
  assert_counts (result, 10000, 3676, 3000, 1324);
  assert_entry (result, 0, FB_ENTRY_URL, "http://h0.example.com/", 1);
  assert_entry (result, 1, FB_ENTRY_DOMAIN, "domain1.example.org", 2);
  assert_entry (result, 2, FB_ENTRY_CODE, "AA", 3);
  assert_entry (result, 3, FB_ENTRY_DOMAIN, "spaced7.example.com", 8);
  assert_entry (result, 3675, FB_ENTRY_DOMAIN, "spaced9997.example.com", 9998);
  assert_problem (result, result->rejected, 0, 6, "ftp://f5.example.net/",
                  "big.txt:6: unsupported scheme “ftp”");
  assert_problem (result, result->rejected, 2999, 10000, "\xef\xbf\xbd" "9999",
                  "big.txt:10000: invalid UTF-8");
  assert_problem (result, result->duplicates, 0, 7, "domain1.example.org.",
                  "big.txt:7: duplicate of line 2");
  assert_problem (result, result->duplicates, 1323, 9997, "domain9991.example.org.",
                  "big.txt:9997: duplicate of line 9992");

  /* the first repeated code: line 6763 is "aa" again */
  {
    guint found = 0;

    for (guint i = 0; i < result->duplicates->len; i++)
      {
        const FbListProblem *problem = g_ptr_array_index (result->duplicates, i);

        if (problem->line == 6763)
          {
            CU_ASSERT_STRING_EQUAL (problem->text, "aa");
            CU_ASSERT_STRING_EQUAL (problem->reason, "duplicate of line 3");
            found++;
          }
      }
    CU_ASSERT_EQUAL (found, 1);
  }
}

static gint64
time_parse (const char *data,
            gsize       length)
{
  gint64 best = G_MAXINT64;

  for (guint round = 0; round < 3; round++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(FbListResult) result = fb_list_parse (NULL, data, length);

      best = MIN (best, g_get_monotonic_time () - start);
    }

  return MAX (best, 1);
}

static void
test_list_parse_time_grows_linearly (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gsize small_length = 0;
  gint64 small;
  gint64 large;

  for (guint i = 0; i < 100000; i++)
    {
      if (i == 10000)
        small_length = text->len;
      switch (i % 4)
        {
        case 0:
          g_string_append_printf (text, "http://h%u.example.com/f.gif\n", i);
          break;
        case 1:
          g_string_append_printf (text, "name%u.example\n", i);
          break;
        case 2:
          g_string_append_printf (text, "name%u.example\n", i - 1);
          break;
        case 3:
        default:
          g_string_append_printf (text, "bad line %u\n", i);
          break;
        }
    }

  small = time_parse (text->str, small_length);
  large = time_parse (text->str, text->len);

  /* 10 times the lines: linear is about 10 times the time (a little more
   * as the tables outgrow the caches); quadratic would be 100 */
  if (large >= 30 * small)
    g_printerr ("\n  10000 lines: %" G_GINT64_FORMAT " µs, 100000: %" G_GINT64_FORMAT " µs\n",
                small, large);
  CU_ASSERT (large < 30 * small);
}

static void
test_list_parse_full_reads_the_first_column (void)
{
  g_autoptr(FbListResult) result = fb_list_parse_full ("sites.csv",
                                                       "URL,Name\n"                   /* 1 */
                                                       "http://a.example/x,A\n"       /* 2 */
                                                       "\"http://b.example/a,b\",B\n" /* 3 */
                                                       "example.com;x\n"              /* 4 */
                                                       "br\tBrazil\n"                 /* 5 */
                                                       ",empty first column\n"        /* 6 */
                                                       "# comment,x\n"                /* 7 */
                                                       "\"un\"\"closed\n"             /* 8 */
                                                       "ftp://x.example/,y\n"         /* 9 */
                                                       " \" spaced.example \" ,z\n"   /* 10 */
                                                       "url\r\n",                     /* 11 */
                                                       -1, TRUE);

  assert_counts (result, 11, 6, 2, 0);
  assert_entry (result, 0, FB_ENTRY_URL, "http://a.example/x", 2);
  assert_entry (result, 1, FB_ENTRY_URL, "http://b.example/a,b", 3);
  assert_entry (result, 2, FB_ENTRY_DOMAIN, "example.com", 4);
  assert_entry (result, 3, FB_ENTRY_CODE, "BR", 5);
  assert_entry (result, 4, FB_ENTRY_DOMAIN, "spaced.example", 10);
  /* only the first row can be a column title */
  assert_entry (result, 5, FB_ENTRY_DOMAIN, "url", 11);
  assert_problem (result, result->rejected, 0, 8, "un\"closed",
                  "sites.csv:8: not a host name");
  assert_problem (result, result->rejected, 1, 9, "ftp://x.example/",
                  "sites.csv:9: unsupported scheme “ftp”");
}

static void
test_list_parse_full_keeps_a_first_row_of_data (void)
{
  g_autoptr(FbListResult) result = fb_list_parse_full (NULL,
                                                       "# exported\n\nexample.com,1\ndomain,2\n",
                                                       -1, TRUE);

  assert_counts (result, 4, 2, 0, 0);
  assert_entry (result, 0, FB_ENTRY_DOMAIN, "example.com", 3);
  assert_entry (result, 1, FB_ENTRY_DOMAIN, "domain", 4);
}

static void
test_list_parse_without_first_column_rejects_rows (void)
{
  g_autoptr(FbListResult) result = parse ("example.com,1\nhttp://a.example/x,y\n");

  /* a comma is legal in a URL but not in a host name */
  assert_counts (result, 2, 1, 1, 0);
  assert_entry (result, 0, FB_ENTRY_URL, "http://a.example/x,y", 2);
  assert_problem (result, result->rejected, 0, 1, "example.com,1",
                  "list.txt:1: not a host name");
}

typedef struct
{
  const char  *text;
  gboolean     ok;
  FbEntryKind  kind;
  const char  *expected; /* normalized text, or the reason */
} ClassifyCase;

static void
check_classify_cases (const ClassifyCase *cases,
                      guint               n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    {
      FbEntryKind kind = FB_ENTRY_CODE;
      g_autofree char *normalized = NULL;
      g_autofree char *reason = NULL;
      gboolean ok = fb_list_classify (cases[i].text, &kind, &normalized, &reason);

      if (ok != cases[i].ok)
        g_printerr ("\n  “%s”: %s\n", cases[i].text, ok ? normalized : reason);
      CU_ASSERT_EQUAL (ok, cases[i].ok);
      if (ok)
        {
          CU_ASSERT_EQUAL (kind, cases[i].kind);
          CU_ASSERT_STRING_EQUAL (normalized, cases[i].expected);
          CU_ASSERT_PTR_NULL (reason);
        }
      else
        {
          CU_ASSERT_PTR_NULL (normalized);
          CU_ASSERT_STRING_EQUAL (reason, cases[i].expected);
        }
    }
}

static void
test_list_classify_host_names (void)
{
  g_autofree char *label_63 = g_strnfill (63, 'a');
  g_autofree char *label_64 = g_strnfill (64, 'a');
  g_autofree char *with_63 = g_strdup_printf ("%s.example", label_63);
  g_autofree char *with_64 = g_strdup_printf ("%s.example", label_64);
  g_autofree char *label_61 = g_strnfill (61, 'b');
  g_autofree char *label_62 = g_strnfill (62, 'b');
  /* 3 × 64 + 61 = 253 and 3 × 64 + 62 = 254 characters */
  g_autofree char *host_253 = g_strdup_printf ("%s.%s.%s.%s", label_63, label_63, label_63,
                                               label_61);
  g_autofree char *host_253_dot = g_strdup_printf ("%s.", host_253);
  g_autofree char *host_254 = g_strdup_printf ("%s.%s.%s.%s", label_63, label_63, label_63,
                                               label_62);
  const char *not_host = "not a host name";
  const ClassifyCase cases[] = {
    { "example.com", TRUE, FB_ENTRY_DOMAIN, "example.com" },
    { "EXAMPLE.Com.", TRUE, FB_ENTRY_DOMAIN, "example.com" },
    { "Bücher.de", TRUE, FB_ENTRY_DOMAIN, "xn--bcher-kva.de" },
    { "BÜCHER.DE.", TRUE, FB_ENTRY_DOMAIN, "xn--bcher-kva.de" },
    { "例え。テスト", TRUE, FB_ENTRY_DOMAIN, "xn--r8jz45g.xn--zckzah" },
    { "localhost", TRUE, FB_ENTRY_DOMAIN, "localhost" },
    { "a", TRUE, FB_ENTRY_DOMAIN, "a" },
    { "b1", TRUE, FB_ENTRY_DOMAIN, "b1" },
    { "123.example", TRUE, FB_ENTRY_DOMAIN, "123.example" },
    { "a-b.example", TRUE, FB_ENTRY_DOMAIN, "a-b.example" },
    { "br", TRUE, FB_ENTRY_CODE, "BR" },
    { "bR", TRUE, FB_ENTRY_CODE, "BR" },
    { "ZZ", TRUE, FB_ENTRY_CODE, "ZZ" },
    { "192.0.2.1", TRUE, FB_ENTRY_DOMAIN, "192.0.2.1" },
    { "::1", TRUE, FB_ENTRY_DOMAIN, "::1" },
    { "FE80::1", TRUE, FB_ENTRY_DOMAIN, "fe80::1" },
    { "[2001:DB8::1]", TRUE, FB_ENTRY_DOMAIN, "2001:db8::1" },
    { with_63, TRUE, FB_ENTRY_DOMAIN, with_63 },
    { host_253, TRUE, FB_ENTRY_DOMAIN, host_253 },
    { host_253_dot, TRUE, FB_ENTRY_DOMAIN, host_253 },
    { with_64, FALSE, 0, not_host },
    { host_254, FALSE, 0, not_host },
    { "", FALSE, 0, not_host },
    { ".", FALSE, 0, not_host },
    { "..", FALSE, 0, not_host },
    { ".example", FALSE, 0, not_host },
    { "a..example", FALSE, 0, not_host },
    { "example.com..", FALSE, 0, not_host },
    { "-a.example", FALSE, 0, not_host },
    { "a-.example", FALSE, 0, not_host },
    { "exa_mple.com", FALSE, 0, not_host },
    { "ü_x.de", FALSE, 0, not_host },
    { "ü..de", FALSE, 0, not_host },
    { "exa mple.com", FALSE, 0, not_host },
    { "example.com:8080", FALSE, 0, not_host },
    { "localhost:8080", FALSE, 0, not_host },
    { "www.example.com/path", FALSE, 0, not_host },
    { "user@example.com", FALSE, 0, not_host },
    { "1.2.3", FALSE, 0, not_host },
    { "123", FALSE, 0, not_host },
    { "256.1.1.1", FALSE, 0, not_host },
    { "[192.0.2.1]", FALSE, 0, not_host },
    { "C:\\files\\list", FALSE, 0, not_host },
    { "b", TRUE, FB_ENTRY_DOMAIN, "b" },
    { "abc", TRUE, FB_ENTRY_DOMAIN, "abc" },
    { "caf\xe9", FALSE, 0, "invalid UTF-8" },
  };

  check_classify_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_list_classify_urls (void)
{
  const ClassifyCase cases[] = {
    { "http://example.com", TRUE, FB_ENTRY_URL, "http://example.com" },
    { "HTTPS://Example.com/a?b#c", TRUE, FB_ENTRY_URL, "HTTPS://Example.com/a?b#c" },
    { "hTTp://[::1]:8080/x.gif", TRUE, FB_ENTRY_URL, "hTTp://[::1]:8080/x.gif" },
    { "http://user:pw@example.com/", TRUE, FB_ENTRY_URL, "http://user:pw@example.com/" },
    { "https://bücher.de/ä", TRUE, FB_ENTRY_URL, "https://bücher.de/ä" },
    { "http://", FALSE, 0, "not a valid URL" },
    { "https:///path", FALSE, 0, "not a valid URL" },
    { "http://example.com:99999/", FALSE, 0,
      "not a valid URL: port “99999” is not a number from 1 to 65535" },
    { "http://[::1]:70000?q", FALSE, 0,
      "not a valid URL: port “70000” is not a number from 1 to 65535" },
    { "http://user:a:b@[::1]:70000?q", FALSE, 0,
      "not a valid URL: the port is not a number from 1 to 65535" },
    { "http://example.com:0/", FALSE, 0,
      "not a valid URL: port “0” is not a number from 1 to 65535" },
    { "http://example.com:8o/", FALSE, 0,
      "not a valid URL: port “8o” is not a number from 1 to 65535" },
    { "http://example.com:/a", TRUE, FB_ENTRY_URL, "http://example.com:/a" },
    /* the whole port, not its last part */
    { "http://127.0.0.1:80:90/l", FALSE, 0,
      "not a valid URL: port “80:90” is not a number from 1 to 65535" },
    { "http://[::1]:1:2", FALSE, 0,
      "not a valid URL: port “1:2” is not a number from 1 to 65535" },
    /* what GLib read as a port may be a password: never shown */
    { "http://alice:hunter2?x@127.0.0.1:9/", FALSE, 0,
      "not a valid URL: the port is not a number from 1 to 65535" },
    { "http://alice:s3cr/et@127.0.0.1/", FALSE, 0,
      "not a valid URL: the port is not a number from 1 to 65535" },
    /* a zero-width space would show "99" */
    { "http://127.0.0.1:9\xe2\x80\x8b" "9/", FALSE, 0,
      "not a valid URL: the port is not a number from 1 to 65535" },
    { "http://:99999/n", FALSE, 0, "not a valid URL" },
    { "http://[::1:99999/n", FALSE, 0, "not a valid URL" },
    { "http://example.com/%zz", FALSE, 0, "not a valid URL" },
    { "http://[::1/", FALSE, 0, "not a valid URL" },
    { "http://example.com/\x01", FALSE, 0, "not a valid URL" },
    { "://example.com", FALSE, 0, "not a valid URL" },
    { "http://exa mple.com/", FALSE, 0, "URL contains spaces" },
    { "https://example.com/a\tb", FALSE, 0, "URL contains spaces" },
    { "ftp://example.com/", FALSE, 0, "unsupported scheme “ftp”" },
    { "FTP://example.com/", FALSE, 0, "unsupported scheme “ftp”" },
    { "ftp://a b", FALSE, 0, "unsupported scheme “ftp”" },
    { "file:///etc/passwd", FALSE, 0, "unsupported scheme “file”" },
    { "git+ssh://example.com/r", FALSE, 0, "unsupported scheme “git+ssh”" },
    { "mailto:someone@example.com", FALSE, 0, "unsupported scheme “mailto”" },
    { "javascript:alert(1)", FALSE, 0, "unsupported scheme “javascript”" },
    { "urn:isbn:0451450523", FALSE, 0, "unsupported scheme “urn”" },
    { "data:text/plain,x", FALSE, 0, "unsupported scheme “data”" },
    { "Git+SSH://example.com/r", FALSE, 0, "unsupported scheme “git+ssh”" },
    { "tel:+1234", FALSE, 0, "unsupported scheme “tel”" },
    /* not schemes */
    { "1ab://example.com", FALSE, 0, "not a host name" },
    { "example.com/r?to=http://x", FALSE, 0, "not a host name" },
    { "x:", FALSE, 0, "not a host name" },
  };

  check_classify_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_list_classify_accepts_null_outputs (void)
{
  FbEntryKind kind = FB_ENTRY_URL;

  CU_ASSERT_TRUE (fb_list_classify ("example.com", NULL, NULL, NULL));
  CU_ASSERT_FALSE (fb_list_classify ("ftp://x", NULL, NULL, NULL));
  CU_ASSERT_TRUE (fb_list_classify ("br", &kind, NULL, NULL));
  CU_ASSERT_EQUAL (kind, FB_ENTRY_CODE);
}

static void
test_list_problem_format_names_source_and_line (void)
{
  const char *thirteen_lines = "\n\n\n\n\n\n\n\n\n\n\nok.example\nftp://x/\n";
  g_autoptr(FbListResult) named = fb_list_parse ("list.txt", thirteen_lines, -1);
  g_autoptr(FbListResult) pasted = fb_list_parse (NULL, "a.example\na.example\n", -1);
  g_autofree char *message = NULL;

  assert_problem (named, named->rejected, 0, 13, "ftp://x/",
                  "list.txt:13: unsupported scheme “ftp”");
  CU_ASSERT_STRING_EQUAL (pasted->source, "pasted text");
  message = fb_list_problem_format (pasted, g_ptr_array_index (pasted->duplicates, 0));
  CU_ASSERT_STRING_EQUAL (message, "pasted text:2: duplicate of line 1");
}

/* fb_list_parse_file_async() */

typedef struct
{
  gboolean      done;
  FbListResult *result;
  GError       *error;
} FileWait;

static void
parse_file_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  FileWait *wait = user_data;

  wait->result = fb_list_parse_file_finish (G_FILE (object), result, &wait->error);
  wait->done = TRUE;
}

static void
file_wait_clear (FileWait *wait)
{
  g_clear_pointer (&wait->result, fb_list_result_free);
  g_clear_error (&wait->error);
}

static void
parse_file (GFile        *file,
            GCancellable *cancellable,
            FileWait     *wait)
{
  memset (wait, 0, sizeof *wait);
  fb_list_parse_file_async (file, cancellable, parse_file_cb, wait);
  CU_ASSERT_FALSE (wait->done);
  fb_test_wait_flag (&wait->done, 10);
}

static GFile *
write_file (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
test_list_parse_file_reads_a_temp_file (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autoptr(GFile) file = write_file (dir, "list.txt",
                                      "\xef\xbb\xbf# flags\r\n"
                                      "http://127.0.0.1:8000/flags/br/br.gif\r\n"
                                      "example.com,x\r\n"
                                      "ftp://example.com/\r\n"
                                      "br\r\n"
                                      "BR", -1);
  FileWait wait;

  parse_file (file, NULL, &wait);
  CU_ASSERT_PTR_NULL (wait.error);
  CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
  CU_ASSERT_STRING_EQUAL (wait.result->source, "list.txt");
  assert_counts (wait.result, 6, 2, 2, 1);
  assert_entry (wait.result, 0, FB_ENTRY_URL, "http://127.0.0.1:8000/flags/br/br.gif", 2);
  assert_entry (wait.result, 1, FB_ENTRY_CODE, "BR", 5);
  assert_problem (wait.result, wait.result->rejected, 0, 3, "example.com,x",
                  "list.txt:3: not a host name");
  assert_problem (wait.result, wait.result->rejected, 1, 4, "ftp://example.com/",
                  "list.txt:4: unsupported scheme “ftp”");
  assert_problem (wait.result, wait.result->duplicates, 0, 6, "BR",
                  "list.txt:6: duplicate of line 5");

  file_wait_clear (&wait);
  fb_test_rm_rf (dir);
}

static void
test_list_parse_file_reads_the_first_column_of_csv (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  const char *csv = "domain,comment\nexample.com,x\n\"a.example\",\"y, z\"\n";
  g_autoptr(GFile) upper = write_file (dir, "Sites.CSV", csv, -1);
  g_autoptr(GFile) tsv = write_file (dir, "sites.tsv", "host\tnote\nb.example\tx y\n", -1);
  g_autoptr(GFile) text = write_file (dir, "sites.csv.txt", csv, -1);
  FileWait wait;

  parse_file (upper, NULL, &wait);
  CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
  CU_ASSERT_STRING_EQUAL (wait.result->source, "Sites.CSV");
  assert_counts (wait.result, 3, 2, 0, 0);
  assert_entry (wait.result, 0, FB_ENTRY_DOMAIN, "example.com", 2);
  assert_entry (wait.result, 1, FB_ENTRY_DOMAIN, "a.example", 3);
  file_wait_clear (&wait);

  parse_file (tsv, NULL, &wait);
  CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
  assert_counts (wait.result, 2, 1, 0, 0);
  assert_entry (wait.result, 0, FB_ENTRY_DOMAIN, "b.example", 2);
  file_wait_clear (&wait);

  /* not a .csv name: whole lines */
  parse_file (text, NULL, &wait);
  CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
  assert_counts (wait.result, 3, 0, 3, 0);
  assert_problem (wait.result, wait.result->rejected, 0, 1, "domain,comment",
                  "sites.csv.txt:1: not a host name");
  file_wait_clear (&wait);

  fb_test_rm_rf (dir);
}

static void
test_list_parse_file_honours_a_cancelled_cancellable (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autoptr(GFile) file = write_file (dir, "list.txt", "example.com\n", -1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  FileWait wait;

  g_cancellable_cancel (cancellable);
  parse_file (file, cancellable, &wait);
  CU_ASSERT_TRUE (wait.done);
  CU_ASSERT_PTR_NULL (wait.result);
  CU_ASSERT_TRUE (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));

  file_wait_clear (&wait);
  fb_test_rm_rf (dir);
}

static void
test_list_parse_file_reports_a_missing_file (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "missing.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  FileWait wait;

  parse_file (file, NULL, &wait);
  CU_ASSERT_PTR_NULL (wait.result);
  CU_ASSERT_TRUE (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));

  file_wait_clear (&wait);
  fb_test_rm_rf (dir);
}

static void
test_list_parse_file_refuses_a_huge_file (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "video.mkv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  FileWait wait;
  FILE *stream;

  /* sparse: no disk space used, and the size is refused before reading */
  stream = fopen (path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL (stream);
  CU_ASSERT_EQUAL (ftruncate (fileno (stream), (off_t) FB_LIST_MAX_FILE_SIZE + 1), 0);
  fclose (stream);

  parse_file (file, NULL, &wait);
  CU_ASSERT_PTR_NULL (wait.result);
  CU_ASSERT_TRUE (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_FAILED));
  CU_ASSERT_STRING_EQUAL (wait.error->message,
                          "“video.mkv” is too large for a list (more than 256 MB)");

  file_wait_clear (&wait);
  fb_test_rm_rf (dir);
}

/* Reading @data as the list file @name fails with @message. */
static void
assert_file_refused (const char *dir,
                     const char *name,
                     const char *data,
                     gsize       length,
                     const char *message)
{
  g_autoptr(GFile) file = write_file (dir, name, data, length);
  FileWait wait;

  parse_file (file, NULL, &wait);
  CU_ASSERT_PTR_NULL (wait.result);
  CU_ASSERT_TRUE (g_error_matches (wait.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA));
  CU_ASSERT_STRING_EQUAL (wait.error->message, message);
  file_wait_clear (&wait);
}

/* A binary file dropped or named by mistake is refused as a whole, with the
 * line that gave it away, not reported line by line as invalid UTF-8. */
static void
test_list_parse_file_refuses_a_binary_file (void)
{
  static const char data[] = "example.com\r\n# header\r\n\x89PNG\x00\x01\xff\nmore.example\n";
  g_autofree char *dir = fb_test_make_tmpdir ();

  assert_file_refused (dir, "flag.png", data, sizeof data - 1,
                       "not a text list: line 3 holds a NUL byte "
                       "(a binary file, or text not in UTF-8)");
  fb_test_rm_rf (dir);
}

/* What older Windows Notepad saves as "Unicode": UTF-16 with a byte-order
 * mark, either byte order, is read as the same list. */
static void
test_list_parse_file_reads_utf16 (void)
{
  static const char *const text = "bücher.de\r\nhttp://例子.测试/ä\r\nftp://x\r\n";
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autofree gunichar2 *units = NULL;
  glong n_units = 0;

  units = g_utf8_to_utf16 (text, -1, NULL, &n_units, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL (units);
  for (guint big_endian = 0; big_endian < 2; big_endian++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(GFile) file = NULL;
      guint8 mark[2] = { 0xff, 0xfe };
      FileWait wait;

      if (big_endian)
        mark[0] = 0xfe, mark[1] = 0xff;
      g_byte_array_append (bytes, mark, 2);
      for (glong i = 0; i < n_units; i++)
        {
          guint8 pair[2] = { units[i] & 0xff, units[i] >> 8 };

          if (big_endian)
            pair[0] = units[i] >> 8, pair[1] = units[i] & 0xff;
          g_byte_array_append (bytes, pair, 2);
        }
      file = write_file (dir, big_endian ? "be.txt" : "le.txt",
                         (const char *) bytes->data, bytes->len);
      parse_file (file, NULL, &wait);
      CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
      assert_counts (wait.result, 3, 2, 1, 0);
      assert_entry (wait.result, 0, FB_ENTRY_DOMAIN, "xn--bcher-kva.de", 1);
      assert_entry (wait.result, 1, FB_ENTRY_URL, "http://例子.测试/ä", 2);
      file_wait_clear (&wait);
    }

  {
    /* What is not UTF-16 is one line's problem, as invalid UTF-8 is: a lone
     * surrogate on line 2, another in the comment of line 3 (skipped), an
     * odd last byte on line 4. */
    static const char broken[] = "\xff\xfe" "a\0\n\0" "\x00\xd8" "b\0\n\0"
                                 "#\0 \0\x00\xdc\n\0" "c\0" "x";
    g_autoptr(GFile) file = write_file (dir, "broken.txt", broken, sizeof broken - 1);
    FileWait wait;
    const FbListProblem *problem;

    parse_file (file, NULL, &wait);
    CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
    assert_counts (wait.result, 4, 1, 2, 0);
    assert_entry (wait.result, 0, FB_ENTRY_DOMAIN, "a", 1);
    problem = g_ptr_array_index (wait.result->rejected, 0);
    CU_ASSERT_EQUAL (problem->line, 2);
    CU_ASSERT_STRING_EQUAL (problem->reason, "invalid UTF-8");
    problem = g_ptr_array_index (wait.result->rejected, 1);
    CU_ASSERT_EQUAL (problem->line, 4);
    file_wait_clear (&wait);
  }
  {
    /* a NUL unit on the second line: refused, not cut there */
    static const char nul[] = "\xff\xfe" "a\0\n\0" "b\0\0\0" "c\0";

    assert_file_refused (dir, "nul.txt", nul, sizeof nul - 1,
                         "not a text list: line 2 holds a NUL character");
  }
  fb_test_rm_rf (dir);
}

static void
test_list_parse_file_reads_across_chunks (void)
{
  g_autofree char *dir = fb_test_make_tmpdir ();
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autoptr(GFile) file = NULL;
  FileWait wait;

  /* several read chunks, a line across each chunk boundary */
  for (guint i = 0; i < 60000; i++)
    g_string_append_printf (contents, "host%u.example\n", i);
  file = write_file (dir, "many.txt", contents->str, contents->len);

  parse_file (file, NULL, &wait);
  CU_ASSERT_PTR_NOT_NULL_FATAL (wait.result);
  assert_counts (wait.result, 60000, 60000, 0, 0);
  assert_entry (wait.result, 59999, FB_ENTRY_DOMAIN, "host59999.example", 60000);

  file_wait_clear (&wait);
  fb_test_rm_rf (dir);
}

/* A million rejected lines cost their text once and their reason once. */
static void
test_list_parse_problems_share_reasons (void)
{
  g_autoptr(FbListResult) result = parse ("ftp://a/1\nftp://a/2\nhttp://x/y\nhttp://x/y\n"
                                          "http://x/y\ngopher://b\n");
  const FbListProblem *first;
  const FbListProblem *second;

  assert_counts (result, 6, 1, 3, 2);
  first = g_ptr_array_index (result->rejected, 0);
  second = g_ptr_array_index (result->rejected, 1);
  CU_ASSERT_STRING_EQUAL (first->reason, "unsupported scheme “ftp”");
  CU_ASSERT_PTR_EQUAL (first->reason, second->reason);
  CU_ASSERT_STRING_EQUAL (first->text, "ftp://a/1");
  CU_ASSERT_STRING_EQUAL (second->text, "ftp://a/2");
  first = g_ptr_array_index (result->duplicates, 0);
  second = g_ptr_array_index (result->duplicates, 1);
  CU_ASSERT_STRING_EQUAL (first->reason, "duplicate of line 3");
  CU_ASSERT_PTR_EQUAL (first->reason, second->reason);
  CU_ASSERT_EQUAL (second->line, 5);
  second = g_ptr_array_index (result->rejected, 2);
  CU_ASSERT_STRING_EQUAL (second->reason, "unsupported scheme “gopher”");
  CU_ASSERT_EQUAL (second->line, 6);
}

/* Many entries and problems fill several of the result's blocks. */
static void
test_list_parse_many_lines (void)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(FbListResult) result = NULL;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "n%u.example\nftp://h/%u\n", i, i);
  result = parse (text->str);
  assert_counts (result, 40000, 20000, 20000, 0);
  assert_entry (result, 19999, FB_ENTRY_DOMAIN, "n19999.example", 39999);
  assert_problem (result, result->rejected, 19999, 40000, "ftp://h/19999",
                  "list.txt:40000: unsupported scheme “ftp”");
}

int
main (int    argc,
      char **argv)
{
  static const FbTestCase tests[] = {
    FB_TEST (test_list_parse_detects_each_kind),
    FB_TEST (test_list_parse_skips_comments_and_blank_lines),
    FB_TEST (test_list_parse_strips_comments_after_white_space),
    FB_TEST (test_list_parse_handles_crlf_and_lone_cr),
    FB_TEST (test_list_parse_strips_bom_only_at_start),
    FB_TEST (test_list_parse_counts_lines),
    FB_TEST (test_list_parse_reports_every_rejection_with_its_line),
    FB_TEST (test_list_parse_rejects_lines_longer_than_the_limit),
    FB_TEST (test_list_parse_rejects_invalid_utf8),
    FB_TEST (test_list_parse_reports_duplicates_with_the_first_line),
    FB_TEST (test_list_parse_keeps_kinds_apart_for_duplicates),
    FB_TEST (test_list_parse_shortens_problem_text),
    FB_TEST (test_list_parse_counts_ten_thousand_lines),
    FB_TEST (test_list_parse_time_grows_linearly),
    FB_TEST (test_list_parse_full_reads_the_first_column),
    FB_TEST (test_list_parse_full_keeps_a_first_row_of_data),
    FB_TEST (test_list_parse_without_first_column_rejects_rows),
    FB_TEST (test_list_classify_host_names),
    FB_TEST (test_list_classify_urls),
    FB_TEST (test_list_classify_accepts_null_outputs),
    FB_TEST (test_list_problem_format_names_source_and_line),
    FB_TEST (test_list_parse_file_reads_a_temp_file),
    FB_TEST (test_list_parse_file_reads_the_first_column_of_csv),
    FB_TEST (test_list_parse_file_honours_a_cancelled_cancellable),
    FB_TEST (test_list_parse_file_reports_a_missing_file),
    FB_TEST (test_list_parse_file_refuses_a_huge_file),
    FB_TEST (test_list_parse_file_refuses_a_binary_file),
    FB_TEST (test_list_parse_file_reads_utf16),
    FB_TEST (test_list_parse_file_reads_across_chunks),
    FB_TEST (test_list_parse_problems_share_reasons),
    FB_TEST (test_list_parse_many_lines),
    { NULL, NULL },
  };

  return fb_test_main (argc, argv, "list-parser", tests);
}
