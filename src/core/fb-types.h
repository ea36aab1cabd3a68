/* fb-types.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _FbDemoServer FbDemoServer;
typedef struct _FbJob        FbJob;
typedef struct _FbRun        FbRun;
typedef struct _FbSemaphore  FbSemaphore;

/* What a job does with its input. */
typedef enum
{
  FB_JOB_KIND_PROBE,    /* resolve a host name */
  FB_JOB_KIND_DOWNLOAD, /* GET a URL into the destination folder */
  FB_JOB_KIND_CATALOG,  /* GET {base}/{cc}/{cc}.gif (+ metadata.json for the name) */
} FbJobKind;

/* Where a job is now; FB_JOB_PHASE_DONE once it has its final state. */
typedef enum
{
  FB_JOB_PHASE_QUEUED,
  FB_JOB_PHASE_WAITING,      /* waiting for a semaphore slot */
  FB_JOB_PHASE_HOST_WAIT,    /* waiting for its host: the per-host limit or a Retry-After */
  FB_JOB_PHASE_RETRY_WAIT,   /* a transient failure: waiting out the back-off */
  FB_JOB_PHASE_RESOLVING,
  FB_JOB_PHASE_CONNECTING,
  FB_JOB_PHASE_TLS,          /* the TLS handshake of a new https connection */
  FB_JOB_PHASE_FIRST_BYTE,   /* the request is sent: waiting for the answer's first byte */
  FB_JOB_PHASE_TRANSFERRING,
  FB_JOB_PHASE_SAVING,
  FB_JOB_PHASE_DONE,
} FbJobPhase;

#define FB_JOB_N_PHASES (FB_JOB_PHASE_DONE + 1)

/* The one final state of a job; PENDING until then. */
typedef enum
{
  FB_JOB_STATE_PENDING,
  FB_JOB_STATE_OK,
  FB_JOB_STATE_NOT_FOUND,
  FB_JOB_STATE_ERROR,
  FB_JOB_STATE_CANCELLED,
} FbJobState;

/* Kinds of list entries, as the list parser detects them. */
typedef enum
{
  FB_ENTRY_URL,
  FB_ENTRY_DOMAIN,
  FB_ENTRY_CODE,
} FbEntryKind;

G_END_DECLS
