"""Helpers the group tests share."""

import threading
from collections.abc import Callable

from django.db import connection

from groups.models import Group, JoinRequest, Membership

STATEMENT = "I want to help our river come back to life, every week."


def active_members(group: Group) -> int:
    return Membership.objects.active().filter(group=group).count()


def waitlist(group: Group) -> list[int]:
    """User ids on the group's waitlist, front first."""
    return list(
        JoinRequest.objects.filter(group=group, status=JoinRequest.Status.WAITLISTED)
        .order_by(*JoinRequest.WAITLIST_ORDER)
        .values_list("user_id", flat=True)
    )


def run_together(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run work(0) ... work(count - 1) in `count` threads that start at the same moment.

    Each thread has its own database connection (Django keeps one per thread) and closes it
    when done. Returns the results by index and every exception raised.
    """
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return results, errors
