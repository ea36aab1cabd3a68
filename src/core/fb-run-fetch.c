/* fb-run-fetch.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a download and a catalog job do with their slot: the requests,
 * the metadata's second slot, and the commit of the saved file.
 */

#define G_LOG_DOMAIN "fb-run"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "fb-catalog.h"
#include "fb-filename.h"
#include "fb-job-private.h"
#include "fb-run-private.h"

#define METADATA_MAX_BYTES (64 * 1024)

/* Download: slot → GET into NAME.part → slot back → commit, as the book's
 * flags2 runs save_flag through to_thread outside the semaphore: the next
 * request overlaps this save. While more saves wait for the disk than the
 * limit allows jobs, the slot is held through the save instead, so a slow
 * disk slows the downloads rather than piling bodies up in memory (at most
 * twice the limit are held). The saver publishes same-named files in the
 * order their commits were asked for, so at a limit of 1 the first job
 * still gets NAME and the second NAME (1). */
static void
download_fetched_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Runner *runner = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) body = fb_fetch_finish (result, &error);

  if (body == NULL)
    {
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }
  _fb_run_runner_commit (runner);
  /* After asking for the commit: a job the slot goes to commits after it. */
  if (runner->run->n_loose_saves < fb_semaphore_get_limit (runner->run->semaphore))
    {
      runner->loose_save = TRUE;
      runner->run->n_loose_saves++;
      _fb_run_runner_release_slot (runner);
    }
}

static void
ensure_session (FbRun *self)
{
  if (self->pool == NULL)
    {
      self->pool = fb_fetch_pool_new (self->tls_database);
      self->limits_changed = TRUE;
    }
  if (self->limits_changed)
    fb_fetch_pool_set_limits (self->pool, &self->limits);
  self->limits_changed = FALSE;
}

void
_fb_run_start_download (Runner *runner)
{
  FbRun *self = runner->run;
  const char *url = fb_job_get_input (runner->job);
  g_autofree char *name = fb_filename_from_url (url);

  ensure_session (self);
  /* A retry hands its NAME.part back: the fetch resumes it. */
  if (runner->part == NULL)
    runner->part = fb_part_file_new (self->destination, name, self->overwrite);
  fb_fetch_async (self->pool, runner->job, url, runner->part, 0, self->timeout,
                  runner->cancel, download_fetched_cb, runner);
}

/* Catalog: slot → GET image → slot back; [slot → GET metadata → slot back];
 * commit under the country's name (or CC.gif). Each request holds a slot
 * only while it runs, as the book's flags3 does with its semaphore. */
static void
metadata_fetched_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Runner *runner = user_data;
  const char *code = fb_job_get_input (runner->job);
  GError *error = NULL;
  g_autoptr(GBytes) body = fb_fetch_finish (result, &error);
  g_autofree char *country = NULL;
  g_autofree char *url = fb_catalog_metadata_url (runner->run->base_url, code);

  _fb_run_runner_release_slot (runner);
  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* A missing name is an error of the catalog, not a missing flag;
           * the message names the metadata's URL, not the image's. A
           * transient failure keeps its class, so a retry may follow. */
          int kept = error->domain == FB_FETCH_ERROR && error->code != FB_FETCH_ERROR_NOT_FOUND
                     ? error->code : FB_FETCH_ERROR_HTTP;
          GError *wrapped = strstr (error->message, url) != NULL
                            ? g_error_new (FB_FETCH_ERROR, kept,
                                           _("metadata.json: %s"), error->message)
                            : g_error_new (FB_FETCH_ERROR, kept,
                                           /* Translators: the metadata's URL, then what failed */
                                           _("metadata.json (%s): %s"), url, error->message);
          g_error_free (error);
          error = wrapped;
        }
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }

  country = fb_catalog_parse_country (body, url, &error);
  if (country == NULL)
    {
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }

  _fb_job_set_country (runner->job, country);
  runner->final_name = fb_filename_from_country (country, code, ".gif");
  _fb_run_runner_commit (runner);
}

static void
metadata_slot_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Runner *runner = user_data;
  FbRun *self = runner->run;
  GError *error = NULL;
  g_autofree char *url = NULL;

  _fb_run_set_waiting (self, self->n_waiting - 1);
  if (!fb_semaphore_acquire_finish (FB_SEMAPHORE (source), result, &error))
    {
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }
  runner->holds_slot = TRUE;
  if (g_cancellable_is_cancelled (runner->cancel))
    {
      _fb_run_runner_fail_and_clean (runner, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                  _("Cancelled")));
      return;
    }
  url = fb_catalog_metadata_url (self->base_url, fb_job_get_input (runner->job));
  fb_fetch_async (self->pool, runner->job, url, NULL, METADATA_MAX_BYTES, self->timeout,
                  runner->cancel, metadata_fetched_cb, runner);
}

static void
image_fetched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Runner *runner = user_data;
  FbRun *self = runner->run;
  GError *error = NULL;
  g_autoptr(GBytes) body = fb_fetch_finish (result, &error);

  _fb_run_runner_release_slot (runner);
  if (body == NULL)
    {
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }
  if (!self->metadata_names)
    {
      _fb_run_runner_commit (runner);
      return;
    }

  _fb_job_set_phase (runner->job, FB_JOB_PHASE_WAITING);
  _fb_run_set_waiting (self, self->n_waiting + 1);
  fb_semaphore_acquire_async (self->semaphore, runner->cancel, metadata_slot_cb, runner);
}

void
_fb_run_start_catalog (Runner *runner)
{
  FbRun *self = runner->run;
  const char *code = fb_job_get_input (runner->job);
  g_autofree char *url = NULL;
  g_autofree char *name = fb_catalog_code_filename (code);

  if (self->base_url == NULL)
    {
      _fb_run_runner_fail_and_clean (runner,
                                     g_error_new_literal (FB_FETCH_ERROR, FB_FETCH_ERROR_BAD_URL,
                                                          _("No catalog base URL is set")));
      return;
    }
  ensure_session (self);
  url = fb_catalog_image_url (self->base_url, code);
  runner->part = fb_part_file_new (self->destination, name, self->overwrite);
  fb_fetch_async (self->pool, runner->job, url, runner->part, 0, self->timeout,
                  runner->cancel, image_fetched_cb, runner);
}
