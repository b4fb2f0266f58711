#!/bin/sh
# Shared Debian bookworm "minbase" root filesystem for the stand-in images
# (nginx, mysql, python build on top of it).  Called by labctl (images build-lookalikes) as
#   sh rootfs.sh OUTPUT.tar
# from inside a temporary build context.  Runs as root (mmdebstrap picks
# --mode=root) or as a normal user (mmdebstrap picks --mode=unshare, which
# needs subuid/subgid ranges).
set -eu
out=$1
mirror=${LABCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${LABCTL_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# dpkg excludes as in debian:*-slim; they are written to
# /etc/dpkg/dpkg.cfg.d/99mmdebstrap and so also apply to the child images.
mmdebstrap \
    --variant=minbase \
    --format=tar \
    --skip=output/dev \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --customize-hook='rm -f "$1/etc/resolv.conf" "$1/etc/hostname"' \
    bookworm "$out" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main"
