#!/usr/bin/env bash
# Score three NLU pipelines on the held-out sets (nlu/tests/heldout_*.yml, never trained on)
# and on the development set (nlu/tests/dev_people.yml: never trained on either, but read to
# find weaknesses, so its numbers are not a measure of unseen people):
#   stock  - Rasa's WhitespaceTokenizer pipeline (nlu/tests/baseline_config.yml)
#   mecab  - MeCab-ko tokens, no spaCy (nlu/tests/mecab_config.yml)
#   spacy  - nlu/config.yml, the served model (var/models/current): MeCab-ko + spaCy layer
# The two comparison models are trained NLU-only and cached by hash next to the served
# ones. Scores are computed by scripts/nlu_eval.py on what the whole pipeline returns.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/nlu-common.sh
export RASA_TELEMETRY_ENABLED=false
out=var/nlu-report
mkdir -p "$out" "$MODEL_CACHE"
rm -f "$out"/*.json

ensure_spacy_pipeline
sets=()
for data in heldout_nlu.yml heldout_people.yml dev_people.yml; do
  if [ -f "nlu/tests/$data" ]; then sets+=(--data "tests/$data"); else echo "(nlu/tests/$data not found: skipped)"; fi
done

# A comparison model: trained from nlu/ with one of the test configs, cached by the hash of
# that config, the training data, domain, components and (if it uses it) the spaCy pipeline.
comparison_model() {
  local name=$1 config=$2 hash
  hash=$( { cat "$config" requirements/rasa.txt
            find nlu/data nlu/domain nlu/ieomoa_nlu -type f \( -name '*.yml' -o -name '*.py' \) \
              -not -path '*/__pycache__/*' | LC_ALL=C sort | xargs cat
            if grep -q SpacyNLP "$config"; then spacy_hash; fi; } | sha256sum | cut -c1-16)
  local model="$MODEL_CACHE/$name-$hash.tar.gz"
  if [ ! -f "$model" ]; then
    echo "Training the $name comparison model (NLU only, a few minutes)..." >&2
    local start=$SECONDS
    (cd nlu && PYTHONPATH=. ../.venvs/rasa/bin/rasa train nlu --config "../$config" --nlu data \
        --domain domain --out "$MODEL_CACHE" --fixed-model-name "$name-$hash") > "$out/$name-train.log" 2>&1 \
      || { tail -n 20 "$out/$name-train.log" >&2; exit 1; }
    echo "  trained in $((SECONDS - start)) s" >&2
  fi
  echo "$model"
}

stock=$(comparison_model baseline nlu/tests/baseline_config.yml)
mecab=$(comparison_model mecab nlu/tests/mecab_config.yml)
spacy=$(cat var/models/current)

for name in stock mecab spacy; do
  echo "Scoring $name on the held-out sets..."
  (cd nlu && PYTHONPATH=. ../.venvs/rasa/bin/python ../scripts/nlu_eval.py "${!name}" "${sets[@]}" \
      --out "../$out/$name.json") > "$out/$name.log" 2>&1 || { tail -n 20 "$out/$name.log"; exit 1; }
done
"$RASA_PY" scripts/nlu_report.py "$out"
