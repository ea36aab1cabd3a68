/* short-writes.c: an LD_PRELOAD shim for the saver and downloader suites.
 * writev () writes at most 1,000 bytes a call, ending anywhere in an
 * iovec, as a pipe, a full disk or a signal can make it; the saver must go
 * on from the exact byte where the kernel stopped.
 *
 * Copyright 2026 The Fetchboard developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_WRITE 1000

ssize_t
writev (int                 fd,
        const struct iovec *iov,
        int                 iovcnt)
{
  struct iovec cut[64];
  size_t left = MAX_WRITE;
  int n = 0;

  for (int i = 0; i < iovcnt && n < 64 && left > 0; i++)
    {
      size_t len = iov[i].iov_len < left ? iov[i].iov_len : left;

      cut[n].iov_base = iov[i].iov_base;
      cut[n].iov_len = len;
      left -= len;
      n++;
    }
  /* The system call itself: this shim is writev () for the process. */
  return syscall (SYS_writev, fd, cut, n);
}
