/* fb-demo-lean.h: the demo server's lean path for the finder's searches
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

/* Accepts the connections of @listener on @context. Requests that are
 * plain GET /search?q= or /flags/search?q= (HTTP/1.x, no body, whole in
 * what the socket holds) are answered here, one write each, without
 * libsoup's per-request objects; at the first other request the
 * connection, its bytes unread, goes to @server
 * (soup_server_accept_iostream), which answers everything else as before.
 * At most a few ms of work per turn of the loop. */
FbDemoLean *_fb_demo_lean_new  (GSocket          *listener,
                                SoupServer       *server,
                                GMainContext     *context,
                                FbDemoLeanAnswer  answer,
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FbDemoLean, _fb_demo_lean_free)

G_END_DECLS
