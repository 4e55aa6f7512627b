#!/usr/bin/env bash
# Installs the headless browser the report-site tests use (Debian's chromium), poppler-utils
# (pdftoppm/pdftotext for PDF tests) and fonts-wqy-microhei (CJK glyphs for screenshots).
# Idempotent: does nothing when all three are already present.
# Needs root (CI and dev machines run as root) and only Debian's apt mirror: no browser download
# from anywhere else (playwright-core never downloads a browser; the tests use /usr/bin/chromium).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# A small CJK font so screenshots show the Chinese labels instead of empty boxes.
dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || need+=(fonts-wqy-microhei)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-browser: chromium, poppler-utils and a CJK font already installed"
  /usr/bin/chromium --version 2>/dev/null || true
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -E"; else
    echo "install-browser: need root to apt-get install ${need[*]}" >&2; exit 1
  fi
fi

echo "install-browser: installing ${need[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${need[@]}" >/dev/null
/usr/bin/chromium --version
