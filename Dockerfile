# The portal's production image: gunicorn serves the app, whitenoise its static files; the same
# image runs the Celery worker and beat (compose.yaml). Dependencies come from the lock file.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

RUN useradd --system --uid 1000 --user-group --home-dir /app portal
WORKDIR /app

# PDF certificates (WeasyPrint): Pango, HarfBuzz's subsetter (fast font embedding) and Thai fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        libharfbuzz-subset0 fonts-thai-tlwg \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

COPY --chown=root:root . .
# Static files, hashed and compressed for whitenoise (the key is only for this build step).
RUN SECRET_KEY="collectstatic-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
        python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var/media && chown -R portal:portal var

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
