#!/usr/bin/env bash
# Build the project images:
#   localhost/s4c-base:<s4c-common version>  and :latest  (docker/base/Dockerfile)
#   localhost/s4c-<name>:<app version>       and :latest  (docker/<name>/Dockerfile)
#
# Usage: docker/build-images.sh [name...]     (default: every name in PROCESSORS)
#
# Environment:
#   ENGINE=docker|podman    default: docker when its daemon answers, else podman
#                           (installed with apt when missing and running as root)
#   S4C_BASE_IMAGE=IMAGE    base of the base image; default: the public Python
#                           image when it can be pulled, else a local Debian rootfs
#                           built by docker/base/make-rootfs.sh
set -euo pipefail

# Adding a processor: write docker/<name>/Dockerfile (a copy of the parcels one)
# and add <name> here; its package lives in apps/<name>/.
PROCESSORS=(parcels spectral-indices biophysical s1-preprocessing markers)

PUBLIC_BASE=docker.io/library/python:3.11-slim-bookworm
ROOTFS_IMAGE=localhost/s4c-rootfs:bookworm
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started=$SECONDS

say() { echo "build-images: $*" >&2; }
version_of() { sed -n 's/^version *= *"\(.*\)"/\1/p' "$1" | head -n1; }

# Install the Debian packages that provide missing commands (root only).
ensure_commands() {
    local missing=() cmd
    for cmd in "$@"; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" != 0 ]; then
        say "missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
        exit 1
    fi
    say "installing ${missing[*]} with apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Rootful podman on a machine that is itself a container: runc rather than
# crun, and no default ulimits (setting RLIMIT_NPROC is refused there). A
# drop-in file leaves the administrator's containers.conf alone; it is
# written once, and only by root, whose podman it configures.
configure_podman() {
    local dropin=/etc/containers/containers.conf.d/50-s4c.conf
    [ "$(id -u)" = 0 ] || return 0
    ensure_commands runc
    [ -e "$dropin" ] && return 0
    mkdir -p "$(dirname "$dropin")"
    printf '# Written by docker/build-images.sh\n[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' > "$dropin"
    say "wrote $dropin"
}

# The host's pip network settings (index, extra indexes, trusted hosts, CA
# bundle) as a pip.conf, passed to the builds as the build secret "pipconf":
# pip inside the build reaches PyPI the way the host does, and no host-specific
# URL lands in the repository or in an image layer. Local indexes (file://,
# paths) are dropped, they do not exist inside the build; so is a CA bundle
# outside /etc/ssl, the only host folder a podman build mounts.
write_pip_conf() {
    local line name section key value rank
    declare -A values=() ranks=()
    while IFS= read -r line; do
        name=${line%%=*} value=${line#*=}
        section=${name%.*} key=${name##*.}
        value=${value#\'} value=${value%\'}
        # Environment beats the install section, which beats the global one.
        case $section in :env:) rank=3 ;; install) rank=2 ;; global) rank=1 ;; *) continue ;; esac
        case $key in index-url | extra-index-url | trusted-host | cert) ;; *) continue ;; esac
        if [ "${ranks[$key]:-0}" -lt "$rank" ]; then values[$key]=$value ranks[$key]=$rank; fi
    done < <({ command -v pip >/dev/null && pip config list; } 2>/dev/null || python3 -m pip config list 2>/dev/null || true)
    echo "[global]"
    for key in index-url extra-index-url; do
        value=$(tr ' ' '\n' <<<"${values[$key]:-}" | grep -E '^https?://' | paste -sd' ' || true)
        [ -n "$value" ] && echo "$key = $value"
    done
    [ -n "${values[trusted-host]:-}" ] && echo "trusted-host = ${values[trusted-host]}"
    case ${values[cert]:-} in /etc/ssl/*) echo "cert = ${values[cert]}" ;; esac
}

if [ -z "${ENGINE:-}" ]; then
    if command -v docker >/dev/null && docker info >/dev/null 2>&1; then ENGINE=docker; else ENGINE=podman; fi
fi
pip_conf=$(mktemp /tmp/s4c-pip.XXXXXX.conf)
trap 'rm -f "$pip_conf"' EXIT
write_pip_conf > "$pip_conf"
build_opts=(--secret "id=pipconf,src=$pip_conf")
if [ "$ENGINE" = podman ]; then
    ensure_commands podman
    configure_podman
    # The host's CA bundle, for networks that inspect TLS (docker build cannot mount).
    build_opts+=(-v /etc/ssl/certs:/etc/ssl/certs:ro)
fi

base_image=${S4C_BASE_IMAGE:-}
if [ -z "$base_image" ]; then
    if "$ENGINE" image inspect "$PUBLIC_BASE" >/dev/null 2>&1 ||
        timeout 300 "$ENGINE" pull -q "$PUBLIC_BASE" >/dev/null 2>&1; then
        base_image=$PUBLIC_BASE
    else
        say "$PUBLIC_BASE cannot be pulled: using the local Debian rootfs $ROOTFS_IMAGE"
        base_image=$ROOTFS_IMAGE
    fi
fi
if [ "$base_image" = "$ROOTFS_IMAGE" ]; then
    ensure_commands debootstrap
    step=$SECONDS
    ENGINE=$ENGINE "$repo/docker/base/make-rootfs.sh"
    say "rootfs ready in $((SECONDS - step)) s"
fi

# build NAME VERSION DOCKERFILE [build args...]: tag :VERSION and :latest.
build() {
    local name=$1 version=$2 dockerfile=$3 step=$SECONDS
    shift 3
    say "building localhost/$name:$version"
    "$ENGINE" build "${build_opts[@]}" "$@" -f "$dockerfile" \
        -t "localhost/$name:$version" -t "localhost/$name:latest" "$repo" >&2
    say "built localhost/$name:$version in $((SECONDS - step)) s"
}

base_version=$(version_of "$repo/common/pyproject.toml")
build s4c-base "$base_version" "$repo/docker/base/Dockerfile" --build-arg "BASE_IMAGE=$base_image"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${PROCESSORS[@]}")
# Per-image build arguments. The biophysical image downloads the SNAP networks (GPL-3.0, pinned and
# sha256-checked) unless S4C_FETCH_AUXDATA=0, for machines without internet: mount them at run time then.
extra_args() {
    case $1 in
        biophysical) echo "--build-arg FETCH_AUXDATA=${S4C_FETCH_AUXDATA:-1}" ;;
    esac
}
for name in "${names[@]}"; do
    # shellcheck disable=SC2046
    build "s4c-$name" "$(version_of "$repo/apps/$name/pyproject.toml")" "$repo/docker/$name/Dockerfile" \
        --build-arg "BASE=localhost/s4c-base:$base_version" $(extra_args "$name")
done

"$ENGINE" images --filter reference='localhost/s4c-*' >&2
say "done in $((SECONDS - started)) s"
