/* fb-http-proxy.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The proxy the environment names for @scheme ("http" or "https") and
 * @host, as curl and wget read it: https_proxy / http_proxy / all_proxy
 * (either case; http_proxy in lower case only, as curl does), and
 * no_proxy (comma-separated hosts and domains, "*" for all; a port after
 * a colon is ignored). Returns "direct://" when no_proxy exempts @host,
 * the proxy's URI (with "http://" added when it has no scheme), or NULL
 * when the environment sets no proxy at all (the desktop's settings
 * decide then). */
char     *fb_http_proxy_from_env     (const char  *scheme,
                                      const char  *host);

/* Whether @host (a name or an address literal) is on the local machine. */
gboolean  fb_http_host_is_loopback   (const char  *host);

G_END_DECLS
