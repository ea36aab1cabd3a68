/* fb-url.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-url"

#include "config.h"

#include <string.h>

#include "fb-url.h"

#define MASK "***"

static gboolean
ends_authority (char c)
{
  /* RFC 3986: the authority ends at the path, query or fragment; text around
   * a URL in a message ends it at white space or a quote. */
  return c == '\0' || c == '/' || c == '?' || c == '#' || c == '\\' || c == '"'
    || c == '<' || c == '>' || c == '\'' || g_ascii_isspace (c);
}

static gboolean
is_scheme_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '-' || c == '.';
}

/* Finds the next "scheme://user:password@" in @text from @from: sets
 * @password to its first byte and @at to the '@' ending it (the last '@'
 * of the authority, as curl and browsers read it). */
static gboolean
find_password (const char  *text,
               const char  *from,
               const char **password,
               const char **at)
{
  const char *sep;

  for (sep = strstr (from, "://"); sep != NULL; sep = strstr (sep + 3, "://"))
    {
      const char *authority = sep + 3;
      const char *colon;
      const char *last_at = NULL;
      const char *p;

      /* A scheme is at least one letter, then letters, digits, + - . */
      if (sep == text || !is_scheme_char (sep[-1]))
        continue;

      for (p = authority; !ends_authority (*p); p++)
        if (*p == '@')
          last_at = p;
      if (last_at == NULL)
        continue;
      /* The first ':' of the user information, which is before the '@'. */
      colon = memchr (authority, ':', (gsize) (last_at - authority));
      if (colon == NULL)
        continue;
      *password = colon + 1;
      *at = last_at;
      return TRUE;
    }
  return FALSE;
}

gboolean
fb_url_has_password (const char *text)
{
  const char *password;
  const char *at;

  return text != NULL && find_password (text, text, &password, &at);
}

char *
fb_url_for_display (const char *text)
{
  GString *shown;
  const char *from;
  const char *password;
  const char *at;

  if (text == NULL || !find_password (text, text, &password, &at))
    return g_strdup (text);

  shown = g_string_sized_new (strlen (text));
  from = text;
  do
    {
      g_string_append_len (shown, from, password - from);
      g_string_append (shown, MASK);
      from = at;
    }
  while (find_password (text, from, &password, &at));
  g_string_append (shown, from);
  return g_string_free (shown, FALSE);
}
