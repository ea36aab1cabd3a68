/* fb-job-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-job.h"
#include "fb-queue-place.h"

G_BEGIN_DECLS

/* Only the engine changes a job; the front ends read and bind. */
void          _fb_job_set_phase         (FbJob        *self,
                                         FbJobPhase    phase);
void          _fb_job_set_url           (FbJob        *self,
                                         const char   *url);
void          _fb_job_set_http_status   (FbJob        *self,
                                         guint         status);
void          _fb_job_set_expected      (FbJob        *self,
                                         gint64        bytes);
/* Progress notifies are coalesced to at most one per ~16 ms. */
void          _fb_job_add_received      (FbJob        *self,
                                         gsize         bytes);
void          _fb_job_set_received      (FbJob        *self,
                                         guint64       bytes);
/* What the server said identifies the body (either may be NULL). */
void          _fb_job_set_validators    (FbJob        *self,
                                         const char   *etag,
                                         const char   *last_modified);
/* A .part file of @size bytes an earlier process left for this job (its
 * validators are set): the next download attempt continues it. Taken once. */
void          _fb_job_set_resume_part   (FbJob        *self,
                                         const char   *path,
                                         guint64       size);
char         *_fb_job_take_resume_part  (FbJob        *self,
                                         guint64      *size);
/* Where the job is in its run's list (fb_run_add_jobs sets it); get
 * returns it + 1, 0 before the job is in a run: a journal's row index
 * without a lookup. */
void          _fb_job_set_position      (FbJob        *self,
                                         guint         position);
guint         _fb_job_get_position      (FbJob        *self);
/* The resume part, still left for the next attempt (NULL if none). */
const char   *_fb_job_peek_resume_part  (FbJob        *self,
                                         guint64      *size);
void          _fb_job_set_addresses     (FbJob        *self,
                                         const char   *addresses);
void          _fb_job_set_country       (FbJob        *self,
                                         const char   *country);
void          _fb_job_set_saved_path    (FbJob        *self,
                                         const char   *path);
void          _fb_job_set_error         (FbJob        *self,
                                         const GError *error);
/* Sets the one final state (and phase DONE); returns FALSE if already final. */
gboolean      _fb_job_finish            (FbJob        *self,
                                         FbJobState    state,
                                         const char   *message);
/* Records an automatic retry and emits "retrying". */
void          _fb_job_add_retry         (FbJob        *self,
                                         guint         max,
                                         double        wait,
                                         const char   *reason);
/* A new attempt of the same job: progress, status and error go, the
 * retries stay. */
void          _fb_job_begin_attempt     (FbJob        *self);
/* The last answer's Retry-After header, if any (cleared per attempt). */
void          _fb_job_set_retry_after   (FbJob        *self,
                                         const char   *value);
const char   *_fb_job_get_retry_after   (FbJob        *self);
/* The job is in its run's queue now (at its head or tail), or out of it. */
void          _fb_job_join_queue        (FbJob         *self,
                                         FbQueuePlaces *places,
                                         gboolean       at_head);
void          _fb_job_leave_queue       (FbJob         *self);
/* The job waits for @host (NULL: no longer). */
void          _fb_job_wait_for_host     (FbJob         *self,
                                         FbQueuePlaces *places,
                                         const char    *host);
/* A restored job's clock (monotonic µs), before it is finished. */
void          _fb_job_set_phase_time    (FbJob        *self,
                                         FbJobPhase    phase,
                                         gint64        time);
/* Back to QUEUED with its results cleared, for a retry. */
void          _fb_job_reset             (FbJob        *self);
/* The cancellable of the current attempt (created on demand, cleared by reset). */
GCancellable *_fb_job_get_cancellable   (FbJob        *self);
/* How a phase's start is kept: microseconds after QUEUED, exact for 35
 * minutes, then milliseconds up to 24 days; 0 means "not reached" (-1). */
guint32       _fb_job_encode_offset     (gint64        delta_us);
gint64        _fb_job_decode_offset     (guint32       offset);

G_END_DECLS
