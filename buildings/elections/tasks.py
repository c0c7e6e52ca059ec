from celery import shared_task

from . import actions


@shared_task(name="buildings.elections.tasks.close_due_elections")
def close_due_elections() -> int:
    """Closes elections whose voting time is over (every minute; pages also close them when viewed)."""
    return actions.close_due_elections()
