#!/usr/bin/env bash
# `npm test` runs this first (the `pretest` script): the suite needs a few Debian packages besides
# node_modules. Missing ones are installed when this may (root, apt-get); otherwise it stops with the
# one command that installs them, rather than letting the suite fail halfway.
set -euo pipefail

missing=()
# The README walkthrough test runs the README's curl | jq blocks.
for tool in curl jq; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
# The independent-verifier test checks tokens with Debian's PyJWT (python3-jwt, with cryptography).
/usr/bin/python3 -c 'import jwt, cryptography' >/dev/null 2>&1 || missing+=(python3-jwt python3-cryptography)
# The approver console test drives Debian's Chromium, unless CHROMIUM_PATH names another build.
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)

[ ${#missing[@]} -eq 0 ] && exit 0

command="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "test prerequisites: installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=300 update
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y "${missing[@]}"
  exit 0
fi
echo "The tests need packages that are not installed: ${missing[*]}. On Debian/Ubuntu:" >&2
echo "  sudo sh -c '$command'" >&2
exit 1
