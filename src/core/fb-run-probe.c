/* fb-run-probe.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a probe job does with its slot: one lookup on the run's prober
 * (getaddrinfo on threads of its own, sized to the limit).
 */

#define G_LOG_DOMAIN "fb-run"

#include "config.h"

#include "fb-job-private.h"
#include "fb-prober.h"
#include "fb-run-private.h"

/* Probe: slot → getaddrinfo on our pool → slot back. */
static void
probe_done (char    *addresses,
            GError  *error,
            gpointer user_data)
{
  Runner *runner = user_data;
  g_autofree char *joined = addresses;

  runner->lookup = NULL;
  if (joined == NULL)
    {
      _fb_run_runner_fail_and_clean (runner, error);
      return;
    }
  _fb_job_set_addresses (runner->job, joined);
  _fb_run_runner_finish (runner, FB_JOB_STATE_OK, joined);
}

void
_fb_run_start_probe (Runner *runner)
{
  FbRun *self = runner->run;

  if (self->prober == NULL)
    self->prober = fb_prober_new (fb_semaphore_get_limit (self->semaphore));
  _fb_job_set_phase (runner->job, FB_JOB_PHASE_RESOLVING);
  /* Cancelled through the prober (_fb_run_runner_cancel), not by a
   * handler on the job's cancellable. */
  runner->lookup = fb_prober_lookup (self->prober, fb_job_get_input (runner->job),
                                     self->dns_timeout, probe_done, runner);
  if (runner->cancelled)
    fb_prober_cancel (self->prober, runner->lookup);
}
