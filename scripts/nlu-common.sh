# Sourced by scripts/train-model.sh and scripts/nlu-report.sh (cwd: the repository root).
# Trained models and built spaCy pipelines are cached by content hash in $MODEL_CACHE.
MODEL_CACHE="${IEOMOA_MODEL_CACHE:-$HOME/.cache/ieomoa/models}"
RASA_PY=.venvs/rasa/bin/python
# What the spaCy pipeline is built from (nlu/ieomoa_nlu/build_spacy.py).
SPACY_INPUTS=(ieomoa/data/vocabulary.json ieomoa/data/regions.json
              nlu/ieomoa_nlu/build_spacy.py nlu/ieomoa_nlu/spacy_ko.py nlu/ieomoa_nlu/vocabulary.py
              nlu/ieomoa_nlu/korean_morphemes.py
              requirements/rasa.txt)

spacy_hash() {
  cat "${SPACY_INPUTS[@]}" | sha256sum | cut -c1-16
}

# Hash of everything a model trained in nlu/ depends on: nlu/ (data, domain, config,
# components), the spaCy pipeline's inputs and the Rasa environment. Modules used only
# while serving (the CLI wrapper, channel, secrets, tracker and lock stores, keys, log filters) are left
# out, so changing them does not retrain.
nlu_hash() {
  ( cd nlu && find . -type f \( -name '*.yml' -o -name '*.py' -o -name '*.txt' -o -name '*.json' \) \
      -not -name endpoints.yml -not -name credentials.yml -not -path './.*' -not -path './models/*' \
      -not -path './results/*' -not -path '*/__pycache__/*' -not -path './tests/*' -not -path '*.egg-info/*' \
      -not -name rasa_cli.py -not -name rest_channel.py -not -name secret_files.py \
      -not -name tracker_store.py -not -name keys.py -not -name log_privacy.py -not -name lock_store.py \
      | LC_ALL=C sort | xargs sha256sum
    sha256sum ../requirements/rasa.txt
    echo "spacy $(cd .. && spacy_hash)" ) | sha256sum | cut -c1-16
}

# Build the spaCy pipeline unless the cache has it, and point var/spacy/ko_ieomoa (the
# path nlu/config.yml names, relative to nlu/) at it.
ensure_spacy_pipeline() {
  local hash dir
  hash=$(spacy_hash)
  dir="$MODEL_CACHE/spacy-ko_ieomoa-$hash"
  mkdir -p "$MODEL_CACHE" var/spacy
  if [ ! -f "$dir/meta.json" ]; then
    echo "Building the spaCy pipeline (vocabulary or regions changed: $hash)..."
    "$RASA_PY" nlu/ieomoa_nlu/build_spacy.py "$dir" > var/spacy-build.log 2>&1 \
      || { tail -n 20 var/spacy-build.log; echo "spaCy build failed; log in var/spacy-build.log" >&2; exit 1; }
  fi
  if [ -e var/spacy/ko_ieomoa ] && [ ! -L var/spacy/ko_ieomoa ]; then
    rm -rf var/spacy/ko_ieomoa
  fi
  ln -sfn "$dir" var/spacy/ko_ieomoa
}
