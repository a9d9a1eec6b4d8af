#!/usr/bin/env bash
# Fast's build entry point. The logic lives in build/Fast.Build.proj (MSBuild); this only picks
# a target and, for run/bench/fuzz, starts the program it built. build.ps1 is the same for PowerShell.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
    cat <<'USAGE'
usage: ./build.sh <target> [args...]
  deps             install the Debian packages the build needs (sudo when not root)
  build            build everything (Release)
  test [args]      deps + build + all tests; args go to `dotnet test` (e.g. --filter Name~Sha256)
  publish          the static NativeAOT binary: artifacts/fast
  run [args]       publish, then start a local devnet (args go to `fast devnet`)
  bench [args]     BenchmarkDotNet suites (args go to BenchmarkDotNet, e.g. --filter '*Sha256*')
  fuzz [args]      all fuzz targets (e.g. --seconds 60)
USAGE
}

msbuild() { dotnet msbuild build/Fast.Build.proj -nologo -tl:off -v:m "$@"; }

target="${1:-}"
[ $# -gt 0 ] && shift
case "$target" in
    deps)    msbuild -t:Deps ;;
    build)   msbuild -t:Build ;;
    test)    msbuild -t:Test "-p:FastTestArgs=$*" ;;
    publish) msbuild -t:Publish ;;
    run)     msbuild -t:Publish && exec artifacts/fast devnet "$@" ;;
    bench)   msbuild -t:BuildBench && exec dotnet bench/Fast.Bench/bin/Release/net9.0/Fast.Bench.dll "$@" ;;
    fuzz)    msbuild -t:BuildFuzz && exec dotnet fuzz/Fast.Fuzz/bin/Release/net9.0/Fast.Fuzz.dll "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
