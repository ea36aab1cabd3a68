/* fb-tls-database.h
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FB_TYPE_TLS_DATABASE (fb_tls_database_get_type ())

G_DECLARE_FINAL_TYPE (FbTlsDatabase, fb_tls_database, FB, TLS_DATABASE, GTlsDatabase)

/* A GTlsDatabase that answers with @inner's trust. glib-networking 2.74
 * builds a fresh GnuTLS trust list from its own databases for every
 * connection (the whole system store, about 10 ms of CPU each); with a
 * database of another type it verifies through g_tls_database_verify_chain
 * (), which uses the trust list @inner built once. */
GTlsDatabase *fb_tls_database_new         (GTlsDatabase  *inner);

/* The system's trust store (or the PEM file SSL_CERT_FILE names), and a
 * PEM file's certificates alone, wrapped as above. The system one is made
 * once per process. */
GTlsDatabase *fb_tls_database_get_system  (void);
/* Makes the system one on a thread of its own: loading GIO's TLS module
 * and the trust store took the window's main loop 10-30 ms at its first
 * https request. */
void          fb_tls_database_preload     (void);
GTlsDatabase *fb_tls_database_new_for_file (const char   *ca_file,
                                            GError      **error);

G_END_DECLS
