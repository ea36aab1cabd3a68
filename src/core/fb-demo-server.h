/* fb-demo-server.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "fb-index.h"
#include "fb-types.h"

G_BEGIN_DECLS

#define FB_TYPE_DEMO_SERVER (fb_demo_server_get_type ())

G_DECLARE_FINAL_TYPE (FbDemoServer, fb_demo_server, FB, DEMO_SERVER, GObject)

/* The book's slow_server.py as a SoupServer on 127.0.0.1: serves
 * /flags/{cc}/{cc}.gif and /flags/{cc}/metadata.json for every ISO 3166
 * country (iso-codes), 404 otherwise; waits delay-min..delay-max seconds
 * before each answer (without blocking the main loop) and answers 418
 * with probability error-rate. Also the book's web_mojifinder:
 * GET /search?q= (JSON), GET /flags/search?q= (the catalog, JSON) and
 * GET / (a search page; /finder too). Properties: delay-min, delay-max,
 * error-rate, port (read-only once listening), in-flight, peak-in-flight,
 * requests. */
FbDemoServer *fb_demo_server_new                 (void);
void          fb_demo_server_set_delay           (FbDemoServer  *self,
                                                  double         min_seconds,
                                                  double         max_seconds);
void          fb_demo_server_set_error_rate      (FbDemoServer  *self,
                                                  double         rate);
/* Serve only these codes (upper-case, NULL-terminated); NULL = every ISO code. */
void          fb_demo_server_set_codes           (FbDemoServer  *self,
                                                  const char * const *codes);
/* Listens on 127.0.0.1:@port (0 = any free port). */
gboolean      fb_demo_server_listen              (FbDemoServer  *self,
                                                  guint          port,
                                                  GError       **error);
/* Listens on @address (an IP address) with an accept queue of @backlog. */
gboolean      fb_demo_server_listen_full         (FbDemoServer  *self,
                                                  const char    *address,
                                                  guint          port,
                                                  int            backlog,
                                                  GError       **error);
/* Serve the files of @root (NULL: the built-in flags) like python -m
 * http.server; /search, /flags/search and /finder stay. */
void          fb_demo_server_set_root            (FbDemoServer  *self,
                                                  const char    *root);
/* Use this index for /search (Unicode) or /flags/search (catalog) instead
 * of loading the shared one on the first such request. */
void          fb_demo_server_set_index           (FbDemoServer  *self,
                                                  FbIndex       *index);
void          fb_demo_server_stop                (FbDemoServer  *self);
guint         fb_demo_server_get_port            (FbDemoServer  *self);
/* "http://127.0.0.1:PORT/flags" */
char         *fb_demo_server_dup_base_url        (FbDemoServer  *self);
guint         fb_demo_server_get_in_flight       (FbDemoServer  *self);
guint         fb_demo_server_get_peak_in_flight  (FbDemoServer  *self);
guint         fb_demo_server_get_requests        (FbDemoServer  *self);
/* Before listening: connections are accepted on one epoll source that
 * answers plain GETs itself (no per-request objects, one write each):
 * /search and /flags/search when nothing delays, fails or logs, and the
 * flags, their metadata, 404s and 418s always, with the same draws,
 * delays and counters as libsoup's handler, the delays held in one timer
 * queue. Each connection goes to libsoup at its first other request
 * (HEAD, POST, --root, the page, a request log, anything not plain); a
 * handed-over connection has no hang-up watch while a request is delayed.
 * The window's demo host and serve without -v use it. */
void          fb_demo_server_set_lean_searches   (FbDemoServer  *self,
                                                  gboolean       lean);
/* Parses "0.5" or "0.5-5" (seconds). */
gboolean      fb_demo_server_parse_delay         (const char    *text,
                                                  double        *min_seconds,
                                                  double        *max_seconds,
                                                  GError       **error);

G_END_DECLS
