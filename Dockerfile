# wire-ingest: worker, beat, API and tools in one image; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# the package first (its layer is rebuilt only when the code changes)
COPY pyproject.toml README.md ./
COPY worker ./worker
RUN pip install . \
 && groupadd --system --gid 10001 wire \
 && useradd --system --uid 10001 --gid wire --home-dir /app --shell /usr/sbin/nologin wire \
 && mkdir -p /srv/wire/drop \
 && chown -R wire:wire /srv/wire
COPY config ./config

# never root: the processes that parse untrusted documents own nothing but the drop folders
USER 10001:10001
EXPOSE 8000 9100
ENTRYPOINT ["wire"]
CMD ["--help"]
