/* fb-filename.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-filename"

#include "config.h"

#include <string.h>

#include "fb-filename.h"

/* How a name from the network becomes one file name:
 *
 *  1. NUL bytes are dropped, invalid UTF-8 becomes U+FFFD, the text is
 *     put in NFC (so a name written decomposed matches its composed twin).
 *  2. '/' and '\' split the text into parts; parts that are empty, "." or
 *     ".." are dropped and the rest are joined with '_': "../../etc/passwd"
 *     is "etc_passwd", "/abs" is "abs", "a/b" is "a_b". So a name never
 *     climbs out of the folder nor creates one.
 *  3. Control characters (C0, DEL, C1), Unicode format characters (such as
 *     the right-to-left override that makes "gpj.exe" look like "exe.jpg")
 *     and line or paragraph separators are removed.
 *  4. Leading dots and white space are removed (no hidden files: ".bashrc"
 *     is "bashrc"), and trailing white space.
 *  5. A name longer than 255 bytes is cut on a character boundary, keeping
 *     its extension.
 *  6. If nothing is left, the fallback is used.
 * Characters Windows reserves (: * ? " < > |) are legal here and stay.
 *
 * An extension is the last '.' (not the first character) followed by 1 to
 * 16 ASCII letters or digits, together with a ".tar" before it. */

#define MAX_EXTENSION_CHARS 16
/* for fb_filename_from_country(), whose extension comes from the caller */
#define MAX_EXTENSION_BYTES 64

static gboolean
is_removed_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return type == G_UNICODE_CONTROL
         || type == G_UNICODE_FORMAT
         || type == G_UNICODE_LINE_SEPARATOR
         || type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

/* Byte offset where the extension of @name starts, or its length. */
static gsize
extension_offset (const char *name,
                  gsize       length)
{
  const char *dot = NULL;
  gsize n_chars;

  for (const char *p = name + length; p > name; p--)
    {
      if (p[-1] == '.')
        {
          dot = p - 1;
          break;
        }
      if (!g_ascii_isalnum (p[-1]))
        return length;
    }

  if (dot == NULL || dot == name)
    return length;
  n_chars = name + length - dot - 1;
  if (n_chars == 0 || n_chars > MAX_EXTENSION_CHARS)
    return length;

  if (dot - name > 4 && g_ascii_strncasecmp (dot - 4, ".tar", 4) == 0)
    dot -= 4;

  return dot - name;
}

/* Appends at most @max_bytes of @text, cut on a character boundary; white
 * space left at the cut is dropped. */
static void
append_cut (GString    *out,
            const char *text,
            gsize       length,
            gsize       max_bytes)
{
  const char *end;

  if (length <= max_bytes)
    {
      g_string_append_len (out, text, length);
      return;
    }

  end = text + max_bytes;
  while (end > text && ((guchar) *end & 0xc0) == 0x80)
    end--;
  while (end > text)
    {
      const char *prev = g_utf8_find_prev_char (text, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  g_string_append_len (out, text, end - text);
}

/* Cuts @name to FB_FILENAME_MAX_BYTES keeping its extension; takes it. */
static char *
fit_length (char *name)
{
  gsize length = strlen (name);
  gsize ext;
  GString *out;

  if (length <= FB_FILENAME_MAX_BYTES)
    return name;

  ext = extension_offset (name, length);
  out = g_string_sized_new (FB_FILENAME_MAX_BYTES + 1);
  append_cut (out, name, ext, FB_FILENAME_MAX_BYTES - (length - ext));
  g_string_append (out, name + ext);
  g_free (name);
  return g_string_free (out, FALSE);
}

static gboolean
is_dot_part (const char *part,
             gsize       length)
{
  return length == 0
         || (length == 1 && part[0] == '.')
         || (length == 2 && part[0] == '.' && part[1] == '.');
}

/* Steps 1 to 5 of the rule above; may return "". */
static char *
sanitize_bytes (const char *data,
                gsize       length)
{
  g_autofree char *no_nul = g_new (char, length + 1);
  g_autofree char *valid = NULL;
  g_autofree char *nfc = NULL;
  GString *out;
  GString *part;
  gsize n = 0;
  const char *start;
  const char *end;

  for (gsize i = 0; i < length; i++)
    if (data[i] != '\0')
      no_nul[n++] = data[i];
  no_nul[n] = '\0';

  valid = g_utf8_make_valid (no_nul, n);
  nfc = g_utf8_normalize (valid, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  if (nfc == NULL)
    nfc = g_steal_pointer (&valid);

  out = g_string_sized_new (strlen (nfc));
  part = g_string_new (NULL);
  for (const char *p = nfc;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\' || c == 0)
        {
          if (!is_dot_part (part->str, part->len))
            {
              if (out->len > 0)
                g_string_append_c (out, '_');
              g_string_append_len (out, part->str, part->len);
            }
          g_string_truncate (part, 0);
          if (c == 0)
            break;
          continue;
        }
      if (!is_removed_char (c))
        g_string_append_unichar (part, c);
    }
  g_string_free (part, TRUE);

  start = out->str;
  end = out->str + out->len;
  while (start < end && (*start == '.' || g_unichar_isspace (g_utf8_get_char (start))))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  {
    char *result = g_strndup (start, end - start);

    g_string_free (out, TRUE);
    return fit_length (result);
  }
}

/* Names like "br.gif" or "file-01_v2.tar.gz" come out of sanitizing
 * unchanged: no separator, no dot in front, nothing to normalise or cut. */
static gboolean
is_plain_name (const char *data,
               gsize       length)
{
  if (length == 0 || length > FB_FILENAME_MAX_BYTES || data[0] == '.')
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (data[i]) && data[i] != '.' && data[i] != '-' && data[i] != '_')
      return FALSE;
  return TRUE;
}

static char *
sanitize_or_fallback (const char *data,
                      gsize       length,
                      const char *fallback)
{
  char *result;

  if (is_plain_name (data, length))
    return g_strndup (data, length);

  result = sanitize_bytes (data, length);

  if (result[0] != '\0')
    return result;

  g_free (result);
  if (fallback != NULL)
    {
      result = sanitize_bytes (fallback, strlen (fallback));
      if (result[0] != '\0')
        return result;
      g_free (result);
    }

  return g_strdup ("download");
}

char *
fb_filename_sanitize (const char *untrusted,
                      const char *fallback)
{
  if (untrusted == NULL)
    untrusted = "";

  return sanitize_or_fallback (untrusted, strlen (untrusted), fallback);
}

char *
fb_filename_from_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GBytes) decoded = NULL;
  g_autofree char *path = NULL;
  const char *segment;
  const char *data;
  gsize length;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri != NULL)
    path = g_strdup (g_uri_get_path (uri));
  else
    path = g_strndup (url, strcspn (url, "?#"));

  segment = strrchr (path, '/');
  segment = segment != NULL ? segment + 1 : path;

  /* Decoded bytes may hold '/' or NUL: sanitizing deals with both. */
  if (strchr (segment, '%') == NULL)
    return sanitize_or_fallback (segment, strlen (segment), "index.html");
  decoded = g_uri_unescape_bytes (segment, -1, NULL, NULL);
  if (decoded != NULL)
    {
      data = g_bytes_get_data (decoded, &length);
    }
  else
    {
      data = segment;
      length = strlen (segment);
    }

  return sanitize_or_fallback (data != NULL ? data : "", length, "index.html");
}

char *
fb_filename_from_country (const char *country,
                          const char *code,
                          const char *extension)
{
  g_autofree char *base = NULL;
  g_autofree char *ext = NULL;
  GString *underscored = g_string_new (NULL);
  GString *out;

  /* flags3 replaces spaces with underscores: "Korea,_North.gif" */
  if (country != NULL)
    {
      g_autofree char *valid = g_utf8_make_valid (country, -1);

      g_strstrip (valid);
      for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          g_string_append_unichar (underscored, g_unichar_isspace (c) ? '_' : c);
        }
    }
  base = sanitize_or_fallback (underscored->str, underscored->len,
                               code != NULL && code[0] != '\0' ? code : NULL);
  g_string_free (underscored, TRUE);

  if (extension != NULL)
    ext = sanitize_bytes (extension, strlen (extension));
  if (ext == NULL || ext[0] == '\0' || strlen (ext) > MAX_EXTENSION_BYTES)
    return g_steal_pointer (&base);

  out = g_string_sized_new (FB_FILENAME_MAX_BYTES + 1);
  append_cut (out, base, strlen (base), FB_FILENAME_MAX_BYTES - 1 - strlen (ext));
  g_string_append_c (out, '.');
  g_string_append (out, ext);
  return g_string_free (out, FALSE);
}

char *
fb_filename_numbered (const char *name,
                      guint       n)
{
  g_autofree char *suffix = NULL;
  gsize length;
  gsize ext;
  gsize room;
  GString *out;

  g_return_val_if_fail (name != NULL, NULL);

  if (n == 0)
    return g_strdup (name);

  length = strlen (name);
  ext = extension_offset (name, length);
  suffix = g_strdup_printf (" (%u)", n);
  room = FB_FILENAME_MAX_BYTES - strlen (suffix);
  room = room > length - ext ? room - (length - ext) : 0;

  out = g_string_sized_new (FB_FILENAME_MAX_BYTES + 1);
  append_cut (out, name, ext, room);
  g_string_append (out, suffix);
  g_string_append (out, name + ext);
  return g_string_free (out, FALSE);
}
