#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed".
# Needs the .NET 10 SDK and openssl on PATH (the integration tests run it). NuGet packages restore on first use;
# PowerShell 7.6.9 installs itself as a .NET tool (the program is .tools/pwsh) and Pester 5.7.1 comes from the NuGet restore, so the
# Pester suite and the in-process PowerShell tests run on any machine that reaches the package feed.
set -uo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

pwsh_version=7.6.9
tools_dir=$PWD/.tools
in_ci=${CI:-false}

command -v openssl >/dev/null || { echo "openssl is not on PATH: the integration tests need it" >&2; echo "0 passed, 1 failed"; exit 1; }

# PowerShell as a .NET tool at the pinned version (the only one the feed serves; a later one may want another .NET).
pwsh=""
if [ -f "$tools_dir/pwsh" ] && [ -x "$tools_dir/pwsh" ] && [ "$("$tools_dir/pwsh" -NoProfile -NonInteractive -c '$PSVersionTable.PSVersion.ToString()' 2>/dev/null)" = "$pwsh_version" ]; then
  pwsh=$tools_dir/pwsh
else
  rm -rf "$tools_dir"
  if dotnet tool install --tool-path "$tools_dir" PowerShell --version "$pwsh_version" >"$log" 2>&1; then
    pwsh=$tools_dir/pwsh
  else
    cat "$log" >&2
  fi
fi

# Build everything first, then test: the PowerShell tests load the module layout the cmdlet project writes after its
# build, which 'dotnet test' alone may not have finished when it starts a test assembly (seen on a fresh clone).
dotnet build PSCertConnector.sln --nologo -v minimal 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  dotnet test PSCertConnector.sln --no-build --nologo -v minimal 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
fi

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 55, Skipped: 0, Total: 55 ...").
read -r passed failed skipped < <(grep -E '(Passed|Failed)!.*Failed:' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the test host failed before any test could report
fi

# A short fuzz run of every Core parser (the replay of corpus and regressions is in Core.Tests); each target counts once.
# A fixed seed keeps a run reproducible; longer runs with other seeds: tests/fuzz/run.sh --seconds 600 --seed N.
bash tests/fuzz/run.sh --seconds 3 --seed 20261203 2>&1 | tee "$log"
fuzz_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
if [ -n "$fuzz_line" ]; then
  read -r fp ff < <(echo "$fuzz_line" | sed -E 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/')
  passed=$((passed + fp)); failed=$((failed + ff))
else
  echo "Fuzz: the run did not report its counts (see above)"
  failed=$((failed + 1))
fi

if [ -n "$pwsh" ]; then
  # The Pester suite against the module 'dotnet test' just built; its counts join the closing line.
  "$pwsh" -NoProfile -NonInteractive -File ./build.ps1 -Task Pester 2>&1 | tee "$log"
  line=$(grep -E '^Pester: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -1)
  if [ -n "$line" ]; then
    read -r pp pf ps < <(echo "$line" | sed -E 's/^Pester: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
    passed=$((passed + pp)); failed=$((failed + pf)); skipped=$((skipped + ps))
  else
    echo "Pester: the suite did not report its counts (see above)"
    failed=$((failed + 1))
  fi
elif [ "$in_ci" = "true" ]; then
  echo "Pester: FAILED (PowerShell $pwsh_version could not be installed, and CI must run the module in PowerShell)"
  failed=$((failed + 1))
else
  echo "Pester: SKIPPED (PowerShell $pwsh_version could not be installed from the package feed on this machine)"
fi

if [ "$skipped" -gt 0 ]; then
  echo "$skipped skipped (each with its reason above)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
