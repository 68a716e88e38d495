#!/usr/bin/env bash
# Branch-office testbed: builds the orchestrator (and the peerdist tool it runs as the origin) in Release, then runs it.
# Needs root (network namespaces), iproute2 (ip, tc, bridge) and the .NET 10 SDK. All options go to `run`; see --help.
#   sudo bash benchmarks/branch-office/run.sh            # the full default run
#   sudo bash benchmarks/branch-office/run.sh --smoke    # the CI smoke run (< 60 s)
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" -ne 0 ]; then
  echo "branch-office: run as root: the testbed creates network namespaces (sudo bash $0 $*)" >&2
  exit 2
fi
for tool in ip tc bridge; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "branch-office: '$tool' was not found: install iproute2" >&2
    exit 2
  fi
done
if ! command -v dotnet >/dev/null 2>&1; then
  echo "branch-office: 'dotnet' was not found: install the .NET 10 SDK" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=benchmarks/branch-office/PeerDist.BranchOffice
dotnet build "$project/PeerDist.BranchOffice.csproj" -c Release -nologo -v quiet >&2
exec dotnet "$project/bin/Release/net10.0/PeerDist.BranchOffice.dll" run "$@"
