# One image for both processes: the portal (default command) and the worker (`python worker.py`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MUSTER_VAR_DIR=/app/var

WORKDIR /app
RUN groupadd --system --gid 10001 muster \
    && useradd --system --uid 10001 --gid muster --home-dir /app --shell /usr/sbin/nologin muster

COPY . .
# Installs the pinned dependencies. The code runs from /app (the working directory comes first on
# sys.path), which is also where alembic.ini, migrations/ and the portal's templates live.
RUN pip install . \
    && mkdir -p /app/var \
    && chown muster:muster /app/var

USER muster
EXPOSE 8000
# --proxy-headers: trust X-Forwarded-Proto/For from the HTTPS proxy in front (FORWARDED_ALLOW_IPS).
# MUSTER_PORTAL_PROCESSES uvicorn processes (one per core when unset); see portal/serve.py.
CMD ["python", "-m", "portal.serve", "--host", "0.0.0.0", "--port", "8000"]
