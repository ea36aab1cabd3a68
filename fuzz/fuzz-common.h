/* fuzz-common.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the libFuzzer targets: a GLib critical or warning is a crash
 * (as G_DEBUG=fatal-criticals makes it in the tests), and a broken
 * invariant aborts with a message.
 */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                  \
  G_STMT_START {                                                          \
    if (G_UNLIKELY (!(cond)))                                             \
      {                                                                   \
        g_printerr ("%s:%d: invariant failed: %s\n", __FILE__, __LINE__,  \
                    #cond);                                               \
        abort ();                                                         \
      }                                                                   \
  } G_STMT_END

static inline void
fuzz_init (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("fb-http", G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL
                                   | G_LOG_LEVEL_WARNING);
}

/* A path component as fb-filename.h promises it. */
static inline void
fuzz_check_filename (const char *name)
{
  gsize length;

  FUZZ_CHECK (name != NULL);
  length = strlen (name);
  FUZZ_CHECK (length > 0 && length <= 255);
  FUZZ_CHECK (g_utf8_validate (name, -1, NULL));
  FUZZ_CHECK (strchr (name, '/') == NULL);
  FUZZ_CHECK (name[0] != '.');
  for (const char *p = name; *p != '\0'; p++)
    FUZZ_CHECK ((guchar) *p >= 0x20 && *p != 0x7f);
}
