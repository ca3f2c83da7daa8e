#!/usr/bin/env bash
# Train the Rasa model only when nlu/ (or the Rasa environment) changed.
# Models are cached by content hash in $IEOMOA_MODEL_CACHE, so a fresh clone on the
# same machine reuses them; var/models/current points at the one to serve.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${IEOMOA_MODEL_CACHE:-$HOME/.cache/ieomoa/models}"
hash=$( (cd nlu && find . -type f \( -name '*.yml' -o -name '*.py' -o -name '*.txt' -o -name '*.json' \) \
          -not -name endpoints.yml -not -name credentials.yml -not -path './.*' -not -path './models/*' -not -path './results/*' -not -path '*/__pycache__/*' -not -path './tests/*' \
          | LC_ALL=C sort | xargs sha256sum; sha256sum ../requirements/rasa.txt) | sha256sum | cut -c1-16)
model="$cache/nlu-$hash.tar.gz"
mkdir -p "$cache" var/models

if [ ! -f "$model" ]; then
  echo "Training the Rasa model (nlu/ changed: $hash); this takes a few minutes..."
  tmp=$(mktemp -d)
  (cd nlu && RASA_TELEMETRY_ENABLED=false PYTHONPATH=. ../.venvs/rasa/bin/rasa train \
      --domain domain --fixed-model-name "nlu-$hash" --out "$tmp" --quiet) > var/train.log 2>&1 \
    || { tail -n 40 var/train.log; echo "Training failed; full log in var/train.log" >&2; exit 1; }
  mv "$tmp/nlu-$hash.tar.gz" "$model"
  rm -rf "$tmp"
fi
echo "$(cd "$(dirname "$model")" && pwd)/$(basename "$model")" > var/models/current
echo "Model: $model"
