import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")

application = get_wsgi_application()

# Each worker loads jieba's dictionary (about a second) as it starts, not on its first look-up.
from requests_tracker.search import segment  # noqa: E402

segment.warm()
