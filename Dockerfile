# wire-ingest worker, beat and tools in one image; docker-compose.yml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY worker ./worker
RUN pip install --no-cache-dir . && useradd --create-home wire
COPY config ./config
USER wire
ENTRYPOINT ["wire"]
CMD ["--help"]
