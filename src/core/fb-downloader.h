/* fb-downloader.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-http.h"

#include "fb-job.h"
#include "fb-saver.h"

G_BEGIN_DECLS

#define FB_FETCH_ERROR (fb_fetch_error_quark ())

/* How a request failed, for the final state and the message. */
typedef enum
{
  FB_FETCH_ERROR_NOT_FOUND,   /* HTTP 404 */
  FB_FETCH_ERROR_HTTP,        /* any other status >= 400 (or 1xx/3xx left) */
  FB_FETCH_ERROR_TIMEOUT,
  FB_FETCH_ERROR_TRANSPORT,   /* refused, reset, DNS, TLS, redirects */
  FB_FETCH_ERROR_SHORT_BODY,  /* fewer bytes than Content-Length */
  FB_FETCH_ERROR_TOO_LARGE,   /* a body kept in memory grew past its cap */
  FB_FETCH_ERROR_BAD_URL,
  FB_FETCH_ERROR_REFUSED,     /* connection refused */
  FB_FETCH_ERROR_LOST,        /* reset or closed before the end, size unknown */
} FbFetchError;

GQuark  fb_fetch_error_quark  (void);

/* GETs @url through @pool and streams the body into @part (or, when @part
 * is NULL, into memory, at most @max_memory bytes). Updates @job's phase,
 * URL and status as it goes, and its byte counts in @part mode (a side
 * request such as metadata.json does not count as the job's body).
 * Writes to @part go to the saver's writer threads while the next chunk
 * is read. On success returns the body
 * (memory mode) or an empty GBytes (@part mode; commit it afterwards).
 * Errors are FB_FETCH_ERROR with a message that is never empty, or
 * G_IO_ERROR_CANCELLED. */
void    fb_fetch_async        (FbHttpPool           *pool,
                               FbJob                *job,
                               const char           *url,
                               FbPartFile           *part,
                               gsize                 max_memory,
                               double                timeout,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data);
GBytes *fb_fetch_finish       (GAsyncResult         *result,
                               GError              **error);

/* Limits beyond the inactivity timeout that fb_fetch_async is given;
 * 0 turns each off. */
typedef struct
{
  double  connect_timeout;  /* resolving, connecting and TLS, instead of the inactivity timeout */
  double  max_time;         /* the whole request, as curl's --max-time */
  guint64 speed_limit;      /* bytes per second, averaged over speed_time … */
  double  speed_time;       /* … seconds of the body, as curl's --speed-limit/--speed-time */
} FbFetchLimits;

/* Every later fb_fetch_async through @pool follows @limits. */
void    fb_fetch_pool_set_limits (FbHttpPool          *pool,
                                  const FbFetchLimits *limits);

/* The connections and settings a run's requests share: keep-alive
 * connections, proxies (the environment's, else the desktop's), and the
 * trust for https (@database, or the system's when NULL). Every URL goes
 * through the one HTTP client of fb-http.c: see README, "departs". */
FbHttpPool  *fb_fetch_pool_new    (GTlsDatabase         *database);

G_END_DECLS
