/* fb-run.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-types.h"
#include "fb-job.h"
#include "fb-list-parser.h"

G_BEGIN_DECLS

#define FB_RUN_DEFAULT_CONCURRENCY 5
#define FB_RUN_DEFAULT_TIMEOUT     3.1  /* seconds, as in the book */
#define FB_RUN_DEFAULT_DNS_TIMEOUT 5.0
/* Long enough for the kernel's SYN retransmits (1, 3, 7 s) to get through
 * a listen queue that overflowed. */
#define FB_RUN_DEFAULT_CONNECT_TIMEOUT 10.0
#define FB_RUN_DEFAULT_SPEED_TIME  30.0  /* curl's */
#define FB_RUN_MAX_SECONDS         86400.0
/* What a person may choose for either timeout, in seconds: the CLI's
 * --timeout, the GSettings schema's ranges and the preferences' spin
 * buttons use these (tests/test-run.c checks that they agree). The setters
 * accept anything above 0 up to the maximum. */
#define FB_RUN_MIN_TIMEOUT         0.1
#define FB_RUN_MAX_TIMEOUT         600.0

#define FB_TYPE_RUN (fb_run_get_type ())

G_DECLARE_FINAL_TYPE (FbRun, fb_run, FB, RUN, GObject)

/* A run owns its jobs (a GListModel of FbJob), one SoupSession, one
 * semaphore and a GCancellable. It emits "job-finished" (FbJob *) in
 * completion order, "job-retrying" (FbJob *, guint index) when a
 * transient failure sends a job round again, and "finished" when every
 * job has its final state.
 *
 * Properties (all notify): max-concurrency, timeout, dns-timeout,
 * destination, base-url, overwrite, metadata-names, connect-timeout,
 * max-time, speed-limit, speed-time, retries, retry-delay, per-host;
 * read-only: total,
 * n-ok, n-not-found, n-error, n-cancelled, n-finished, active, waiting,
 * running, bytes-received. */
FbRun       *fb_run_new                  (void);
GListModel  *fb_run_get_jobs             (FbRun       *self);

void         fb_run_add_job              (FbRun       *self,
                                          FbJob       *job);
/* Appends in one model change (cheap for 100,000 jobs). Jobs that are
 * final already (restored from a journal) are counted and never started. */
void         fb_run_add_jobs             (FbRun       *self,
                                          FbJob      **jobs,
                                          guint        n_jobs);
/* Adds one job per entry (URL → download, domain → probe, code →
 * catalog), remembering the list's name and line numbers in each job. */
void         fb_run_add_list             (FbRun              *self,
                                          const FbListResult *list);

/* Starts every queued job; jobs added later start as they come. */
void         fb_run_start                (FbRun       *self);
/* Every unfinished job ends as cancelled; "finished" follows. */
void         fb_run_cancel               (FbRun       *self);
/* Stops the run for a quit, to be continued by a later process: as
 * fb_run_cancel, but a download under way (or between two attempts) keeps
 * its NAME.part, flushed and closed, and reports it with "part-written"
 * before its job ends as cancelled; a journal records such jobs as
 * unfinished, not cancelled, and the run as not ended. Until the run is
 * started again, fb_run_get_suspended () says so. */
void         fb_run_suspend              (FbRun       *self);
gboolean     fb_run_get_suspended        (FbRun       *self);
void         fb_run_cancel_job           (FbRun       *self,
                                          FbJob       *job);
/* Puts a final job back in the queue (counters follow). */
gboolean     fb_run_retry_job            (FbRun       *self,
                                          FbJob       *job);

guint        fb_run_get_max_concurrency  (FbRun       *self);
void         fb_run_set_max_concurrency  (FbRun       *self,
                                          guint        limit);
double       fb_run_get_timeout          (FbRun       *self);
void         fb_run_set_timeout          (FbRun       *self,
                                          double       seconds);
double       fb_run_get_dns_timeout      (FbRun       *self);
void         fb_run_set_dns_timeout      (FbRun       *self,
                                          double       seconds);
/* Resolving and connecting (0: the inactivity timeout covers them). */
double       fb_run_get_connect_timeout  (FbRun       *self);
void         fb_run_set_connect_timeout  (FbRun       *self,
                                          double       seconds);
/* A whole request, as curl's --max-time; 0 = none. */
double       fb_run_get_max_time         (FbRun       *self);
void         fb_run_set_max_time         (FbRun       *self,
                                          double       seconds);
/* Fail a body slower than speed-limit bytes/s over speed-time seconds; 0 = none. */
guint64      fb_run_get_speed_limit      (FbRun       *self);
void         fb_run_set_speed_limit      (FbRun       *self,
                                          guint64      bytes_per_second);
double       fb_run_get_speed_time       (FbRun       *self);
void         fb_run_set_speed_time       (FbRun       *self,
                                          double       seconds);
/* Automatic retries of transient failures per job (0 = none). */
guint        fb_run_get_retries          (FbRun       *self);
void         fb_run_set_retries          (FbRun       *self,
                                          guint        retries);
/* The first retry's back-off in seconds, before jitter; it doubles after. */
double       fb_run_get_retry_delay      (FbRun       *self);
void         fb_run_set_retry_delay      (FbRun       *self,
                                          double       seconds);
/* Jobs under way per host, beside the global limit (0 = no limit). */
guint        fb_run_get_per_host         (FbRun       *self);
void         fb_run_set_per_host         (FbRun       *self,
                                          guint        limit);
const char  *fb_run_get_destination      (FbRun       *self);
void         fb_run_set_destination      (FbRun       *self,
                                          const char  *path);
/* The trust for https (default, NULL: the system's). Set before the run starts. */
void         fb_run_set_tls_database     (FbRun        *self,
                                          GTlsDatabase *database);
const char  *fb_run_get_base_url         (FbRun       *self);
void         fb_run_set_base_url         (FbRun       *self,
                                          const char  *base_url);
gboolean     fb_run_get_overwrite        (FbRun       *self);
void         fb_run_set_overwrite        (FbRun       *self,
                                          gboolean     overwrite);
/* Catalog jobs: save under metadata.json's country (flags3) instead of CC.gif. */
gboolean     fb_run_get_metadata_names   (FbRun       *self);
void         fb_run_set_metadata_names   (FbRun       *self,
                                          gboolean     metadata_names);

guint        fb_run_get_total            (FbRun       *self);
guint        fb_run_get_n_ok             (FbRun       *self);
guint        fb_run_get_n_not_found      (FbRun       *self);
guint        fb_run_get_n_error          (FbRun       *self);
guint        fb_run_get_n_cancelled      (FbRun       *self);
guint        fb_run_get_n_finished       (FbRun       *self);
guint        fb_run_get_active           (FbRun       *self);
guint        fb_run_get_waiting          (FbRun       *self);
gboolean     fb_run_get_running          (FbRun       *self);
guint64      fb_run_get_bytes_received   (FbRun       *self);
/* µs the run has been running (frozen once finished), 0 before start; a
 * run started again for retries adds its earlier periods, so rates over
 * every finished job stay true. */
gint64       fb_run_get_elapsed          (FbRun       *self);
FbSemaphore *fb_run_get_semaphore        (FbRun       *self);
/* Per host ("host:port") of the run's http(s) jobs: how many in all, under
 * way and finished each way, bytes so far, the per-host limit and any
 * Retry-After hold (a new GArray of FbHostStats, see fb-hosts.h; cheap
 * enough for a few times a second, never per job). The run counts hosts
 * from the first call on: that call counts the jobs so far (O(n), once). */
GArray      *fb_run_dup_host_stats       (FbRun       *self);

G_END_DECLS
