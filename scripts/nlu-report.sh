#!/usr/bin/env bash
# Score the NLU on the held-out set (nlu/tests/heldout_nlu.yml, never trained on):
# our pipeline (the served model) and Rasa's stock WhitespaceTokenizer pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH=nlu
rasa=.venvs/rasa/bin/rasa
out=var/nlu-report
cache="${IEOMOA_MODEL_CACHE:-$HOME/.cache/ieomoa/models}"
mkdir -p "$out" "$cache"

base_hash=$(cat nlu/tests/baseline_config.yml nlu/data/nlu/*.yml requirements/rasa.txt | sha256sum | cut -c1-16)
baseline="$cache/baseline-$base_hash.tar.gz"
if [ ! -f "$baseline" ]; then
  echo "Training the WhitespaceTokenizer baseline (NLU only)..."
  $rasa train nlu --config nlu/tests/baseline_config.yml --nlu nlu/data --domain nlu/domain \
    --out "$cache" --fixed-model-name "baseline-$base_hash" > "$out/baseline-train.log" 2>&1
fi

for name in ieomoa baseline; do
  model=$([ "$name" = ieomoa ] && cat var/models/current || echo "$baseline")
  echo "Testing $name on the held-out set..."
  $rasa test nlu --nlu nlu/tests/heldout_nlu.yml --model "$model" --out "$out/$name" \
    --no-plot > "$out/$name.log" 2>&1 || { tail -n 20 "$out/$name.log"; exit 1; }
done
.venvs/app/bin/python -m ieomoa.nlu_report "$out"
