/* fb-job.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-job"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-job-private.h"
#include "fb-url.h"

#define PROGRESS_INTERVAL_US 16000

/* A job's retries and the last Retry-After, kept apart: most jobs have none. */
typedef struct
{
  GPtrArray *retries;       /* FbJobRetry* */
  char      *retry_after;
  /* Every phase change since the log was made: the first-entry times
   * cannot tell a second attempt's phases. */
  GArray    *transitions;   /* Transition */
} RetryLog;

typedef struct
{
  gint64     time;
  FbJobPhase phase;
} Transition;


struct _FbJob
{
  GObject       parent_instance;

  GCancellable *cancellable;

  char         *input;
  char         *url;
  char         *message;
  char         *saved_path;
  char         *addresses;
  char         *country;
  const char   *source;         /* interned: a file name shared by its list's jobs */
  guint         position;       /* in its run's list, + 1 (0: in none yet) */
  char         *etag;           /* the body's validators, for a resume */
  char         *last_modified;
  RetryLog     *retry_log;      /* made with the first retry or Retry-After */
  /* While it waits in its run's queue (ticket) or its host's (wait_host):
   * no allocation of its own, a million queued jobs cost 12 bytes each. */
  FbQueuePlaces *places;
  char         *wait_host;
  char         *error_message;  /* GRefString, interned; the GError is built when asked for */
  GQuark        error_domain;
  int           error_code;
  /* When each phase began: QUEUED in full, the others as offsets from it
   * (see _fb_job_encode_offset ()), 40 bytes a job instead of 72. */
  gint64        queued_time;
  guint32       phase_offset[FB_JOB_N_PHASES - 1];
  guint64       received;
  gint64        expected;
  gint64        last_progress_notify;
  guint         source_line;
  guint         http_status;

  FbJobKind     kind : 4;
  FbJobPhase    phase : 4;
  FbJobState    state : 4;
  guint         url_is_input : 1;
  guint32       ticket;         /* its place's ticket in the run's queue, or 0 */
};

G_DEFINE_FINAL_TYPE (FbJob, fb_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_INPUT,
  PROP_URL,
  PROP_PHASE,
  PROP_STATE,
  PROP_FINAL,
  PROP_BYTES_RECEIVED,
  PROP_BYTES_EXPECTED,
  PROP_FRACTION,
  PROP_MESSAGE,
  PROP_SAVED_PATH,
  PROP_ADDRESSES,
  PROP_COUNTRY,
  PROP_HTTP_STATUS,
  PROP_SOURCE,
  PROP_SOURCE_LINE,
  PROP_N_RETRIES,
  N_PROPS
};

enum {
  RETRYING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The change watchers (see fb_job_changes_new ()). */
struct _FbJobChanges
{
  GPtrArray  *jobs;     /* FbJob*, references, in the order of first change */
  GHashTable *seen;     /* FbJob* (the references above) */
};

G_LOCK_DEFINE_STATIC (watchers);
static GSList *watchers;    /* FbJobChanges* */

static void
note_change (FbJob *self)
{
  /* Read without the lock first: with no watcher (the CLI) a change costs
   * this test alone; a watcher made meanwhile cannot miss it, as jobs
   * change on the main thread only. */
  if (g_atomic_pointer_get (&watchers) == NULL)
    return;
  G_LOCK (watchers);
  for (GSList *l = watchers; l != NULL; l = l->next)
    {
      FbJobChanges *changes = l->data;

      if (g_hash_table_add (changes->seen, self))
        g_ptr_array_add (changes->jobs, g_object_ref (self));
    }
  G_UNLOCK (watchers);
}

static void
retry_free (FbJobRetry *retry)
{
  g_free (retry->reason);
  g_free (retry);
}

/* The places are kept while the job is in either queue. */
static void
wait_set_places (FbJob         *self,
                 FbQueuePlaces *places)
{
  if (self->places == places)
    return;
  if (self->places != NULL && self->ticket != 0)
    fb_queue_places_leave (self->places, self->ticket);
  self->ticket = 0;
  g_clear_pointer (&self->places, fb_queue_places_unref);
  if (places != NULL)
    self->places = fb_queue_places_ref (places);
}

/* Done with waiting altogether: nothing of it is kept. */
static void
wait_clear (FbJob *self)
{
  g_clear_pointer (&self->wait_host, g_free);
  wait_set_places (self, NULL);
}

static void
wait_check (FbJob *self)
{
  if (self->ticket == 0 && self->wait_host == NULL)
    wait_set_places (self, NULL);
}

static RetryLog *
retry_log_get (FbJob *self)
{
  if (self->retry_log == NULL)
    {
      self->retry_log = g_new0 (RetryLog, 1);
      self->retry_log->retries = g_ptr_array_new_with_free_func ((GDestroyNotify) retry_free);
      self->retry_log->transitions = g_array_new (FALSE, FALSE, sizeof (Transition));
    }
  return self->retry_log;
}

static void
retry_log_free (RetryLog *log)
{
  g_ptr_array_unref (log->retries);
  g_array_unref (log->transitions);
  g_free (log->retry_after);
  g_free (log);
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* An offset of 0 means "not reached". Below 2^31, offset - 1 is in
 * microseconds (35 minutes); above, the low 31 bits are milliseconds
 * (24 days): a job that waits or runs that long needs no microseconds.
 * (Exported in fb-job-private.h for the tests.) */
#define OFFSET_MS_FLAG 0x80000000u

guint32
_fb_job_encode_offset (gint64 delta_us)
{
  gint64 ms;

  if (delta_us < 0)
    delta_us = 0;
  if (delta_us < (gint64) OFFSET_MS_FLAG - 1)
    return (guint32) delta_us + 1;
  ms = MIN (delta_us / 1000, (gint64) (OFFSET_MS_FLAG - 1));
  return OFFSET_MS_FLAG | (guint32) ms;
}

gint64
_fb_job_decode_offset (guint32 offset)
{
  if (offset == 0)
    return -1;
  if (offset & OFFSET_MS_FLAG)
    return (gint64) (offset & ~OFFSET_MS_FLAG) * 1000;
  return (gint64) offset - 1;
}

static gint64
phase_time (FbJob      *self,
            FbJobPhase  phase)
{
  guint32 offset;

  if (phase == FB_JOB_PHASE_QUEUED)
    return self->queued_time;
  offset = self->phase_offset[phase - 1];
  if (offset == 0)
    return 0;
  return self->queued_time + _fb_job_decode_offset (offset);
}

static void
clear_phase_times (FbJob *self)
{
  self->queued_time = g_get_monotonic_time ();
  memset (self->phase_offset, 0, sizeof self->phase_offset);
}

static GQuark
error_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("fb-job-error");
  return quark;
}

/* Messages are GRefStrings, interned for jobs that did not end OK: a
 * million jobs that failed the same way share one "Name or service not
 * known", and a job's message and its error's are one string. ("Saved as
 * NAME" is different in every job: no use looking it up.) */
static void
clear_message (FbJob *self)
{
  g_clear_pointer (&self->message, g_ref_string_release);
}

static void
clear_error (FbJob *self)
{
  g_object_set_qdata (G_OBJECT (self), error_quark (), NULL);
  g_clear_pointer (&self->error_message, g_ref_string_release);
  self->error_domain = 0;
  self->error_code = 0;
}

/* @text with a URL's password masked, as a GRefString. */
static char *
intern_message (const char *text,
                gboolean    intern)
{
  g_autofree char *shown = NULL;

  /* Messages are for people: a URL's password never reaches them. */
  if (fb_url_has_password (text))
    text = shown = fb_url_for_display (text);
  return intern ? g_ref_string_new_intern (text) : g_ref_string_new (text);
}

static void
notify_progress (FbJob *self)
{
  self->last_progress_notify = g_get_monotonic_time ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_RECEIVED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

FbJob *
fb_job_new (FbJobKind   kind,
            const char *input)
{
  FbJob *self;

  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (kind == FB_JOB_KIND_PROBE || kind == FB_JOB_KIND_DOWNLOAD ||
                        kind == FB_JOB_KIND_CATALOG, NULL);

  /* The two construct-only properties set as their setter does, without
   * g_object_new's lookup and GValue of each by name: a list of 10,000
   * names spent 6 ms there before its first lookup. */
  self = g_object_new (FB_TYPE_JOB, NULL);
  self->kind = kind;
  self->input = g_strdup (input);
  return self;
}

FbJobKind
fb_job_get_kind (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), FB_JOB_KIND_DOWNLOAD);
  return self->kind;
}

const char *
fb_job_get_input (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->input;
}

const char *
fb_job_get_url (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->url_is_input ? self->input : self->url;
}

FbJobPhase
fb_job_get_phase (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), FB_JOB_PHASE_QUEUED);
  return self->phase;
}

FbJobState
fb_job_get_state (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), FB_JOB_STATE_PENDING);
  return self->state;
}

gboolean
fb_job_is_final (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), FALSE);
  return self->state != FB_JOB_STATE_PENDING;
}

guint64
fb_job_get_bytes_received (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), 0);
  return self->received;
}

gint64
fb_job_get_bytes_expected (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), -1);
  return self->expected;
}

double
fb_job_get_fraction (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), -1);

  if (self->state == FB_JOB_STATE_OK)
    return 1.0;
  if (self->expected <= 0)
    return -1.0;
  return MIN (1.0, (double) self->received / (double) self->expected);
}

const char *
fb_job_get_message (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->message;
}

const GError *
fb_job_get_error (FbJob *self)
{
  GError *error;

  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  error = g_object_get_qdata (G_OBJECT (self), error_quark ());
  if (error == NULL && self->error_message != NULL)
    {
      error = g_error_new_literal (self->error_domain, self->error_code, self->error_message);
      g_object_set_qdata_full (G_OBJECT (self), error_quark (), error,
                               (GDestroyNotify) g_error_free);
    }
  return error;
}

const char *
fb_job_get_saved_path (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->saved_path;
}

const char *
fb_job_get_addresses (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->addresses;
}

const char *
fb_job_get_country (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->country;
}

guint
fb_job_get_http_status (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), 0);
  return self->http_status;
}

gint64
fb_job_get_phase_time (FbJob      *self,
                       FbJobPhase  phase)
{
  g_return_val_if_fail (FB_IS_JOB (self), 0);
  g_return_val_if_fail (phase < FB_JOB_N_PHASES, 0);
  return phase_time (self, phase);
}

static gint64
start_time (FbJob *self)
{
  /* The clock starts when the job leaves the queue: with its slot. */
  for (FbJobPhase p = FB_JOB_PHASE_RESOLVING; p < FB_JOB_PHASE_DONE; p++)
    if (phase_time (self, p) != 0)
      return phase_time (self, p);
  return 0;
}

gint64
fb_job_get_elapsed (FbJob *self)
{
  gint64 start;
  gint64 end;

  g_return_val_if_fail (FB_IS_JOB (self), 0);

  start = start_time (self);
  if (start == 0)
    return 0;
  end = phase_time (self, FB_JOB_PHASE_DONE);
  if (end == 0)
    end = g_get_monotonic_time ();
  return MAX (0, end - start);
}

double
fb_job_get_speed (FbJob *self)
{
  gint64 start;
  gint64 end;

  g_return_val_if_fail (FB_IS_JOB (self), 0);

  start = phase_time (self, FB_JOB_PHASE_TRANSFERRING);
  if (start == 0 || self->received == 0)
    return 0;
  end = phase_time (self, FB_JOB_PHASE_DONE);
  if (end == 0)
    end = g_get_monotonic_time ();
  if (end <= start)
    return 0;
  return (double) self->received * G_USEC_PER_SEC / (double) (end - start);
}

const char *
fb_job_get_source (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  return self->source;
}

guint
fb_job_get_source_line (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), 0);
  return self->source_line;
}

void
fb_job_set_source (FbJob      *self,
                   const char *source,
                   guint       line)
{
  g_return_if_fail (FB_IS_JOB (self));

  source = g_intern_string (source);
  if (self->source != source)
    {
      self->source = source;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
    }
  if (self->source_line != line)
    {
      self->source_line = line;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE_LINE]);
    }
}

guint
fb_job_get_n_retries (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), 0);
  return self->retry_log != NULL ? self->retry_log->retries->len : 0;
}

const FbJobRetry *
fb_job_get_retry (FbJob *self,
                  guint  index)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);
  g_return_val_if_fail (index < fb_job_get_n_retries (self), NULL);
  return g_ptr_array_index (self->retry_log->retries, index);
}

guint
fb_job_get_queue_place (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), 0);

  if (self->places == NULL || self->ticket == 0)
    return 0;
  return fb_queue_places_get (self->places, self->ticket);
}

gboolean
fb_job_get_host_wait (FbJob       *self,
                      const char **host,
                      guint       *active,
                      guint       *limit,
                      gint64      *hold_until)
{
  FbHosts *hosts;

  g_return_val_if_fail (FB_IS_JOB (self), FALSE);

  if (self->places == NULL || self->wait_host == NULL)
    return FALSE;
  hosts = fb_queue_places_get_hosts (self->places);
  if (host != NULL)
    *host = self->wait_host;
  if (active != NULL)
    *active = hosts != NULL ? fb_hosts_get_active (hosts, self->wait_host) : 0;
  if (limit != NULL)
    *limit = hosts != NULL ? fb_hosts_get_limit (hosts) : 0;
  if (hold_until != NULL)
    *hold_until = hosts != NULL ? fb_hosts_get_hold (hosts, self->wait_host) : 0;
  return TRUE;
}

guint
fb_job_get_spans (FbJob     *self,
                  gint64     now,
                  FbJobSpan *spans,
                  guint      n_spans)
{
  Transition marks[FB_JOB_N_PHASES];
  GArray *later = NULL;
  gint64 cut = G_MAXINT64;
  guint n_marks = 0;
  guint n_later;
  guint n = 0;

  g_return_val_if_fail (FB_IS_JOB (self), 0);
  g_return_val_if_fail (n_spans == 0 || spans != NULL, 0);

  /* The first entry of each phase, up to the first change the retry log
   * holds; from there on, the log's changes. */
  if (self->retry_log != NULL && self->retry_log->transitions->len > 0)
    {
      later = self->retry_log->transitions;
      cut = g_array_index (later, Transition, 0).time;
    }
  for (FbJobPhase p = FB_JOB_PHASE_QUEUED; p < FB_JOB_N_PHASES; p++)
    {
      gint64 t = phase_time (self, p);
      guint i;

      if (t == 0 || t >= cut)
        continue;
      /* Insertion in time order; phases of one instant keep their order. */
      for (i = n_marks; i > 0 && marks[i - 1].time > t; i--)
        marks[i] = marks[i - 1];
      marks[i].time = t;
      marks[i].phase = p;
      n_marks++;
    }
  n_later = later != NULL ? later->len : 0;

  for (guint i = 0; i < n_marks + n_later; i++)
    {
      const Transition *mark = i < n_marks ? &marks[i]
                                           : &g_array_index (later, Transition, i - n_marks);
      const Transition *next = i + 1 < n_marks ? &marks[i + 1]
                               : i + 1 < n_marks + n_later
                               ? &g_array_index (later, Transition, i + 1 - n_marks) : NULL;
      gint64 end;

      if (mark->phase == FB_JOB_PHASE_DONE)
        continue;
      end = next != NULL ? next->time : fb_job_is_final (self) ? mark->time : MAX (now, mark->time);
      if (end <= mark->time)
        continue;
      if (n < n_spans)
        {
          spans[n].phase = mark->phase;
          spans[n].start = mark->time;
          spans[n].end = end;
        }
      n++;
    }
  return n;
}

char *
fb_job_retry_to_string (const FbJobRetry *retry)
{
  g_return_val_if_fail (retry != NULL, NULL);

  /* Translators: "retry 2 of 3 in 4 s: connection lost"; %.*f is seconds,
   * %s the reason */
  return g_strdup_printf (_("retry %u of %u in %.*f s: %s"), retry->number, retry->max,
                          retry->wait < 0.95 ? 1 : 0, retry->wait, retry->reason);
}

FbJobChanges *
fb_job_changes_new (void)
{
  FbJobChanges *self = g_new0 (FbJobChanges, 1);

  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  self->seen = g_hash_table_new (NULL, NULL);
  G_LOCK (watchers);
  g_atomic_pointer_set (&watchers, g_slist_prepend (watchers, self));
  G_UNLOCK (watchers);
  return self;
}

GPtrArray *
fb_job_changes_take (FbJobChanges *self)
{
  GPtrArray *jobs;

  g_return_val_if_fail (self != NULL, NULL);

  G_LOCK (watchers);
  jobs = g_steal_pointer (&self->jobs);
  self->jobs = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_remove_all (self->seen);
  G_UNLOCK (watchers);
  return jobs;
}

guint
fb_job_changes_get_pending (FbJobChanges *self)
{
  guint n;

  g_return_val_if_fail (self != NULL, 0);

  G_LOCK (watchers);
  n = self->jobs->len;
  G_UNLOCK (watchers);
  return n;
}

void
fb_job_changes_free (FbJobChanges *self)
{
  if (self == NULL)
    return;
  G_LOCK (watchers);
  g_atomic_pointer_set (&watchers, g_slist_remove (watchers, self));
  G_UNLOCK (watchers);
  g_hash_table_unref (self->seen);
  g_ptr_array_unref (self->jobs);
  g_free (self);
}

const char *
fb_job_kind_to_string (FbJobKind kind)
{
  switch (kind)
    {
    case FB_JOB_KIND_PROBE:
      return _("Probe");
    case FB_JOB_KIND_DOWNLOAD:
      return _("Download");
    case FB_JOB_KIND_CATALOG:
      return _("Catalog");
    default:
      return "";
    }
}

const char *
fb_job_phase_to_string (FbJobPhase phase)
{
  switch (phase)
    {
    case FB_JOB_PHASE_QUEUED:
      return _("Queued");
    case FB_JOB_PHASE_WAITING:
      return _("Waiting for a slot");
    case FB_JOB_PHASE_HOST_WAIT:
      return _("Waiting for its host");
    case FB_JOB_PHASE_RETRY_WAIT:
      return _("Waiting to retry");
    case FB_JOB_PHASE_RESOLVING:
      return _("Resolving");
    case FB_JOB_PHASE_CONNECTING:
      return _("Connecting");
    case FB_JOB_PHASE_TLS:
      return _("TLS handshake");
    case FB_JOB_PHASE_FIRST_BYTE:
      return _("Waiting for the first byte");
    case FB_JOB_PHASE_TRANSFERRING:
      return _("Transferring");
    case FB_JOB_PHASE_SAVING:
      return _("Saving");
    case FB_JOB_PHASE_DONE:
      return _("Done");
    default:
      return "";
    }
}

const char *
fb_job_state_to_string (FbJobState state)
{
  switch (state)
    {
    case FB_JOB_STATE_PENDING:
      return _("Pending");
    case FB_JOB_STATE_OK:
      return _("OK");
    case FB_JOB_STATE_NOT_FOUND:
      return _("Not found");
    case FB_JOB_STATE_ERROR:
      return _("Error");
    case FB_JOB_STATE_CANCELLED:
      return _("Cancelled");
    default:
      return "";
    }
}

/* ---- engine-side setters ---- */

void
_fb_job_set_phase (FbJob      *self,
                   FbJobPhase  phase)
{
  gint64 now;

  g_assert (FB_IS_JOB (self));

  if (self->phase == phase)
    return;

  self->phase = phase;
  now = g_get_monotonic_time ();
  if (self->retry_log != NULL)
    {
      Transition t = { now, phase };

      g_array_append_val (self->retry_log->transitions, t);
    }
  /* The first entry counts: a catalog job connects twice (image, then
   * metadata), and its clock must not restart. */
  if (phase != FB_JOB_PHASE_QUEUED && self->phase_offset[phase - 1] == 0)
    self->phase_offset[phase - 1] = _fb_job_encode_offset (now - self->queued_time);
  note_change (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
}

void
_fb_job_set_url (FbJob      *self,
                 const char *url)
{
  g_assert (FB_IS_JOB (self));

  if (g_strcmp0 (fb_job_get_url (self), url) == 0)
    return;
  g_clear_pointer (&self->url, g_free);
  /* Most jobs request their input as it is: no second copy of it. */
  self->url_is_input = url != NULL && g_strcmp0 (url, self->input) == 0;
  if (!self->url_is_input)
    self->url = g_strdup (url);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

void
_fb_job_set_http_status (FbJob *self,
                         guint  status)
{
  g_assert (FB_IS_JOB (self));

  if (self->http_status == status)
    return;
  self->http_status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HTTP_STATUS]);
}

void
_fb_job_set_expected (FbJob  *self,
                      gint64  bytes)
{
  g_assert (FB_IS_JOB (self));

  if (self->expected == bytes)
    return;
  self->expected = bytes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_EXPECTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

void
_fb_job_add_received (FbJob *self,
                      gsize  bytes)
{
  g_assert (FB_IS_JOB (self));

  if (bytes == 0)
    return;
  self->received += bytes;
  if (g_get_monotonic_time () - self->last_progress_notify >= PROGRESS_INTERVAL_US)
    notify_progress (self);
}

void
_fb_job_set_received (FbJob   *self,
                      guint64  bytes)
{
  g_assert (FB_IS_JOB (self));

  if (self->received == bytes)
    return;
  self->received = bytes;
  notify_progress (self);
}

void
_fb_job_set_validators (FbJob      *self,
                        const char *etag,
                        const char *last_modified)
{
  g_assert (FB_IS_JOB (self));

  set_string (&self->etag, etag);
  set_string (&self->last_modified, last_modified);
}

/* A .part file left by an earlier process, for the next attempt to
 * continue: rare, so kept beside the job rather than in every job. */
typedef struct
{
  char    *path;
  guint64  size;
} ResumePart;

static void
resume_part_free (ResumePart *part)
{
  g_free (part->path);
  g_free (part);
}

static GQuark
resume_part_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("fb-job-resume-part");
  return quark;
}

void
_fb_job_set_resume_part (FbJob      *self,
                         const char *path,
                         guint64     size)
{
  ResumePart *part = NULL;

  g_assert (FB_IS_JOB (self));

  if (path != NULL)
    {
      part = g_new0 (ResumePart, 1);
      part->path = g_strdup (path);
      part->size = size;
    }
  g_object_set_qdata_full (G_OBJECT (self), resume_part_quark (), part,
                           (GDestroyNotify) resume_part_free);
}

char *
_fb_job_take_resume_part (FbJob   *self,
                          guint64 *size)
{
  ResumePart *part;
  char *path;

  g_assert (FB_IS_JOB (self));

  part = g_object_steal_qdata (G_OBJECT (self), resume_part_quark ());
  if (part == NULL)
    return NULL;
  *size = part->size;
  path = g_steal_pointer (&part->path);
  resume_part_free (part);
  return path;
}

void
_fb_job_set_position (FbJob *self,
                      guint  position)
{
  self->position = position + 1;
}

guint
_fb_job_get_position (FbJob *self)
{
  return self->position;
}

const char *
_fb_job_peek_resume_part (FbJob   *self,
                          guint64 *size)
{
  ResumePart *part;

  g_assert (FB_IS_JOB (self));

  part = g_object_get_qdata (G_OBJECT (self), resume_part_quark ());
  if (part == NULL)
    return NULL;
  *size = part->size;
  return part->path;
}

const char *
fb_job_get_etag (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);

  return self->etag;
}

const char *
fb_job_get_last_modified (FbJob *self)
{
  g_return_val_if_fail (FB_IS_JOB (self), NULL);

  return self->last_modified;
}

void
_fb_job_set_addresses (FbJob      *self,
                       const char *addresses)
{
  g_assert (FB_IS_JOB (self));

  if (set_string (&self->addresses, addresses))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESSES]);
}

void
_fb_job_set_country (FbJob      *self,
                     const char *country)
{
  g_assert (FB_IS_JOB (self));

  if (set_string (&self->country, country))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTRY]);
}

void
_fb_job_set_error (FbJob        *self,
                   const GError *error)
{
  g_assert (FB_IS_JOB (self));

  clear_error (self);
  if (error != NULL)
    {
      self->error_domain = error->domain;
      self->error_code = error->code;
      self->error_message = intern_message (error->message, TRUE);
    }
}

void
_fb_job_set_saved_path (FbJob      *self,
                        const char *path)
{
  g_assert (FB_IS_JOB (self));

  if (set_string (&self->saved_path, path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVED_PATH]);
}

gboolean
_fb_job_finish (FbJob      *self,
                FbJobState  state,
                const char *message)
{
  g_autoptr(GRefString) shown = NULL;

  g_assert (FB_IS_JOB (self));
  g_assert (state != FB_JOB_STATE_PENDING);

  if (self->state != FB_JOB_STATE_PENDING)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));
  self->state = state;
  note_change (self);
  if (message != NULL && self->error_message != NULL && strcmp (self->error_message, message) == 0)
    /* The error's own text, interned already (a failed probe's message). */
    shown = g_ref_string_acquire (self->error_message);
  else if (message != NULL)
    shown = intern_message (message, state != FB_JOB_STATE_OK);
  if (g_strcmp0 (self->message, shown) != 0)
    {
      clear_message (self);
      self->message = g_steal_pointer (&shown);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  wait_clear (self);
  _fb_job_set_phase (self, FB_JOB_PHASE_DONE);
  notify_progress (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINAL]);
  g_clear_object (&self->cancellable);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

void
_fb_job_add_retry (FbJob      *self,
                   guint       max,
                   double      wait,
                   const char *reason)
{
  GPtrArray *retries;
  FbJobRetry *retry;

  g_assert (FB_IS_JOB (self));

  retries = retry_log_get (self)->retries;
  retry = g_new0 (FbJobRetry, 1);
  retry->number = retries->len + 1;
  retry->max = max;
  retry->wait = wait;
  retry->reason = g_strdup (reason);
  retry->at = g_get_monotonic_time ();
  g_ptr_array_add (retries, retry);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RETRIES]);
  g_signal_emit (self, signals[RETRYING], 0, retry->number - 1);
}

void
_fb_job_begin_attempt (FbJob *self)
{
  g_assert (FB_IS_JOB (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->retry_log != NULL)
    g_clear_pointer (&self->retry_log->retry_after, g_free);
  clear_error (self);
  if (self->received != 0)
    {
      self->received = 0;
      notify_progress (self);
    }
  _fb_job_set_expected (self, -1);
  _fb_job_set_http_status (self, 0);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_fb_job_set_retry_after (FbJob      *self,
                         const char *value)
{
  g_assert (FB_IS_JOB (self));
  if (value != NULL || self->retry_log != NULL)
    set_string (&retry_log_get (self)->retry_after, value);
}

void
_fb_job_join_queue (FbJob         *self,
                    FbQueuePlaces *places,
                    gboolean       at_head)
{
  g_assert (FB_IS_JOB (self));

  wait_set_places (self, places);
  if (self->ticket != 0)
    fb_queue_places_leave (self->places, self->ticket);
  self->ticket = fb_queue_places_join (places, at_head);
}

void
_fb_job_leave_queue (FbJob *self)
{
  g_assert (FB_IS_JOB (self));

  if (self->ticket == 0)
    return;
  fb_queue_places_leave (self->places, self->ticket);
  self->ticket = 0;
  wait_check (self);
}

void
_fb_job_wait_for_host (FbJob         *self,
                       FbQueuePlaces *places,
                       const char    *host)
{
  g_assert (FB_IS_JOB (self));

  if (host == NULL && self->wait_host == NULL)
    return;
  if (host != NULL)
    wait_set_places (self, places);
  g_free (self->wait_host);
  self->wait_host = g_strdup (host);
  wait_check (self);
}

const char *
_fb_job_get_retry_after (FbJob *self)
{
  g_assert (FB_IS_JOB (self));
  return self->retry_log != NULL ? self->retry_log->retry_after : NULL;
}

void
_fb_job_set_phase_time (FbJob      *self,
                        FbJobPhase  phase,
                        gint64      time)
{
  g_assert (FB_IS_JOB (self));
  g_assert (phase < FB_JOB_N_PHASES);

  if (phase == FB_JOB_PHASE_QUEUED)
    self->queued_time = time;
  else
    self->phase_offset[phase - 1] = _fb_job_encode_offset (MAX (0, time - self->queued_time));
}

void
_fb_job_reset (FbJob *self)
{
  g_assert (FB_IS_JOB (self));

  g_object_freeze_notify (G_OBJECT (self));
  g_clear_object (&self->cancellable);
  clear_phase_times (self);
  self->phase = FB_JOB_PHASE_QUEUED;
  self->state = FB_JOB_STATE_PENDING;
  note_change (self);
  self->received = 0;
  self->expected = -1;
  self->http_status = 0;
  clear_message (self);
  g_clear_pointer (&self->saved_path, g_free);
  g_clear_pointer (&self->addresses, g_free);
  g_clear_pointer (&self->country, g_free);
  g_clear_pointer (&self->retry_log, retry_log_free);
  wait_clear (self);
  clear_error (self);
  for (guint i = PROP_URL; i < N_PROPS; i++)
    if (i != PROP_SOURCE && i != PROP_SOURCE_LINE)
      g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

GCancellable *
_fb_job_get_cancellable (FbJob *self)
{
  g_assert (FB_IS_JOB (self));

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  return self->cancellable;
}

/* ---- GObject ---- */

static void
fb_job_dispose (GObject *object)
{
  FbJob *self = FB_JOB (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (fb_job_parent_class)->dispose (object);
}

static void
fb_job_finalize (GObject *object)
{
  FbJob *self = FB_JOB (object);

  g_free (self->input);
  g_free (self->url);
  clear_message (self);
  g_free (self->saved_path);
  g_free (self->addresses);
  g_free (self->country);
  g_free (self->etag);
  g_free (self->last_modified);
  g_clear_pointer (&self->retry_log, retry_log_free);
  wait_clear (self);
  clear_error (self);

  G_OBJECT_CLASS (fb_job_parent_class)->finalize (object);
}

static void
fb_job_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  FbJob *self = FB_JOB (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_INPUT:
      g_value_set_string (value, self->input);
      break;
    case PROP_URL:
      g_value_set_string (value, fb_job_get_url (self));
      break;
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FINAL:
      g_value_set_boolean (value, fb_job_is_final (self));
      break;
    case PROP_BYTES_RECEIVED:
      g_value_set_uint64 (value, self->received);
      break;
    case PROP_BYTES_EXPECTED:
      g_value_set_int64 (value, self->expected);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, fb_job_get_fraction (self));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_SAVED_PATH:
      g_value_set_string (value, self->saved_path);
      break;
    case PROP_ADDRESSES:
      g_value_set_string (value, self->addresses);
      break;
    case PROP_COUNTRY:
      g_value_set_string (value, self->country);
      break;
    case PROP_HTTP_STATUS:
      g_value_set_uint (value, self->http_status);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_N_RETRIES:
      g_value_set_uint (value, fb_job_get_n_retries (self));
      break;
    case PROP_SOURCE_LINE:
      g_value_set_uint (value, self->source_line);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  FbJob *self = FB_JOB (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_enum (value);
      break;
    case PROP_INPUT:
      self->input = g_value_dup_string (value);
      break;
    case PROP_SOURCE:
      fb_job_set_source (self, g_value_get_string (value), self->source_line);
      break;
    case PROP_SOURCE_LINE:
      fb_job_set_source (self, self->source, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fb_job_class_init (FbJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = fb_job_dispose;
  object_class->finalize = fb_job_finalize;
  object_class->get_property = fb_job_get_property;
  object_class->set_property = fb_job_set_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, FB_TYPE_JOB_KIND, FB_JOB_KIND_DOWNLOAD,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INPUT] =
    g_param_spec_string ("input", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, ro);
  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, FB_TYPE_JOB_PHASE, FB_JOB_PHASE_QUEUED, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, FB_TYPE_JOB_STATE, FB_JOB_STATE_PENDING, ro);
  properties[PROP_FINAL] = g_param_spec_boolean ("final", NULL, NULL, FALSE, ro);
  properties[PROP_BYTES_RECEIVED] =
    g_param_spec_uint64 ("bytes-received", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_EXPECTED] =
    g_param_spec_int64 ("bytes-expected", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, -1, 1, -1, ro);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, ro);
  properties[PROP_SAVED_PATH] = g_param_spec_string ("saved-path", NULL, NULL, NULL, ro);
  properties[PROP_ADDRESSES] = g_param_spec_string ("addresses", NULL, NULL, NULL, ro);
  properties[PROP_COUNTRY] = g_param_spec_string ("country", NULL, NULL, NULL, ro);
  properties[PROP_HTTP_STATUS] =
    g_param_spec_uint ("http-status", NULL, NULL, 0, 999, 0, ro);
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SOURCE_LINE] =
    g_param_spec_uint ("source-line", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_RETRIES] = g_param_spec_uint ("n-retries", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* An automatic retry was decided: its index for fb_job_get_retry (). */
  signals[RETRYING] =
    g_signal_new ("retrying", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
fb_job_init (FbJob *self)
{
  self->expected = -1;
  clear_phase_times (self);
}
