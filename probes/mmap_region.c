// SPDX-License-Identifier: GPL-2.0
/* <linux/mm.h> declares mmap_region() (not in 7.x's headers). */
#include <linux/mm.h>
#include "probe.h"

PROBE_DECLARED(mmap_region);
