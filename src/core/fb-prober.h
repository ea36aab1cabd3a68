/* fb-prober.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Host-name lookups on a thread pool of our own, sized to the run's
 * semaphore limit. GLib 2.74's GResolver (even its synchronous call)
 * runs getaddrinfo() on GIO's shared pool of 10 threads, so a limit of
 * 100 would really mean 10: the semaphore's number would be a lie. */
typedef struct _FbProber FbProber;
typedef struct _Lookup FbProberLookup;

/* The answer of fb_prober_lookup: the addresses as text, unique, in
 * resolver order, joined by ", " (the text a probe job shows), or the
 * error; both are the callback's to free. */
typedef void (*FbProberCallback) (char    *addresses,
                                  GError  *error,
                                  gpointer user_data);

/* Names announced ahead and not asked for, at most. */
#define FB_PROBER_AHEAD_MAX 128

FbProber *fb_prober_new              (guint                max_threads);
void      fb_prober_free             (FbProber            *self);
void      fb_prober_set_max_threads  (FbProber            *self,
                                      guint                max_threads);
/* Lookups running in a thread right now (including abandoned ones). */
guint     fb_prober_get_running      (FbProber            *self);
guint     fb_prober_get_peak_running (FbProber            *self);
/* Resolves @name (converted with g_hostname_to_ascii). Errors:
 * G_RESOLVER_ERROR_NOT_FOUND (the name does not exist, with the
 * resolver's reason), G_RESOLVER_ERROR_TEMPORARY_FAILURE,
 * G_IO_ERROR_TIMED_OUT after @timeout seconds, G_IO_ERROR_CANCELLED. */
void      fb_prober_lookup_async     (FbProber            *self,
                                      const char          *name,
                                      double               timeout,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
/* The same lookup without a GTask and a GCancellable (a run's probes: a
 * GTask, a cancellable's handler connected and disconnected, were a
 * tenth of the main thread's time at 10,000 names a second). @callback
 * is called exactly once, always from the main loop (never inside this
 * call), with the same errors. The returned handle is valid until then,
 * to cancel the lookup with fb_prober_cancel. */
FbProberLookup *fb_prober_lookup     (FbProber            *self,
                                      const char          *name,
                                      double               timeout,
                                      FbProberCallback     callback,
                                      gpointer             user_data);
/* Main thread, before @lookup's callback: it will be called with
 * G_IO_ERROR_CANCELLED, from the main loop. */
void      fb_prober_cancel           (FbProber            *self,
                                      FbProberLookup      *lookup);
/* Announces that @name will be asked for soon (the next job in a run's
 * queue): a thread with nothing else to do asks it at once, so the
 * lookup_async that follows finds its answer under way or ready, and the
 * thread does not sleep until the main loop hands it the name. Only idle
 * threads take these, so no more than the limit run at once; the oldest
 * of too many announced names is dropped; a name never asked for gives
 * no callback. */
void      fb_prober_look_ahead       (FbProber            *self,
                                      const char          *name);
/* Drops every name announced and not asked for (a run's queue emptied). */
void      fb_prober_forget_ahead     (FbProber            *self);
/* Names announced and not asked for yet. */
guint     fb_prober_get_n_ahead      (FbProber            *self);
/* Returns the addresses as text, unique, in resolver order. */
GStrv     fb_prober_lookup_finish    (FbProber            *self,
                                      GAsyncResult        *result,
                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbProber, fb_prober_free)

G_END_DECLS
