#!/usr/bin/env bash
# Debian packages the app and its tests need. Idempotent; skips apt when all are present.
set -euo pipefail
PKGS=(
  # WeasyPrint (PDF notes and packets) and PDF-to-PNG for checking them
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
  # offline narration of the public page
  espeak-ng opus-tools lame
)
if [ "${1:-}" = "--test" ]; then
  PKGS+=(chromium)
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
