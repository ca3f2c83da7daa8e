# Rasa server image: Rasa 3.6.21 on Python 3.10 with the Korean NLU (MeCab-ko tokenizer and
# the spaCy vocabulary layer); trains at build.
FROM python:3.10-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY requirements/rasa.txt requirements/rasa.txt
RUN pip install --no-cache-dir -r requirements/rasa.txt
COPY nlu /app
# The closed vocabularies and the official regions the spaCy pipeline is built from.
COPY ieomoa/data/vocabulary.json ieomoa/data/regions.json /opt/ieomoa/data/
ENV PYTHONPATH=/app
# ieomoa_nlu as a package: its entry point gives spaCy the Korean tokenizer. The pipeline
# goes where nlu/config.yml looks for it from /app (../var/spacy/ko_ieomoa).
RUN PYTHONWARNINGS=ignore pip install --no-cache-dir --no-deps -e /app \
    && python ieomoa_nlu/build_spacy.py /var/spacy/ko_ieomoa \
        --vocabulary /opt/ieomoa/data/vocabulary.json --regions /opt/ieomoa/data/regions.json
RUN rasa train --domain domain --fixed-model-name ieomoa --out /app/models
RUN useradd --create-home rasa && chown -R rasa /app
USER rasa
EXPOSE 5005
# Rasa's CLI with RASA_AUTH_TOKEN taken from the environment, never the command line, and
# `rasa run` on IEOMOA_BIND_HOST (127.0.0.1 unless set; docker-compose sets 0.0.0.0).
ENTRYPOINT ["python", "-m", "ieomoa_nlu.rasa_cli"]
CMD ["run", "--model", "/app/models/ieomoa.tar.gz", "--endpoints", "endpoints.yml", \
     "--credentials", "credentials.yml", "--port", "5005"]
# Rasa's root answers without the token; the model (and its spaCy pipeline) takes a while to load.
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
