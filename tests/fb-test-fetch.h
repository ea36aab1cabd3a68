/* fb-test-fetch.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Requests through an FbHttpPool for the HTTP client's suites: a request's
 * status, body and error collected in an FbTestFetch, and batches of them.
 */

#pragma once

#include <glib.h>

#include "fb-http.h"

G_BEGIN_DECLS

typedef struct
{
  GByteArray *body;
  GError     *error;
  guint       status;
  gboolean    done;
  /* Called from the done callback, before the main loop runs again. */
  void      (*then) (gpointer data);
  gpointer    then_data;
} FbTestFetch;

/* The callbacks fb_test_fetch_callbacks is made of, for tables that
 * replace some of them; user_data is the FbTestFetch. */
void         fb_test_fetch_response_cb (FbHttpRequest *request,
                                        gpointer       user_data);
void         fb_test_fetch_body_cb     (FbHttpRequest *request,
                                        const guint8  *data,
                                        gsize          size,
                                        gpointer       user_data);
/* Frees the request. */
void         fb_test_fetch_done_cb     (FbHttpRequest *request,
                                        const GError  *error,
                                        gpointer       user_data);

extern const FbHttpCallbacks fb_test_fetch_callbacks;

void         fb_test_fetch_clear       (FbTestFetch   *fetch);
/* TRUE when the body is exactly fb_test_body (@size). */
gboolean     fb_test_fetch_body_matches (FbTestFetch  *fetch,
                                         gsize         size);

/* Many requests at once: fetch i asks for the body of size first + i * step. */
typedef struct
{
  FbTestFetch *items;
  guint        n;
  guint        first;
  guint        step;
} FbTestBatch;

/* Sends every fetch of the batch through @pool: fetch i asks for
 * BASE_URL/(first + i * step), with a 20 s timeout. */
void         fb_test_batch_send        (FbTestBatch           *batch,
                                        FbHttpPool            *pool,
                                        const char            *base_url,
                                        const FbHttpCallbacks *callbacks);
/* For fb_test_wait_until (): TRUE once every fetch of the batch is done. */
gboolean     fb_test_batch_done        (gpointer       batch);
/* Waits up to @seconds for the batch (a timeout fails the test); returns
 * how many answers were 200, without error, right and whole. */
guint        fb_test_batch_wait        (FbTestBatch   *batch,
                                        double         seconds);
void         fb_test_batch_clear       (FbTestBatch   *batch);

G_END_DECLS
