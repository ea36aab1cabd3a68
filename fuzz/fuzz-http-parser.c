/* fuzz-http-parser.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lean client's response parser (fb-http.h), fed as a socket would
 * feed it: the first bytes of the input choose where the stream is split
 * into reads, the rest is the stream. Bytes the parser leaves unconsumed
 * are fed again with the next read, as fb-http.c does; keep-alive
 * responses follow each other until the stream or the parser ends.
 */

#include <string.h>

#include "fb-http.h"
#include "fuzz-common.h"

#define N_SPLITS 8

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init ();
  return 0;
}

static void
check_head (FbHttpParser *parser)
{
  gint64 length = fb_http_parser_get_content_length (parser);

  /* Three digits (RFC 9112 status-code); "099" is read as 99. */
  FUZZ_CHECK (fb_http_parser_get_status (parser) <= 999);
  FUZZ_CHECK (length >= -1);
  FUZZ_CHECK (!(fb_http_parser_get_chunked (parser) && length != -1));
  (void) fb_http_parser_get_reason (parser);
  (void) fb_http_parser_get_header (parser, "content-type");
  (void) fb_http_parser_get_header (parser, "Location");
  (void) fb_http_parser_get_keep_alive (parser);
  (void) fb_http_parser_get_minor (parser);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FbHttpParser *parser;
  GByteArray *pending;
  gsize splits[N_SPLITS];
  gsize n_splits = 0;
  gsize offset;
  guint64 body_bytes = 0;
  gint64 announced = -1;
  guint status = 0;
  gboolean done = FALSE;

  /* Two bytes per split point: a read of 1 to 65536 bytes. */
  while (n_splits < N_SPLITS && size >= 2 && (data[0] & 0x80) != 0)
    {
      splits[n_splits++] = 1 + (((gsize) (data[0] & 0x7f) << 8) | data[1]);
      data += 2;
      size -= 2;
    }
  if (size >= 1)
    {
      data++;
      size--;
    }

  parser = fb_http_parser_new ();
  pending = g_byte_array_new ();
  offset = 0;
  for (guint read = 0; !done && (offset < size || pending->len > 0); read++)
    {
      gsize want = n_splits > 0 ? splits[read % n_splits] : 4096;
      gsize take = MIN (want, size - offset);
      gsize used = 0;

      g_byte_array_append (pending, data + offset, (guint) take);
      offset += take;

      /* Run the parser over what is pending until it needs more. */
      while (!done)
        {
          g_autoptr(GError) error = NULL;
          const guint8 *body = NULL;
          gsize body_size = 0;
          gsize consumed = 0;
          FbHttpParseResult result;

          result = fb_http_parser_feed (parser, pending->data + used, pending->len - used,
                                        &consumed, &body, &body_size, &error);
          FUZZ_CHECK (consumed <= pending->len - used);
          switch (result)
            {
            case FB_HTTP_PARSE_NEED_MORE:
              FUZZ_CHECK (error == NULL);
              used += consumed;
              break;
            case FB_HTTP_PARSE_HEAD:
              FUZZ_CHECK (error == NULL);
              check_head (parser);
              announced = fb_http_parser_get_content_length (parser);
              status = fb_http_parser_get_status (parser);
              /* No body, whatever Content-Length says (RFC 9112, 6.3). */
              if (status < 200 || status == 204 || status == 304)
                announced = -1;
              body_bytes = 0;
              used += consumed;
              continue;
            case FB_HTTP_PARSE_BODY:
              FUZZ_CHECK (error == NULL);
              FUZZ_CHECK (body != NULL);
              FUZZ_CHECK (body >= pending->data + used);
              FUZZ_CHECK (body + body_size <= pending->data + pending->len);
              body_bytes += body_size;
              FUZZ_CHECK (announced < 0 || body_bytes <= (guint64) announced);
              used += consumed;
              continue;
            case FB_HTTP_PARSE_DONE:
              FUZZ_CHECK (error == NULL);
              FUZZ_CHECK (announced < 0 || body_bytes == (guint64) announced);
              used += consumed;
              if (!fb_http_parser_get_keep_alive (parser))
                done = TRUE;
              else
                fb_http_parser_reset (parser);
              announced = -1;
              continue;
            case FB_HTTP_PARSE_ERROR:
            default:
              FUZZ_CHECK (error != NULL && error->message != NULL);
              FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
              done = TRUE;
              continue;
            }
          /* NEED_MORE with nothing consumed: wait for the next read. */
          if (consumed == 0 || used == pending->len)
            break;
        }
      g_byte_array_remove_range (pending, 0, (guint) used);
      if (offset >= size && !done)
        break;
    }

  if (!done)
    {
      g_autoptr(GError) error = NULL;
      FbHttpParseResult result = fb_http_parser_feed_eof (parser, &error);

      FUZZ_CHECK (result == FB_HTTP_PARSE_DONE || result == FB_HTTP_PARSE_ERROR);
      FUZZ_CHECK ((result == FB_HTTP_PARSE_ERROR) == (error != NULL));
    }

  g_byte_array_unref (pending);
  fb_http_parser_free (parser);
  return 0;
}
