# App image: migrations, the Telegram bot, the relay, the agency API and the KakaoTalk skill
# server (one image, the command picks the service; tools/service_commands.py lists them).
# The action server has its own image (docker/actions.Dockerfile). Python 3.11, as the app
# environment; exactly the packages of requirements/app.txt, checked against their hashes.
# The code runs from /app (PYTHONPATH) as the non-root user ieomoa. Servers listen on
# 127.0.0.1 unless IEOMOA_BIND_HOST says otherwise (docker-compose sets 0.0.0.0 where other
# containers call in).
FROM python:3.11.13-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app IEOMOA_VAR_DIR=/home/ieomoa/var
WORKDIR /app
# Offline speech (espeak-ng) and audio conversion for voice replies.
RUN apt-get update && apt-get install -y --no-install-recommends libsndfile1 espeak-ng \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/app.txt requirements/app.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/app.txt
COPY ieomoa ieomoa
COPY bot bot
COPY relay relay
COPY agency_api agency_api
COPY kakao kakao
COPY log_privacy log_privacy
RUN useradd --create-home --uid 10001 ieomoa
USER ieomoa
# Every service of this image uses the database; docker-compose.yml adds each one's own check
# (the agency API's /openapi.json, Rasa for the bot).
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sqlalchemy; from ieomoa.config import load_settings; sqlalchemy.create_engine(load_settings().database_url).connect().close()"]
