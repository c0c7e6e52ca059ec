"""The demand app's admin, one concern per module; each is imported here so its admins register.

- demands: DemandAdmin = the list (demand_list: queues, columns, bulk actions from the workflow table,
  exports, list edits) + the page (demand_page: change form, transition / note / merge forms, saving)
- forms, filters, inlines: what those two use
- catalog: categories and response templates; events: the timeline list; notifications: the outbox
- contacts: contact details masked until "show" (each show logged) and the log itself
"""

from . import catalog, contacts, demands, events, notifications

__all__ = ["catalog", "contacts", "demands", "events", "notifications"]
