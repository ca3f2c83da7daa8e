#!/usr/bin/env bash
# Usage: scripts/ensure-debian-package.sh COMMAND PACKAGE WHY
# Makes sure COMMAND runs; otherwise installs Debian's PACKAGE as root or through passwordless
# sudo (updating the package lists once if needed), and stops with what to do when it cannot.
# Says nothing when COMMAND is already there. `make lb-tool` (part of `make test`) installs
# HAProxy with it, for tests/integration/test_rasa_replicas.py.
set -euo pipefail
command_name=$1 package=$2 why=$3

works() { command -v "$command_name" >/dev/null 2>&1 || [ -x "/usr/sbin/$command_name" ]; }

works && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "$command_name is missing; $why." >&2
  echo "Install it as root (apt-get install $package), then run make test again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$command_name is missing and this is not a Debian-like system: install $package with your" >&2
  echo "package manager ($why), then run make test again." >&2
  exit 1
fi

echo "Installing $package (Debian's package): $why..."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
install() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$package"; }
# A fresh machine may have no package lists yet: update them once and try again.
if ! install >"$log" 2>&1; then
  "${as_root[@]}" apt-get update -q >>"$log" 2>&1 || true
  install >>"$log" 2>&1 || { tail -n 20 "$log" >&2; echo "Installing $package failed." >&2; exit 1; }
fi
works || { echo "$package was installed but $command_name is not found." >&2; exit 1; }
