/* fb-job.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-types.h"
#include "fb-enums.h"

G_BEGIN_DECLS

#define FB_TYPE_JOB (fb_job_get_type ())

G_DECLARE_FINAL_TYPE (FbJob, fb_job, FB, JOB, GObject)

/* input is a URL (download), a host name (probe) or a two-letter code (catalog). */
FbJob       *fb_job_new                 (FbJobKind   kind,
                                         const char *input);
FbJobKind    fb_job_get_kind            (FbJob      *self);
const char  *fb_job_get_input           (FbJob      *self);
/* The URL being fetched now (catalog jobs: image, then metadata); NULL for probes. */
const char  *fb_job_get_url             (FbJob      *self);
FbJobPhase   fb_job_get_phase           (FbJob      *self);
FbJobState   fb_job_get_state           (FbJob      *self);
gboolean     fb_job_is_final            (FbJob      *self);
guint64      fb_job_get_bytes_received  (FbJob      *self);
/* -1 while the size is unknown */
gint64       fb_job_get_bytes_expected  (FbJob      *self);
/* Fraction 0..1, or -1 while the size is unknown. */
double       fb_job_get_fraction        (FbJob      *self);
/* The final message: an error's reason, a probe's addresses, "saved as …". */
const char  *fb_job_get_message         (FbJob      *self);
/* Why it failed (not found, error), for code that needs the class: a
 * G_IO_ERROR_NO_SPACE, a G_RESOLVER_ERROR, an FB_FETCH_ERROR; else NULL. */
const GError *fb_job_get_error          (FbJob      *self);
const char  *fb_job_get_saved_path      (FbJob      *self);
/* Probe: the addresses found, ", "-separated. */
const char  *fb_job_get_addresses       (FbJob      *self);
/* Catalog: the country name from metadata.json. */
const char  *fb_job_get_country         (FbJob      *self);
guint        fb_job_get_http_status     (FbJob      *self);
/* The body's ETag and Last-Modified as the server last gave them (NULL if
 * not): what a resume asks If-Range with. */
const char  *fb_job_get_etag            (FbJob      *self);
const char  *fb_job_get_last_modified   (FbJob      *self);
/* Monotonic time (µs) the job entered @phase, 0 if it never did. */
gint64       fb_job_get_phase_time      (FbJob      *self,
                                         FbJobPhase  phase);
/* µs from leaving the queue to the final state (or to now while it runs). */
gint64       fb_job_get_elapsed         (FbJob      *self);
/* Bytes per second over the transfer so far. */
double       fb_job_get_speed           (FbJob      *self);
/* Where the entry came from, for messages ("list.txt", 12); NULL/0 when typed. */
const char  *fb_job_get_source          (FbJob      *self);
guint        fb_job_get_source_line     (FbJob      *self);
void         fb_job_set_source          (FbJob      *self,
                                         const char *source,
                                         guint       line);

/* One automatic retry: which (1-based) of how many, why, and how long
 * the job waited before it. */
typedef struct
{
  guint        number;
  guint        max;
  double       wait;      /* seconds */
  char        *reason;    /* "connection lost", "HTTP 503", … */
  gint64       at;        /* monotonic µs the back-off began */
} FbJobRetry;

/* Retries so far in this run of the job (the "n-retries" property; the
 * "retrying" signal carries each as it is decided). */
guint        fb_job_get_n_retries       (FbJob      *self);
const FbJobRetry *fb_job_get_retry      (FbJob      *self,
                                         guint       index);
/* "retry 2 of 3 in 4 s: connection reset" */
char        *fb_job_retry_to_string     (const FbJobRetry *retry);

/* Why a job that has not started waits. Its place in the run's queue: 1
 * for the next to start, 0 when it is not in the queue (O(log n)). */
guint        fb_job_get_queue_place     (FbJob      *self);
/* While the job waits for its host (phase HOST_WAIT): the "host:port",
 * how many of the host's jobs are under way and the per-host limit, and
 * the end of the host's Retry-After hold (monotonic µs, 0 = none). FALSE
 * when it does not wait for a host. Any out argument may be NULL. */
gboolean     fb_job_get_host_wait       (FbJob       *self,
                                         const char **host,
                                         guint       *active,
                                         guint       *limit,
                                         gint64      *hold_until);

/* One stretch of a job's time in one phase (monotonic µs). */
typedef struct
{
  FbJobPhase   phase;
  gint64       start;
  gint64       end;
} FbJobSpan;

/* The phases the job went through, in the order of time, retries and their
 * back-offs included; the last ends at @now while the job goes on. Fills up
 * to @n_spans of @spans and returns how many there are (possibly more). */
guint        fb_job_get_spans           (FbJob      *self,
                                         gint64      now,
                                         FbJobSpan  *spans,
                                         guint       n_spans);

/* Which jobs changed phase or state: a front end that keeps its own order
 * of the jobs (a list sorted by state, filtered to the active ones) looks
 * at those again instead of at every job. A watcher collects every job,
 * of any run, whose phase or state changes from its creation on, each once
 * until taken; without a watcher a change costs one test of a pointer. */
typedef struct _FbJobChanges FbJobChanges;

FbJobChanges *fb_job_changes_new        (void);
/* The jobs changed since the last take (or the watcher's creation), in the
 * order of their first change: a new array of new references. */
GPtrArray   *fb_job_changes_take        (FbJobChanges *self);
/* How many jobs are waiting to be taken. */
guint        fb_job_changes_get_pending (FbJobChanges *self);
void         fb_job_changes_free        (FbJobChanges *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbJobChanges, fb_job_changes_free)

const char  *fb_job_kind_to_string      (FbJobKind   kind);
const char  *fb_job_phase_to_string     (FbJobPhase  phase);
const char  *fb_job_state_to_string     (FbJobState  state);

G_END_DECLS
