#!/bin/sh
# Tiny busybox userland standing in for docker.io/library/alpine:latest.
# Called by labctl (images build-lookalikes) as `sh rootfs.sh OUTPUT.tar` inside a temporary build
# context.  Uses mmdebstrap's "extract" variant: the packages (busybox and
# its dependencies libc6, libgcc-s1) are only unpacked, no dpkg/apt/perl
# (customize hooks do not run for this variant, extract hooks do).
#
# Unlike the other stand-ins this one is built from Debian 13 "trixie":
# bookworm's busybox 1.35 (static AND dynamic) is built without
# FEATURE_WGET_TIMEOUT, and `wget -T N` then segfaults (Debian fixed that in
# 1.36.1-5).  Nothing from apt/dpkg ends up in the image, so mixing releases
# does not matter.
set -eu
out=$1
mirror=${LABCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${LABCTL_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

mmdebstrap \
    --variant=extract \
    --include=busybox \
    --format=tar \
    --skip=output/dev \
    --setup-hook='for d in bin sbin lib lib64; do mkdir -p "$1/usr/$d"; ln -s "usr/$d" "$1/$d"; done' \
    --extract-hook='chroot "$1" /bin/busybox --install -s' \
    --extract-hook='cd "$1" && rm -rf usr/share/doc usr/share/man usr/share/lintian usr/share/locale usr/share/bug usr/lib/x86_64-linux-gnu/gconv linuxrc etc/resolv.conf etc/hostname' \
    --extract-hook='cd "$1" && mkdir -p root home run var/tmp proc sys dev && chmod 700 root && chmod 1777 var/tmp' \
    trixie "$out" \
    "deb $mirror trixie main" \
    "deb $security trixie-security main"
