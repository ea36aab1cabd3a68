/* fb-demo-search.c
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "fb-demo-server"

#include "config.h"

#include <string.h>

#include "fb-demo-search.h"

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

GBytes *
_fb_demo_search_json (FbIndex    *index,
                      const char *query)
{
  g_autofree guint *ids = NULL;
  GString *out;
  guint n = 0;

  g_return_val_if_fail (index != NULL, NULL);

  ids = fb_index_search (index, query != NULL ? query : "", &n);
  out = g_string_sized_new (2 + n * 48);
  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (fb_index_get_corpus (index) == FB_INDEX_CORPUS_UNICODE)
        {
          g_string_append (out, "{\"char\":");
          append_json_string (out, fb_index_get_text (index, ids[i]));
          g_string_append (out, ",\"name\":");
          append_json_string (out, fb_index_get_name (index, ids[i]));
        }
      else
        {
          g_string_append (out, "{\"code\":");
          append_json_string (out, fb_index_get_code (index, ids[i]));
          g_string_append (out, ",\"flag\":");
          append_json_string (out, fb_index_get_text (index, ids[i]));
          g_string_append (out, ",\"name\":");
          append_json_string (out, fb_index_get_name (index, ids[i]));
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  return g_string_free_to_bytes (out);
}

/* The book's form.html, grown a corpus switch. Results are added with
 * textContent, never as markup. */
static const char page[] =
  "<!DOCTYPE html>\n"
  "<html lang=\"en\">\n"
  "<head>\n"
  "<meta charset=\"utf-8\">\n"
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
  "<title>Mojifinder</title>\n"
  "<style>\n"
  "body { font-family: sans-serif; margin: 2em; }\n"
  "#results { list-style: none; padding: 0; }\n"
  "#results li { padding: 0.15em 0; }\n"
  ".char { display: inline-block; width: 2em; font-size: 1.5em; }\n"
  ".code { display: inline-block; width: 7em; font-family: monospace; }\n"
  "</style>\n"
  "</head>\n"
  "<body>\n"
  "<h1>Mojifinder</h1>\n"
  "<form id=\"search-form\">\n"
  "<input id=\"query\" type=\"search\" name=\"q\" size=\"40\" autofocus "
  "placeholder=\"cat face\" aria-label=\"Words to look for\">\n"
  "<select id=\"corpus\" aria-label=\"What to search\">\n"
  "<option value=\"/search\">Characters</option>\n"
  "<option value=\"/flags/search\">Flags</option>\n"
  "</select>\n"
  "<button type=\"submit\">Search</button>\n"
  "</form>\n"
  "<p id=\"status\" role=\"status\"></p>\n"
  "<ul id=\"results\"></ul>\n"
  "<script>\n"
  "const form = document.getElementById('search-form');\n"
  "const query = document.getElementById('query');\n"
  "const corpus = document.getElementById('corpus');\n"
  "const results = document.getElementById('results');\n"
  "const statusLine = document.getElementById('status');\n"
  "function item(glyph, code, name) {\n"
  "  const li = document.createElement('li');\n"
  "  for (const [cls, text] of [['char', glyph], ['code', code], ['name', name]]) {\n"
  "    const span = document.createElement('span');\n"
  "    span.className = cls;\n"
  "    span.textContent = text;\n"
  "    li.appendChild(span);\n"
  "  }\n"
  "  return li;\n"
  "}\n"
  "async function search(event) {\n"
  "  if (event) event.preventDefault();\n"
  "  const q = query.value.trim();\n"
  "  results.replaceChildren();\n"
  "  if (!q) { statusLine.textContent = ''; return; }\n"
  "  const response = await fetch(corpus.value + '?q=' + encodeURIComponent(q));\n"
  "  const found = await response.json();\n"
  "  for (const entry of found) {\n"
  "    if (entry.flag !== undefined)\n"
  "      results.appendChild(item(entry.flag, entry.code, entry.name));\n"
  "    else\n"
  "      results.appendChild(item(entry.char, 'U+' + entry.char.codePointAt(0)\n"
  "        .toString(16).toUpperCase().padStart(4, '0'), entry.name));\n"
  "  }\n"
  "  statusLine.textContent = found.length + ' found';\n"
  "}\n"
  "form.addEventListener('submit', search);\n"
  "</script>\n"
  "</body>\n"
  "</html>\n";

GBytes *
_fb_demo_search_page (void)
{
  return g_bytes_new_static (page, sizeof page - 1);
}
