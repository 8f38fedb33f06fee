#!/usr/bin/env bash
# Fuzzes every Core parser for N seconds each with the in-process mutator (no afl needed), and with afl++ too when
# --afl is given and afl-fuzz is installed. Prints execs per target and ends with "N passed, N failed": a target fails
# when an exception other than PscException escaped, an input allocated without bound, or one input hung > 5 s.
#
#   tests/fuzz/run.sh --seconds 180 [--seed 7] [--target csr ...] [--afl] [--lock /tmp/psc-build.lock]
#
# --lock FILE takes the lock around each build and each target's run (not the whole script), so that others
# sharing the machine get a turn between targets.
set -uo pipefail
cd "$(dirname "$0")"

seconds=60
seed=$(date +%s)
afl=false
lock=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    --afl) afl=true; shift ;;
    --lock) lock=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; echo "0 passed, 1 failed"; exit 64 ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(csr certificate crl pkcs7 inf xcep wstep certsrv digicert-json)

locked() { if [ -n "$lock" ]; then flock "$lock" "$@"; else "$@"; fi; }

project=PSCertConnector.Fuzz
out=$PWD/$project/bin/Release/net10.0
if ! locked dotnet build "$project" -c Release -v q -nologo >/tmp/psc-fuzz-build.log 2>&1; then
  cat /tmp/psc-fuzz-build.log >&2
  echo "0 passed, ${#targets[@]} failed"
  exit 1
fi

passed=0
failed=0
echo "seed $seed, $seconds s per target"
for target in "${targets[@]}"; do
  log=$(mktemp)
  # The harness bounds itself by --seconds; timeout is the backstop should the process itself wedge.
  locked timeout $((seconds + 60)) "$out/$project" mutate "$target" --seconds "$seconds" --seed "$seed" >"$log" 2>&1
  rc=$?
  grep -E '^(FINDING|HANG|  input:)' "$log" | head -40
  summary=$(grep -E '^target=' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); echo "PASS $summary"
  else
    failed=$((failed + 1)); echo "FAIL $target (exit $rc) ${summary:-$(tail -5 "$log")}"
  fi
  rm -f "$log"
done

if [ "$afl" = true ]; then
  if ! command -v afl-fuzz >/dev/null; then
    echo "afl-fuzz is not installed (apt-get install -y afl++); skipped the afl runs"
  elif ! command -v sharpfuzz >/dev/null && [ ! -x "$HOME/.dotnet/tools/sharpfuzz" ]; then
    echo "sharpfuzz is not installed (dotnet tool install -g SharpFuzz.CommandLine --version 2.3.0); skipped the afl runs"
  else
    sharpfuzz=$(command -v sharpfuzz || echo "$HOME/.dotnet/tools/sharpfuzz")
    # afl needs an instrumented Core: instrument a copy so the plain build stays as it was.
    aflbin=$(mktemp -d)
    cp -r "$out"/. "$aflbin"/
    "$sharpfuzz" "$aflbin/PSCertConnector.Core.dll" >/dev/null
    for target in "${targets[@]}"; do
      findings=$PWD/findings/afl-$target
      rm -rf "$findings"
      AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
        locked afl-fuzz -i "corpus/$target" -o "$findings" -t 5000 -m none -V "$seconds" -- "$aflbin/$project" afl "$target" >/dev/null 2>&1
      crashes=$(find "$findings" -path '*crashes/id*' 2>/dev/null | wc -l)
      hangs=$(find "$findings" -path '*hangs/id*' 2>/dev/null | wc -l)
      execs=$(grep -h '^execs_done' "$findings"/*/fuzzer_stats 2>/dev/null | awk '{s+=$3} END {print s+0}')
      if [ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS afl target=$target execs=$execs"
      else
        failed=$((failed + 1)); echo "FAIL afl target=$target execs=$execs crashes=$crashes hangs=$hangs (inputs in $findings)"
      fi
    done
    rm -rf "$aflbin"
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
