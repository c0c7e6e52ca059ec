"""The models of the demand app, one module per concept, each registered here explicitly.

- demands: categories, demands, their timeline, supports, photos, moderation, tallies, templates
- outbox: the notification outbox (rows written with their cause, delivered by Celery) and the
  channels and preferences it reads; the logic that fills it lives in `requests_tracker.notifications`
- privacy: the access log of contact details revealed in the admin
- rollups: the statistics' maintained monthly, category and duration-histogram tallies
"""

# Referenced by migrations as requests_tracker.models.<name> (a field default, an upload path).
from .demands import (
    Category,
    Demand,
    DemandEvent,
    DemandPhoto,
    DemandRevision,
    DemandTally,
    ResponseTemplate,
    Support,
    _photo_name,
    new_tracking_token,
)
from .outbox import (
    Channel,
    ChannelOptOut,
    DeliveryAttempt,
    Escalation,
    NewsFanout,
    Notification,
    SubmitterPreference,
    WebhookEndpoint,
)
from .privacy import ContactReveal
from .rollups import DemandCategoryTally, DemandDurationBucket, DemandMonthTally

__all__ = [
    "Category",
    "Channel",
    "ChannelOptOut",
    "ContactReveal",
    "DeliveryAttempt",
    "Demand",
    "DemandCategoryTally",
    "DemandDurationBucket",
    "DemandEvent",
    "DemandMonthTally",
    "DemandPhoto",
    "DemandRevision",
    "DemandTally",
    "Escalation",
    "NewsFanout",
    "Notification",
    "ResponseTemplate",
    "SubmitterPreference",
    "Support",
    "WebhookEndpoint",
    "_photo_name",
    "new_tracking_token",
]
