/* fb-test-fetch.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <CUnit/CUnit.h>
#include <string.h>

#include "fb-test-fetch.h"
#include "fb-test-utils.h"

void
fb_test_fetch_response_cb (FbHttpRequest *request,
                           gpointer       user_data)
{
  FbTestFetch *fetch = user_data;

  fetch->status = fb_http_request_get_status (request);
}

void
fb_test_fetch_body_cb (FbHttpRequest *request,
                       const guint8  *data,
                       gsize          size,
                       gpointer       user_data)
{
  FbTestFetch *fetch = user_data;

  g_byte_array_append (fetch->body, data, (guint) size);
}

void
fb_test_fetch_done_cb (FbHttpRequest *request,
                       const GError  *error,
                       gpointer       user_data)
{
  FbTestFetch *fetch = user_data;

  if (error != NULL)
    fetch->error = g_error_copy (error);
  fetch->done = TRUE;
  fb_http_request_free (request);
  if (fetch->then != NULL)
    fetch->then (fetch->then_data);
}

const FbHttpCallbacks fb_test_fetch_callbacks = {
  NULL, fb_test_fetch_response_cb, fb_test_fetch_body_cb, fb_test_fetch_done_cb,
};

void
fb_test_fetch_clear (FbTestFetch *fetch)
{
  g_byte_array_unref (fetch->body);
  g_clear_error (&fetch->error);
}

gboolean
fb_test_fetch_body_matches (FbTestFetch *fetch,
                            gsize        size)
{
  g_autoptr(GBytes) expected = fb_test_body (size);

  return fetch->body->len == size &&
         memcmp (fetch->body->data, g_bytes_get_data (expected, NULL), size) == 0;
}

gboolean
fb_test_batch_done (gpointer data)
{
  FbTestBatch *batch = data;

  for (guint i = 0; i < batch->n; i++)
    if (!batch->items[i].done)
      return FALSE;
  return TRUE;
}

guint
fb_test_batch_wait (FbTestBatch *batch,
                    double       seconds)
{
  guint ok = 0;

  CU_ASSERT_TRUE (fb_test_wait_until (fb_test_batch_done, batch, seconds));
  for (guint i = 0; i < batch->n; i++)
    if (batch->items[i].done && batch->items[i].error == NULL &&
        batch->items[i].status == 200 &&
        fb_test_fetch_body_matches (&batch->items[i], batch->first + i * batch->step))
      ok++;
  return ok;
}

void
fb_test_batch_send (FbTestBatch           *batch,
                    FbHttpPool            *pool,
                    const char            *base_url,
                    const FbHttpCallbacks *callbacks)
{
  for (guint i = 0; i < batch->n; i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/%u", base_url, batch->first + i * batch->step);
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

      memset (&batch->items[i], 0, sizeof batch->items[i]);
      batch->items[i].body = g_byte_array_new ();
      fb_http_request_send (fb_http_request_new (pool, uri, 20, callbacks, &batch->items[i]));
    }
}

void
fb_test_batch_clear (FbTestBatch *batch)
{
  for (guint i = 0; i < batch->n; i++)
    fb_test_fetch_clear (&batch->items[i]);
}
