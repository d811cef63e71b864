"""The action list API's newest-first page within a group is read from an index, not sorted."""

import pytest
from django.db import connection

from groups.permissions import readable_group_ids
from metrics.models import Action

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_a_groups_newest_actions_come_from_the_index_in_their_order(group, member):
    # The API's query for ?group=<id>: the caller's readable groups, that group, the cursor's
    # order (newest logged first) and one page.
    page = (
        Action.objects.filter(group__in=readable_group_ids(member))
        .filter(group_id=group.pk)
        .order_by("-created_at", "-id")[:51]
    )
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny and its statistics vary from run to run: without these the
        # planner would just read it all, or sort a few rows read by another index. With
        # sorting priced out, it still sorts unless an index gives the order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "action_group_logged_idx" in plan
    assert "Sort" not in plan
