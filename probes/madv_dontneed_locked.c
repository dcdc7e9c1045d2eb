// SPDX-License-Identifier: GPL-2.0
/*
 * MADV_DONTNEED_LOCKED (5.18+).  It came with
 * madvise_dontneed_free_valid_vma(), the per-VMA check of MADV_DONTNEED
 * and MADV_FREE that hooks/madvise.c hooks; that function is static, so
 * this is the header trace of its presence.
 */
#include <linux/mman.h>
#include "probe.h"

static_assert(MADV_DONTNEED_LOCKED > 0);
