// SPDX-License-Identifier: GPL-2.0
/* file_open_root_mnt(mnt, name, flags, mode) (5.12+; before, file_open_root(dentry, mnt, ...)). */
#include <linux/fs.h>
#include "probe.h"

PROBE_DECLARED(file_open_root_mnt);
