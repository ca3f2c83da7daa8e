#!/usr/bin/env bash
# Train the Rasa model only when nlu/, the vocabularies or the Rasa environment changed.
# Models (and the spaCy pipeline they load) are cached by content hash in
# $IEOMOA_MODEL_CACHE, so a fresh clone on the same machine reuses them;
# var/models/current points at the model to serve, var/spacy/ko_ieomoa at its pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nlu-common.sh

ensure_spacy_pipeline
hash=$(nlu_hash)
model="$MODEL_CACHE/nlu-$hash.tar.gz"
mkdir -p var/models

if [ ! -f "$model" ]; then
  echo "Training the Rasa model (nlu/ changed: $hash); this takes a few minutes..."
  tmp=$(mktemp -d)
  start=$SECONDS
  (cd nlu && RASA_TELEMETRY_ENABLED=false PYTHONPATH=. ../.venvs/rasa/bin/rasa train \
      --domain domain --fixed-model-name "nlu-$hash" --out "$tmp" --quiet) > var/train.log 2>&1 \
    || { tail -n 40 var/train.log; echo "Training failed; full log in var/train.log" >&2; exit 1; }
  mv "$tmp/nlu-$hash.tar.gz" "$model"
  rm -rf "$tmp"
  echo "Trained in $((SECONDS - start)) s."
fi
echo "$(cd "$(dirname "$model")" && pwd)/$(basename "$model")" > var/models/current
echo "Model: $model"
