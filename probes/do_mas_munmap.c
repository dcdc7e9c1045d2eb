// SPDX-License-Identifier: GPL-2.0
/* <linux/mm.h> declares do_mas_munmap() (6.1 only). */
#include <linux/mm.h>
#include "probe.h"

PROBE_DECLARED(do_mas_munmap);
