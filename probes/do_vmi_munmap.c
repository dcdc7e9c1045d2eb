// SPDX-License-Identifier: GPL-2.0
/* <linux/mm.h> declares do_vmi_munmap() (6.2+). */
#include <linux/mm.h>
#include "probe.h"

PROBE_DECLARED(do_vmi_munmap);
