#!/usr/bin/env bash
# A throw-away Samba AD DC on 127.0.0.1 for the Active Directory tests.
#   ad-dc.sh start DIR   provision into DIR, seed AD CS objects (seed.ldif), create the test accounts and the
#                        Lab's HTTP/localhost service principal with a keytab, write DIR/krb5.conf, start samba
#   ad-dc.sh stop DIR    stop that samba and delete DIR
# Inputs (environment): PSC_DC_ADMIN_PASSWORD, PSC_DC_USER_PASSWORD (the test user 'enroller'),
#   PSC_DC_CA_CERT (a DER file: the CA certificate published in the enrollment service), PSC_DC_LAB_PORT
#   (the Lab server's port, for the CES URLs in msPKI-Enrollment-Servers), PSC_DC_TLS_CERT and PSC_DC_TLS_KEY
#   (PEM files: LDAPS certificate for localhost, so clients can check it against a CA they trust).
# Nothing secret is printed. Samba listens on 127.0.0.1 only (LDAP 389, LDAPS 636, Kerberos 88).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?directory}
here=$(cd "$(dirname "$0")" && pwd)
realm=PSC.TEST
base="DC=psc,DC=test"

stop() {
  if [ -f "$dir/samba.pid" ]; then
    pid=$(cat "$dir/samba.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    pkill -9 -f "samba .*-s $dir/etc/smb.conf" 2>/dev/null || true # the forked workers of that server
    # Return only once the workers are gone, so the next suite finds the ports free.
    for _ in $(seq 1 60); do pgrep -f "samba .*-s $dir/etc/smb.conf" >/dev/null || break; sleep 0.5; done
  fi
  rm -rf "$dir"
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "usage: ad-dc.sh start|stop DIR" >&2; exit 2; }
command -v samba >/dev/null || { echo "samba is not installed (apt-get install samba samba-ad-dc krb5-user)" >&2; exit 3; }
: "${PSC_DC_ADMIN_PASSWORD:?}" "${PSC_DC_USER_PASSWORD:?}" "${PSC_DC_CA_CERT:?}" "${PSC_DC_LAB_PORT:?}" "${PSC_DC_TLS_CERT:?}" "${PSC_DC_TLS_KEY:?}"
# A DC that another suite just stopped may still be releasing its ports on a busy machine: wait for them, bounded.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in 88 389 636; do
  for _ in $(seq 1 60); do port_in_use "$port" || break; sleep 0.5; done
  if port_in_use "$port"; then echo "127.0.0.1:$port is still in use after 30 seconds; is another DC running?" >&2; exit 4; fi
done

rm -rf "$dir"; mkdir -p "$dir"
install -m 600 "$PSC_DC_TLS_KEY" "$dir/tls-key.pem"
cp "$PSC_DC_TLS_CERT" "$dir/tls-cert.pem"
samba-tool domain provision --targetdir="$dir" --realm=$realm --domain=PSC --server-role=dc --dns-backend=NONE \
  --host-name=dc1 --adminpass="$PSC_DC_ADMIN_PASSWORD" \
  --option="interfaces = 127.0.0.1" --option="bind interfaces only = yes" \
  --option="server services = ldap, kdc" --option="log file = $dir/log.%m" --option="pid directory = $dir" \
  --option="ldap server require strong auth = yes" \
  --option="tls enabled = yes" --option="tls keyfile = $dir/tls-key.pem" --option="tls certfile = $dir/tls-cert.pem" \
  --option="tls cafile = " >"$dir/provision.log" 2>&1 \
  || { echo "provisioning failed; see $dir/provision.log" >&2; tail -20 "$dir/provision.log" >&2; exit 5; }
conf="$dir/etc/smb.conf"
sam="$dir/private/sam.ldb"

# Accounts: the enrolling user, and the Lab server's service account with HTTP/localhost.
samba-tool user create enroller "$PSC_DC_USER_PASSWORD" -s "$conf" -H "$sam" >/dev/null
samba-tool user create labhttp --random-password -s "$conf" -H "$sam" >/dev/null
samba-tool spn add HTTP/localhost labhttp -s "$conf" -H "$sam" >/dev/null
# Clients name the DC by the address they were given: let Kerberos find ldap/localhost too.
samba-tool spn add ldap/localhost 'DC1$' -s "$conf" -H "$sam" >/dev/null
samba-tool domain exportkeytab "$dir/http.keytab" --principal=HTTP/localhost -s "$conf" >/dev/null

# AD CS objects as an enterprise CA installation writes them.
ca_cert=$(base64 -w0 "$PSC_DC_CA_CERT")
sed -e "s|@BASE@|$base|g" -e "s|@CA_CERT@|$ca_cert|g" -e "s|@LAB_PORT@|$PSC_DC_LAB_PORT|g" "$here/seed.ldif" |
  while IFS= read -r line; do
    if [[ $line =~ ^([^:]+)::\ @ENC\ (.*)@$ ]]; then
      printf '%s:: %s\n' "${BASH_REMATCH[1]}" "$(printf '%b' "${BASH_REMATCH[2]}" | base64 -w0)"
    else
      printf '%s\n' "$line"
    fi
  done > "$dir/seed.ldif"
ldbadd -H "$sam" "$dir/seed.ldif" >"$dir/seed.log" 2>&1 || { echo "seeding failed" >&2; cat "$dir/seed.log" >&2; exit 6; }

cat > "$dir/krb5.conf" <<KRB
[libdefaults]
    default_realm = $realm
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    udp_preference_limit = 1
[realms]
    $realm = {
        kdc = 127.0.0.1
    }
[domain_realm]
    localhost = $realm
    .psc.test = $realm
    psc.test = $realm
KRB

samba -s "$conf" -F --no-process-group >"$dir/samba.out" 2>&1 &
echo $! > "$dir/samba.pid"
for _ in $(seq 1 300); do
  if (exec 3<>/dev/tcp/127.0.0.1/389) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/88) 2>/dev/null; then
    echo "Samba AD DC for $realm is up on 127.0.0.1 (LDAP 389, LDAPS 636, KDC 88); krb5.conf and http.keytab in $dir"
    exit 0
  fi
  kill -0 "$(cat "$dir/samba.pid")" 2>/dev/null || break
  sleep 0.1
done
echo "samba did not start; see $dir/samba.out" >&2; tail -20 "$dir/samba.out" >&2
stop; exit 7
