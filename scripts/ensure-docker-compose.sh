#!/usr/bin/env bash
# docker-compose for tests/unit/test_deployment.py, which validates docker-compose.yml with
# `docker-compose config` (no Docker engine needed). Does nothing when it already runs;
# otherwise installs Debian's docker-compose package (1.29) as root or through passwordless
# sudo, and stops with what to do when it cannot.
set -euo pipefail

works() { docker-compose version >/dev/null 2>&1; }

works && exit 0

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "docker-compose is missing; the tests validate docker-compose.yml with it." >&2
  echo "Install it as root (apt-get install docker-compose), then run make test again." >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "docker-compose is missing and this is not a Debian-like system: install docker-compose 1.29" >&2
  echo "with your package manager, then run make test again." >&2
  exit 1
fi

echo "Installing docker-compose (Debian's package) to validate docker-compose.yml..."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
install() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose; }
# A fresh machine may have no package lists yet: update them once and try again.
if ! install >"$log" 2>&1; then
  "${as_root[@]}" apt-get update -q >>"$log" 2>&1 || true
  install >>"$log" 2>&1 || { tail -n 20 "$log" >&2; echo "Installing docker-compose failed." >&2; exit 1; }
fi
if ! works; then
  docker-compose version >&2 || true
  echo "docker-compose was installed but does not run (see above)." >&2
  exit 1
fi
docker-compose version | head -n 1
