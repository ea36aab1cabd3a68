/* fb-hosts.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A run's per-host bookkeeping: how many of its jobs each host has under
 * way, against an optional per-host limit; until when a host asked to be
 * left alone (Retry-After); whether it has ever answered; and the jobs
 * waiting for it, in order. Hosts are "host:port" keys (fb_hosts_key). */
typedef struct _FbHosts FbHosts;

FbHosts  *fb_hosts_new            (GDestroyNotify  waiter_free);
void      fb_hosts_free           (FbHosts        *self);

/* "host:port" of an http or https URL (host lower-cased, the scheme's
 * default port filled in), or NULL for anything else. */
char     *fb_hosts_key            (const char     *url);

/* 0 = no limit. */
void      fb_hosts_set_limit      (FbHosts        *self,
                                   guint           limit);
guint     fb_hosts_get_limit      (FbHosts        *self);
/* Whether any job could be held back at all (a limit, or a hold seen). */
gboolean  fb_hosts_is_gating      (FbHosts        *self);

/* Whether one more job may start on @key at monotonic time @now. When it
 * may not and a hold is the reason, *@until is when the hold ends (else 0). */
gboolean  fb_hosts_can_enter      (FbHosts        *self,
                                   const char     *key,
                                   gint64          now,
                                   gint64         *until);
void      fb_hosts_enter          (FbHosts        *self,
                                   const char     *key);
void      fb_hosts_leave          (FbHosts        *self,
                                   const char     *key);
guint     fb_hosts_get_active     (FbHosts        *self,
                                   const char     *key);

/* Nothing starts on @key before monotonic time @until (a later hold wins). */
void      fb_hosts_hold           (FbHosts        *self,
                                   const char     *key,
                                   gint64          until);
gint64    fb_hosts_get_hold       (FbHosts        *self,
                                   const char     *key);

void      fb_hosts_set_answered   (FbHosts        *self,
                                   const char     *key);
gboolean  fb_hosts_get_answered   (FbHosts        *self,
                                   const char     *key);

/* Counts of a host's jobs, for the window's host view; kept for every
 * http(s) job of the run, whatever the limits. Waiting = total − active −
 * the finished ones. */
typedef enum
{
  FB_HOSTS_TOTAL,
  FB_HOSTS_ACTIVE,
  FB_HOSTS_OK,
  FB_HOSTS_FAILED,      /* error or not found */
  FB_HOSTS_CANCELLED,
  FB_HOSTS_N_COUNTS,
} FbHostsCount;

typedef struct
{
  char    *key;                       /* "host:port" */
  guint    counts[FB_HOSTS_N_COUNTS];
  guint64  bytes;                     /* of its finished jobs (the run adds the others') */
  guint    limit;                     /* the per-host limit, 0 = none */
  gint64   hold_until;                /* monotonic µs of a Retry-After hold, 0 = none */
  guint    n_waiters;                 /* held back by the limit or the hold */
} FbHostStats;

void      fb_hosts_count          (FbHosts        *self,
                                   const char     *key,
                                   FbHostsCount    count,
                                   int             delta);
void      fb_hosts_add_bytes      (FbHosts        *self,
                                   const char     *key,
                                   gint64          bytes);
/* Every host with jobs, by key (a new GArray of FbHostStats that frees
 * its keys). */
GArray   *fb_hosts_dup_stats      (FbHosts        *self);

/* Waiters (owned, freed with @waiter_free unless taken back). */
void      fb_hosts_push_waiter    (FbHosts        *self,
                                   const char     *key,
                                   gpointer        waiter);
gpointer  fb_hosts_pop_waiter     (FbHosts        *self,
                                   const char     *key);
gboolean  fb_hosts_remove_waiter  (FbHosts        *self,
                                   const char     *key,
                                   gpointer        waiter);
guint     fb_hosts_get_n_waiters  (FbHosts        *self,
                                   const char     *key);
/* The keys of hosts with waiters (owned strings). */
GPtrArray *fb_hosts_get_waiting_keys (FbHosts     *self);
/* Takes every waiter of every host, in order host by host (for a cancel). */
GPtrArray *fb_hosts_take_all_waiters (FbHosts     *self);

G_END_DECLS
