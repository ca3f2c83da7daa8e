# App image: bot, action server (python -m actions.server, which needs ACTION_SERVER_SECRET),
# migrations, relay and agency API. Python 3.11. Servers listen on 127.0.0.1 unless
# IEOMOA_BIND_HOST is set (docker-compose sets 0.0.0.0 where other containers call in).
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libsndfile1 espeak-ng \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/app.txt requirements/app.txt
RUN pip install --no-cache-dir -r requirements/app.txt
COPY pyproject.toml ./
COPY ieomoa ieomoa
COPY bot bot
COPY actions actions
RUN pip install --no-cache-dir --no-deps .
RUN useradd --create-home ieomoa
USER ieomoa
# One image, several services: each one's healthcheck is in docker-compose.yml (the action
# server's /health, the agency API's /openapi.json, the database for the relay, ...).
HEALTHCHECK NONE
