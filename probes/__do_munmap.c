// SPDX-License-Identifier: GPL-2.0
/* <linux/mm.h> declares __do_munmap(mm, start, len, uf, downgrade) (up to 6.0). */
#include <linux/mm.h>
#include "probe.h"

PROBE_DECLARED(__do_munmap);
