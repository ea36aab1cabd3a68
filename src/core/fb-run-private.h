/* fb-run-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the files of FbRun share: fb-run.c (the object, its counters and
 * public API), fb-run-schedule.c (the queue, slots and hosts),
 * fb-run-attempt.c (a job under way: finish, fail, retry), and what each
 * kind of job does: fb-run-fetch.c (downloads, catalog) and fb-run-probe.c.
 */

#pragma once

#include "fb-downloader.h"
#include "fb-hosts.h"
#include "fb-prober.h"
#include "fb-queue-place.h"
#include "fb-run.h"
#include "fb-saver.h"
#include "fb-semaphore.h"

G_BEGIN_DECLS

struct _FbRun
{
  GObject       parent_instance;

  GListStore   *jobs;
  FbSemaphore  *semaphore;
  FbHttpPool   *pool;         /* the run's connections, made with its first request */
  GTlsDatabase *tls_database;
  FbProber     *prober;
  GCancellable *pump_cancel;
  GQueue        queue;        /* FbJob* (owned) waiting for a first slot */
  FbQueuePlaces *places;      /* each queued job's place in it */
  GHashTable   *runners;      /* FbJob* → Runner*: jobs under way */
  FbHosts      *hosts;        /* per-host counts, holds and waiting jobs */
  GSource      *hold_timer;   /* the earliest Retry-After hold with jobs behind it */

  char         *destination;
  char         *base_url;
  double        timeout;
  double        dns_timeout;
  double        retry_delay;
  FbFetchLimits limits;
  gint64        started_at;
  gint64        finished_at;
  gint64        earlier_elapsed;  /* earlier periods of a run started again (retries) */
  guint64       finished_bytes;
  guint         counts[FB_JOB_STATE_CANCELLED + 1];
  guint         n_waiting;
  guint         n_ahead;      /* queued jobs from the head whose names the prober was told */
  guint         n_loose_saves; /* downloads saving after giving their slot back */
  guint         pump_idle;
  guint         retries;

  guint         running : 1;
  guint         acquiring : 1;
  guint         overwrite : 1;
  guint         metadata_names : 1;
  guint         limits_changed : 1;
  guint         counting_hosts : 1;  /* the host view asked once: counts kept since */
  guint         suspended : 1;       /* stopped by fb_run_suspend: parts are kept */
};

typedef struct
{
  FbRun        *run;
  FbJob        *job;
  GCancellable *cancel;      /* a probe's only when a retry waits (runner_get_cancel) */
  FbProberLookup *lookup;    /* a probe's lookup under way (cancelled through the prober) */
  FbPartFile   *part;
  char         *final_name;
  GError       *error;       /* kept while the part file is aborted */
  char         *host;        /* the fb_hosts key this attempt counts on, or NULL */
  char         *stat_host;   /* the key the host view counts it under, or NULL */
  GSource      *retry_timer; /* the back-off before the next attempt */
  gulong        cancel_id;   /* while waiting it out */
  double        retry_wait_s;
  gboolean      holds_slot;
  gboolean      cancelled;   /* _fb_run_runner_cancel was called */
  gboolean      loose_save;  /* counted in n_loose_saves */
  gboolean      queued;      /* in the run's or a host's queue for its next attempt */
} Runner;

/* fb-run.c */
void     _fb_run_set_waiting        (FbRun       *self,
                                     guint        n_waiting);
void     _fb_run_finish_job         (FbRun       *self,
                                     FbJob       *job,
                                     FbJobState   state,
                                     const char  *message);
void     _fb_run_emit_job_retrying  (FbRun       *self,
                                     FbJob       *job,
                                     guint        index);
/* The host view's counts: a job of @state more (or less, @delta -1) on its host. */
void     _fb_run_count_host         (FbRun       *self,
                                     FbJob       *job,
                                     FbJobState   state,
                                     int          delta);
/* The queue, and each job's place in it. */
void     _fb_run_queue_push         (FbRun       *self,
                                     FbJob       *job,
                                     gboolean     at_head);
FbJob   *_fb_run_queue_pop          (FbRun       *self);
/* "part-written": @job's .part holds @written bytes at @part_path. */
void     _fb_run_emit_part_written  (FbRun       *self,
                                     FbJob       *job,
                                     const char  *part_path,
                                     guint64      written);

/* fb-run-schedule.c */
void     _fb_run_pump               (FbRun       *self);
gboolean _fb_run_pass_slot          (FbRun       *self);
void     _fb_run_enqueue            (FbRun       *self,
                                     FbJob       *job);
gboolean _fb_run_tracks_hosts       (FbRun       *self);
char    *_fb_run_job_host_key       (FbRun       *self,
                                     FbJob       *job);
gboolean _fb_run_host_blocks_head   (FbRun       *self);
void     _fb_run_host_wake          (FbRun       *self,
                                     const char  *key);
void     _fb_run_host_enter         (Runner      *runner);
void     _fb_run_host_leave         (Runner      *runner);

/* fb-run-attempt.c */
void     _fb_run_start_job          (FbRun       *self,
                                     FbJob       *job);
void     _fb_run_runner_release_slot (Runner     *runner);
/* Cancels the attempt under way: its operations end as cancelled. */
void     _fb_run_runner_cancel      (Runner      *runner);
void     _fb_run_runner_finish      (Runner      *runner,
                                     FbJobState   state,
                                     const char  *message);
void     _fb_run_runner_fail_and_clean (Runner   *runner,
                                     GError      *error);
void     _fb_run_runner_commit      (Runner      *runner);

/* fb-run-fetch.c */
void     _fb_run_start_download     (Runner      *runner);
void     _fb_run_start_catalog      (Runner      *runner);

/* fb-run-probe.c */
void     _fb_run_start_probe        (Runner      *runner);

G_END_DECLS
