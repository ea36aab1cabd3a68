/* fb-cli-format.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-cli"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "fb-countries.h"
#include "fb-cli.h"
#include "fb-url.h"

#define N_LETTERS 26

static int
code_index (const char *code)
{
  char a = g_ascii_toupper (code[0]);
  char b = a != '\0' ? g_ascii_toupper (code[1]) : '\0';

  if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z' || code[2] != '\0')
    return -1;
  return (a - 'A') * N_LETTERS + (b - 'A');
}

GStrv
fb_cli_expand_codes (gboolean             every,
                     gboolean             all,
                     const char * const  *args,
                     guint                limit,
                     GError             **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean wanted[N_LETTERS * N_LETTERS] = { FALSE, };
  guint n = 0;

  /* Bad arguments are usage errors even when -a or -e makes them moot. */
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      const char *arg = args[i];
      char first = g_ascii_toupper (arg[0]);

      if (first >= 'A' && first <= 'Z' && arg[1] == '\0')
        {
          if (!every && !all)
            for (guint j = 0; j < N_LETTERS; j++)
              wanted[(first - 'A') * N_LETTERS + j] = TRUE;
        }
      else if (code_index (arg) >= 0)
        {
          if (!every && !all)
            wanted[code_index (arg)] = TRUE;
        }
      else
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               _("each CC argument must be A to Z or AA to ZZ."));
          return NULL;
        }
    }

  if (every)
    {
      for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
        wanted[i] = TRUE;
    }
  else if (all)
    {
      const char * const *book = fb_countries_book_codes ();

      for (guint i = 0; book[i] != NULL; i++)
        wanted[code_index (book[i])] = TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (wanted) && (limit == 0 || n < limit); i++)
    {
      char code[3] = { 'A' + i / N_LETTERS, 'A' + i % N_LETTERS, '\0' };

      if (!wanted[i])
        continue;
      g_strv_builder_add (builder, code);
      n++;
    }

  if (n == 0)
    {
      const char * const *populous = fb_countries_most_populous ();

      for (guint i = 0; populous[i] != NULL && (limit == 0 || i < limit); i++)
        g_strv_builder_add (builder, populous[i]);
    }

  return g_strv_builder_end (builder);
}

const char *
fb_cli_server_for_label (const char *label)
{
  static const struct { const char *label; const char *url; } servers[] = {
    { "REMOTE", "https://www.fluentpython.com/data/flags" },
    { "LOCAL", "http://localhost:8000/flags" },
    { "DELAY", "http://localhost:8001/flags" },
    { "ERROR", "http://localhost:8002/flags" },
  };

  g_return_val_if_fail (label != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    if (g_ascii_strcasecmp (label, servers[i].label) == 0)
      return servers[i].url;
  return NULL;
}

gboolean
fb_cli_url_is_local (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  const char *host;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
fb_cli_format_search (const char * const *codes)
{
  guint n;

  g_return_val_if_fail (codes != NULL && codes[0] != NULL, NULL);

  n = g_strv_length ((char **) codes);
  if (n <= FB_CLI_MAX_LISTED_CODES)
    {
      g_autofree char *listed = g_strjoinv (" ", (char **) codes);

      /* Translators: %u is a count, %s the codes, e.g. "BR CN US" */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Searching for %u flag: %s",
                                           "Searching for %u flags: %s", n),
                              n, listed);
    }

  /* Translators: %u is a count, then the first and the last code */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Searching for %u flag: from %s to %s",
                                       "Searching for %u flags: from %s to %s", n),
                          n, codes[0], codes[n - 1]);
}

char *
fb_cli_format_connections (guint n)
{
  if (n == 1)
    return g_strdup (_("1 connection will be used."));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u concurrent connection will be used.",
                                       "%u concurrent connections will be used.", n),
                          n);
}

static void
append_count (GString    *text,
              const char *format,
              guint       n)
{
  g_string_append_printf (text, format, n);
  g_string_append_c (text, '\n');
}

char *
fb_cli_format_summary (FbCliCommand command,
                       guint        n_ok,
                       guint        n_not_found,
                       guint        n_error,
                       guint        n_cancelled,
                       gint64       elapsed_us)
{
  g_autoptr(GString) text = g_string_new (NULL);

  /* Counts are right-aligned to three columns, as in the book. */
  switch (command)
    {
    case FB_CLI_COMMAND_FLAGS:
      append_count (text, g_dngettext (GETTEXT_PACKAGE, "%3u flag downloaded.",
                                       "%3u flags downloaded.", n_ok), n_ok);
      break;
    case FB_CLI_COMMAND_PROBE:
      append_count (text, g_dngettext (GETTEXT_PACKAGE, "%3u name found.",
                                       "%3u names found.", n_ok), n_ok);
      break;
    case FB_CLI_COMMAND_DOWNLOAD:
    case FB_CLI_COMMAND_SERVE:
    case FB_CLI_COMMAND_FIND:
    case FB_CLI_COMMAND_HISTORY:
    case FB_CLI_COMMAND_EXPORT:
    default:
      append_count (text, g_dngettext (GETTEXT_PACKAGE, "%3u file downloaded.",
                                       "%3u files downloaded.", n_ok), n_ok);
      break;
    }
  if (n_not_found > 0)
    append_count (text, g_dngettext (GETTEXT_PACKAGE, "%3u not found.",
                                     "%3u not found.", n_not_found), n_not_found);
  if (n_error > 0)
    append_count (text, g_dngettext (GETTEXT_PACKAGE, "%3u error.",
                                     "%3u errors.", n_error), n_error);
  if (n_cancelled > 0)
    append_count (text, g_dngettext (GETTEXT_PACKAGE, "%3u cancelled.",
                                     "%3u cancelled.", n_cancelled), n_cancelled);
  g_string_append_printf (text, _("Elapsed time: %.2fs"), elapsed_us / (double) G_USEC_PER_SEC);
  g_string_append_c (text, '\n');

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
state_label (FbJobState state)
{
  switch (state)
    {
    case FB_JOB_STATE_OK:
      return _("OK");
    case FB_JOB_STATE_NOT_FOUND:
      return _("not found");
    case FB_JOB_STATE_ERROR:
      return _("error");
    case FB_JOB_STATE_CANCELLED:
      return _("cancelled");
    case FB_JOB_STATE_PENDING:
    default:
      return _("pending");
    }
}

char *
fb_cli_format_job (FbJob *job)
{
  g_autofree char *input = NULL;
  const char *message;

  g_return_val_if_fail (FB_IS_JOB (job), NULL);

  input = fb_url_for_display (fb_job_get_input (job));
  message = fb_job_get_message (job);
  if (message == NULL || message[0] == '\0')
    return g_strdup_printf ("%s %s", input, state_label (fb_job_get_state (job)));
  return g_strdup_printf ("%s %s: %s", input, state_label (fb_job_get_state (job)), message);
}

char *
fb_cli_format_retry (FbJob *job,
                     guint  index)
{
  g_autofree char *retry = NULL;

  g_return_val_if_fail (FB_IS_JOB (job), NULL);
  g_return_val_if_fail (index < fb_job_get_n_retries (job), NULL);

  retry = fb_job_retry_to_string (fb_job_get_retry (job, index));
  return g_strdup_printf ("%s %s", fb_job_get_input (job), retry);
}

static char *
format_duration (gint64 us)
{
  if (us < 1000 * 1000)
    /* Translators: a duration in milliseconds */
    return g_strdup_printf (_("%.1f ms"), us / 1000.0);
  /* Translators: a duration in seconds */
  return g_strdup_printf (_("%.2f s"), us / (double) G_USEC_PER_SEC);
}

char *
fb_cli_format_probe (FbJob    *job,
                     gboolean  verbose)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *duration = NULL;
  const char *addresses;

  g_return_val_if_fail (FB_IS_JOB (job), NULL);

  /* The book's blogdom: "+ name" when it resolves, two spaces when not. */
  g_string_append (line, fb_job_get_state (job) == FB_JOB_STATE_OK ? "+ " : "  ");
  g_string_append (line, fb_job_get_input (job));
  if (!verbose)
    return g_string_free (g_steal_pointer (&line), FALSE);

  addresses = fb_job_get_addresses (job);
  if (fb_job_get_state (job) == FB_JOB_STATE_OK && addresses != NULL && addresses[0] != '\0')
    g_string_append_printf (line, "  %s", addresses);
  duration = format_duration (fb_job_get_elapsed (job));
  g_string_append_printf (line, "  (%s)", duration);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

const char *
fb_cli_state_to_string (FbJobState state)
{
  switch (state)
    {
    case FB_JOB_STATE_OK:
      return "ok";
    case FB_JOB_STATE_NOT_FOUND:
      return "not-found";
    case FB_JOB_STATE_ERROR:
      return "error";
    case FB_JOB_STATE_CANCELLED:
      return "cancelled";
    case FB_JOB_STATE_PENDING:
    default:
      return "pending";
    }
}

const char *
fb_cli_kind_to_string (FbJobKind kind)
{
  switch (kind)
    {
    case FB_JOB_KIND_PROBE:
      return "probe";
    case FB_JOB_KIND_DOWNLOAD:
      return "download";
    case FB_JOB_KIND_CATALOG:
      return "catalog";
    default:
      return "unknown";
    }
}

static char *
builder_to_line (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* A job's line is written directly, not through a JsonBuilder: one line a
 * job at 10,000 jobs a second made the builder's nodes and the generator a
 * tenth of the probe's CPU. The output is json-glib's (checked against it in
 * test-cli): the same member order, doubles through g_ascii_dtostr with ".0"
 * added to whole numbers, strings as UTF-8 with control characters escaped. */
static void
append_json_escape (GString *out,
                    guchar   c)
{
  switch (c)
    {
    case '"':
      g_string_append (out, "\\\"");
      break;
    case '\\':
      g_string_append (out, "\\\\");
      break;
    case '\b':
      g_string_append (out, "\\b");
      break;
    case '\f':
      g_string_append (out, "\\f");
      break;
    case '\n':
      g_string_append (out, "\\n");
      break;
    case '\r':
      g_string_append (out, "\\r");
      break;
    case '\t':
      g_string_append (out, "\\t");
      break;
    default:
      g_string_append_printf (out, "\\u%04x", c);
      break;
    }
}

/* @len bytes of @value, or up to its end when -1. */
static void
append_json_string_len (GString    *out,
                        const char *value,
                        gssize      len)
{
  const guchar *end;

  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  end = (const guchar *) value + (len < 0 ? strlen (value) : (gsize) len);
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) value; p < end; p++)
    {
      const guchar *plain = p;

      /* A run of bytes that need no escape goes in at once. */
      while (p < end && *p >= 0x20 && *p != 0x7f && *p != '"' && *p != '\\')
        p++;
      if (p > plain)
        g_string_append_len (out, (const char *) plain, p - plain);
      if (p == end)
        break;
      append_json_escape (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_json_string (GString    *out,
                    const char *value)
{
  append_json_string_len (out, value, -1);
}

static void
append_member_text (GString    *out,
                    const char *text,
                    gsize       len)
{
  if (out->len > 1)
    g_string_append_c (out, ',');
  g_string_append_len (out, text, len);
}

/* "NAME": (after a comma, but for the first), NAME a literal: its length
 * known here, not measured for each line. */
#define append_member(out, name) \
  append_member_text ((out), "\"" name "\":", sizeof ("\"" name "\":") - 1)

/* As "%" G_GUINT64_FORMAT, without printf's work for each number. */
static void
append_uint (GString *out,
             guint64  value)
{
  char digits[24];
  guint n = 0;

  do
    {
      digits[n++] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

#ifdef __SIZEOF_INT128__
/* "%.17g" of @value for 1e-4 <= value < 1e15; FALSE when it cannot tell. */
static gboolean
format_g17 (char   *buffer,
            double  value)
{
  static const guint64 ten16 = G_GUINT64_CONSTANT (10000000000000000);
  /* 5^0 to 5^27 (the largest below 2^64). */
  static const guint64 powers_of_5[] = {
    G_GUINT64_CONSTANT (1), G_GUINT64_CONSTANT (5),
    G_GUINT64_CONSTANT (25), G_GUINT64_CONSTANT (125),
    G_GUINT64_CONSTANT (625), G_GUINT64_CONSTANT (3125),
    G_GUINT64_CONSTANT (15625), G_GUINT64_CONSTANT (78125),
    G_GUINT64_CONSTANT (390625), G_GUINT64_CONSTANT (1953125),
    G_GUINT64_CONSTANT (9765625), G_GUINT64_CONSTANT (48828125),
    G_GUINT64_CONSTANT (244140625), G_GUINT64_CONSTANT (1220703125),
    G_GUINT64_CONSTANT (6103515625), G_GUINT64_CONSTANT (30517578125),
    G_GUINT64_CONSTANT (152587890625), G_GUINT64_CONSTANT (762939453125),
    G_GUINT64_CONSTANT (3814697265625), G_GUINT64_CONSTANT (19073486328125),
    G_GUINT64_CONSTANT (95367431640625), G_GUINT64_CONSTANT (476837158203125),
    G_GUINT64_CONSTANT (2384185791015625), G_GUINT64_CONSTANT (11920928955078125),
    G_GUINT64_CONSTANT (59604644775390625), G_GUINT64_CONSTANT (298023223876953125),
    G_GUINT64_CONSTANT (1490116119384765625), G_GUINT64_CONSTANT (7450580596923828125)
  };
  guint64 n = 0;
  char digits[17];
  int exponent;
  double fraction = frexp (value, &exponent);
  /* value = m * 2^e exactly, m an integer of 53 bits. */
  guint64 m = (guint64) ldexp (fraction, 53);
  int e = exponent - 53;
  /* n = value * 10^(16 - x), rounded, with 10^16 <= n < 10^17. x starts
   * from the binary exponent (value >= 2^(exponent - 1), and 78913 / 2^18
   * is log10 (2) a little low): at most one below, then corrected. */
  int x = ((exponent - 1) * 78913) >> 18;
  gboolean found = FALSE;
  char *p = buffer;

  for (int tries = 0; tries < 3 && !found; tries++)
    {
      int k = 16 - x;
      int shift = -(e + k);
      unsigned __int128 product = m;
      unsigned __int128 rest;
      unsigned __int128 half;

      if (k < 0 || k >= (int) G_N_ELEMENTS (powers_of_5) || shift <= 0 || shift >= 127)
        return FALSE;
      product *= powers_of_5[k];
      n = (guint64) (product >> shift);
      rest = product - ((unsigned __int128) n << shift);
      half = (unsigned __int128) 1 << (shift - 1);
      if (rest > half || (rest == half && (n & 1) != 0))
        n++;
      if (n >= 10 * ten16)
        x++;
      else if (n < ten16)
        x--;
      else
        found = TRUE;
    }
  if (!found || x < -4 || x > 16)
    return FALSE;

  for (int i = 16; i >= 0; i--)
    {
      digits[i] = (char) ('0' + n % 10);
      n /= 10;
    }
  if (x >= 0)
    {
      int last = 16;

      memcpy (p, digits, x + 1);
      p += x + 1;
      while (last > x && digits[last] == '0')
        last--;
      if (last > x)
        {
          *p++ = '.';
          memcpy (p, digits + x + 1, last - x);
          p += last - x;
        }
    }
  else
    {
      int last = 16;

      while (digits[last] == '0')
        last--;
      *p++ = '0';
      *p++ = '.';
      for (int i = 0; i < -x - 1; i++)
        *p++ = '0';
      memcpy (p, digits, last + 1);
      p += last + 1;
    }
  *p = '\0';
  return TRUE;
}
#endif

/* Writes what g_ascii_dtostr (that is, printf's "%.17g" with a '.') writes
 * for @value, byte for byte (test-cli compares them over 1.4 million
 * values), without printf for the values a job's line holds: 1e-4 to 1e15,
 * where "%.17g" is the 17 significant digits of the double's exact value,
 * rounded half to even, in fixed notation without trailing zeros. The
 * line's elapsed time through printf was 7 % of the main thread's time in
 * a probe of 10,000 names. Others go to g_ascii_dtostr. */
void
fb_cli_format_double (char   buffer[G_ASCII_DTOSTR_BUF_SIZE],
                      double value)
{
#ifdef __SIZEOF_INT128__
  if (value >= 1e-4 && value < 1e15 && format_g17 (buffer, value))
    return;
#endif
  g_ascii_dtostr (buffer, G_ASCII_DTOSTR_BUF_SIZE, value);
}

static void
append_json_double (GString *out,
                    double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  fb_cli_format_double (buffer, value);
  g_string_append (out, buffer);
  if (strchr (buffer, '.') == NULL)
    g_string_append (out, ".0");
}

char *
fb_cli_job_to_json (FbJob *job)
{
  GString *out;
  g_autofree char *input = NULL;

  g_return_val_if_fail (FB_IS_JOB (job), NULL);

  out = g_string_sized_new (256);
  input = fb_url_for_display (fb_job_get_input (job));
  g_string_append_c (out, '{');
  append_member (out, "input");
  append_json_string (out, input);
  append_member (out, "kind");
  append_json_string (out, fb_cli_kind_to_string (fb_job_get_kind (job)));
  append_member (out, "state");
  append_json_string (out, fb_cli_state_to_string (fb_job_get_state (job)));
  append_member (out, "message");
  append_json_string (out, fb_job_get_message (job));
  append_member (out, "path");
  append_json_string (out, fb_job_get_saved_path (job));
  append_member (out, "bytes");
  append_uint (out, fb_job_get_bytes_received (job));
  append_member (out, "elapsed");
  append_json_double (out, fb_job_get_elapsed (job) / (double) G_USEC_PER_SEC);

  if (fb_job_get_http_status (job) != 0)
    {
      append_member (out, "status");
      append_uint (out, fb_job_get_http_status (job));
    }

  switch (fb_job_get_kind (job))
    {
    case FB_JOB_KIND_PROBE:
      {
        const char *addresses = fb_job_get_addresses (job);
        gboolean first = TRUE;

        append_member (out, "addresses");
        g_string_append_c (out, '[');
        /* "a, b": each address, trimmed, empty ones left out. */
        for (const char *p = addresses != NULL ? addresses : ""; *p != '\0';)
          {
            const char *end = strchr (p, ',');
            const char *stop = end != NULL ? end : p + strlen (p);
            const char *next = end != NULL ? end + 1 : stop;
            const char *start = p;

            /* As g_strstrip, in place. */
            while (start < stop && g_ascii_isspace (*start))
              start++;
            while (stop > start && g_ascii_isspace (stop[-1]))
              stop--;
            if (stop > start)
              {
                if (!first)
                  g_string_append_c (out, ',');
                first = FALSE;
                append_json_string_len (out, start, stop - start);
              }
            p = next;
          }
        g_string_append_c (out, ']');
      }
      break;
    case FB_JOB_KIND_CATALOG:
      append_member (out, "country");
      append_json_string (out, fb_job_get_country (job));
      break;
    case FB_JOB_KIND_DOWNLOAD:
    default:
      break;
    }

  if (fb_job_get_n_retries (job) > 0)
    {
      append_member (out, "retries");
      g_string_append_c (out, '[');
      for (guint i = 0; i < fb_job_get_n_retries (job); i++)
        {
          const FbJobRetry *retry = fb_job_get_retry (job, i);

          g_string_append_printf (out, "%s{\"number\":%u,\"of\":%u,\"wait\":",
                                  i > 0 ? "," : "", retry->number, retry->max);
          append_json_double (out, retry->wait);
          g_string_append (out, ",\"reason\":");
          append_json_string (out, retry->reason);
          g_string_append_c (out, '}');
        }
      g_string_append_c (out, ']');
    }

  if (fb_job_get_source (job) != NULL)
    {
      append_member (out, "source");
      append_json_string (out, fb_job_get_source (job));
      append_member (out, "line");
      append_uint (out, fb_job_get_source_line (job));
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static void
add_count (JsonBuilder *builder,
           const char  *name,
           guint        value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

char *
fb_cli_summary_to_json (FbRun *run,
                        guint  n_rejected)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (FB_IS_RUN (run), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "summary");
  json_builder_add_boolean_value (builder, TRUE);
  add_count (builder, "total", fb_run_get_total (run));
  add_count (builder, "ok", fb_run_get_n_ok (run));
  add_count (builder, "not_found", fb_run_get_n_not_found (run));
  add_count (builder, "error", fb_run_get_n_error (run));
  add_count (builder, "cancelled", fb_run_get_n_cancelled (run));
  add_count (builder, "rejected", n_rejected);
  json_builder_set_member_name (builder, "elapsed");
  json_builder_add_double_value (builder, fb_run_get_elapsed (run) / (double) G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "bytes");
  json_builder_add_int_value (builder, (gint64) fb_run_get_bytes_received (run));
  json_builder_end_object (builder);

  return builder_to_line (builder);
}
