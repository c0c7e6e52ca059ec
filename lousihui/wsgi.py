import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lousihui.settings")

django_application = get_wsgi_application()

from requests_tracker.screen.fastpath import wsgi_early  # noqa: E402
from requests_tracker.search import segment  # noqa: E402

# An unchanged lobby-screen poll is answered 304 before Django's handler (#15, screen/fastpath.py).
application = wsgi_early(django_application)

# Each worker loads jieba's dictionary (about a second) as it starts, not on its first look-up.
segment.warm()
