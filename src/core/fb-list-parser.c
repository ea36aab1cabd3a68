/* fb-list-parser.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-list-parser"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-list-parser.h"
#include "fb-url.h"

#define DISPLAY_MAX_CHARS 80
#define MAX_HOST_LENGTH 253
#define MAX_LABEL_LENGTH 63
#define CANCEL_CHECK_LINES 4096
#define READ_CHUNK (256 * 1024)

static const char *const csv_titles[] = {
  "address", "cc", "code", "codes", "country", "country code", "country_code",
  "domain", "domain name", "domains", "entry", "host", "host name", "hostname",
  "hostnames", "hosts", "iso", "iso_cc", "link", "links", "name", "site",
  "sites", "uri", "url", "urls", "website", "websites",
};

#define ARENA_BLOCK (64 * 1024)

/* Entries and problems live in blocks owned by their result, and their texts
 * in its string chunk (reasons once each): a list of a million lines costs
 * about 40 bytes a line plus its text, not three mallocs. */
static gpointer
result_alloc (FbListResult *result,
              gsize         size)
{
  gpointer block;

  size = (size + 7) & ~(gsize) 7;
  if (result->arena->len == 0 || result->arena_used + size > ARENA_BLOCK)
    {
      g_ptr_array_add (result->arena, g_malloc (ARENA_BLOCK));
      result->arena_used = 0;
    }
  block = g_ptr_array_index (result->arena, result->arena->len - 1);
  result->arena_used += size;
  return memset ((char *) block + result->arena_used - size, 0, size);
}

void
fb_list_result_free (FbListResult *result)
{
  if (result == NULL)
    return;

  g_free (result->source);
  g_clear_pointer (&result->entries, g_ptr_array_unref);
  g_clear_pointer (&result->rejected, g_ptr_array_unref);
  g_clear_pointer (&result->duplicates, g_ptr_array_unref);
  g_clear_pointer (&result->arena, g_ptr_array_unref);
  g_clear_pointer (&result->strings, g_string_chunk_free);
  g_free (result);
}

/* Valid UTF-8 without control characters, at most DISPLAY_MAX_CHARS
 * characters ("…" included), from any bytes. */
static char *
display_text (const char *text,
              gsize       length)
{
  g_autofree char *valid = NULL;
  const char *end;
  const char *p;
  GString *out;
  guint n_chars = 0;

  /* A longer prefix cannot be needed: no character is longer than 4 bytes. */
  length = MIN (length, 4 * (DISPLAY_MAX_CHARS + 1));
  if (!g_utf8_validate_len (text, length, NULL))
    {
      text = valid = g_utf8_make_valid (text, length);
      length = strlen (valid);
    }
  end = text + length;

  out = g_string_sized_new (length + 3);
  for (p = text; p < end && n_chars < DISPLAY_MAX_CHARS; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\t')
        g_string_append_c (out, ' ');
      else if (c < 0x20 || c == 0x7f)
        g_string_append (out, "\xef\xbf\xbd"); /* U+FFFD */
      else
        g_string_append_c (out, (char) c);

      /* a character ends where the next one starts */
      if (p + 1 == end || (((guchar) p[1]) & 0xc0) != 0x80)
        n_chars++;
    }

  if (p < end)
    {
      /* more than DISPLAY_MAX_CHARS: keep DISPLAY_MAX_CHARS - 1 and "…" */
      const char *last = g_utf8_find_prev_char (out->str, out->str + out->len);

      g_string_truncate (out, last - out->str);
      g_string_append (out, "…");
    }

  return g_string_free (out, FALSE);
}

static inline gboolean
is_space_at (const char  *p,
             const char  *end,
             const char **next)
{
  guchar c = (guchar) *p;

  if (c < 0x80)
    {
      *next = p + 1;
      return g_ascii_isspace (c);
    }

  *next = g_utf8_next_char (p);
  if (*next > end)
    *next = end;
  return g_unichar_isspace (g_utf8_get_char (p));
}

/* Trims Unicode white space from both ends of valid UTF-8. */
static void
trim (const char **start,
      const char **end)
{
  const char *s = *start;
  const char *e = *end;
  const char *next;

  while (s < e && is_space_at (s, e, &next))
    s = next;

  while (e > s)
    {
      const char *prev = g_utf8_find_prev_char (s, e);

      if (prev == NULL)
        prev = s;
      if (!is_space_at (prev, e, &next))
        break;
      e = prev;
    }

  *start = s;
  *end = e;
}

static gboolean
has_space (const char *start,
           const char *end)
{
  const char *next;

  for (const char *p = start; p < end; p = next)
    {
      if ((guchar) *p < 0x80)
        {
          if (g_ascii_isspace (*p))
            return TRUE;
          next = p + 1;
        }
      else if (is_space_at (p, end, &next))
        {
          return TRUE;
        }
    }

  return FALSE;
}

/* A '#' after white space starts a comment that runs to the end of the
 * line; a '#' inside a word (a URL's fragment) does not. */
static const char *
strip_trailing_comment (const char *start,
                        const char *end)
{
  const char *next;

  for (const char *p = start; p < end; p = next)
    {
      if (is_space_at (p, end, &next) && next < end && *next == '#')
        return p;
    }

  return end;
}

static gboolean
has_prefix_ascii_nocase (const char *text,
                         const char *prefix)
{
  return g_ascii_strncasecmp (text, prefix, strlen (prefix)) == 0;
}

static gboolean
has_suffix_ascii_nocase (const char *text,
                         const char *suffix)
{
  gsize length = strlen (text);
  gsize suffix_length = strlen (suffix);

  return length >= suffix_length
         && g_ascii_strcasecmp (text + length - suffix_length, suffix) == 0;
}

static gboolean
all_digits (const char *start,
            const char *end)
{
  if (start == end)
    return FALSE;

  for (const char *p = start; p < end; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  return TRUE;
}

/* Checks an ASCII host name and returns it in lower case without a
 * trailing dot, or NULL. */
static char *
normalize_ascii_host (const char *host)
{
  gsize length = strlen (host);
  const char *label;
  const char *last_label = host;
  char *result;
  char *out;

  if (length > 0 && host[length - 1] == '.')
    length--;
  if (length == 0 || length > MAX_HOST_LENGTH)
    return NULL;

  result = out = g_malloc (length + 1);
  label = host;
  for (const char *p = host; p <= host + length; p++, out++)
    {
      if (p == host + length || *p == '.')
        {
          gsize label_length = p - label;

          if (label_length == 0 || label_length > MAX_LABEL_LENGTH
              || label[0] == '-' || p[-1] == '-')
            goto invalid;
          last_label = label;
          label = p + 1;
          *out = '.';
        }
      else if (g_ascii_isalnum (*p) || *p == '-')
        {
          *out = (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p;
        }
      else
        {
          goto invalid;
        }
    }
  result[length] = '\0';

  /* "1.2.3" is not an address, and resolvers would read it as 1.2.0.3:
   * a top-level domain is never all digits. */
  if (all_digits (last_label, host + length))
    goto invalid;

  return result;

invalid:
  g_free (result);
  return NULL;
}

/* IPv4 and IPv6 literals, the latter also in brackets; lower case, with
 * the scope ("%eth0") left as written. */
static char *
normalize_ip_literal (const char *text)
{
  g_autofree char *inner = NULL;
  gsize length = strlen (text);
  const char *scope;
  GString *out;

  if (length >= 2 && text[0] == '[' && text[length - 1] == ']')
    {
      inner = g_strndup (text + 1, length - 2);
      if (strchr (inner, ':') == NULL)
        return NULL;
      text = inner;
    }

  if (!g_hostname_is_ip_address (text))
    return NULL;

  scope = strchr (text, '%');
  out = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p++)
    g_string_append_c (out, (scope != NULL && p >= scope) ? *p : g_ascii_tolower (*p));

  return g_string_free (out, FALSE);
}

/* The key under which two URLs count as the same: scheme and host in lower
 * case, default port and empty path normalized, fragment ignored (it is
 * never sent to the server). */
static void
set_url_key (GString *key,
             GUri    *uri)
{
  const char *host = g_uri_get_host (uri);
  const char *userinfo = g_uri_get_userinfo (uri);
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);
  gboolean ipv6 = strchr (host, ':') != NULL;

  /* G_URI_FLAGS_SCHEME_NORMALIZE gave the port and path their defaults */
  g_string_assign (key, "U");
  g_string_append (key, g_uri_get_scheme (uri));
  g_string_append (key, "://");
  if (userinfo != NULL)
    g_string_append_printf (key, "%s@", userinfo);
  if (ipv6)
    g_string_append_c (key, '[');
  for (const char *p = host; *p != '\0'; p++)
    g_string_append_c (key, g_ascii_tolower (*p));
  if (ipv6)
    g_string_append_c (key, ']');
  g_string_append_printf (key, ":%d", g_uri_get_port (uri));
  g_string_append (key, path[0] != '\0' ? path : "/");
  if (query != NULL)
    g_string_append_printf (key, "?%s", query);
}

static void
set_key (GString     *key,
         char         kind,
         const char  *normalized)
{
  if (key == NULL)
    return;

  g_string_truncate (key, 0);
  g_string_append_c (key, kind);
  g_string_append (key, normalized);
}

static char *
not_a_valid_url (void)
{
  /* Translators: a line of a list looks like a web address (it has “://”)
   * but cannot be read as one with a host name */
  return g_strdup (_("not a valid URL"));
}

/* Why a URL's port was refused. The port as written is named, since "not a
 * valid URL" alone leaves the reader to find it; but only when it cannot
 * be anything else: a line with an '@' may hold a password that GLib read
 * as the port ("http://alice:pw?x@host/"), and a port of other than
 * printable ASCII could show as a valid one (a zero-width space in "9​9"). */
static char *
bad_port (const char *text)
{
  const char *authority = strstr (text, "://");
  const char *end;
  const char *host;
  const char *colon = NULL;

  if (authority != NULL)
    {
      authority += 3;
      end = authority + strcspn (authority, "/?#");
      host = authority;
      if (*host == '[')
        host = memchr (authority, ']', end - authority);
      /* the whole port, "80:90" of "http://127.0.0.1:80:90/" */
      colon = host != NULL ? memchr (host, ':', end - host) : NULL;
      if (colon == authority)
        return not_a_valid_url ();  /* no host: "http://:99999/" */
      if (colon != NULL && (strchr (authority, '@') != NULL || end - colon - 1 > 20))
        colon = NULL;
      for (const char *p = colon != NULL ? colon + 1 : end; p < end; p++)
        {
          if ((guchar) *p < 0x21 || (guchar) *p > 0x7e)
            colon = NULL;
        }
    }
  if (colon == NULL || colon + 1 == end)
    {
      /* Translators: a URL's port (after the host and a colon) is wrong */
      return g_strdup (_("not a valid URL: the port is not a number from 1 to 65535"));
    }

  /* Translators: %.*s is the port of a URL as written, e.g. “99999” */
  return g_strdup_printf (_("not a valid URL: port “%.*s” is not a number from 1 to 65535"),
                          (int) (end - colon - 1), colon + 1);
}

static gboolean
classify_url (const char   *text,
              char        **normalized,
              GString      *key,
              char        **reason)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  const char *host;

  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        {
          *reason = not_a_valid_url ();
          return FALSE;
        }
    }

  uri = g_uri_parse (text,
                     G_URI_FLAGS_SCHEME_NORMALIZE
                     | G_URI_FLAGS_ENCODED_PATH
                     | G_URI_FLAGS_ENCODED_QUERY
                     | G_URI_FLAGS_ENCODED_FRAGMENT,
                     &error);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host != NULL && host[0] == '\0')
    host = NULL;
  /* GLib takes port 0; no one listens there */
  if (g_error_matches (error, G_URI_ERROR, G_URI_ERROR_BAD_PORT) ||
      (host != NULL && g_uri_get_port (uri) == 0))
    {
      *reason = bad_port (text);
      return FALSE;
    }
  if (host == NULL)
    {
      *reason = not_a_valid_url ();
      return FALSE;
    }

  *normalized = g_strdup (text);
  if (key != NULL)
    set_url_key (key, uri);
  return TRUE;
}

/* The length of the RFC 3986 scheme that starts @text and ends at a ':',
 * or 0. (g_uri_peek_scheme() would intern every scheme it sees, and the
 * input is untrusted.) */
static gsize
scheme_length (const char *text)
{
  gsize i;

  if (!g_ascii_isalpha (text[0]))
    return 0;
  for (i = 1; g_ascii_isalnum (text[i]) || text[i] == '+' || text[i] == '-' || text[i] == '.'; i++)
    ;

  return text[i] == ':' ? i : 0;
}

static char *
unsupported_scheme (const char *text,
                    gsize       length)
{
  g_autofree char *scheme = g_ascii_strdown (text, length);
  g_autofree char *shown = display_text (scheme, length);

  /* Translators: %s is a URL scheme such as “ftp”; only http and https
   * addresses can be downloaded */
  return g_strdup_printf (_("unsupported scheme “%s”"), shown);
}

static char *
not_a_host_name (void)
{
  /* Translators: a line of a list is neither a web address, nor a domain
   * name, nor a two-letter country code */
  return g_strdup (_("not a host name"));
}

/* Like fb_list_classify(), also giving the key used to find duplicates. */
static gboolean
classify (const char   *text,
          FbEntryKind  *kind,
          char        **normalized,
          GString      *key,
          char        **reason)
{
  gsize length = strlen (text);
  const char *end = text + length;
  gsize scheme = scheme_length (text);
  g_autofree char *host = NULL;

  *normalized = NULL;
  *reason = NULL;

  if (has_prefix_ascii_nocase (text, "http://") || has_prefix_ascii_nocase (text, "https://"))
    {
      if (has_space (text, end))
        {
          /* Translators: a web address in a list has a space inside it */
          *reason = g_strdup (_("URL contains spaces"));
          return FALSE;
        }
      *kind = FB_ENTRY_URL;
      return classify_url (text, normalized, key, reason);
    }

  if (scheme > 0 && strncmp (text + scheme, "://", 3) == 0)
    {
      *reason = unsupported_scheme (text, scheme);
      return FALSE;
    }
  if (g_str_has_prefix (text, "://"))
    {
      *reason = not_a_valid_url ();
      return FALSE;
    }

  if (has_space (text, end))
    {
      *reason = not_a_host_name ();
      return FALSE;
    }

  if (length == 2 && g_ascii_isalpha (text[0]) && g_ascii_isalpha (text[1]))
    {
      *kind = FB_ENTRY_CODE;
      *normalized = g_ascii_strup (text, 2);
      set_key (key, 'C', *normalized);
      return TRUE;
    }

  *normalized = normalize_ip_literal (text);
  if (*normalized != NULL)
    {
      *kind = FB_ENTRY_DOMAIN;
      set_key (key, 'D', *normalized);
      return TRUE;
    }

  /* "mailto:x", "urn:isbn:1"; but "example.com:8080" is a host name with a
   * port and "C:\x" a Windows path, not schemes: both are rejected below as
   * not host names. */
  if (scheme > 1 && memchr (text, '.', scheme) == NULL && !all_digits (text + scheme + 1, end))
    {
      g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);

      if (uri != NULL)
        {
          *reason = unsupported_scheme (text, scheme);
          return FALSE;
        }
    }

  if (g_hostname_is_non_ascii (text))
    {
      g_autofree char *copy = NULL;
      const char *name = text;

      /* g_hostname_to_ascii() drops a trailing dot but not a doubled one */
      if (length > 0 && text[length - 1] == '.')
        name = copy = g_strndup (text, length - 1);
      if (name[0] == '\0' || name[strlen (name) - 1] == '.')
        {
          *reason = not_a_host_name ();
          return FALSE;
        }
      host = g_hostname_to_ascii (name);
      if (host == NULL)
        {
          *reason = not_a_host_name ();
          return FALSE;
        }
      *normalized = normalize_ascii_host (host);
    }
  else
    {
      *normalized = normalize_ascii_host (text);
    }

  if (*normalized == NULL)
    {
      *reason = not_a_host_name ();
      return FALSE;
    }

  *kind = FB_ENTRY_DOMAIN;
  set_key (key, 'D', *normalized);
  return TRUE;
}

gboolean
fb_list_classify (const char   *text,
                  FbEntryKind  *kind,
                  char        **normalized,
                  char        **reason)
{
  FbEntryKind found_kind = FB_ENTRY_DOMAIN;
  g_autofree char *found = NULL;
  g_autofree char *why = NULL;
  gboolean ok;

  g_return_val_if_fail (text != NULL, FALSE);

  if (!g_utf8_validate (text, -1, NULL))
    {
      why = g_strdup (_("invalid UTF-8"));
      ok = FALSE;
    }
  else
    {
      ok = classify (text, &found_kind, &found, NULL, &why);
    }

  if (kind != NULL)
    *kind = found_kind;
  if (normalized != NULL)
    *normalized = ok ? g_steal_pointer (&found) : NULL;
  if (reason != NULL)
    *reason = ok ? NULL : g_steal_pointer (&why);
  return ok;
}

/* A line that is no valid URL may still be meant as one whose password
 * holds a '/', '?' or '#' ("http://alice:pw?x@host/"), where
 * fb_url_for_display () sees the authority end: shown, everything from the
 * first ':' after "://" to the line's last '@' is hidden. NULL if there is
 * no such '@'. */
static char *
hide_loose_password (const char *text)
{
  const char *authority = strstr (text, "://");
  const char *at = authority != NULL ? strrchr (authority + 3, '@') : NULL;
  const char *colon;

  if (at == NULL)
    return NULL;
  authority += 3;
  colon = memchr (authority, ':', at - authority);
  if (colon == NULL)
    return NULL;
  return g_strdup_printf ("%.*s***%s", (int) (colon + 1 - text), text, at);
}

static void
add_problem (FbListResult *result,
             GPtrArray    *array,
             guint         line,
             const char   *text,
             gsize         length,
             char         *reason)
{
  FbListProblem *problem = result_alloc (result, sizeof (FbListProblem));
  g_autofree char *shown = NULL;
  g_autofree char *display = NULL;

  /* The line is shown: a URL's password in it is not. */
  if (memmem (text, MIN (length, FB_LIST_MAX_LINE), "://", 3) != NULL)
    {
      gsize n = MIN (length, FB_LIST_MAX_LINE);
      g_autofree char *copy = g_malloc (n + 1);

      /* As display_text () will show it, so that a URL ends at the same
       * place in both: a tab is a space, other controls (NUL included, which
       * would end the string) show as U+FFFD, as DEL does. */
      for (gsize i = 0; i < n; i++)
        {
          guchar c = (guchar) text[i];

          copy[i] = c == '\t' ? ' ' : c < 0x20 ? '\x7f' : (char) c;
        }
      copy[n] = '\0';
      if (fb_url_has_password (copy))
        shown = fb_url_for_display (copy);
      else if (array == result->rejected)
        shown = hide_loose_password (copy);
      if (shown != NULL)
        {
          text = shown;
          length = strlen (shown);
        }
    }

  display = display_text (text, length);
  problem->line = line;
  problem->text = g_string_chunk_insert (result->strings, display);
  problem->reason = g_string_chunk_insert_const (result->strings, reason);
  g_free (reason);
  g_ptr_array_add (array, problem);
}

/* The first field of a CSV row, unquoted; sets *owned when it had to be
 * copied. */
static void
first_column (const char  *start,
              const char  *end,
              const char **field_start,
              const char **field_end,
              char       **owned)
{
  if (start < end && *start == '"')
    {
      GString *field = g_string_new (NULL);
      const char *p = start + 1;

      while (p < end)
        {
          if (*p == '"')
            {
              if (p + 1 < end && p[1] == '"')
                {
                  g_string_append_c (field, '"');
                  p += 2;
                  continue;
                }
              break;
            }
          g_string_append_c (field, *p);
          p++;
        }

      *field_start = field->str;
      *field_end = field->str + field->len;
      *owned = g_string_free (field, FALSE);
      return;
    }

  *field_start = start;
  for (const char *p = start; p < end; p++)
    {
      if (*p == ',' || *p == ';' || *p == '\t')
        {
          *field_end = p;
          return;
        }
    }
  *field_end = end;
}

static gboolean
is_csv_title (const char *start,
              const char *end)
{
  gsize length = end - start;

  for (guint i = 0; i < G_N_ELEMENTS (csv_titles); i++)
    {
      if (strlen (csv_titles[i]) == length
          && g_ascii_strncasecmp (start, csv_titles[i], length) == 0)
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  FbListResult *result;
  GHashTable   *seen;           /* key → first line */
  GStringChunk *keys;           /* the keys of seen */
  GString      *key;
  char          text[FB_LIST_MAX_LINE + 1];
  gboolean      first_column_only;
  gboolean      before_first_row;
} Parser;

static void
parse_line (Parser     *parser,
            guint       line,
            const char *start,
            const char *end)
{
  FbListResult *result = parser->result;
  gsize length = end - start;
  g_autofree char *owned = NULL;
  g_autofree char *normalized = NULL;
  char *reason = NULL;
  FbEntryKind kind = FB_ENTRY_DOMAIN;
  gpointer first_line;

  /* Comments are skipped whatever their length or encoding ("# café" in
   * Latin-1 is still a comment). */
  {
    const char *s = start;

    while (s < end && g_ascii_isspace (*s))
      s++;
    if (s == end || *s == '#')
      return;
  }

  if (length > FB_LIST_MAX_LINE)
    {
      /* Translators: %lu is the length of a line of a list in bytes, %u the
       * most that is accepted */
      reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "line too long (%lu byte, "
                                                                "at most %u)",
                                             "line too long (%lu bytes, at most %u)",
                                             (gulong) length),
                                (gulong) length, (guint) FB_LIST_MAX_LINE);
      add_problem (result, result->rejected, line, start, length, reason);
      return;
    }

  if (!g_utf8_validate_len (start, length, NULL))
    {
      const char *s = start;
      const char *e = end;

      while (s < e && g_ascii_isspace (*s))
        s++;
      while (e > s && g_ascii_isspace (e[-1]))
        e--;
      /* Translators: a line of a list is not text in the UTF-8 encoding */
      add_problem (result, result->rejected, line, s, e - s, g_strdup (_("invalid UTF-8")));
      return;
    }

  trim (&start, &end);
  if (start == end || *start == '#')
    return;

  if (parser->first_column_only)
    {
      first_column (start, end, &start, &end, &owned);
      trim (&start, &end);
      if (start == end)
        return;
      if (parser->before_first_row)
        {
          parser->before_first_row = FALSE;
          if (is_csv_title (start, end))
            return;
        }
    }

  end = strip_trailing_comment (start, end);
  trim (&start, &end);
  if (start == end)
    return;

  memcpy (parser->text, start, end - start);
  parser->text[end - start] = '\0';
  if (!classify (parser->text, &kind, &normalized, parser->key, &reason))
    {
      add_problem (result, result->rejected, line, start, end - start, reason);
      return;
    }

  first_line = g_hash_table_lookup (parser->seen, parser->key->str);
  if (first_line != NULL)
    {
      /* Translators: %u is the line number where the same entry first appeared */
      reason = g_strdup_printf (_("duplicate of line %u"), GPOINTER_TO_UINT (first_line));
      add_problem (result, result->duplicates, line, start, end - start, reason);
      return;
    }

  g_hash_table_insert (parser->seen,
                       g_string_chunk_insert_len (parser->keys, parser->key->str, parser->key->len),
                       GUINT_TO_POINTER (line));

  {
    FbListEntry *entry = result_alloc (result, sizeof (FbListEntry));

    entry->kind = kind;
    entry->text = g_string_chunk_insert (result->strings, normalized);
    entry->line = line;
    g_ptr_array_add (result->entries, entry);
  }
}

static FbListResult *
parse (const char    *source,
       const char    *data,
       gsize          length,
       gboolean       first_column_only,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(FbListResult) result = g_new0 (FbListResult, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) key = g_string_sized_new (256);
  g_autoptr(GStringChunk) keys = g_string_chunk_new (64 * 1024);
  Parser parser;
  const char *p = data;
  const char *end = data + length;

  parser.result = result;
  parser.seen = seen;
  parser.keys = keys;
  parser.key = key;
  parser.first_column_only = first_column_only;
  parser.before_first_row = TRUE;

  /* Translators: stands for a file name in messages such as
   * “pasted text:3: not a host name” about text that was pasted or dropped */
  result->source = g_strdup (source != NULL ? source : _("pasted text"));
  result->entries = g_ptr_array_new ();
  result->rejected = g_ptr_array_new ();
  result->duplicates = g_ptr_array_new ();
  result->arena = g_ptr_array_new_with_free_func (g_free);
  result->strings = g_string_chunk_new (64 * 1024);

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    p += 3;

  while (p < end)
    {
      const char *line_end = p;

      while (line_end < end && *line_end != '\n' && *line_end != '\r')
        line_end++;

      result->n_lines++;
      parse_line (&parser, result->n_lines, p, line_end);

      if (line_end < end && *line_end == '\r' && line_end + 1 < end && line_end[1] == '\n')
        p = line_end + 2;
      else if (line_end < end)
        p = line_end + 1;
      else
        p = end;

      if (result->n_lines % CANCEL_CHECK_LINES == 0
          && g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
    }

  return g_steal_pointer (&result);
}

FbListResult *
fb_list_parse_full (const char *source,
                    const char *data,
                    gssize      length,
                    gboolean    first_column_only)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (data == NULL)
    data = "";
  if (length < 0)
    length = strlen (data);

  return parse (source, data, length, first_column_only, NULL, NULL);
}

FbListResult *
fb_list_parse (const char *source,
               const char *data,
               gssize      length)
{
  return fb_list_parse_full (source, data, length, FALSE);
}

char *
fb_list_problem_format (const FbListResult  *result,
                        const FbListProblem *problem)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (problem != NULL, NULL);

  return g_strdup_printf ("%s:%u: %s", result->source, problem->line, problem->reason);
}

typedef struct
{
  char     *source;
  gboolean  first_column_only;
} ParseFileData;

static void
parse_file_data_free (gpointer data)
{
  ParseFileData *task_data = data;

  g_free (task_data->source);
  g_free (task_data);
}

static gboolean
set_too_large_error (GError     **error,
                     const char  *source)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               /* Translators: %s is a file name, %u a size in megabytes */
               _("“%s” is too large for a list (more than %u MB)"),
               source, (guint) (FB_LIST_MAX_FILE_SIZE / (1024 * 1024)));
  return FALSE;
}

static GBytes *
read_file (GFile         *file,
           const char    *source,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GByteArray) buffer = NULL;
  goffset size = 0;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  /* Refuse a file dropped by mistake (a video) before reading it; pipes and
   * the like have no size and are checked while they are read. */
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                         cancellable, NULL);
  if (info != NULL && g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE))
    size = g_file_info_get_size (info);
  if (size > FB_LIST_MAX_FILE_SIZE)
    {
      set_too_large_error (error, source);
      return NULL;
    }

  buffer = g_byte_array_sized_new ((guint) size + READ_CHUNK);
  for (;;)
    {
      gsize old_length = buffer->len;
      gsize n_read = 0;

      g_byte_array_set_size (buffer, old_length + READ_CHUNK);
      if (!g_input_stream_read_all (G_INPUT_STREAM (stream), buffer->data + old_length,
                                    READ_CHUNK, &n_read, cancellable, error))
        return NULL;
      g_byte_array_set_size (buffer, old_length + n_read);
      if (buffer->len > FB_LIST_MAX_FILE_SIZE)
        {
          set_too_large_error (error, source);
          return NULL;
        }
      if (n_read < READ_CHUNK)
        break;
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

/* The line (1-based) that holds @offset. */
static guint
line_of_offset (const char *data,
                gsize       offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset; i++)
    {
      if (data[i] == '\n' || (data[i] == '\r' && (i + 1 == offset || data[i + 1] != '\n')))
        line++;
    }
  return line;
}

/* UTF-16 with a byte-order mark (what older Windows Notepad saves as
 * "Unicode") to UTF-8. What is not UTF-16 (a lone surrogate, an odd last
 * byte) becomes a byte that is not UTF-8 either, so that its line is
 * rejected as a line of invalid UTF-8 would be, and the rest still runs.
 * Stops at a NUL unit: *@nul then says so. */
static inline gunichar2
utf16_unit (const guchar *p,
            gsize         i,
            gboolean      big_endian)
{
  return big_endian ? (p[2 * i] << 8 | p[2 * i + 1]) : (p[2 * i + 1] << 8 | p[2 * i]);
}

static GString *
utf16_to_utf8 (const char *data,
               gsize       length,
               gboolean   *nul)
{
  gboolean big_endian = (guchar) data[0] == 0xfe;
  const guchar *p = (const guchar *) data + 2;
  gsize n = (length - 2) / 2;
  GString *text = g_string_sized_new (n + n / 2);

  *nul = FALSE;
  for (gsize i = 0; i < n; i++)
    {
      gunichar2 unit = utf16_unit (p, i, big_endian);
      gunichar2 next = i + 1 < n ? utf16_unit (p, i + 1, big_endian) : 0;
      if (unit == 0)
        {
          *nul = TRUE;
          return text;
        }
      if (unit >= 0xd800 && unit < 0xdc00 && next >= 0xdc00 && next < 0xe000)
        {
          g_string_append_unichar (text, 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00));
          i++;
        }
      else if (unit >= 0xd800 && unit < 0xe000)
        g_string_append_c (text, '\xff');
      else
        g_string_append_unichar (text, unit);
    }
  if (length % 2 != 0)
    g_string_append_c (text, '\xff');
  return text;
}

/* Whether a list's bytes are text to parse: a NUL byte anywhere refuses
 * them, with an error naming the line (callers name the file). UTF-16 with
 * a byte-order mark is converted: then *@converted holds the UTF-8 to
 * parse, otherwise it is NULL and @data is parsed as it is. */
static gboolean
check_text (const char  *data,
            gsize        length,
            GString    **converted,
            GError     **error)
{
  const char *nul;

  *converted = NULL;

  if (length >= 2 && (((guchar) data[0] == 0xff && (guchar) data[1] == 0xfe)
                      || ((guchar) data[0] == 0xfe && (guchar) data[1] == 0xff)))
    {
      gboolean has_nul = FALSE;
      g_autoptr(GString) text = utf16_to_utf8 (data, length, &has_nul);

      if (has_nul)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       /* Translators: %u is a line number of a list in UTF-16;
                        * a list is text, and a NUL character is never in text */
                       _("not a text list: line %u holds a NUL character"),
                       line_of_offset (text->str, text->len));
          return FALSE;
        }
      *converted = g_steal_pointer (&text);
      return TRUE;
    }

  nul = length > 0 ? memchr (data, '\0', length) : NULL;
  if (nul != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* Translators: %u is a line number; a list is text, and a
                    * NUL byte is never in text */
                   _("not a text list: line %u holds a NUL byte "
                     "(a binary file, or text not in UTF-8)"),
                   line_of_offset (data, (gsize) (nul - data)));
      return FALSE;
    }
  return TRUE;
}

/* A list's bytes as read from a file or a pipe: checked, then parsed. */
static FbListResult *
parse_data (const char    *source,
            const char    *data,
            gsize          length,
            gboolean       first_column_only,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GString) converted = NULL;

  if (!check_text (data, length, &converted, error))
    return NULL;
  if (converted != NULL)
    return parse (source, converted->str, converted->len, first_column_only, cancellable, error);
  return parse (source, data != NULL ? data : "", length, first_column_only, cancellable, error);
}

FbListResult *
fb_list_parse_data (const char  *source,
                    const char  *data,
                    gsize        length,
                    gboolean     first_column_only,
                    GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return parse_data (source, data, length, first_column_only, NULL, error);
}

static void
parse_file_worker (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GFile *file = source_object;
  ParseFileData *data = task_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  FbListResult *result;
  gsize length = 0;
  const char *contents;

  if (g_task_return_error_if_cancelled (task))
    return;

  bytes = read_file (file, data->source, cancellable, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  contents = g_bytes_get_data (bytes, &length);
  result = parse_data (data->source, contents, length, data->first_column_only,
                       cancellable, &error);
  if (result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, result, (GDestroyNotify) fb_list_result_free);
}

void
fb_list_parse_file_async (GFile               *file,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *basename = NULL;
  ParseFileData *data;

  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  basename = g_file_get_basename (file);
  data = g_new0 (ParseFileData, 1);
  if (basename != NULL)
    data->source = g_filename_display_name (basename);
  else
    data->source = g_file_get_parse_name (file);
  data->first_column_only = has_suffix_ascii_nocase (data->source, ".csv")
                            || has_suffix_ascii_nocase (data->source, ".tsv");

  task = g_task_new (file, cancellable, callback, user_data);
  g_task_set_source_tag (task, fb_list_parse_file_async);
  g_task_set_task_data (task, data, parse_file_data_free);
  g_task_run_in_thread (task, parse_file_worker);
}

FbListResult *
fb_list_parse_file_finish (GFile         *file,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (g_task_is_valid (result, file), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
