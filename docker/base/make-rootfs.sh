#!/usr/bin/env bash
# Build a minimal Debian bookworm root filesystem with debootstrap and import it
# as the local image localhost/s4c-rootfs:bookworm.
#
# This script only exists for machines that cannot pull from any container
# registry: there, docker.io/library/python:3.11-slim-bookworm (the public
# default base of docker/base/Dockerfile) is unavailable, so we make an
# equivalent base from the Debian package mirror the host's apt already uses.
# Where a registry is reachable, build-images.sh uses the public image instead.
#
# Environment:
#   ENGINE=podman|docker   container engine that imports the tarball (default podman)
#   FORCE=1                rebuild even if the image already exists
#   S4C_DEBIAN_MIRROR=URL  Debian mirror; default: the host's apt source for bookworm
set -euo pipefail

IMAGE=localhost/s4c-rootfs:bookworm
SUITE=bookworm
ENGINE=${ENGINE:-podman}

if [ "${FORCE:-0}" != 1 ] && "$ENGINE" image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "make-rootfs: $IMAGE exists (FORCE=1 rebuilds it)" >&2
    exit 0
fi

# The first apt source that serves the suite, in one-line (.list) or deb822
# (.sources) format; reading it from the host keeps mirror names out of the repo.
host_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        # deb [options] URI SUITE COMPONENTS...
        awk -v s="$SUITE" '$1 == "deb" {
            sub(/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?/, "")
            if ($2 == s) { print $1; exit }
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        # Stanzas of "Key: value" lines separated by blank lines.
        awk -v s="$SUITE" '
            function flush() {
                if (!found && (" " types " ") ~ / deb / && enabled != "no" && (" " suites " ") ~ (" " s " ")) {
                    split(uris, u, " "); print u[1]; found = 1
                }
                types = suites = uris = enabled = ""
            }
            /^[[:space:]]*#/ { next }
            /^[[:space:]]*$/ { flush(); next }
            {
                key = tolower($1); sub(/:$/, "", key)
                value = $0; sub(/^[^:]*:[[:space:]]*/, "", value)
                if (key == "types") types = value
                else if (key == "suites") suites = value
                else if (key == "uris") uris = value
                else if (key == "enabled") enabled = tolower(value)
            }
            END { flush() }' "$f"
    done
}

mirror=${S4C_DEBIAN_MIRROR:-$(host_mirror | sed -n 1p)}
if [ -z "$mirror" ]; then
    echo "make-rootfs: no apt source for '$SUITE' in /etc/apt; set S4C_DEBIAN_MIRROR to a Debian mirror URL" >&2
    exit 1
fi
command -v debootstrap >/dev/null || { echo "make-rootfs: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

rootfs=$(mktemp -d /var/tmp/s4c-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT

echo "make-rootfs: debootstrap $SUITE (minbase + python3) into $rootfs" >&2
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    "$SUITE" "$rootfs" "$mirror" >&2

# Keep the image small, like debian:bookworm-slim: no package lists or cached
# .debs, no documentation except the copyright files, and none of the host's
# network identity (the engine provides resolv.conf and hostname at run time).
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*
find "$rootfs"/usr/share/doc -type f ! -name copyright -delete
rm -f "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname

# Device nodes, /proc and /sys are provided by the engine in every container.
tar -C "$rootfs" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
    "$ENGINE" import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' - "$IMAGE" >&2
echo "make-rootfs: imported $IMAGE" >&2
