#!/usr/bin/env bash
# Installs the Debian packages Fast's build needs, only when missing (called by the Deps target
# in build/Fast.Build.proj, so ./build.sh and ./build.ps1 share it). Uses sudo when not root.
set -euo pipefail

# libsodium and liblz4 (their -dev packages ship the .a files the static binary links), gcc (our C
# kernel, libsecp256k1 built from source, and NativeAOT's link step), binutils (ar), zlib1g-dev
# (NativeAOT links -lz), xz-utils (unpacks libsecp256k1's source), libisal-dev (Intel ISA-L: only
# `fast bench fec` loads it at run time, as its reference; never linked). libsecp256k1 itself is not a
# package here: build/secp256k1-source.sh fetches its pinned source, which the build compiles
# together with our batch-verification module (crypto/native/secp256k1). chromium is the headless
# browser the dashboard test drives (playwright-core). Node.js with npm vendors the dashboard's chart
# library at build time (build/dashboard-assets.sh) and runs the web3.js and dashboard tests: when no
# `npm` is on PATH, Debian's nodejs and npm are added (a Node.js that bundles npm, e.g. NodeSource's,
# conflicts with Debian's npm package, so the check is on the command, not the package).
packages=(libsodium-dev liblz4-dev gcc binutils zlib1g-dev xz-utils libisal-dev chromium)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"


missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all present (${packages[*]})"
    bash "$here/secp256k1-source.sh"
    bash "$here/dashboard-assets.sh"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
    exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "deps: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
fi

echo "deps: installing ${missing[*]} with ${sudo:-root} apt-get"
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
    echo "deps: install failed; refreshing the package lists and trying once more"
    $sudo apt-get update
    $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
bash "$here/secp256k1-source.sh"
bash "$here/dashboard-assets.sh"
echo "deps: done"
