"""REST API for categories and demands. Writes go through `actions`, reads through `selectors`.

- serializers.py: what a category, a demand and a list row look like; what a submission and a transition take
- pagination.py: numbered pages with a count, or keyset pages (`?cursor=`) without one
- views.py: the filters and the viewsets (the demand list, submit, transitions, the tracking view)
"""

from .serializers import PRIVATE_FIELDS as PRIVATE_FIELDS
from .serializers import DemandSerializer as DemandSerializer
from .serializers import DemandSubmittedSerializer as DemandSubmittedSerializer
from .views import CategoryViewSet as CategoryViewSet
from .views import DemandViewSet as DemandViewSet
from .views import TrackView as TrackView
