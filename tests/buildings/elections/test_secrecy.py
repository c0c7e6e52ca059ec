"""Secrecy by design, checked on the schema and on the data: nothing joins a ballot to its elector."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, models

from buildings.access import actor_scope
from buildings.elections import actions
from buildings.elections.models import Ballot, Election, Elector, RevokedCode
from tests import factories
from tests.buildings.elections import helpers

pytestmark = pytest.mark.django_db


def test_the_ballot_table_has_no_column_that_joins_to_the_roll_or_orders_ballots() -> None:
    fields = {f.name: f for f in Ballot._meta.get_fields()}

    assert set(fields) == {"id", "election", "choices", "receipt_hash"}
    assert isinstance(fields["id"], models.UUIDField) and fields["id"].primary_key  # random, not serial
    relations = {f.name: f.related_model for f in fields.values() if f.is_relation}
    assert relations == {"election": Election}  # not Elector, not a code
    assert not any(isinstance(f, models.DateField | models.DateTimeField | models.AutoField) for f in fields.values())
    assert not Ballot._meta.ordering
    # Nothing points at a ballot from the roll side either.
    assert not any(
        f.is_relation and f.related_model is Ballot for m in (Elector, RevokedCode) for f in m._meta.get_fields()
    )
    # And the database agrees with the model: exactly these columns, one foreign key, to the election.
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, Ballot._meta.db_table)}
        constraints = connection.introspection.get_constraints(cursor, Ballot._meta.db_table)
    assert columns == {"id", "election_id", "choices", "receipt_hash"}
    foreign = {tuple(c["foreign_key"]) for c in constraints.values() if c["foreign_key"]}
    assert foreign == {(Election._meta.db_table, "id")}


def test_the_roll_keeps_no_time_of_voting_and_no_code_in_clear() -> None:
    names = {f.name for f in Elector._meta.get_fields()}
    assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in Elector._meta.get_fields())
    assert "code" not in names and "code_hash" in names


def test_ballots_hold_only_sorted_choices_and_a_receipt_hash(captain_a: Any) -> None:
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), captain_a, electors=4, candidates=3)
    a, b, c = (x.pk for x in world.candidates)
    receipts = [
        actions.ballot_cast(election=world.election, code=world.codes[0], candidate_ids=[c, a]),
        actions.ballot_cast(election=world.election, code=world.codes[1], candidate_ids=[b]),
    ]

    rows = list(Ballot.objects.filter(election=world.election).values("choices", "receipt_hash"))

    assert sorted(r["choices"] for r in rows) == [sorted([a, c]), [b]]  # the order ticked is not kept
    stored = {r["receipt_hash"] for r in rows}
    assert not any(receipt in stored or receipt.replace("-", "") in stored for receipt in receipts)
    assert not any(code in str(rows) for code in world.codes)
    assert not Elector.objects.filter(code_hash__in=world.codes).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_close_no_system_column_links_a_ballot_to_when_its_elector_was_marked() -> None:
    cast = factories.build_cast()
    world = helpers.build(factories.Building.objects.get(slug="shanghai-tower"), cast.captain_a, electors=12)
    for code in world.codes[:10]:
        actions.ballot_cast(election=world.election, code=code, candidate_ids=[world.candidates[0].pk])

    def xmins(table: str) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table} WHERE election_id = %s", [world.election.pk])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    voted_xmins = set(xmins(Elector._meta.db_table)) - {min(xmins(Elector._meta.db_table))}
    # While voting, each ballot shares its transaction id with the roll line it marked...
    assert voted_xmins & set(xmins(Ballot._meta.db_table))

    actions.election_close(scope=actor_scope(cast.captain_a), election=world.election)

    # ...after close, every ballot carries the closing transaction's id, and none of the roll's.
    after = set(xmins(Ballot._meta.db_table))
    assert len(after) == 1
    assert not after & set(xmins(Elector._meta.db_table))
    assert Ballot.objects.filter(election=world.election).count() == 10
