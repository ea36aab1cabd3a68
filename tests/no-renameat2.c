/* no-renameat2.c: an LD_PRELOAD shim for the saver suite. renameat2 ()
 * fails with EINVAL, as on a file system without RENAME_NOREPLACE (NFS,
 * vfat, many FUSE ones), so the saver's link () fallback gets tested.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <stdio.h>

int
renameat2 (int          olddirfd,
           const char  *oldpath,
           int          newdirfd,
           const char  *newpath,
           unsigned int flags)
{
  (void) olddirfd;
  (void) oldpath;
  (void) newdirfd;
  (void) newpath;
  (void) flags;
  errno = EINVAL;
  return -1;
}
