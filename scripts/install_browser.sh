#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/maps/test_browser.py); does nothing if present.
# Playwright drives this system browser, so `playwright install` (a browser download) is never needed.
set -eu
if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: /usr/bin/chromium"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium
/usr/bin/chromium --version || true
