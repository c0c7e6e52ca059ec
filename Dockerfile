# The image behind docker-compose.yml's web, worker and beat services.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Build-time only: collectstatic needs settings to load; the real key comes from the environment.
RUN SECRET_KEY=build-only-not-secret DEBUG=0 python manage.py compile_locale \
 && SECRET_KEY=build-only-not-secret DEBUG=0 python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 lousihui && mkdir -p /app/media && chown lousihui /app/media

USER lousihui
EXPOSE 8000
CMD ["gunicorn", "lousihui.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
