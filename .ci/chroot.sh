#!/usr/bin/env bash
# Make (or reuse) a Debian chroot holding another MediaWiki release, and
# print its path; safe to run again and again.
#   bash .ci/chroot.sh bullseye   # MediaWiki 1.35, PHP 7.4
#   bash .ci/chroot.sh trixie     # MediaWiki 1.43, PHP 8.4
# The tests use one with PWBREVERT_MW_CHROOT=$(bash .ci/chroot.sh SUITE).
#
# A chroot is a minbase debootstrap with MediaWiki, PHP and the PHP
# extensions the test wiki needs, plus the suite's security updates
# (a user of that release gets them too). It is made once per machine
# under $PWBREVERT_CHROOTS and shared by every checkout: making one
# takes about two minutes and 750 MB. A stamp file is written last, so
# a chroot that was interrupted half-way is made again from scratch.
# Running PHP in it (tests/harness/wikiharness.py) needs root, as chroot
# does.
#
# Environment:
#   PWBREVERT_CHROOTS  where chroots live
#                      (/var/cache/pywikibot-revert/chroots)
#   DEBIAN_MIRROR      Debian archive URI; default: the one in this
#                      machine's apt sources
#   DEBIAN_SECURITY    security archive URI; default: likewise
set -euo pipefail

suite=${1:?usage: chroot.sh SUITE (e.g. bullseye, trixie)}
[[ $suite =~ ^[a-z]+$ ]] || { echo "chroot.sh: bad suite '$suite'" >&2; exit 2; }
base=${PWBREVERT_CHROOTS:-/var/cache/pywikibot-revert/chroots}
dir=$base/$suite
stamp=$dir/.pywikibot-revert-chroot
packages=mediawiki,php-cli,php-sqlite3,php-intl,php-mbstring,php-xml

log() { printf 'chroot.sh: %s\n' "$*" >&2; }

# The stamp records what went in, so a change of the package list makes
# the chroot again.
want="suite=$suite packages=$packages"
if [[ -f $stamp && $(head -n1 "$stamp") == "$want" ]]; then
    echo "$dir"
    exit 0
fi

sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)

# Two CI runs on one machine must not make the same chroot at once: the
# second waits, then finds the stamp.
"${sudo[@]}" mkdir -p "$base"
exec 9>>"$base/$suite.lock"
flock 9
if [[ -f $stamp && $(head -n1 "$stamp") == "$want" ]]; then
    echo "$dir"
    exit 0
fi

# The first URI in this machine's apt sources that serves a suite
# (deb822 "URIs:" or one-line "deb URI ..."); $1 selects the archive.
apt_uri() {
    { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } \
        | sed -nE 's/^URIs:[[:space:]]*([^[:space:]]+).*/\1/p;
                   s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' \
        | { grep -E "$1" || true; } | head -n1
}
mirror=${DEBIAN_MIRROR:-$(apt_uri '/debian/?$')}
security=${DEBIAN_SECURITY:-$(apt_uri '/debian-security/?$')}
mirror=${mirror:-http://deb.debian.org/debian}
security=${security:-http://deb.debian.org/debian-security}

# Services must never start: mediawiki pulls in apache2, whose postinst
# would otherwise try to listen on port 80 of this machine (a chroot
# shares the network). Used on the host while apt installs debootstrap
# and inside the chroot for good.
policy='#!/bin/sh\nexit 101\n'

if ! command -v debootstrap >/dev/null; then
    log 'installing debootstrap'
    host_policy=/usr/sbin/policy-rc.d
    if [[ ! -e $host_policy ]]; then
        printf '%b' "$policy" | "${sudo[@]}" tee "$host_policy" >/dev/null
        "${sudo[@]}" chmod 755 "$host_policy"
        trap '"${sudo[@]}" rm -f "$host_policy"' EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Wait for another apt (e.g. .ci/bootstrap.sh) rather than fail.
    lock=(-o DPkg::Lock::Timeout=600)
    "${sudo[@]}" apt-get "${lock[@]}" update -qq
    "${sudo[@]}" apt-get "${lock[@]}" install -y -qq \
        --no-install-recommends debootstrap >/dev/null
fi

# A half-made chroot may still have /proc or /sys mounted by debootstrap:
# unmount those first, and never let rm cross into another file system.
unmount_below() {
    local mnt
    awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts \
        | sort -r | while read -r mnt; do "${sudo[@]}" umount -l "$mnt"; done
}
if [[ -e $dir ]]; then
    log "removing the incomplete chroot $dir"
    unmount_below "$dir"
    "${sudo[@]}" rm -rf --one-file-system "$dir"
fi

start=$SECONDS
log "debootstrap $suite from $mirror into $dir"
block_services() {
    printf '%b' "$policy" | "${sudo[@]}" tee "$dir/usr/sbin/policy-rc.d" >/dev/null
    "${sudo[@]}" chmod 755 "$dir/usr/sbin/policy-rc.d"
}
# --foreign first, so policy-rc.d is in place before any package's
# maintainer scripts run in the second stage. The second stage deletes
# a policy-rc.d when it ends, so it is written again afterwards.
"${sudo[@]}" debootstrap --foreign --variant=minbase --include="$packages" \
    "$suite" "$dir" "$mirror" >/dev/null
block_services
if ! "${sudo[@]}" chroot "$dir" /debootstrap/debootstrap --second-stage \
        >/dev/null; then
    tail -n 30 "$dir/debootstrap/debootstrap.log" >&2 || true
    unmount_below "$dir"
    exit 1
fi
block_services

# The point releases after the suite's release come from its security
# archive (bullseye-security, trixie-security).
printf 'deb %s %s main\ndeb %s %s-security main\n' \
    "$mirror" "$suite" "$security" "$suite" \
    | "${sudo[@]}" tee "$dir/etc/apt/sources.list" >/dev/null
log "applying $suite-security updates"
in_chroot_apt() {
    "${sudo[@]}" chroot "$dir" env DEBIAN_FRONTEND=noninteractive "$@" \
        2>&1 >/dev/null | { grep -vE 'pts|apt-utils|runlevel|policy-rc.d' || true; } >&2
    return "${PIPESTATUS[0]}"
}
in_chroot_apt apt-get update -qq
# A mirror may lack a package its index names (bullseye-security served
# a 404 for one php7.4 package here). MediaWiki's own fixes are what
# the tests need, so those are taken alone when the rest fails.
if ! in_chroot_apt apt-get upgrade -y -qq; then
    log "$suite-security: full upgrade failed; upgrading MediaWiki only"
    in_chroot_apt apt-get install -y -qq --only-upgrade \
        mediawiki mediawiki-classes
fi
in_chroot_apt apt-get clean
unmount_below "$dir"

version=$(sed -nE "s/.*define\( *'MW_VERSION', *'([^']+)'.*/\1/p" \
    "$dir/usr/share/mediawiki/includes/Defines.php" || true)
[[ -n $version ]] || version=$(sed -nE \
    "s/^\\\$wgVersion = '([^']+)'.*/\1/p" \
    "$dir/usr/share/mediawiki/includes/DefaultSettings.php" || true)
log "$suite: MediaWiki ${version:-?}, $("${sudo[@]}" chroot "$dir" php -r \
    'echo "PHP ", PHP_VERSION;'), made in $((SECONDS - start)) s"
{ echo "$want"; echo "mediawiki=$version"; date -u +%FT%TZ; } \
    | "${sudo[@]}" tee "$stamp" >/dev/null
echo "$dir"
