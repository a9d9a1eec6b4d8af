#!/usr/bin/env bash
# Fetches libsecp256k1's source, pinned to Debian bookworm's 0.2.0 (the orig tarball's sha256 is
# checked; Debian's 0.2.0-2 carries no patches to it), and unpacks it under artifacts/deps/ for
# crypto/native/FastNative.targets, which compiles it with Fast's batch-verification module into
# artifacts/native/libfastsecp256k1.{a,so}. Called by build/deps.sh and, when the tree is missing,
# by the build itself. Idempotent: a verified tree is kept.
#
# Sources, in order (all must give the same checksum):
#   1. `apt-get source --download-only` through a private apt state with a deb-src entry in a temp
#      directory (the system's apt configuration is not touched);
#   2. the same file straight from Debian's pool on deb.debian.org;
#   3. snapshot.debian.org.
# (The upstream GitHub release tarball is a different file with a different checksum; it is not used.)
set -euo pipefail

version=0.2.0
debian_version=0.2.0-2
orig="libsecp256k1_${version}.orig.tar.xz"
sha256=07c1d76fc485936138c6572e94374df22ba41df06617926572b8a690fe8bc34b

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${FAST_DEPS_DIR:-$root/artifacts/deps}"
tree="$dest/libsecp256k1-$version"
stamp="$tree/.fast-sha256"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sha256" ]; then
    echo "secp256k1-source: $tree (verified $orig)"
    exit 0
fi

mkdir -p "$dest"
exec 9>"$dest/.libsecp256k1.lock"
flock 9
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sha256" ]; then exit 0; fi # another build fetched it meanwhile

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha256" ]; }

fetch_apt_source() {
    command -v apt-get >/dev/null 2>&1 || return 1
    local apt="$work/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/out"
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || return 1
    echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main" > "$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/none"
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1)
    if [ "$(id -u)" -eq 0 ]; then opts+=(-o APT::Sandbox::User=root); fi
    apt-get "${opts[@]}" -qq update >/dev/null || return 1
    (cd "$apt/out" && apt-get "${opts[@]}" -qq source --download-only "libsecp256k1=$debian_version" >/dev/null) || return 1
    cp "$apt/out/$orig" "$work/$orig"
}

fetch_url() {
    command -v curl >/dev/null 2>&1 || return 1
    curl -fsSL --retry 2 --max-time 120 -o "$work/$orig" "$1"
}

for source in apt-source \
              "http://deb.debian.org/debian/pool/main/libs/libsecp256k1/$orig" \
              "https://snapshot.debian.org/archive/debian/20230101T000000Z/pool/main/libs/libsecp256k1/$orig"; do
    rm -f "$work/$orig"
    if [ "$source" = apt-source ]; then fetch_apt_source || true; else fetch_url "$source" || true; fi
    if verified "$work/$orig"; then
        echo "secp256k1-source: $orig from $source, sha256 $sha256"
        break
    fi
    if [ -f "$work/$orig" ]; then
        echo "secp256k1-source: $source gave a file whose sha256 is not the pinned one; ignored" >&2
    fi
done

if ! verified "$work/$orig"; then
    echo "secp256k1-source: could not fetch $orig (sha256 $sha256) from apt-get source, deb.debian.org or snapshot.debian.org" >&2
    exit 1
fi

rm -rf "$tree" "$work/unpacked"
mkdir -p "$work/unpacked"
tar -xJf "$work/$orig" -C "$work/unpacked"
mv "$work/unpacked/libsecp256k1-$version" "$tree"
echo "$sha256" > "$stamp"
echo "secp256k1-source: unpacked into $tree"
