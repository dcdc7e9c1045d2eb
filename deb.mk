# SPDX-License-Identifier: GPL-2.0
#
# Debian packages, and the administrator's whole path in a real Debian
# guest.  Included by the top-level Makefile.
#
#   make deb              build/deb/: mseal-dkms, libmseal0, libmseal-dev,
#                         mseal-tools (debhelper, dh-dkms), then lintian;
#                         one "package NAME VERSION: built, lintian clean"
#                         line each (scripts/make-deb.sh)
#   make debian-guest     those packages in a Debian guest booted with its
#     [RELEASE=bookworm]  stock kernel and systemd: apt install, DKMS build,
#                         modprobe, seal, reboot, remove (tests/vm/debian-guest.sh);
#                         RELEASE=trixie for Debian 13
#   make debian-image     only the guest's root filesystem, cached under
#     [RELEASE=bookworm]  /var/cache/mseal/debian-guest (tests/vm/debian-image.sh)
#
# DEBIAN_GUEST_CHECK is the list of releases `make check` boots (deb-check):
# Debian 13, the current stable; Debian 12 per run:
#   make check DEBIAN_GUEST_CHECK="bookworm trixie"

RELEASE ?= bookworm
DEBIAN_GUEST_CHECK ?= trixie

.PHONY: deb debian-guest debian-image deb-check

deb:
	bash scripts/make-deb.sh

debian-image:
	bash tests/vm/debian-image.sh $(RELEASE)

debian-guest: deb
	bash tests/vm/debian-guest.sh $(RELEASE)

# make check's part: the package lines, then one verdict line per release.
deb-check: deb
	for r in $(DEBIAN_GUEST_CHECK); do bash tests/vm/debian-guest.sh $$r || exit; done
