"""The count, as a pure function (no database): votes per candidate, the elected, ties and the lot."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    votes: dict[int, int]
    online: dict[int, int]
    paper: dict[int, int]
    elected: tuple[int, ...]
    #: Candidates tied for the last seat(s) whom the recorded lot does not separate yet.
    undecided: tuple[int, ...]

    @property
    def needs_lot(self) -> bool:
        return bool(self.undecided)


def count(
    candidate_ids: Sequence[int],
    ballots: Iterable[Sequence[int]],
    paper: Mapping[int, int],
    seats: int,
    lot_order: Sequence[int] = (),
) -> Tally:
    """Adds online ballots and paper totals; elects the `seats` candidates with most votes (at least one).

    A tie for the last seat(s) is broken by `lot_order` (ids in the order the lot drew them); tied
    candidates that the lot does not name stay undecided and their seats unfilled.
    """
    online: Counter[int] = Counter()
    for choice in ballots:
        online.update(set(choice))
    valid = set(candidate_ids)
    online_votes = {c: online.get(c, 0) for c in candidate_ids}
    paper_votes = {c: int(paper.get(c, 0)) for c in candidate_ids}
    votes = {c: online_votes[c] + paper_votes[c] for c in candidate_ids}
    assert set(online) <= valid, "a ballot names a candidate of another election"

    ranked = sorted((c for c in candidate_ids if votes[c] > 0), key=lambda c: -votes[c])
    if len(ranked) <= seats:
        return Tally(votes, online_votes, paper_votes, tuple(ranked), ())
    boundary = votes[ranked[seats - 1]]
    above = [c for c in ranked if votes[c] > boundary]
    tied = [c for c in ranked if votes[c] == boundary]
    free = seats - len(above)
    if len(tied) <= free:
        return Tally(votes, online_votes, paper_votes, tuple(above + tied), ())
    drawn = [c for c in lot_order if c in tied]
    if set(drawn) != set(tied):
        return Tally(votes, online_votes, paper_votes, tuple(above), tuple(sorted(tied)))
    return Tally(votes, online_votes, paper_votes, tuple(above + drawn[:free]), ())
