#!/usr/bin/env bash
# Installs the real parts the test suite starts itself, when a machine lacks them:
# Debian's Chromium + ChromeDriver (Selenium tests), TigerVNC's Xvnc with xeyes (a real VNC
# server for the bridge), slixmpp (a desktop-class XMPP client over TCP), Prosody (the XMPP peer
# the load tool compares with) and Node.js + npm (the build's browser libraries and the third-party
# STOMP and XMPP clients: @stomp/stompjs, @xmpp/client, Strophe.js), iproute2 (network namespaces
# for the cluster's partition test), prometheus (its promtool checks the alert rules in docs/), then the pinned npm packages of src/test/node. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(chromium chromium-driver tigervnc-standalone-server tigervnc-tools x11-apps python3-slixmpp prosody iproute2 nginx haproxy prometheus)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "Installing ${missing[*]} (apt)..."
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# the STOMP client tests' packages, exactly as locked
(cd src/test/node && npm ci --no-audit --no-fund --loglevel=error)
