/* fb-http-proxy.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-http"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "fb-http-proxy.h"

static const char *
env_value (const char *lower,
           const char *upper)
{
  const char *value = g_getenv (lower);

  if ((value == NULL || *value == '\0') && upper != NULL)
    value = g_getenv (upper);
  return value != NULL && *value != '\0' ? value : NULL;
}

/* Whether no_proxy's @list exempts @host: an entry matches the host
 * itself or, as a domain (with or without a leading dot), any name under
 * it. */
static gboolean
exempt (const char *list,
        const char *host)
{
  g_auto(GStrv) entries = g_strsplit (list, ",", -1);
  gsize host_len = strlen (host);

  for (guint i = 0; entries[i] != NULL; i++)
    {
      char *entry = g_strstrip (entries[i]);
      char *colon = strrchr (entry, ':');
      gsize len;

      if (g_str_equal (entry, "*"))
        return TRUE;
      /* host:port (but not a bare IPv6 address) */
      if (colon != NULL && strchr (entry, ':') == colon)
        *colon = '\0';
      if (*entry == '[')
        {
          char *end = strchr (entry, ']');

          entry++;
          if (end != NULL)
            *end = '\0';
        }
      while (*entry == '.')
        entry++;
      len = strlen (entry);
      if (len == 0)
        continue;
      if (g_ascii_strcasecmp (entry, host) == 0)
        return TRUE;
      if (host_len > len && host[host_len - len - 1] == '.'
          && g_ascii_strcasecmp (host + host_len - len, entry) == 0)
        return TRUE;
    }
  return FALSE;
}

char *
fb_http_proxy_from_env (const char *scheme,
                        const char *host)
{
  const char *https = env_value ("https_proxy", "HTTPS_PROXY");
  const char *http = env_value ("http_proxy", NULL);
  const char *all = env_value ("all_proxy", "ALL_PROXY");
  const char *no_proxy = env_value ("no_proxy", "NO_PROXY");
  const char *proxy;

  g_return_val_if_fail (scheme != NULL && host != NULL, NULL);

  if (https == NULL && http == NULL && all == NULL)
    return NULL;
  proxy = g_str_equal (scheme, "https") ? https : http;
  if (proxy == NULL)
    proxy = all;
  if (proxy == NULL || (no_proxy != NULL && exempt (no_proxy, host)))
    return g_strdup ("direct://");
  if (strstr (proxy, "://") == NULL)
    return g_strconcat ("http://", proxy, NULL);
  return g_strdup (proxy);
}

gboolean
fb_http_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) numeric = g_inet_address_new_from_string (host);
  gsize len = strlen (host);

  if (numeric != NULL)
    return g_inet_address_get_is_loopback (numeric);
  if (len > 0 && host[len - 1] == '.')
    len--;
  return (len == 9 && g_ascii_strncasecmp (host, "localhost", 9) == 0)
         || (len > 10 && g_ascii_strncasecmp (host + len - 10, ".localhost", 10) == 0);
}
