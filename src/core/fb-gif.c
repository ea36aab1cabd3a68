/* fb-gif.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-gif"

#include "config.h"

#include <string.h>

#include "fb-gif.h"

#define LZW_MAX_CODES 4096
#define LZW_MAX_BITS  12

#define FLAG_WIDTH    240
#define FLAG_HEIGHT   160
#define FLAG_COLORS   16
#define FLAG_BASE     4   /* palette entries 0..3 are the field colours */

/* Packs LZW codes least-significant bit first into GIF data sub-blocks
 * (a length byte, then at most 255 bytes). */
typedef struct
{
  GByteArray *out;
  guint32     bits;
  guint       n_bits;
  guint       block_len;
  guint8      block[255];
} BitWriter;

static void
bit_writer_flush_block (BitWriter *w)
{
  guint8 len = (guint8) w->block_len;

  if (w->block_len == 0)
    return;
  g_byte_array_append (w->out, &len, 1);
  g_byte_array_append (w->out, w->block, w->block_len);
  w->block_len = 0;
}

static inline void
bit_writer_put_byte (BitWriter *w,
                     guint8     byte)
{
  w->block[w->block_len++] = byte;
  if (w->block_len == sizeof w->block)
    bit_writer_flush_block (w);
}

static inline void
bit_writer_put_code (BitWriter *w,
                     guint      code,
                     guint      width)
{
  w->bits |= (guint32) code << w->n_bits;
  w->n_bits += width;
  while (w->n_bits >= 8)
    {
      bit_writer_put_byte (w, (guint8) (w->bits & 0xff));
      w->bits >>= 8;
      w->n_bits -= 8;
    }
}

static void
bit_writer_finish (BitWriter *w)
{
  const guint8 terminator = 0;

  if (w->n_bits > 0)
    bit_writer_put_byte (w, (guint8) (w->bits & 0xff));
  w->bits = 0;
  w->n_bits = 0;
  bit_writer_flush_block (w);
  g_byte_array_append (w->out, &terminator, 1);
}

static void
put_le16 (GByteArray *out,
          guint       value)
{
  guint8 b[2] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (out, b, 2);
}

/* Variable-width LZW as GIF wants it: codes start at min_code_size + 1 bits
 * and grow to 12; when the table is full a clear code restarts it. The
 * decoder adds each entry one code later than the encoder, so widths grow
 * when the next free code no longer fits, and the end code is written with
 * the width the decoder will have after its last addition. */
static void
lzw_encode (BitWriter    *w,
            guint         min_code_size,
            const guint8 *pixels,
            gsize         n_pixels)
{
  const guint alphabet = 1u << min_code_size;
  const guint clear = alphabet;
  const guint eoi = alphabet + 1;
  g_autofree guint16 *children = g_new0 (guint16, (gsize) LZW_MAX_CODES * alphabet);
  guint next = clear + 2;
  guint width = min_code_size + 1;
  guint prefix;

  bit_writer_put_code (w, clear, width);
  prefix = pixels[0];

  for (gsize i = 1; i < n_pixels; i++)
    {
      guint c = pixels[i];
      guint16 *child = &children[(gsize) prefix * alphabet + c];

      if (*child != 0)
        {
          prefix = *child;
          continue;
        }

      bit_writer_put_code (w, prefix, width);
      if (next < LZW_MAX_CODES)
        {
          *child = (guint16) next++;
          if (next > (1u << width) && width < LZW_MAX_BITS)
            width++;
        }
      else
        {
          bit_writer_put_code (w, clear, width);
          memset (children, 0, sizeof (guint16) * LZW_MAX_CODES * alphabet);
          next = clear + 2;
          width = min_code_size + 1;
        }
      prefix = c;
    }

  bit_writer_put_code (w, prefix, width);
  if (next == (1u << width) && width < LZW_MAX_BITS)
    width++;
  bit_writer_put_code (w, eoi, width);
}

GBytes *
fb_gif_encode (guint         width,
               guint         height,
               const guint8 *palette,
               guint         n_colors,
               const guint8 *pixels)
{
  g_autoptr(GByteArray) out = NULL;
  BitWriter writer = { 0 };
  gsize n_pixels = (gsize) width * height;
  guint table_bits = 1;
  guint min_code_size;
  guint8 packed;

  g_return_val_if_fail (width > 0 && width <= G_MAXUINT16, NULL);
  g_return_val_if_fail (height > 0 && height <= G_MAXUINT16, NULL);
  g_return_val_if_fail (palette != NULL, NULL);
  g_return_val_if_fail (n_colors >= 2 && n_colors <= 256, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);

  for (gsize i = 0; i < n_pixels; i++)
    g_return_val_if_fail (pixels[i] < n_colors, NULL);

  while ((1u << table_bits) < n_colors)
    table_bits++;
  min_code_size = MAX (2, table_bits);

  out = g_byte_array_sized_new (1024 + n_pixels / 2);

  /* Header and logical screen descriptor: global colour table present,
   * 8 bits per primary, table of 2^table_bits entries. */
  g_byte_array_append (out, (const guint8 *) "GIF89a", 6);
  put_le16 (out, width);
  put_le16 (out, height);
  packed = 0x80 | (7 << 4) | (guint8) (table_bits - 1);
  g_byte_array_append (out, &packed, 1);
  g_byte_array_append (out, (const guint8 *) "\0\0", 2);  /* background, aspect */

  g_byte_array_append (out, palette, n_colors * 3);
  for (guint i = n_colors; i < (1u << table_bits); i++)
    g_byte_array_append (out, (const guint8 *) "\0\0\0", 3);

  /* Image descriptor: whole screen, no local table, not interlaced. */
  g_byte_array_append (out, (const guint8 *) ",", 1);
  put_le16 (out, 0);
  put_le16 (out, 0);
  put_le16 (out, width);
  put_le16 (out, height);
  g_byte_array_append (out, (const guint8 *) "\0", 1);

  packed = (guint8) min_code_size;
  g_byte_array_append (out, &packed, 1);
  writer.out = out;
  lzw_encode (&writer, min_code_size, pixels, n_pixels);
  bit_writer_finish (&writer);

  g_byte_array_append (out, (const guint8 *) ";", 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* ---- flags ---- */

static const guint8 field_colors[][3] = {
  { 0xce, 0x11, 0x26 },  /* red */
  { 0xff, 0xff, 0xff },  /* white */
  { 0x00, 0x38, 0x93 },  /* blue */
  { 0x00, 0x9b, 0x3a },  /* green */
  { 0xfc, 0xd1, 0x16 },  /* yellow */
  { 0x00, 0x00, 0x00 },  /* black */
  { 0xff, 0x88, 0x00 },  /* orange */
  { 0x75, 0xaa, 0xdb },  /* sky blue */
  { 0x8d, 0x1b, 0x3d },  /* maroon */
  { 0x00, 0x6a, 0x4e },  /* dark green */
};

typedef enum
{
  LAYOUT_HORIZONTAL,
  LAYOUT_VERTICAL,
  LAYOUT_CROSS,
  LAYOUT_TRIANGLE,
  N_LAYOUTS
} Layout;

static guint32
rng_next (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

static guint32
hash_code (const char *code)
{
  guint32 h = 2166136261u;

  for (const char *p = code; *p != '\0'; p++)
    {
      h ^= (guint8) g_ascii_toupper (*p);
      h *= 16777619u;
    }
  return h != 0 ? h : 1;
}

static guint8
field_pixel (Layout layout,
             guint  x,
             guint  y)
{
  const guint w = FLAG_WIDTH;
  const guint h = FLAG_HEIGHT;

  switch (layout)
    {
    case LAYOUT_HORIZONTAL:
      return (guint8) (y * 3 / h);
    case LAYOUT_VERTICAL:
      return (guint8) (x * 3 / w);
    case LAYOUT_CROSS:
      {
        const guint bar = h / 5;
        const guint cross_x = w * 5 / 16;
        gboolean in_bar = (x >= cross_x && x < cross_x + bar)
                          || (y >= (h - bar) / 2 && y < (h + bar) / 2);
        return in_bar ? 1 : 0;
      }
    case LAYOUT_TRIANGLE:
      {
        guint dist = y < h / 2 ? y : h - 1 - y;  /* distance from the top or bottom edge */
        if (x < dist * 3 / 2)
          return 2;
        return y < h / 2 ? 0 : 1;
      }
    case N_LAYOUTS:
    default:
      g_assert_not_reached ();
    }
}

GBytes *
fb_gif_generate_flag (const char *code)
{
  g_autofree guint8 *pixels = NULL;
  guint8 palette[FLAG_COLORS * 3];
  guint32 state;
  guint picks[4];
  Layout layout;
  guint radius;
  guint n_noise;
  int cx, cy;

  g_return_val_if_fail (code != NULL && *code != '\0', NULL);

  state = hash_code (code);
  for (guint i = 0; i < 4; i++)
    rng_next (&state);

  /* Four different field colours, then noise colours for the emblem. */
  for (guint i = 0; i < 4; i++)
    {
      gboolean again;

      do
        {
          picks[i] = rng_next (&state) % G_N_ELEMENTS (field_colors);
          again = FALSE;
          for (guint j = 0; j < i; j++)
            again |= picks[j] == picks[i];
        }
      while (again);
      memcpy (&palette[i * 3], field_colors[picks[i]], 3);
    }
  for (guint i = FLAG_BASE; i < FLAG_COLORS; i++)
    {
      guint32 rgb = rng_next (&state);

      palette[i * 3] = (rgb >> 16) & 0xff;
      palette[i * 3 + 1] = (rgb >> 8) & 0xff;
      palette[i * 3 + 2] = rgb & 0xff;
    }

  layout = rng_next (&state) % N_LAYOUTS;
  radius = 8 + rng_next (&state) % (FLAG_HEIGHT / 2 - 8);
  n_noise = 2 + rng_next (&state) % (FLAG_COLORS - FLAG_BASE - 1);
  cx = layout == LAYOUT_CROSS || layout == LAYOUT_TRIANGLE ? FLAG_WIDTH * 5 / 8 : FLAG_WIDTH / 2;
  cy = FLAG_HEIGHT / 2;

  pixels = g_new (guint8, FLAG_WIDTH * FLAG_HEIGHT);
  for (guint y = 0; y < FLAG_HEIGHT; y++)
    {
      for (guint x = 0; x < FLAG_WIDTH; x++)
        {
          int dx = (int) x - cx;
          int dy = (int) y - cy;
          guint8 *p = &pixels[y * FLAG_WIDTH + x];

          /* The emblem is a disc of pseudo-random texture; its radius and
           * number of colours vary by code, and so does the file size. */
          if ((guint) (dx * dx + dy * dy) < radius * radius)
            *p = (guint8) (FLAG_BASE + rng_next (&state) % n_noise);
          else if ((guint) (dx * dx + dy * dy) < (radius + 3) * (radius + 3))
            *p = 3;
          else
            *p = field_pixel (layout, x, y);
        }
    }

  return fb_gif_encode (FLAG_WIDTH, FLAG_HEIGHT, palette, FLAG_COLORS, pixels);
}
