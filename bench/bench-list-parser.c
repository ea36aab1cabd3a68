/* bench-list-parser.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Times fb_list_parse() on generated lists of 10^4, 10^5, … lines up to N
 * (the first argument, 1,000,000 by default), so that linear growth shows
 * as a constant ns/line. The lines mix URLs, domains (some IDN), country
 * codes, comments, blank lines, CRLF, duplicates and rejected lines.
 */

#include "config.h"

#include <gio/gio.h>
#include <stdlib.h>

#include "fb-list-parser.h"

#define N_ROUNDS 3

static void
append_line (GString *out,
             guint    i)
{
  switch (i % 20)
    {
    case 0: case 1: case 2: case 3: case 4: case 5:
      g_string_append_printf (out, "http://host%u.example.com/flags/%u.gif\n", i / 20, i);
      break;
    case 6: case 7: case 8: case 9: case 10:
      g_string_append_printf (out, "name%u.example.org\n", i);
      break;
    case 11:
      g_string_append_printf (out, "%c%c\n", 'a' + (i / 20) % 26, 'a' + (i / 520) % 26);
      break;
    case 12:
      g_string_append_printf (out, "   # comment %u\n", i);
      break;
    case 13:
      g_string_append (out, "\n");
      break;
    case 14:
      g_string_append_printf (out, "ftp://files%u.example.net/x\n", i);
      break;
    case 15:
      g_string_append_printf (out, "not a host %u\n", i);
      break;
    case 16:
      g_string_append_printf (out, "bücher%u.de\n", i);
      break;
    case 17:
      /* the same as the domain ten lines up */
      g_string_append_printf (out, "NAME%u.example.org.\n", i - 10);
      break;
    case 18:
      g_string_append_printf (out, "  spaced%u.example.com  \r\n", i);
      break;
    case 19:
    default:
      g_string_append_printf (out, "https://cdn.example.com/%u?size=large#top\n", i);
      break;
    }
}

int
main (int    argc,
      char **argv)
{
  guint64 max_lines = 1000000;
  g_autoptr(GString) data = NULL;
  g_autofree gsize *offsets = NULL;
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  double first_ns_per_line = 0;

  if (argc > 1)
    {
      g_autoptr(GError) error = NULL;

      if (!g_ascii_string_to_unsigned (argv[1], 10, 1, 100000000, &max_lines, &error))
        {
          g_printerr ("usage: %s [LINES]: %s\n", argv[0], error->message);
          return 2;
        }
    }

  for (guint n = 10000; n < max_lines; n *= 10)
    g_array_append_val (sizes, n);
  {
    guint n = (guint) max_lines;

    g_array_append_val (sizes, n);
  }

  /* offsets[n] = bytes taken by the first n lines */
  data = g_string_sized_new (max_lines * 36);
  offsets = g_new (gsize, max_lines + 1);
  for (guint i = 0; i < max_lines; i++)
    {
      offsets[i] = data->len;
      append_line (data, i);
    }
  offsets[max_lines] = data->len;

  g_print ("bench-list-parser: up to %" G_GUINT64_FORMAT " lines (%.1f MB), best of %d rounds\n",
           max_lines, data->len / 1e6, N_ROUNDS);
  g_print ("%10s %9s %9s %10s %10s %12s %9s\n",
           "lines", "entries", "rejected", "duplicates", "time ms", "lines/s", "ns/line");

  for (guint s = 0; s < sizes->len; s++)
    {
      guint n = g_array_index (sizes, guint, s);
      gint64 best = G_MAXINT64;
      guint n_entries = 0, n_rejected = 0, n_duplicates = 0;
      double ns_per_line;

      for (guint round = 0; round < N_ROUNDS; round++)
        {
          gint64 start = g_get_monotonic_time ();
          g_autoptr(FbListResult) result = fb_list_parse ("bench", data->str, offsets[n]);
          gint64 elapsed = g_get_monotonic_time () - start;

          if (result->n_lines != n)
            {
              g_printerr ("parsed %u lines, expected %u\n", result->n_lines, n);
              return 1;
            }
          best = MIN (best, elapsed);
          n_entries = result->entries->len;
          n_rejected = result->rejected->len;
          n_duplicates = result->duplicates->len;
        }

      best = MAX (best, 1);
      ns_per_line = best * 1000.0 / n;
      if (s == 0)
        first_ns_per_line = ns_per_line;
      g_print ("%10u %9u %9u %10u %10.1f %12.0f %9.0f\n",
               n, n_entries, n_rejected, n_duplicates, best / 1000.0,
               n * 1e6 / best, ns_per_line);
      if (s == sizes->len - 1 && s > 0)
        g_print ("ns/line at %u lines / ns/line at %u lines: %.2f (1.00 = linear)\n",
                 n, g_array_index (sizes, guint, 0), ns_per_line / first_ns_per_line);
    }

  return 0;
}
