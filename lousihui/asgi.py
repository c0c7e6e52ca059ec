import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")

application = get_asgi_application()

# As in wsgi.py: jieba's dictionary loads as the process starts, not on its first look-up.
from requests_tracker.search import segment  # noqa: E402

segment.warm()
