// SPDX-License-Identifier: GPL-2.0
/* <linux/mm.h> declares do_vmi_align_munmap() (static or in mm/vma.h elsewhere). */
#include <linux/mm.h>
#include "probe.h"

PROBE_DECLARED(do_vmi_align_munmap);
