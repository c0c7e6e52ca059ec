"""gunicorn entry point for benchmarks: the real application (lousihui/wsgi.py) with bench.urls as URLconf."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")

import django
from django.conf import settings

django.setup()
settings.ROOT_URLCONF = "bench.urls"

from lousihui.wsgi import application  # noqa: E402  (the early screen path, jieba warmed: as deployed)

__all__ = ["application"]
