/* fb-json-check.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A strict JSON checker that builds nothing: one pass, no recursion, a stack
 * of FB_JSON_MAX_DEPTH bytes. It stands in front of json-glib for documents
 * from the network.
 */

#define G_LOG_DOMAIN "fb-json-check"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-json-check.h"

typedef struct
{
  const char *start;
  const char *p;
  const char *end;
  char       *reason;
  const char *failed_at;   /* where the reason points */
} Scan;

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_space (Scan *s)
{
  while (s->p < s->end && is_space (*s->p))
    s->p++;
}

/* Sets the reason once, naming where @at is: lines and columns count
 * characters from 1. */
static gboolean
fail_at (Scan       *s,
         const char *at,
         const char *what)
{
  guint line = 1;
  guint column = 1;

  if (s->reason != NULL)
    return FALSE;
  s->failed_at = at;
  for (const char *q = s->start; q < at; q++)
    {
      if (*q == '\n')
        {
          line++;
          column = 1;
        }
      else if ((*q & 0xc0) != 0x80)
        column++;
    }
  /* Translators: where a JSON document goes wrong; the %s is what, e.g. "unexpected “/”" */
  s->reason = g_strdup_printf (_("line %u, column %u: %s"), line, column, what);
  return FALSE;
}

/* "unexpected “x”", or the end, or a code point for what cannot be shown. */
static gboolean
fail_unexpected (Scan *s)
{
  g_autofree char *what = NULL;
  gunichar c;

  if (s->p >= s->end)
    return fail_at (s, s->p, _("the document ends too early"));
  c = g_utf8_get_char (s->p);
  /* A combining mark would join the quotation mark; a private-use one shows nothing. */
  if (g_unichar_isgraph (c) && !g_unichar_ismark (c) && g_unichar_type (c) != G_UNICODE_PRIVATE_USE)
    {
      int len = (int) (g_utf8_next_char (s->p) - s->p);

      /* Translators: %.*s is one character of the document */
      what = g_strdup_printf (_("unexpected “%.*s”"), len, s->p);
    }
  else
    /* Translators: %04X is a character's code, e.g. U+000A for a line break */
    what = g_strdup_printf (_("unexpected U+%04X"), (guint) c);
  return fail_at (s, s->p, what);
}

static gboolean
expect (Scan *s,
        char  c)
{
  if (s->p < s->end && *s->p == c)
    {
      s->p++;
      return TRUE;
    }
  return fail_unexpected (s);
}

/* Reads the four hex digits after "\u"; -1 and a reason if they are not. */
static gint32
scan_hex4 (Scan *s)
{
  gint32 value = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = s->p < s->end ? g_ascii_xdigit_value (*s->p) : -1;

      if (d < 0)
        {
          fail_unexpected (s);
          return -1;
        }
      value = value * 16 + d;
      s->p++;
    }
  return value;
}

/* An escape after the backslash. A surrogate must come in a pair, as
 * json-glib refuses half of one. */
static gboolean
scan_escape (Scan *s)
{
  const char *escape = s->p - 1;
  gint32 unit;

  if (s->p < s->end && strchr ("\"\\/bfnrt", *s->p) != NULL && *s->p != '\0')
    {
      s->p++;
      return TRUE;
    }
  if (!expect (s, 'u') || (unit = scan_hex4 (s)) < 0)
    return FALSE;
  if (unit >= 0xdc00 && unit <= 0xdfff)
    return fail_at (s, escape, _("half of a surrogate pair"));
  if (unit >= 0xd800 && unit <= 0xdbff)
    {
      if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
        return fail_at (s, escape, _("half of a surrogate pair"));
      s->p += 2;
      if ((unit = scan_hex4 (s)) < 0)
        return FALSE;
      if (unit < 0xdc00 || unit > 0xdfff)
        return fail_at (s, escape, _("half of a surrogate pair"));
    }
  return TRUE;
}

/* A string from its opening quote; the document is known to be UTF-8. */
static gboolean
scan_string (Scan *s)
{
  s->p++;
  while (s->p < s->end)
    {
      unsigned char c = (unsigned char) *s->p;

      if (c == '"')
        {
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        return fail_unexpected (s);
      s->p++;
      if (c == '\\' && !scan_escape (s))
        return FALSE;
    }
  return fail_unexpected (s);
}

static gboolean
scan_digits (Scan *s)
{
  if (s->p >= s->end || !g_ascii_isdigit (*s->p))
    return fail_unexpected (s);
  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return TRUE;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
scan_number (Scan *s)
{
  if (*s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  return TRUE;
}

static gboolean
scan_literal (Scan       *s,
              const char *word)
{
  for (; *word != '\0'; word++, s->p++)
    if (s->p >= s->end || *s->p != *word)
      return fail_unexpected (s);
  return TRUE;
}

/* One value that is not an array or object. */
static gboolean
scan_scalar (Scan *s)
{
  if (s->p >= s->end)
    return fail_unexpected (s);
  switch (*s->p)
    {
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      if (*s->p == '-' || g_ascii_isdigit (*s->p))
        return scan_number (s);
      return fail_unexpected (s);
    }
}

/* A member's name and colon, with the space around them. */
static gboolean
scan_key (Scan *s)
{
  skip_space (s);
  if (s->p >= s->end || *s->p != '"')
    return fail_unexpected (s);
  if (!scan_string (s))
    return FALSE;
  skip_space (s);
  if (!expect (s, ':'))
    return FALSE;
  skip_space (s);
  return TRUE;
}

static gboolean
scan_document (Scan *s)
{
  char stack[FB_JSON_MAX_DEPTH];
  guint depth = 0;

  skip_space (s);
  for (;;)
    {
      /* Containers go on a stack of their closing brackets, not the C stack. */
      if (s->p < s->end && (*s->p == '[' || *s->p == '{'))
        {
          if (depth == FB_JSON_MAX_DEPTH)
            {
              g_autofree char *what =
                g_strdup_printf (_("nested more than %u levels deep"), FB_JSON_MAX_DEPTH);

              return fail_at (s, s->p, what);
            }
          stack[depth++] = *s->p == '[' ? ']' : '}';
          s->p++;
          skip_space (s);
          if (s->p < s->end && *s->p == stack[depth - 1])
            {
              s->p++;
              depth--;
            }
          else
            {
              if (stack[depth - 1] == '}' && !scan_key (s))
                return FALSE;
              continue;
            }
        }
      else if (!scan_scalar (s))
        return FALSE;

      /* After a value: a comma, a close, or the end. */
      for (;;)
        {
          skip_space (s);
          if (depth == 0)
            {
              if (s->p < s->end && strchr ("{[\"-0123456789tfn", *s->p) != NULL && *s->p != '\0')
                return fail_at (s, s->p, _("more than one value"));
              if (s->p < s->end)
                return fail_unexpected (s);
              return TRUE;
            }
          if (s->p < s->end && *s->p == stack[depth - 1])
            {
              s->p++;
              depth--;
              continue;
            }
          if (!expect (s, ','))
            return FALSE;
          skip_space (s);
          if (stack[depth - 1] == '}' && !scan_key (s))
            return FALSE;
          break;
        }
    }
}

gboolean
fb_json_check (const char  *data,
               gsize        size,
               char       **reason)
{
  Scan s = { data, data, data + size, NULL, NULL };
  const char *bad = NULL;
  gboolean ok;

  g_return_val_if_fail (data != NULL || size == 0, FALSE);

  if (size > G_MAXSSIZE)
    ok = fail_at (&s, data, _("the document is too large"));
  else
    {
      /* The text before the first byte that is not UTF-8 (or a NUL, which
       * GLib stops at too: UTF-8, but never JSON) is read first, so the
       * error told is the first one in the document. */
      if (g_utf8_validate_len (data, size, &bad))
        bad = NULL;
      else
        s.end = bad;
      /* RFC 8259 lets a reader skip a byte order mark, and json-glib does. */
      if (s.end - s.p >= 3 && memcmp (s.p, "\xef\xbb\xbf", 3) == 0)
        s.start = s.p += 3;
      ok = scan_document (&s);
      if (bad != NULL && (ok || s.failed_at >= bad))
        {
          g_clear_pointer (&s.reason, g_free);
          s.p = bad;
          s.end = data + size;
          ok = *bad == '\0' ? fail_unexpected (&s) : fail_at (&s, bad, _("not UTF-8 text"));
        }
    }

  if (reason != NULL)
    *reason = g_steal_pointer (&s.reason);
  g_free (s.reason);
  return ok;
}
