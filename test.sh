#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed".
# Needs the .NET 10 SDK and openssl on PATH (the integration tests run it); NuGet packages restore on first use.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

command -v openssl >/dev/null || { echo "openssl is not on PATH: the integration tests need it" >&2; echo "0 passed, 1 failed"; exit 1; }

dotnet test PSCertConnector.sln --nologo -v minimal 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 55, Skipped: 0, Total: 55 ...").
read -r passed failed skipped < <(grep -E '(Passed|Failed)!.*Failed:' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the test host failed before any test could report
fi
if [ -n "$(command -v pwsh)" ]; then
  pwsh -NoProfile -File ./build.ps1 -Task Pester || failed=$((failed + 1))
else
  echo "Pester: SKIPPED (no pwsh on this machine)"
fi
if [ "$skipped" -gt 0 ]; then
  echo "$skipped skipped (each with its reason above: they need a Windows host with a CA)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
