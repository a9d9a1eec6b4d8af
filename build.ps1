#!/usr/bin/env pwsh
# Fast's build entry point for PowerShell users: the same targets as build.sh, over the same
# MSBuild logic in build/Fast.Build.proj.
param(
    [Parameter(Position = 0)][string]$Target = '',
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @()
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-FastMSBuild([string[]]$Arguments) {
    & dotnet msbuild build/Fast.Build.proj -nologo -tl:off -v:m @Arguments
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Target) {
    'deps'    { Invoke-FastMSBuild @('-t:Deps') }
    'build'   { Invoke-FastMSBuild @('-t:Build') }
    'test'    { Invoke-FastMSBuild @('-t:Test', "-p:FastTestArgs=$($Rest -join ' ')") }
    'publish' { Invoke-FastMSBuild @('-t:Publish') }
    'run'     { Invoke-FastMSBuild @('-t:Publish'); & ./artifacts/fast devnet @Rest; exit $LASTEXITCODE }
    'bench'   { Invoke-FastMSBuild @('-t:BuildBench'); & dotnet bench/Fast.Bench/bin/Release/net9.0/Fast.Bench.dll @Rest; exit $LASTEXITCODE }
    'fuzz'    { Invoke-FastMSBuild @('-t:BuildFuzz'); & dotnet fuzz/Fast.Fuzz/bin/Release/net9.0/Fast.Fuzz.dll @Rest; exit $LASTEXITCODE }
    default {
        Write-Output 'usage: ./build.ps1 <deps|build|test|publish|run|bench|fuzz> [args...]  (see ./build.sh --help)'
        if ($Target -notin @('', '-h', '--help', 'help')) { exit 2 }
    }
}
