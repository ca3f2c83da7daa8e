# Rasa server image: Rasa 3.6.21 on Python 3.10 with the Korean tokenizer; trains at build.
FROM python:3.10-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY requirements/rasa.txt requirements/rasa.txt
RUN pip install --no-cache-dir -r requirements/rasa.txt
COPY nlu /app
ENV PYTHONPATH=/app
RUN rasa train --domain domain --fixed-model-name ieomoa --out /app/models
RUN useradd --create-home rasa && chown -R rasa /app
USER rasa
EXPOSE 5005
ENTRYPOINT ["rasa"]
CMD ["run", "--model", "/app/models/ieomoa.tar.gz", "--endpoints", "endpoints.yml", \
     "--credentials", "credentials.yml", "--port", "5005"]
