FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir -e . 
COPY . .
# Static files with production settings (DEBUG off: hashed names, compressed copies for
# WhiteNoise); tests/core/test_running.py runs this same collectstatic command.
RUN python manage.py compilemessages --ignore=.venv -v 0 \
    && python manage.py document_fonts \
    && DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build python manage.py collectstatic --noinput -v 0
ENV DJANGO_DEBUG=0
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
