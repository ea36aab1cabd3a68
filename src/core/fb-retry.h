/* fb-retry.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FB_RETRY_BASE_DELAY   1.0    /* seconds before the first retry, before jitter */
#define FB_RETRY_MAX_DELAY    60.0   /* no back-off or Retry-After waits longer */
#define FB_RETRY_MAX_RETRIES  100

/* The policy for automatic retries, without any I/O: what is worth another
 * attempt, how long to wait, and what a server's Retry-After asks for. */

/* Whether @error (from fb_fetch_finish or the prober) is transient: a
 * timeout, a reset or cut connection, HTTP 408, 429, 502, 503 or 504, or a
 * refused connection on a host that answered before (@host_answered). A
 * 404, any other 4xx, a bad URL, a cancel or a disk error never is. */
gboolean  fb_retry_is_transient      (const GError *error,
                                      guint         http_status,
                                      gboolean      host_answered);

/* Seconds to wait before retry number @retry (1 for the first): an
 * exponential back-off, @base · 2^(retry-1) capped at FB_RETRY_MAX_DELAY,
 * with "equal jitter": a uniform draw from the upper half, so waits grow
 * and no two clients (or jobs) that failed together retry together.
 * @rand may be NULL (GLib's global generator). */
double    fb_retry_backoff           (guint         retry,
                                      double        base,
                                      GRand        *rand);

/* Parses a Retry-After value (RFC 9110 §10.2.3): delta-seconds or an
 * HTTP date, relative to @now (UTC). Sets *@seconds (0 for a date in the
 * past, at most FB_RETRY_MAX_DELAY) and returns TRUE; FALSE when @value
 * is neither. */
gboolean  fb_retry_parse_retry_after (const char   *value,
                                      GDateTime    *now,
                                      double       *seconds);

/* A short, translated reason for a retry line: "connection reset",
 * "timed out", "HTTP 503". */
char     *fb_retry_describe          (const GError *error,
                                      guint         http_status);

G_END_DECLS
