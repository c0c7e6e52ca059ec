from celery import Task, shared_task

from buildings import periodic

from . import actions


@shared_task(name="buildings.elections.tasks.close_due_elections", bind=True)
def close_due_elections(self: Task) -> int:
    """Closes elections whose voting time is over (every minute; pages also close them when viewed)."""
    if not periodic.claim(self):
        return 0
    return actions.close_due_elections()
