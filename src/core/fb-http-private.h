/* fb-http-private.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "fb-http.h"

G_BEGIN_DECLS

#define FB_HTTP_MAX_FIELDS 128

typedef enum
{
  STATE_HEAD,
  STATE_BODY_LENGTH,
  STATE_BODY_EOF,
  STATE_CHUNK_SIZE,
  STATE_CHUNK_DATA,
  STATE_CHUNK_CRLF,
  STATE_TRAILERS,
  STATE_DONE,
  STATE_FAILED,
} ParserState;

typedef struct
{
  const char *name;
  const char *value;
} Field;

struct _FbHttpParser
{
  ParserState state;
  char       *head;             /* a copy of the head, split in place */
  Field       fields[FB_HTTP_MAX_FIELDS];
  guint       n_fields;
  const char *reason;
  guint       status;
  guint       minor;
  gint64      content_length;
  guint64     remaining;        /* of the body or of the current chunk */
  gsize       trailer_bytes;
  gboolean    chunked;
  gboolean    keep_alive;
};

G_END_DECLS
