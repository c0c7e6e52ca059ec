"""gunicorn entry point for benchmarks: the real application with bench.urls as URLconf."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")

import django
from django.conf import settings

django.setup()
settings.ROOT_URLCONF = "bench.urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

from requests_tracker.search import segment  # noqa: E402

application = get_wsgi_application()
segment.warm()  # as lousihui/wsgi.py: jieba's dictionary loads as the worker starts
