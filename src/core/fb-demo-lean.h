/* fb-demo-lean.h: the demo server's lean path for the finder's searches
 * and the catalog's files
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "fb-index.h"

G_BEGIN_DECLS

typedef struct _FbDemoLean FbDemoLean;

/* The JSON answer (a new reference) to GET /search or /flags/search with
 * the decoded @q, or NULL when libsoup must answer (a delay, an error
 * rate, a request log, an index not loaded yet). */
typedef GBytes *(*FbDemoLeanAnswer) (gpointer       user_data,
                                     FbIndexCorpus  corpus,
                                     const char    *q);

/* Called with each connection handed to libsoup (for its leak sweep). */
typedef void (*FbDemoLeanHandedOver) (gpointer  user_data,
                                      GSocket  *socket);

/* The answer to a plain GET of another path, as libsoup's handler would
 * give it after @delay_ms. */
typedef struct
{
  guint       status;
  const char *reason;        /* static; NULL: the status's usual phrase */
  const char *content_type;  /* static */
  GBytes     *body;          /* owned */
  guint       delay_ms;
} FbDemoLeanReply;

/* Fills @reply for GET @path (a plain path: no escapes, no dot segments)
 * and counts the request in flight, or returns FALSE (nothing counted,
 * nothing drawn) when libsoup must answer it. */
typedef gboolean (*FbDemoLeanGet) (gpointer         user_data,
                                   const char      *path,
                                   FbDemoLeanReply *reply);

/* A request FbDemoLeanGet took has ended: its answer went out, or its
 * connection closed first. Not called while the lean path is freed. */
typedef void (*FbDemoLeanDone) (gpointer user_data);

/* Accepts the connections of @listener on @context. Requests that are
 * plain GET /search?q= or /flags/search?q=, or a plain GET of a path that
 * @get takes (HTTP/1.x, no body, whole in what the socket holds) are
 * answered here, one write each, without libsoup's per-request objects;
 * a delayed answer waits on an FbDeadline (one source for every timer of
 * the context), while the connection is watched for a hang-up only. At the
 * first other request the connection, its bytes unread, goes to @server
 * (soup_server_accept_iostream), which answers everything else as before.
 * At most a few ms of work per turn of the loop. */
FbDemoLean *_fb_demo_lean_new  (GSocket          *listener,
                                SoupServer       *server,
                                GMainContext     *context,
                                FbDemoLeanAnswer  answer,
                                FbDemoLeanGet     get,
                                FbDemoLeanDone    done,
                                FbDemoLeanHandedOver handed_over,
                                gpointer          user_data);
/* Closes the listener and the connections it still serves. */
void        _fb_demo_lean_free (FbDemoLean       *lean);

/* For tests: parses one request head; TRUE when the lean path takes it. */
gboolean    _fb_demo_lean_parse (const char      *head,
                                 gsize            length,
                                 FbIndexCorpus   *corpus,
                                 char           **q,
                                 gboolean        *http_1_0,
                                 gboolean        *keep_alive);

/* For tests: parses one request head; TRUE when the lean path may take
 * it as a plain GET of another path (@path then set; not a search). */
gboolean    _fb_demo_lean_parse_get (const char  *head,
                                     gsize        length,
                                     char       **path,
                                     gboolean    *keep_alive);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbDemoLean, _fb_demo_lean_free)

G_END_DECLS
