/* fb-retry.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-retry"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <math.h>

#include "fb-downloader.h"
#include "fb-retry.h"

static gboolean
status_is_transient (guint status)
{
  return status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
}

gboolean
fb_retry_is_transient (const GError *error,
                       guint         http_status,
                       gboolean      host_answered)
{
  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain == FB_FETCH_ERROR)
    {
      switch ((FbFetchError) error->code)
        {
        case FB_FETCH_ERROR_TIMEOUT:
        case FB_FETCH_ERROR_SHORT_BODY:
        case FB_FETCH_ERROR_LOST:
          return TRUE;
        case FB_FETCH_ERROR_REFUSED:
          /* A host that never answered is most likely not there at all. */
          return host_answered;
        case FB_FETCH_ERROR_HTTP:
          return status_is_transient (http_status);
        case FB_FETCH_ERROR_NOT_FOUND:
        case FB_FETCH_ERROR_TRANSPORT:
        case FB_FETCH_ERROR_TOO_LARGE:
        case FB_FETCH_ERROR_BAD_URL:
        default:
          return FALSE;
        }
    }
  /* The prober's errors: a lost answer or a resolver that said "try again". */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    return TRUE;
  return FALSE;
}

double
fb_retry_backoff (guint   retry,
                  double  base,
                  GRand  *rand)
{
  double delay;

  g_return_val_if_fail (retry >= 1, 0);
  g_return_val_if_fail (base >= 0, 0);

  delay = base * ldexp (1.0, (int) MIN (retry - 1, 30u));
  delay = MIN (delay, FB_RETRY_MAX_DELAY);
  if (rand != NULL)
    return delay / 2 + g_rand_double_range (rand, 0, delay / 2);
  return delay / 2 + g_random_double_range (0, delay / 2);
}

gboolean
fb_retry_parse_retry_after (const char *value,
                            GDateTime  *now,
                            double     *seconds)
{
  g_autoptr(GDateTime) date = NULL;
  const char *p;
  guint64 delta = 0;

  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (seconds != NULL, FALSE);

  if (value == NULL)
    return FALSE;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    {
      for (p = value; g_ascii_isdigit (*p); p++)
        delta = MIN (delta * 10 + (guint64) (*p - '0'), (guint64) G_MAXUINT32);
      while (g_ascii_isspace (*p))
        p++;
      if (*p != '\0')
        return FALSE;
      *seconds = MIN ((double) delta, FB_RETRY_MAX_DELAY);
      return TRUE;
    }

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return FALSE;
  *seconds = CLAMP ((double) g_date_time_difference (date, now) / G_USEC_PER_SEC,
                    0.0, FB_RETRY_MAX_DELAY);
  return TRUE;
}

char *
fb_retry_describe (const GError *error,
                   guint         http_status)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, FB_FETCH_ERROR, FB_FETCH_ERROR_HTTP) && http_status != 0)
    return g_strdup_printf ("HTTP %u", http_status);
  if (g_error_matches (error, FB_FETCH_ERROR, FB_FETCH_ERROR_TIMEOUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup (_("timed out"));
  if (g_error_matches (error, FB_FETCH_ERROR, FB_FETCH_ERROR_REFUSED))
    return g_strdup (_("connection refused"));
  if (g_error_matches (error, FB_FETCH_ERROR, FB_FETCH_ERROR_LOST) ||
      g_error_matches (error, FB_FETCH_ERROR, FB_FETCH_ERROR_SHORT_BODY))
    return g_strdup (_("connection lost"));
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    return g_strdup (_("resolver busy"));
  return g_strdup (error->message);
}
