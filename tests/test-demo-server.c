/* test-demo-server.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fb-countries.h"
#include "fb-demo-server.h"
#include "fb-gif.h"
#include "fb-test-utils.h"

#define FLAG_WIDTH  240
#define FLAG_HEIGHT 160

/* ---- a small GIF decoder, independent of the encoder ---- */

typedef struct
{
  guint   width;
  guint   height;
  guint   n_colors;
  guint   min_code_size;
  guint8  palette[256 * 3];
  guint8 *pixels;
  gsize   n_pixels;
} Gif;

static void
gif_clear (Gif *gif)
{
  g_clear_pointer (&gif->pixels, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Gif, gif_clear)

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         bit;
} BitReader;

static gboolean
read_code (BitReader *r,
           guint      width,
           guint     *code)
{
  guint value = 0;

  if (r->bit + width > r->len * 8)
    return FALSE;
  for (guint i = 0; i < width; i++, r->bit++)
    if (r->data[r->bit / 8] & (1u << (r->bit % 8)))
      value |= 1u << i;
  *code = value;
  return TRUE;
}

/* Returns NULL when @bytes is a GIF89a with one whole-screen image whose
 * LZW stream ends with an end code, else a description of the defect. */
static const char *
decode_gif (GBytes *bytes,
            Gif    *gif)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  g_autoptr(GByteArray) lzw = g_byte_array_new ();
  guint16 prefix[4096];
  guint8 suffix[4096];
  guint8 first[4096];
  guint8 stack[4096];
  BitReader reader;
  gsize pos;
  guint clear, eoi, next, width, prev = G_MAXUINT;
  gboolean ended = FALSE;

  memset (gif, 0, sizeof *gif);
  if (len < 13 || memcmp (d, "GIF89a", 6) != 0)
    return "no GIF89a header";
  gif->width = d[6] | (d[7] << 8);
  gif->height = d[8] | (d[9] << 8);
  if ((d[10] & 0x80) == 0)
    return "no global colour table";
  gif->n_colors = 2u << (d[10] & 7);
  pos = 13;
  if (pos + gif->n_colors * 3 > len)
    return "short colour table";
  memcpy (gif->palette, d + pos, gif->n_colors * 3);
  pos += gif->n_colors * 3;

  if (pos + 11 > len || d[pos] != 0x2c)
    return "no image descriptor";
  if ((guint) (d[pos + 5] | (d[pos + 6] << 8)) != gif->width
      || (guint) (d[pos + 7] | (d[pos + 8] << 8)) != gif->height
      || d[pos + 9] != 0)
    return "image descriptor does not cover the screen";
  gif->min_code_size = d[pos + 10];
  if (gif->min_code_size < 2 || gif->min_code_size > 8)
    return "bad minimum code size";
  pos += 11;

  while (pos < len && d[pos] != 0)
    {
      if (pos + 1 + d[pos] > len)
        return "truncated sub-block";
      g_byte_array_append (lzw, d + pos + 1, d[pos]);
      pos += 1 + d[pos];
    }
  if (pos + 2 != len || d[pos] != 0 || d[pos + 1] != 0x3b)
    return "no block terminator and trailer at the end";

  gif->pixels = g_malloc ((gsize) gif->width * gif->height);
  clear = 1u << gif->min_code_size;
  eoi = clear + 1;
  next = clear + 2;
  width = gif->min_code_size + 1;
  for (guint i = 0; i < clear; i++)
    {
      prefix[i] = 0;
      suffix[i] = first[i] = (guint8) i;
    }
  reader = (BitReader) { lzw->data, lzw->len, 0 };

  for (;;)
    {
      guint code;
      guint n = 0;
      guint c;

      if (!read_code (&reader, width, &code))
        return "LZW data ends without an end code";
      if (code == clear)
        {
          next = clear + 2;
          width = gif->min_code_size + 1;
          prev = G_MAXUINT;
          continue;
        }
      if (code == eoi)
        {
          ended = TRUE;
          break;
        }
      if (prev == G_MAXUINT)
        {
          if (code >= clear)
            return "first code after a clear is not a literal";
          if (gif->n_pixels >= (gsize) gif->width * gif->height)
            return "too many pixels";
          gif->pixels[gif->n_pixels++] = (guint8) code;
          prev = code;
          continue;
        }
      if (code > next || (code == next && next >= 4096))
        return "code beyond the table";

      /* KwKwK: the code being defined is prev's string plus its first byte. */
      c = code == next ? prev : code;
      if (code == next)
        stack[n++] = first[prev];
      while (c >= clear)
        {
          stack[n++] = suffix[c];
          c = prefix[c];
        }
      stack[n++] = (guint8) c;
      if (gif->n_pixels + n > (gsize) gif->width * gif->height)
        return "too many pixels";
      while (n > 0)
        gif->pixels[gif->n_pixels++] = stack[--n];

      if (next < 4096)
        {
          prefix[next] = (guint16) prev;
          suffix[next] = (guint8) c;
          first[next] = first[prev];
          next++;
          if (next == (1u << width) && width < 12)
            width++;
        }
      prev = code;
    }

  if (!ended || gif->n_pixels != (gsize) gif->width * gif->height)
    return "wrong number of pixels";
  return NULL;
}

/* ---- HTTP helpers ---- */

typedef struct
{
  gboolean            done;
  guint               status;
  char               *reason;
  GBytes             *body;
  GError             *error;
  SoupMessageHeaders *headers;
  gint64              finished_at;
} Fetch;

static void
fetch_clear (Fetch *fetch)
{
  g_clear_pointer (&fetch->reason, g_free);
  g_clear_pointer (&fetch->body, g_bytes_unref);
  g_clear_pointer (&fetch->headers, soup_message_headers_unref);
  g_clear_error (&fetch->error);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Fetch *fetch = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  fetch->status = soup_message_get_status (msg);
  fetch->reason = g_strdup (soup_message_get_reason_phrase (msg));
  fetch->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  fetch->finished_at = g_get_monotonic_time ();
  fetch->done = TRUE;
}

static SoupSession *
make_session (void)
{
  return soup_session_new_with_options ("max-conns", 200, "max-conns-per-host", 200,
                                        "timeout", 10, NULL);
}

static void
fetch_start (SoupSession  *session,
             const char   *method,
             FbDemoServer *server,
             const char   *path,
             Fetch        *fetch)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s",
                                          fb_demo_server_get_port (server), path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  memset (fetch, 0, sizeof *fetch);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, fetch_done_cb, fetch);
}

/* One request, waited for with a deadline; returns the status (0 on a
 * transport error). */
static guint
fetch_sync (SoupSession  *session,
            const char   *method,
            FbDemoServer *server,
            const char   *path,
            Fetch        *fetch)
{
  fetch_start (session, method, server, path, fetch);
  fb_test_wait_flag (&fetch->done, 5.0);
  return fetch->error == NULL ? fetch->status : 0;
}

/* Set by the *_lean runs: the same tests with the lean path in front. */
static gboolean lean_mode;

static FbDemoServer *
start_server (void)
{
  g_autoptr(GError) error = NULL;
  FbDemoServer *server = fb_demo_server_new ();

  fb_demo_server_set_lean_searches (server, lean_mode);
  fb_demo_server_listen (server, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fb_demo_server_get_port (server), !=, 0);
  return server;
}

/* ---- GIF ---- */

static void
test_gif_flag_is_deterministic (void)
{
  g_autoptr(GBytes) a = fb_gif_generate_flag ("BR");
  g_autoptr(GBytes) b = fb_gif_generate_flag ("BR");
  g_autoptr(GBytes) lower = fb_gif_generate_flag ("br");
  g_autoptr(GBytes) other = fb_gif_generate_flag ("US");

  CU_ASSERT_TRUE (g_bytes_equal (a, b));
  CU_ASSERT_TRUE (g_bytes_equal (a, lower));
  CU_ASSERT_FALSE (g_bytes_equal (a, other));
}

static void
test_gif_flag_decodes_to_whole_image (void)
{
  g_autoptr(GBytes) bytes = fb_gif_generate_flag ("BR");
  g_auto(Gif) gif = { 0 };
  const char *defect = decode_gif (bytes, &gif);

  CU_ASSERT_PTR_NULL (defect);
  if (defect != NULL)
    g_printerr ("\n%s\n", defect);
  CU_ASSERT_EQUAL (gif.width, FLAG_WIDTH);
  CU_ASSERT_EQUAL (gif.height, FLAG_HEIGHT);
  CU_ASSERT_EQUAL (gif.n_colors, 16);
  CU_ASSERT_EQUAL (gif.min_code_size, 4);
  CU_ASSERT_EQUAL (gif.n_pixels, FLAG_WIDTH * FLAG_HEIGHT);
  /* The corners are field colours (palette 0..3); BR's emblem, centred at
   * (150, 80), is drawn from the texture colours (4..15). */
  CU_ASSERT (gif.pixels[0] < 4);
  CU_ASSERT (gif.pixels[FLAG_WIDTH * FLAG_HEIGHT - 1] < 4);
  CU_ASSERT (gif.pixels[80 * FLAG_WIDTH + 150] >= 4);
  CU_ASSERT (gif.pixels[80 * FLAG_WIDTH + 150] < 16);
}

static void
test_gif_every_country_flag_is_valid_and_sized (void)
{
  guint n = 0;
  const FbCountry *all = fb_countries_get_all (&n);
  g_autoptr(GHashTable) sizes = g_hash_table_new (NULL, NULL);
  gsize smallest = G_MAXSIZE;
  gsize largest = 0;

  CU_ASSERT (n > 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GBytes) bytes = fb_gif_generate_flag (all[i].code);
      g_auto(Gif) gif = { 0 };
      gsize size = g_bytes_get_size (bytes);

      CU_ASSERT_PTR_NULL (decode_gif (bytes, &gif));
      CU_ASSERT_EQUAL (gif.n_pixels, FLAG_WIDTH * FLAG_HEIGHT);
      smallest = MIN (smallest, size);
      largest = MAX (largest, size);
      g_hash_table_add (sizes, GSIZE_TO_POINTER (size));
    }

  CU_ASSERT (smallest >= 500);
  CU_ASSERT (largest <= 20 * 1024);
  /* Sizes differ from flag to flag, like a real data set. */
  CU_ASSERT (g_hash_table_size (sizes) > n / 2);
}

static void
check_round_trip (guint   width,
                  guint   height,
                  guint   n_colors,
                  guint32 seed,
                  guint   min_code_size)
{
  g_autofree guint8 *pixels = g_malloc ((gsize) width * height);
  guint8 palette[256 * 3];
  g_autoptr(GBytes) bytes = NULL;
  g_auto(Gif) gif = { 0 };
  const char *defect;

  for (guint i = 0; i < n_colors; i++)
    {
      palette[i * 3] = (guint8) i;
      palette[i * 3 + 1] = (guint8) (255 - i);
      palette[i * 3 + 2] = (guint8) (i * 7);
    }
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      seed ^= seed << 13;
      seed ^= seed >> 17;
      seed ^= seed << 5;
      /* Runs and noise, so the table both grows long strings and fills up. */
      pixels[i] = (guint8) ((seed % 4 == 0 ? seed >> 8 : i / 9) % n_colors);
    }

  bytes = fb_gif_encode (width, height, palette, n_colors, pixels);
  defect = decode_gif (bytes, &gif);
  CU_ASSERT_PTR_NULL (defect);
  if (defect != NULL)
    {
      g_printerr ("\n%ux%u, %u colours: %s\n", width, height, n_colors, defect);
      return;
    }
  CU_ASSERT_EQUAL (gif.width, width);
  CU_ASSERT_EQUAL (gif.height, height);
  CU_ASSERT_EQUAL (gif.min_code_size, min_code_size);
  CU_ASSERT (memcmp (gif.palette, palette, n_colors * 3) == 0);
  CU_ASSERT (memcmp (gif.pixels, pixels, (gsize) width * height) == 0);
}

static void
test_gif_encode_round_trips_pixels (void)
{
  check_round_trip (1, 1, 2, 1, 2);
  check_round_trip (3, 1, 3, 2, 2);
  check_round_trip (300, 200, 2, 3, 2);
  check_round_trip (517, 311, 5, 4, 3);
  check_round_trip (240, 160, 16, 5, 4);
  check_round_trip (640, 480, 256, 6, 8);
}

/* ---- routes ---- */

static void
test_demo_server_serves_exact_gif_bytes (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  g_autoptr(GBytes) expected = fb_gif_generate_flag ("BR");
  Fetch fetch;

  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/br/br.gif", &fetch), 200);
  CU_ASSERT_STRING_EQUAL (soup_message_headers_get_content_type (fetch.headers, NULL), "image/gif");
  CU_ASSERT_EQUAL (soup_message_headers_get_content_length (fetch.headers), g_bytes_get_size (expected));
  CU_ASSERT_TRUE (fetch.body != NULL && g_bytes_equal (fetch.body, expected));
  fetch_clear (&fetch);

  /* Served from the cache the second time: the same bytes again. */
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/br/br.gif", &fetch), 200);
  CU_ASSERT_TRUE (fetch.body != NULL && g_bytes_equal (fetch.body, expected));
  fetch_clear (&fetch);
}

static char *
fetch_metadata (SoupSession  *session,
                FbDemoServer *server,
                const char   *cc,
                JsonObject  **object)
{
  g_autofree char *path = g_strdup_printf ("/flags/%s/metadata.json", cc);
  g_autoptr(JsonParser) parser = json_parser_new ();
  Fetch fetch;
  char *text = NULL;

  *object = NULL;
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, path, &fetch), 200);
  if (fetch.body != NULL)
    {
      CU_ASSERT_STRING_EQUAL (soup_message_headers_get_content_type (fetch.headers, NULL),
                              "application/json");
      text = g_strndup (g_bytes_get_data (fetch.body, NULL), g_bytes_get_size (fetch.body));
      CU_ASSERT_TRUE (json_parser_load_from_data (parser, text, -1, NULL));
      if (json_parser_get_root (parser) != NULL)
        *object = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  fetch_clear (&fetch);
  return text;
}

static void
test_demo_server_serves_metadata_json (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  g_autoptr(JsonObject) brazil = NULL;
  g_autoptr(JsonObject) ivory = NULL;
  g_autoptr(JsonObject) britain = NULL;
  g_autofree char *brazil_text = fetch_metadata (session, server, "br", &brazil);
  g_autofree char *ivory_text = fetch_metadata (session, server, "ci", &ivory);
  g_autofree char *britain_text = fetch_metadata (session, server, "gb", &britain);

  CU_ASSERT_STRING_EQUAL (brazil_text,
                          "{\"tld_cc\":\".br\",\"iso_cc\":\"BR\",\"country\":\"Brazil\",\"gec_cc\":\"BR\"}");
  CU_ASSERT_PTR_NOT_NULL_FATAL (brazil);
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (brazil, "country"), "Brazil");
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (brazil, "iso_cc"), "BR");

  /* ASCII on the wire, the real name once parsed. */
  CU_ASSERT_PTR_NOT_NULL (strstr (ivory_text, "\"country\":\"C\\u00f4te d'Ivoire\""));
  CU_ASSERT_PTR_NOT_NULL_FATAL (ivory);
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (ivory, "country"), "C\xc3\xb4te d'Ivoire");

  CU_ASSERT_PTR_NOT_NULL_FATAL (britain);
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (britain, "tld_cc"), ".uk");
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (britain, "iso_cc"), "GB");
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (britain, "gec_cc"), "GB");
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (britain, "country"), "United Kingdom");
}

static void
test_demo_server_answers_404_elsewhere (void)
{
  static const char * const paths[] = {
    "/flags/zz/zz.gif",          /* not an ISO code */
    "/flags/zz/metadata.json",
    "/flags/br/us.gif",          /* code mismatch */
    "/flags/BR/BR.gif",          /* upper case, like files on disk */
    "/flags/br/br.GIF",
    "/flags/br/",
    "/flags/br",
    "/flags/bra/bra.gif",
    "/flags/br/metadata.jsonx",
    "/flags/br/br.gif/x",
    "/flags",
    "/favicon.ico",           /* "/" is the finder's page (test-finder-server) */
  };
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      Fetch fetch;
      guint status = fetch_sync (session, "GET", server, paths[i], &fetch);

      if (status != 404)
        g_printerr ("\n%s: %u\n", paths[i], status);
      CU_ASSERT_EQUAL (status, 404);
      fetch_clear (&fetch);
    }
}

static void
test_demo_server_answers_head_without_body (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  g_autoptr(GBytes) expected = fb_gif_generate_flag ("JP");
  Fetch fetch;

  CU_ASSERT_EQUAL (fetch_sync (session, "HEAD", server, "/flags/jp/jp.gif", &fetch), 200);
  CU_ASSERT_EQUAL (soup_message_headers_get_content_length (fetch.headers), g_bytes_get_size (expected));
  CU_ASSERT_STRING_EQUAL (soup_message_headers_get_content_type (fetch.headers, NULL), "image/gif");
  CU_ASSERT_TRUE (fetch.body != NULL && g_bytes_get_size (fetch.body) == 0);
  fetch_clear (&fetch);

  CU_ASSERT_EQUAL (fetch_sync (session, "HEAD", server, "/flags/zz/zz.gif", &fetch), 404);
  fetch_clear (&fetch);
}

static void
test_demo_server_rejects_other_methods (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  Fetch fetch;

  CU_ASSERT_EQUAL (fetch_sync (session, "POST", server, "/flags/br/br.gif", &fetch), 405);
  CU_ASSERT_STRING_EQUAL (soup_message_headers_get_one (fetch.headers, "Allow"), "GET, HEAD");
  fetch_clear (&fetch);
}

static void
test_demo_server_set_codes_restricts (void)
{
  static const char * const codes[] = { "BR", "US", "ZZ", NULL };
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  g_autoptr(JsonObject) fictional = NULL;
  g_autofree char *text = NULL;
  Fetch fetch;

  fb_demo_server_set_codes (server, codes);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/br/br.gif", &fetch), 200);
  fetch_clear (&fetch);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/us/metadata.json", &fetch), 200);
  fetch_clear (&fetch);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/cn/cn.gif", &fetch), 404);
  fetch_clear (&fetch);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/cn/metadata.json", &fetch), 404);
  fetch_clear (&fetch);

  /* A code outside ISO 3166 is served when asked for; its name is the code. */
  text = fetch_metadata (session, server, "zz", &fictional);
  CU_ASSERT_PTR_NOT_NULL_FATAL (fictional);
  CU_ASSERT_STRING_EQUAL (json_object_get_string_member (fictional, "country"), "ZZ");

  fb_demo_server_set_codes (server, NULL);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/cn/cn.gif", &fetch), 200);
  fetch_clear (&fetch);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/zz/zz.gif", &fetch), 404);
  fetch_clear (&fetch);
}

/* ---- knobs ---- */

static gboolean
mark_time_cb (gpointer data)
{
  *(gint64 *) data = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

static void
test_demo_server_delay_waits_without_blocking (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  gint64 timer_at = 0;
  gint64 start;
  Fetch fetch;

  fb_demo_server_set_delay (server, 0.2, 0.2);
  start = g_get_monotonic_time ();
  fetch_start (session, "GET", server, "/flags/fr/fr.gif", &fetch);
  g_timeout_add (50, mark_time_cb, &timer_at);
  fb_test_wait_flag (&fetch.done, 5.0);

  CU_ASSERT_EQUAL (fetch.status, 200);
  CU_ASSERT (fetch.finished_at - start >= 200 * 1000);
  CU_ASSERT (fetch.finished_at - start < 3 * G_USEC_PER_SEC);
  /* The other timer ran while the request was held: nothing blocked. */
  CU_ASSERT (timer_at != 0);
  CU_ASSERT (timer_at < fetch.finished_at);
  fetch_clear (&fetch);

  fb_demo_server_set_delay (server, 0.0, 0.0);
  start = g_get_monotonic_time ();
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/fr/fr.gif", &fetch), 200);
  fetch_clear (&fetch);
}

static void
test_demo_server_delay_spreads_between_bounds (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  Fetch fetches[10];
  gint64 start;
  gint64 first = G_MAXINT64;
  gint64 last = 0;

  fb_demo_server_set_delay (server, 0.1, 0.5);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < G_N_ELEMENTS (fetches); i++)
    fetch_start (session, "GET", server, "/flags/de/de.gif", &fetches[i]);
  for (guint i = 0; i < G_N_ELEMENTS (fetches); i++)
    {
      fb_test_wait_flag (&fetches[i].done, 5.0);
      CU_ASSERT_EQUAL (fetches[i].status, 200);
      first = MIN (first, fetches[i].finished_at - start);
      last = MAX (last, fetches[i].finished_at - start);
      fetch_clear (&fetches[i]);
    }

  CU_ASSERT (first >= 100 * 1000);
  /* Generous: a loaded CI machine may dispatch late, never early. */
  CU_ASSERT (last < 3 * G_USEC_PER_SEC);
  /* Ten uniform draws from 0.1–0.5 s span well over 50 ms
   * (the chance of less is about 1e-6). */
  CU_ASSERT (last - first > 50 * 1000);
}

static void
count_statuses (FbDemoServer *server,
                SoupSession  *session,
                guint         n,
                guint        *n_ok,
                guint        *n_teapot)
{
  *n_ok = 0;
  *n_teapot = 0;
  for (guint i = 0; i < n; i++)
    {
      Fetch fetch;
      guint status = fetch_sync (session, "GET", server, "/flags/in/in.gif", &fetch);

      if (status == 200)
        (*n_ok)++;
      if (status == 418)
        {
          CU_ASSERT_STRING_EQUAL (fetch.reason, "I'm a Teapot");
          (*n_teapot)++;
        }
      fetch_clear (&fetch);
    }
}

static void
test_demo_server_error_rate_decides_per_request (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  guint n_ok, n_teapot;
  Fetch fetch;

  fb_demo_server_set_error_rate (server, 1.0);
  count_statuses (server, session, 30, &n_ok, &n_teapot);
  CU_ASSERT_EQUAL (n_teapot, 30);
  CU_ASSERT_EQUAL (n_ok, 0);
  /* The error roll comes before the route, as in slow_server.py. */
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/zz/zz.gif", &fetch), 418);
  fetch_clear (&fetch);

  fb_demo_server_set_error_rate (server, 0.0);
  count_statuses (server, session, 30, &n_ok, &n_teapot);
  CU_ASSERT_EQUAL (n_ok, 30);
  CU_ASSERT_EQUAL (n_teapot, 0);

  /* 200 draws at 0.5: both outcomes appear (else p < 1e-59). */
  fb_demo_server_set_error_rate (server, 0.5);
  count_statuses (server, session, 200, &n_ok, &n_teapot);
  CU_ASSERT_EQUAL (n_ok + n_teapot, 200);
  CU_ASSERT (n_ok > 40 && n_teapot > 40);
}

static void
test_demo_server_counts_peak_in_flight (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  Fetch fetches[20];

  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), 0);
  fb_demo_server_set_delay (server, 0.3, 0.3);
  for (guint i = 0; i < G_N_ELEMENTS (fetches); i++)
    fetch_start (session, "GET", server, "/flags/cn/cn.gif", &fetches[i]);

  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 20, 3.0));
  for (guint i = 0; i < G_N_ELEMENTS (fetches); i++)
    {
      fb_test_wait_flag (&fetches[i].done, 5.0);
      CU_ASSERT_EQUAL (fetches[i].status, 200);
      fetch_clear (&fetches[i]);
    }

  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 2.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), 20);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 20);
  /* Kept-alive idle connections are not requests in flight. */
  fb_test_spin (0.1);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);
}

static gboolean
counter_reaches (gpointer data)
{
  gpointer *args = data;

  return fb_demo_server_get_requests (args[0]) >= GPOINTER_TO_UINT (args[1]);
}

static GSocket *
connect_raw (FbDemoServer *server)
{
  return fb_test_connect_loopback ((guint16) fb_demo_server_get_port (server));
}

static void
test_demo_server_survives_client_hang_up_during_delay (void)
{
  static const char request[] = "GET /flags/br/br.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  g_autoptr(GSocket) socket = NULL;
  gpointer args[2] = { server, GUINT_TO_POINTER (1) };
  gint64 start;
  Fetch fetch;

  fb_demo_server_set_delay (server, 1.0, 1.0);
  socket = connect_raw (server);
  CU_ASSERT_EQUAL (g_socket_send (socket, request, strlen (request), NULL, NULL),
                   (gssize) strlen (request));
  CU_ASSERT_TRUE (fb_test_wait_until (counter_reaches, args, 2.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 1);

  start = g_get_monotonic_time ();
  g_socket_close (socket, NULL);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 0.5));
  CU_ASSERT (g_get_monotonic_time () - start < 500 * 1000);

  /* Past the original delay: the dropped timer must not fire on the
   * message libsoup has let go of (that would be a critical). */
  fb_test_spin (1.0);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);

  fb_demo_server_set_delay (server, 0.0, 0.0);
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/br/br.gif", &fetch), 200);
  fetch_clear (&fetch);
}

static void
test_demo_server_closes_connections_dropped_while_idle (void)
{
  static const char request[] = "GET /flags/br/br.gif HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(GSocket) socket = NULL;
  gpointer args[2] = { server, GUINT_TO_POINTER (1) };
  guint baseline = fb_test_count_open_sockets ();
  char buffer[16384];
  gsize received = 0;
  gssize n;

  socket = connect_raw (server);
  g_socket_send (socket, request, strlen (request), NULL, NULL);
  CU_ASSERT_TRUE (fb_test_wait_until (counter_reaches, args, 2.0));
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 2.0));

  /* Read the whole answer, so that closing sends a FIN, not a reset. */
  g_socket_set_blocking (socket, FALSE);
  while ((n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL)) > 0)
    received += (gsize) n;
  CU_ASSERT (received > 3000);
  g_socket_close (socket, NULL);

  /* libsoup 3.2 leaves the server's end open; the sweep must close it. */
  CU_ASSERT_TRUE (fb_test_wait_until (fb_test_open_sockets_are, GUINT_TO_POINTER (baseline), 3.0));
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 1);
}

static void
test_demo_server_ignores_connections_without_requests (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(GSocket) socket = connect_raw (server);

  /* libsoup 3.2 reports a request as soon as it accepts; none came. */
  fb_test_spin (0.3);
  CU_ASSERT_EQUAL (fb_demo_server_get_requests (server), 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);
  CU_ASSERT_EQUAL (fb_demo_server_get_peak_in_flight (server), 0);

  g_socket_close (socket, NULL);
  fb_test_spin (0.1);
  CU_ASSERT_EQUAL (fb_demo_server_get_in_flight (server), 0);
}

static void
test_demo_server_stop_drops_held_requests (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  guint old_port = fb_demo_server_get_port (server);
  gint64 start;
  Fetch held;
  Fetch after;

  fb_demo_server_set_delay (server, 5.0, 5.0);
  fetch_start (session, "GET", server, "/flags/br/br.gif", &held);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 1, 2.0));

  start = g_get_monotonic_time ();
  fb_demo_server_stop (server);
  CU_ASSERT_EQUAL (fb_demo_server_get_port (server), 0);
  fb_test_wait_flag (&held.done, 2.0);
  CU_ASSERT_PTR_NOT_NULL (held.error);
  CU_ASSERT (held.finished_at - start < 1000 * 1000);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 0, 1.0));
  fetch_clear (&held);

  /* Nobody listens on the old port any more. */
  address = g_inet_socket_address_new (loopback, (guint16) old_port);
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  CU_ASSERT_FALSE (g_socket_connect (socket, address, NULL, &error));
  CU_ASSERT_TRUE (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));

  /* And it can listen again. */
  fb_demo_server_set_delay (server, 0.0, 0.0);
  CU_ASSERT_TRUE (fb_demo_server_listen (server, 0, NULL));
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/br/br.gif", &after), 200);
  fetch_clear (&after);
}

static void
test_demo_server_listen_reports_errors (void)
{
  g_autoptr(FbDemoServer) server = start_server ();
  g_autoptr(FbDemoServer) rival = fb_demo_server_new ();
  g_autoptr(GError) again = NULL;
  g_autoptr(GError) busy = NULL;
  g_autofree char *base = fb_demo_server_dup_base_url (server);
  g_autofree char *expected = g_strdup_printf ("http://127.0.0.1:%u/flags",
                                               fb_demo_server_get_port (server));

  CU_ASSERT_STRING_EQUAL (base, expected);
  CU_ASSERT_FALSE (fb_demo_server_listen (server, 0, &again));
  CU_ASSERT_TRUE (g_error_matches (again, G_IO_ERROR, G_IO_ERROR_EXISTS));
  CU_ASSERT_FALSE (fb_demo_server_listen (rival, fb_demo_server_get_port (server), &busy));
  CU_ASSERT_TRUE (g_error_matches (busy, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE));
  CU_ASSERT_EQUAL (fb_demo_server_get_port (rival), 0);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static void
test_demo_server_properties_round_trip (void)
{
  g_autoptr(FbDemoServer) server = fb_demo_server_new ();
  guint n_rate = 0;
  guint n_min = 0;
  guint n_port = 0;
  double min, max, rate;
  guint port;

  g_signal_connect (server, "notify::error-rate", G_CALLBACK (count_notify_cb), &n_rate);
  g_signal_connect (server, "notify::delay-min", G_CALLBACK (count_notify_cb), &n_min);
  g_signal_connect (server, "notify::port", G_CALLBACK (count_notify_cb), &n_port);

  g_object_set (server, "delay-min", 0.5, "delay-max", 5.0, "error-rate", 0.25, NULL);
  g_object_get (server, "delay-min", &min, "delay-max", &max, "error-rate", &rate, NULL);
  CU_ASSERT_DOUBLE_EQUAL (min, 0.5, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL (max, 5.0, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL (rate, 0.25, 1e-9);
  CU_ASSERT_EQUAL (n_rate, 1);
  CU_ASSERT_EQUAL (n_min, 1);

  /* Notify only on change. */
  fb_demo_server_set_error_rate (server, 0.25);
  fb_demo_server_set_delay (server, 0.5, 5.0);
  CU_ASSERT_EQUAL (n_rate, 1);
  CU_ASSERT_EQUAL (n_min, 1);

  /* A minimum above the maximum carries the maximum along. */
  g_object_set (server, "delay-min", 7.0, NULL);
  g_object_get (server, "delay-max", &max, NULL);
  CU_ASSERT_DOUBLE_EQUAL (max, 7.0, 1e-9);

  CU_ASSERT_TRUE (fb_demo_server_listen (server, 0, NULL));
  g_object_get (server, "port", &port, NULL);
  CU_ASSERT_EQUAL (port, fb_demo_server_get_port (server));
  CU_ASSERT_EQUAL (n_port, 1);
  fb_demo_server_stop (server);
  CU_ASSERT_EQUAL (n_port, 2);
}

static void
test_demo_server_is_finalized (void)
{
  FbDemoServer *server = start_server ();
  g_autoptr(SoupSession) session = make_session ();
  gpointer weak = server;
  Fetch held;
  Fetch done;

  /* One finished request and one held: neither may keep the server alive. */
  CU_ASSERT_EQUAL (fetch_sync (session, "GET", server, "/flags/br/br.gif", &done), 200);
  fetch_clear (&done);
  fb_demo_server_set_delay (server, 5.0, 5.0);
  fetch_start (session, "GET", server, "/flags/us/us.gif", &held);
  CU_ASSERT_TRUE (fb_test_wait_demo_in_flight (server, 1, 2.0));

  g_object_add_weak_pointer (G_OBJECT (server), &weak);
  g_object_unref (server);
  CU_ASSERT_PTR_NULL (weak);

  fb_test_wait_flag (&held.done, 2.0);
  CU_ASSERT_PTR_NOT_NULL (held.error);
  fetch_clear (&held);
}

static void
test_demo_server_parse_delay_accepts_ranges (void)
{
  static const struct { const char *text; double min, max; } good[] = {
    { "0.5", 0.5, 0.5 },
    { "0.5-5", 0.5, 5.0 },
    { "0-0", 0.0, 0.0 },
    { "2", 2.0, 2.0 },
    { ".25-1.5", 0.25, 1.5 },
    { "3600", 3600.0, 3600.0 },
  };
  static const char * const bad[] = {
    "", "abc", "-1", "1-", "-", "5-0.5", "1-2-3", "nan", "inf", "3601", " 1", "1 ", "1,5", "0x10", "1..2", "1e3",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      double min = -1, max = -1;

      CU_ASSERT_TRUE (fb_demo_server_parse_delay (good[i].text, &min, &max, &error));
      CU_ASSERT_PTR_NULL (error);
      CU_ASSERT_DOUBLE_EQUAL (min, good[i].min, 1e-9);
      CU_ASSERT_DOUBLE_EQUAL (max, good[i].max, 1e-9);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      double min = -1, max = -1;

      if (fb_demo_server_parse_delay (bad[i], &min, &max, &error))
        g_printerr ("\naccepted “%s”\n", bad[i]);
      CU_ASSERT_TRUE (g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE));
      CU_ASSERT_DOUBLE_EQUAL (min, -1, 1e-9);
      CU_ASSERT_DOUBLE_EQUAL (max, -1, 1e-9);
    }
}

/* The HTTP tests again with the lean path answering the catalog: the
 * same statuses, bodies, delays, draws and counters as libsoup's. */
#define LEAN_RUN(name) \
  static void name##_lean (void) { lean_mode = TRUE; name (); lean_mode = FALSE; }
LEAN_RUN (test_demo_server_serves_exact_gif_bytes)
LEAN_RUN (test_demo_server_serves_metadata_json)
LEAN_RUN (test_demo_server_answers_404_elsewhere)
LEAN_RUN (test_demo_server_answers_head_without_body)
LEAN_RUN (test_demo_server_rejects_other_methods)
LEAN_RUN (test_demo_server_set_codes_restricts)
LEAN_RUN (test_demo_server_delay_waits_without_blocking)
LEAN_RUN (test_demo_server_delay_spreads_between_bounds)
LEAN_RUN (test_demo_server_error_rate_decides_per_request)
LEAN_RUN (test_demo_server_counts_peak_in_flight)
LEAN_RUN (test_demo_server_survives_client_hang_up_during_delay)
LEAN_RUN (test_demo_server_closes_connections_dropped_while_idle)
LEAN_RUN (test_demo_server_ignores_connections_without_requests)
LEAN_RUN (test_demo_server_stop_drops_held_requests)
LEAN_RUN (test_demo_server_is_finalized)
#undef LEAN_RUN

static const FbTestCase tests[] = {
  { "test_gif_flag_is_deterministic", test_gif_flag_is_deterministic },
  { "test_gif_flag_decodes_to_whole_image", test_gif_flag_decodes_to_whole_image },
  { "test_gif_every_country_flag_is_valid_and_sized", test_gif_every_country_flag_is_valid_and_sized },
  { "test_gif_encode_round_trips_pixels", test_gif_encode_round_trips_pixels },
  { "test_demo_server_serves_exact_gif_bytes", test_demo_server_serves_exact_gif_bytes },
  { "test_demo_server_serves_metadata_json", test_demo_server_serves_metadata_json },
  { "test_demo_server_answers_404_elsewhere", test_demo_server_answers_404_elsewhere },
  { "test_demo_server_answers_head_without_body", test_demo_server_answers_head_without_body },
  { "test_demo_server_rejects_other_methods", test_demo_server_rejects_other_methods },
  { "test_demo_server_set_codes_restricts", test_demo_server_set_codes_restricts },
  { "test_demo_server_delay_waits_without_blocking", test_demo_server_delay_waits_without_blocking },
  { "test_demo_server_delay_spreads_between_bounds", test_demo_server_delay_spreads_between_bounds },
  { "test_demo_server_error_rate_decides_per_request", test_demo_server_error_rate_decides_per_request },
  { "test_demo_server_counts_peak_in_flight", test_demo_server_counts_peak_in_flight },
  { "test_demo_server_survives_client_hang_up_during_delay", test_demo_server_survives_client_hang_up_during_delay },
  { "test_demo_server_closes_connections_dropped_while_idle", test_demo_server_closes_connections_dropped_while_idle },
  { "test_demo_server_ignores_connections_without_requests", test_demo_server_ignores_connections_without_requests },
  { "test_demo_server_stop_drops_held_requests", test_demo_server_stop_drops_held_requests },
  { "test_demo_server_listen_reports_errors", test_demo_server_listen_reports_errors },
  { "test_demo_server_properties_round_trip", test_demo_server_properties_round_trip },
  { "test_demo_server_is_finalized", test_demo_server_is_finalized },
  { "test_demo_server_parse_delay_accepts_ranges", test_demo_server_parse_delay_accepts_ranges },
  FB_TEST (test_demo_server_serves_exact_gif_bytes_lean),
  FB_TEST (test_demo_server_serves_metadata_json_lean),
  FB_TEST (test_demo_server_answers_404_elsewhere_lean),
  FB_TEST (test_demo_server_answers_head_without_body_lean),
  FB_TEST (test_demo_server_rejects_other_methods_lean),
  FB_TEST (test_demo_server_set_codes_restricts_lean),
  FB_TEST (test_demo_server_delay_waits_without_blocking_lean),
  FB_TEST (test_demo_server_delay_spreads_between_bounds_lean),
  FB_TEST (test_demo_server_error_rate_decides_per_request_lean),
  FB_TEST (test_demo_server_counts_peak_in_flight_lean),
  FB_TEST (test_demo_server_survives_client_hang_up_during_delay_lean),
  FB_TEST (test_demo_server_closes_connections_dropped_while_idle_lean),
  FB_TEST (test_demo_server_ignores_connections_without_requests_lean),
  FB_TEST (test_demo_server_stop_drops_held_requests_lean),
  FB_TEST (test_demo_server_is_finalized_lean),
  { NULL, NULL }
};

int
main (int    argc,
      char **argv)
{
  return fb_test_main (argc, argv, "demo-server", tests);
}
