# Action server image: Rasa's SDK running actions/ over the core (ieomoa/), behind the shared
# secret Rasa sends (tools/service_commands.py has its command). Python 3.11, as the app
# environment; exactly the packages of requirements/actions.txt (the core's and rasa-sdk's,
# its OpenTelemetry and gRPC packages among them), checked against their hashes. Runs from
# /app (PYTHONPATH) as the non-root user ieomoa and listens on 127.0.0.1 unless
# IEOMOA_BIND_HOST says otherwise (docker-compose sets 0.0.0.0: Rasa calls in).
FROM python:3.11.13-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app IEOMOA_VAR_DIR=/home/ieomoa/var
WORKDIR /app
COPY requirements/actions.txt requirements/actions.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/actions.txt
COPY ieomoa ieomoa
COPY actions actions
COPY log_privacy log_privacy
RUN useradd --create-home --uid 10001 ieomoa
USER ieomoa
EXPOSE 5055
CMD ["python", "-m", "actions.server", "--actions", "actions", "--port", "5055"]
# Rasa's SDK answers /health once the actions are loaded.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=10 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
