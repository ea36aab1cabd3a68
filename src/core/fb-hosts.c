/* fb-hosts.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-hosts"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "fb-hosts.h"

typedef struct
{
  GQueue    waiters;
  gint64    hold_until;
  guint     active;
  gboolean  answered;
  /* What the host view shows, kept for every job whatever the limits. */
  guint     counts[FB_HOSTS_N_COUNTS];
  guint64   bytes;
} Host;

struct _FbHosts
{
  GHashTable     *hosts;        /* key → Host* */
  GDestroyNotify  waiter_free;
  guint           limit;
  gboolean        held_once;
};

static void
host_free (gpointer data)
{
  Host *host = data;

  g_assert (host->waiters.length == 0);
  g_free (host);
}

FbHosts *
fb_hosts_new (GDestroyNotify waiter_free)
{
  FbHosts *self = g_new0 (FbHosts, 1);

  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, host_free);
  self->waiter_free = waiter_free;
  return self;
}

void
fb_hosts_free (FbHosts *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;
  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Host *host = value;
      gpointer waiter;

      while ((waiter = g_queue_pop_head (&host->waiters)) != NULL)
        if (self->waiter_free != NULL)
          self->waiter_free (waiter);
    }
  g_hash_table_destroy (self->hosts);
  g_free (self);
}

/* The plain case, "http://host[:port]/…" with a host of letters, digits,
 * dots and dashes, without GUri (a list of 100,000 URLs is counted as it
 * is added); NULL for anything else, which fb_hosts_key hands to GUri. */
static char *
plain_key (const char *url)
{
  const char *host;
  const char *end;
  const char *p;
  char digits[8];
  gsize n_digits = 0;
  char *key;
  gsize len;

  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    host = url + 7, memcpy (digits, "80", 2), n_digits = 2;
  else if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    host = url + 8, memcpy (digits, "443", 3), n_digits = 3;
  else
    return NULL;
  for (end = host; g_ascii_isalnum (*end) || *end == '.' || *end == '-'; end++)
    ;
  if (end == host)
    return NULL;
  p = end;
  if (*p == ':')
    {
      const char *first = ++p;
      guint value = 0;

      for (; g_ascii_isdigit (*p) && p - first < 5; p++)
        value = value * 10 + (guint) (*p - '0');
      if (p == first || value == 0 || value > 65535 || g_ascii_isdigit (*p))
        return NULL;
      /* The port as written, without leading zeros. */
      while (*first == '0')
        first++;
      n_digits = (gsize) (p - first);
      memcpy (digits, first, n_digits);
    }
  if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
    return NULL;
  len = (gsize) (end - host);
  key = g_malloc (len + 1 + n_digits + 1);
  for (gsize i = 0; i < len; i++)
    key[i] = g_ascii_tolower (host[i]);
  key[len] = ':';
  memcpy (key + len + 1, digits, n_digits);
  key[len + 1 + n_digits] = '\0';
  return key;
}

char *
fb_hosts_key (const char *url)
{
  char *plain;

  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *lower = NULL;
  int port = -1;

  g_return_val_if_fail (url != NULL, NULL);

  if ((plain = plain_key (url)) != NULL)
    return plain;
  if (!g_uri_split_network (url, G_URI_FLAGS_NONE, &scheme, &host, &port, NULL) || host == NULL)
    return NULL;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    port = port > 0 ? port : 80;
  else if (g_ascii_strcasecmp (scheme, "https") == 0)
    port = port > 0 ? port : 443;
  else
    return NULL;
  lower = g_ascii_strdown (host, -1);
  return g_strdup_printf ("%s:%d", lower, port);
}

static Host *
lookup (FbHosts    *self,
        const char *key,
        gboolean    create)
{
  Host *host = g_hash_table_lookup (self->hosts, key);

  if (host == NULL && create)
    {
      host = g_new0 (Host, 1);
      g_queue_init (&host->waiters);
      g_hash_table_insert (self->hosts, g_strdup (key), host);
    }
  return host;
}

void
fb_hosts_set_limit (FbHosts *self,
                    guint    limit)
{
  g_return_if_fail (self != NULL);
  self->limit = limit;
}

guint
fb_hosts_get_limit (FbHosts *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->limit;
}

gboolean
fb_hosts_is_gating (FbHosts *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->limit > 0 || self->held_once;
}

gboolean
fb_hosts_can_enter (FbHosts    *self,
                    const char *key,
                    gint64      now,
                    gint64     *until)
{
  Host *host;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (until != NULL)
    *until = 0;
  host = lookup (self, key, FALSE);
  if (host == NULL)
    return TRUE;
  if (host->hold_until > now)
    {
      if (until != NULL)
        *until = host->hold_until;
      return FALSE;
    }
  return self->limit == 0 || host->active < self->limit;
}

void
fb_hosts_enter (FbHosts    *self,
                const char *key)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  lookup (self, key, TRUE)->active++;
}

void
fb_hosts_leave (FbHosts    *self,
                const char *key)
{
  Host *host;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  host = lookup (self, key, FALSE);
  g_return_if_fail (host != NULL && host->active > 0);
  host->active--;
}

guint
fb_hosts_get_active (FbHosts    *self,
                     const char *key)
{
  Host *host;

  g_return_val_if_fail (self != NULL, 0);
  host = lookup (self, key, FALSE);
  return host != NULL ? host->active : 0;
}

void
fb_hosts_hold (FbHosts    *self,
               const char *key,
               gint64      until)
{
  Host *host;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  host = lookup (self, key, TRUE);
  host->hold_until = MAX (host->hold_until, until);
  self->held_once = TRUE;
}

gint64
fb_hosts_get_hold (FbHosts    *self,
                   const char *key)
{
  Host *host;

  g_return_val_if_fail (self != NULL, 0);
  host = lookup (self, key, FALSE);
  return host != NULL ? host->hold_until : 0;
}

void
fb_hosts_set_answered (FbHosts    *self,
                       const char *key)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  lookup (self, key, TRUE)->answered = TRUE;
}

gboolean
fb_hosts_get_answered (FbHosts    *self,
                       const char *key)
{
  Host *host;

  g_return_val_if_fail (self != NULL, FALSE);
  host = lookup (self, key, FALSE);
  return host != NULL && host->answered;
}

void
fb_hosts_push_waiter (FbHosts    *self,
                      const char *key,
                      gpointer    waiter)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  g_queue_push_tail (&lookup (self, key, TRUE)->waiters, waiter);
}

gpointer
fb_hosts_pop_waiter (FbHosts    *self,
                     const char *key)
{
  Host *host;

  g_return_val_if_fail (self != NULL, NULL);
  host = lookup (self, key, FALSE);
  return host != NULL ? g_queue_pop_head (&host->waiters) : NULL;
}

gboolean
fb_hosts_remove_waiter (FbHosts    *self,
                        const char *key,
                        gpointer    waiter)
{
  Host *host;

  g_return_val_if_fail (self != NULL, FALSE);
  host = lookup (self, key, FALSE);
  return host != NULL && g_queue_remove (&host->waiters, waiter);
}

guint
fb_hosts_get_n_waiters (FbHosts    *self,
                        const char *key)
{
  Host *host;

  g_return_val_if_fail (self != NULL, 0);
  host = lookup (self, key, FALSE);
  return host != NULL ? host->waiters.length : 0;
}

GPtrArray *
fb_hosts_get_waiting_keys (FbHosts *self)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_return_val_if_fail (self != NULL, keys);

  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (((Host *) value)->waiters.length > 0)
      g_ptr_array_add (keys, g_strdup (key));
  return keys;
}

GPtrArray *
fb_hosts_take_all_waiters (FbHosts *self)
{
  GPtrArray *all = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (self != NULL, all);

  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Host *host = value;
      gpointer waiter;

      while ((waiter = g_queue_pop_head (&host->waiters)) != NULL)
        g_ptr_array_add (all, waiter);
    }
  return all;
}

void
fb_hosts_count (FbHosts      *self,
                const char   *key,
                FbHostsCount  count,
                int           delta)
{
  Host *host;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (count < FB_HOSTS_N_COUNTS);

  host = lookup (self, key, TRUE);
  g_return_if_fail (delta >= 0 || host->counts[count] >= (guint) -delta);
  host->counts[count] += delta;
}

void
fb_hosts_add_bytes (FbHosts    *self,
                    const char *key,
                    gint64      bytes)
{
  Host *host;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);

  host = lookup (self, key, TRUE);
  host->bytes = bytes >= 0 || host->bytes >= (guint64) -bytes ? host->bytes + bytes : 0;
}

static void
stats_clear (FbHostStats *stats)
{
  g_free (stats->key);
}

static int
stats_compare (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (((const FbHostStats *) a)->key, ((const FbHostStats *) b)->key);
}

GArray *
fb_hosts_dup_stats (FbHosts *self)
{
  GArray *all = g_array_new (FALSE, TRUE, sizeof (FbHostStats));
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_array_set_clear_func (all, (GDestroyNotify) stats_clear);
  g_return_val_if_fail (self != NULL, all);

  g_hash_table_iter_init (&iter, self->hosts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Host *host = value;
      FbHostStats stats = { 0 };

      if (host->counts[FB_HOSTS_TOTAL] == 0)
        continue;
      stats.key = g_strdup (key);
      memcpy (stats.counts, host->counts, sizeof stats.counts);
      stats.bytes = host->bytes;
      stats.limit = self->limit;
      stats.hold_until = host->hold_until;
      stats.n_waiters = host->waiters.length;
      g_array_append_val (all, stats);
    }
  g_array_sort (all, stats_compare);
  return all;
}
