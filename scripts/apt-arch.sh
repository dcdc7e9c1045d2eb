# shellcheck shell=bash disable=SC2034 # APT_ARCH* are the interface
# scripts/apt-arch.sh — sourced helper (not executable): apt options for a Debian arch.
#
#   source scripts/apt-arch.sh
#   apt_arch_setup <debarch>        # amd64 | arm64 | x86_64 | aarch64
#   apt-cache "${APT_ARCH_OPTS[@]}" ...
#   apt-get   "${APT_ARCH_OPTS[@]}" download PKG
#
# For the host's own architecture APT_ARCH_OPTS is empty: the system apt state is
# used (run `apt-get update` / scripts/deps.sh first).
# For a foreign architecture (e.g. arm64 on an amd64 host) we do NOT touch the
# host's dpkg configuration (no `dpkg --add-architecture`): apt is pointed at a
# private state directory build/apt/<debarch>/ that uses the host's
# /etc/apt/sources.list* (i.e. only the Debian mirror) with APT::Architecture set
# to the foreign arch. Its index is fetched on first use, and again when older
# than MSEAL_APT_MAX_AGE_MIN minutes (default 720) or when MSEAL_APT_UPDATE=1.
# Sets: APT_ARCH (Debian arch name), APT_ARCH_FOREIGN (0/1), APT_ARCH_OPTS (array).

apt_arch_name() {
    case "$1" in
        amd64 | x86_64 | x86-64) echo amd64 ;;
        arm64 | aarch64) echo arm64 ;;
        *) echo "apt-arch: unsupported architecture '$1' (amd64|x86_64|arm64|aarch64)" >&2; return 1 ;;
    esac
}

apt_arch_setup() {
    local root state stamp age
    APT_ARCH=$(apt_arch_name "$1") || return 1
    APT_ARCH_OPTS=()
    APT_ARCH_FOREIGN=0
    if [[ $APT_ARCH == "$(dpkg --print-architecture)" ]]; then
        return 0
    fi
    APT_ARCH_FOREIGN=1
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    state="$root/build/apt/$APT_ARCH"
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
    [[ -f $state/status ]] || : >"$state/status"
    APT_ARCH_OPTS=(
        -o "Dir::State::Lists=$state/lists"
        -o "Dir::State::status=$state/status"
        -o "Dir::Cache=$state/cache"
        -o "APT::Architecture=$APT_ARCH"
        -o "APT::Architectures::=$APT_ARCH"
        -o "APT::Sandbox::User=root"
    )
    stamp="$state/updated.stamp"
    age=${MSEAL_APT_MAX_AGE_MIN:-720}
    if [[ ${MSEAL_APT_UPDATE:-0} == 1 || ! -f $stamp ]] || [[ -n $(find "$stamp" -mmin "+$age" 2>/dev/null) ]]; then
        echo "apt-arch: fetching the $APT_ARCH package index into $state" >&2
        apt-get -q "${APT_ARCH_OPTS[@]}" update >&2 || return 1
        touch "$stamp"
    fi
}

# apt_fetch_deb PKG DEBARCH DIR — print the path of PKG's .deb for DEBARCH,
# kept in DIR: one already in DIR (or in $MSEAL_DEB_CACHE, or in
# /var/cache/apt/archives) is used as is, otherwise it is downloaded from the
# mirror (a foreign arch through the private apt state above). Progress on
# stderr.
apt_fetch_deb() {
    local pkg=$1 arch=$2 dir=$3 d f deb="" tmp
    mkdir -p "$dir"
    for d in "$dir" ${MSEAL_DEB_CACHE:+"$MSEAL_DEB_CACHE"} /var/cache/apt/archives; do
        for f in "$d/${pkg}_"*"_$arch.deb"; do
            [[ -f $f ]] && deb=$f
        done
        [[ -n $deb ]] && break
    done
    if [[ -n $deb ]]; then
        if [[ ${deb%/*} != "$dir" ]]; then cp "$deb" "$dir/"; fi
        echo "$dir/${deb##*/}"
        return 0
    fi
    apt_arch_setup "$arch" || return 1
    tmp=$(mktemp -d "$dir/.download.XXXXXX")
    echo "apt-arch: apt-get download $pkg ($arch)" >&2
    if ! (cd "$tmp" && apt-get -q "${APT_ARCH_OPTS[@]}" -o APT::Sandbox::User=root download "$pkg" >&2); then
        rm -rf "$tmp"
        return 1
    fi
    deb=$(compgen -G "$tmp/${pkg}_*_$arch.deb" | head -n 1) || true
    if [[ -z $deb ]]; then
        echo "apt-arch: download of $pkg produced no .deb" >&2
        rm -rf "$tmp"
        return 1
    fi
    rm -f "$dir/${pkg}_"*"_$arch.deb"
    mv "$deb" "$dir/"
    rm -rf "$tmp"
    echo "$dir/${deb##*/}"
}

# --- one Debian suite, any architecture ---------------------------------------
_apt_arch_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
#
#   apt_suite_setup <suite> <debarch>   # bullseye | bookworm-security | trixie | sid ...
#   apt-cache "${APT_SUITE_OPTS[@]}" ...
#
# A private apt state build/apt/<suite>-<debarch>/ (sources.list, lists, status,
# cache) that knows exactly one suite of the mirror, main only, for one
# architecture (+ all): for releases other than the host's (kernels of
# bullseye, trixie, sid; scripts/kernels.sh). The host's own sources and dpkg
# state are never read nor written. Mirror: $MSEAL_DEBIAN_MIRROR (default
# http://deb.debian.org/debian); "*-security" suites: $MSEAL_DEBIAN_SECURITY
# (default http://deb.debian.org/debian-security). Signed by the host's
# debian-archive-keyring; Valid-Until is not enforced (an unstable index
# outlives it on some mirrors). Refreshed as apt_arch_setup's (stamp,
# MSEAL_APT_MAX_AGE_MIN, MSEAL_APT_UPDATE=1).
# Sets: APT_SUITE_STATE (the directory), APT_SUITE_OPTS (array).
apt_suite_setup() {
    local suite=$1 arch state uri stamp age
    arch=$(apt_arch_name "$2") || return 1
    state="$_apt_arch_root/build/apt/$suite-$arch"
    APT_SUITE_STATE=$state
    case "$suite" in
        *-security) uri=${MSEAL_DEBIAN_SECURITY:-http://deb.debian.org/debian-security} ;;
        *) uri=${MSEAL_DEBIAN_MIRROR:-http://deb.debian.org/debian} ;;
    esac
    mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/parts"
    [[ -f $state/status ]] || : >"$state/status"
    printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "$uri" "$suite" >"$state/sources.list.new"
    if ! cmp -s "$state/sources.list.new" "$state/sources.list"; then
        mv "$state/sources.list.new" "$state/sources.list"
        rm -f "$state/updated.stamp"
    else
        rm -f "$state/sources.list.new"
    fi
    APT_SUITE_OPTS=(
        -o "Dir::Etc::SourceList=$state/sources.list"
        -o "Dir::Etc::SourceParts=$state/parts"
        -o "Dir::Etc::Preferences=/dev/null"
        -o "Dir::Etc::PreferencesParts=$state/parts"
        -o "Dir::State::Lists=$state/lists"
        -o "Dir::State::status=$state/status"
        -o "Dir::Cache=$state/cache"
        -o "APT::Architecture=$arch"
        -o "APT::Architectures::=$arch"
        -o "Acquire::Check-Valid-Until=false"
        -o "Acquire::Languages=none"
        -o "APT::Sandbox::User=root"
    )
    stamp="$state/updated.stamp"
    age=${MSEAL_APT_MAX_AGE_MIN:-720}
    if [[ ${MSEAL_APT_UPDATE:-0} == 1 || ! -f $stamp ]] || [[ -n $(find "$stamp" -mmin "+$age" 2>/dev/null) ]]; then
        echo "apt-arch: fetching the $suite $arch package index into $state" >&2
        (
            exec 8>"$state/.lock"
            flock 8
            apt-get -q "${APT_SUITE_OPTS[@]}" update >&2
        ) || return 1
        touch "$stamp"
    fi
}
