#!/usr/bin/env bash
# Rerunnable benchmarks; every figure is a ratio to a baseline measured in the same run on the same machine.
#   tests/benchmarks/run.sh [--only issue|ces|import|dcom|crl|selection|scep] [--scep-count 100] [--import-count 100000] [--dcom-rows 1000000] [--crl-entries 1000000] [--issue-count 2000]
#                           [--ces-count 1000] [--ces-clients 4] [--engine sqlite|postgresql]
# --engine postgresql runs import and dcom (and its queries) against a private PostgreSQL cluster it starts on loopback
# (Debian's postgresql package; as root the server runs as the postgres account); the import baseline is then a binary COPY.
# Takes a few minutes at the default sizes (most of it is issuing the 100,000 certificates to import). "import" also
# reports parsing alone (allocation per certificate); "dcom" also times the cert list queries on the million rows it imported.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet run -c Release --project tests/benchmarks/PSCertConnector.Benchmarks -- "$@"
