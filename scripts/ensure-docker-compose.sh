#!/usr/bin/env bash
# docker-compose for tests/unit/test_deployment.py, which validates docker-compose.yml with
# `docker-compose config` (no Docker engine needed). Does nothing when it already runs;
# otherwise installs Debian's docker-compose package (1.29) through ensure-debian-package.sh.
set -euo pipefail

works() { docker-compose version >/dev/null 2>&1; }

works && exit 0
"$(dirname "$0")/ensure-debian-package.sh" docker-compose docker-compose \
  "the tests validate docker-compose.yml with it"
if ! works; then
  docker-compose version >&2 || true
  echo "docker-compose was installed but does not run (see above)." >&2
  exit 1
fi
docker-compose version | head -n 1
