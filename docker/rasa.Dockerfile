# Rasa server image: Rasa 3.6 on Python 3.10, as the Rasa environment, with the Korean NLU
# (MeCab-ko tokenizer and the spaCy vocabulary layer); exactly the packages of
# requirements/rasa.txt, checked against their hashes. Trains its model at build and runs as
# the non-root user rasa.
FROM python:3.10.18-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY requirements/rasa.txt requirements/rasa.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/rasa.txt
COPY nlu /app
# The log privacy rules Rasa shares with the app (importable through PYTHONPATH=/app).
COPY log_privacy /app/log_privacy
# The closed vocabularies and the official regions the spaCy pipeline is built from.
COPY ieomoa/data/vocabulary.json ieomoa/data/regions.json /opt/ieomoa/data/
ENV PYTHONPATH=/app
# ieomoa_nlu as a package: its entry point gives spaCy the Korean tokenizer. Built with the
# setuptools rasa.txt pins (no build isolation: nothing unpinned is downloaded). The pipeline
# goes where nlu/config.yml looks for it from /app (../var/spacy/ko_ieomoa).
RUN PYTHONWARNINGS=ignore pip install --no-cache-dir --no-deps --no-build-isolation -e /app \
    && python ieomoa_nlu/build_spacy.py /var/spacy/ko_ieomoa \
        --vocabulary /opt/ieomoa/data/vocabulary.json --regions /opt/ieomoa/data/regions.json
RUN rasa train --domain domain --fixed-model-name ieomoa --out /app/models
RUN useradd --create-home --uid 10001 rasa && chown -R rasa /app
USER rasa
EXPOSE 5005
# The command docker-compose.yml runs too (tools/service_commands.py): Rasa's CLI with
# RASA_AUTH_TOKEN (or RASA_AUTH_TOKEN_FILE) from the environment, never the command line,
# listening on IEOMOA_BIND_HOST (127.0.0.1 unless set; docker-compose sets 0.0.0.0).
CMD ["python", "-m", "ieomoa_nlu.rasa_cli", "run", "--model", "/app/models/ieomoa.tar.gz", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", "5005", "--enable-api"]
# Rasa's root answers without the token; the model (and its spaCy pipeline) takes a while to load.
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
