#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian machine (run as root): Postfix (real SMTP
# server for the connection-test suite, and smtp-sink), Dovecot (SASL for Postfix), Chromium (browser
# tests), OpenSSL; then the npm packages; then makes sure the local PostgreSQL is running.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in postfix chromium dovecot-core sasl2-bin libsasl2-modules openssl ca-certificates; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks what kind of mail system this is; the tests run their own private instances.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund 2>&1 | grep -v 'Unknown user config' || true
test -x node_modules/.bin/node || { echo "npm ci did not install Node 24 (package 'node')" >&2; exit 1; }

# PostgreSQL runs on these machines; start it if it stopped.
if command -v pg_ctlcluster >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
