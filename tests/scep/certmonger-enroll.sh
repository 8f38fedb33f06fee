#!/usr/bin/env bash
# Enrolls one certificate with certmonger (its daemon and scep-submit helper, as a host would) against a SCEP URL.
#   tests/scep/certmonger-enroll.sh URL CA_BUNDLE CHALLENGE WORKDIR   -> WORKDIR/cert.pem, exit 0 when issued
# certmonger runs as a session daemon on a private D-Bus in WORKDIR, in a mount namespace of its own where the system's
# CA bundle is the Lab's: its enrollment requests trust only the system bundle, and the machine's is left untouched.
# Every wait is bounded; the daemon and the bus are stopped on exit.
set -euo pipefail
url=$1 bundle=$2 challenge=$3 work=$4
mkdir -p "$work/home" "$work/requests" "$work/cas" "$work/tmp" "$work/local"
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_DATA_HOME=$work/home/.local/share
# certmonger keeps its CAs and requests under /var/lib/certmonger when run as root; these keep them in WORKDIR.
export CERTMONGER_CONFIG_DIR=$work CERTMONGER_REQUESTS_DIR=$work/requests CERTMONGER_CAS_DIR=$work/cas CERTMONGER_TMPDIR=$work/tmp \
  CERTMONGER_LOCAL_CA_DIR=$work/local
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# A bus without service directories: getcert must reach the daemon below, never one the bus would start on its own
# (outside the namespace, trusting the machine's bundle).
cat >"$work/bus.conf" <<CONF
<busconfig>
  <type>session</type>
  <listen>unix:dir=$work</listen>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
read -r bus bus_pid < <(dbus-daemon --config-file="$work/bus.conf" --fork --print-address=1 --print-pid=1 | paste -sd' ')
pids+=("$bus_pid")
export DBUS_SESSION_BUS_ADDRESS=$bus
unshare -m sh -c "mount --bind '$bundle' /etc/ssl/certs/ca-certificates.crt && exec certmonger -s -n" >"$work/certmonger.log" 2>&1 &
pids+=("$!")
owned=false
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
       string:org.fedorahosted.certmonger 2>/dev/null | grep -q 'boolean true'; then owned=true; break; fi
  sleep 0.2
done
$owned || { echo "certmonger did not come up on the private bus" >&2; cat "$work/certmonger.log" >&2; exit 1; }
getcert add-scep-ca -s -c LabSCEP -u "$url" -R "$bundle" >/dev/null
getcert request -s -c LabSCEP -k "$work/key.pem" -f "$work/cert.pem" -N CN=certmonger-device -L "$challenge" >/dev/null
for _ in $(seq 1 120); do
  [ -s "$work/cert.pem" ] && exit 0
  sleep 0.5
done
getcert list -s >&2
exit 1
