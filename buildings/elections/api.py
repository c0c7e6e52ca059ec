"""The elections API (/api/v1/elections/...): public reads and voting, and the council's set-up calls."""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from buildings.access import actor_scope
from buildings.api_fields import StrictJSONTypes
from buildings.models import Building, Company, CouncilMember, User
from buildings.throttling import ScopedRateThrottle

from . import access, actions, codes, roll_files, selectors
from .models import Ballot, Election


def _actor(request: Request) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _body(request: Request) -> dict[str, Any]:
    """The body's fields; a JSON body that is not an object (a list, a number) is a 400 (#14)."""
    if not isinstance(request.data, dict):
        message = serializers.Serializer().error_messages["invalid"]
        raise actions.ElectionError("invalid", str(message).format(datatype=type(request.data).__name__))
    return request.data


def _text(request: Request, name: str) -> str:
    """A text field of the body, "" when left out. In JSON another type is a 400 (#14), never its str()."""
    body = _body(request)
    if name not in body:
        return ""
    value = body.get(name)
    if not isinstance(value, str):
        message = serializers.CharField().error_messages["null" if value is None else "invalid"]
        raise actions.ElectionError("invalid", str(message), name)
    return value


def _error(exc: actions.ElectionError) -> Response:
    body = {"detail": exc.message, "code": exc.kind}
    if exc.field:
        body["field"] = exc.field
    return Response(body, status=exc.status)


class _ElectionView(APIView):
    """Loads the election by key (404 for a draft the user may not set up) and turns errors into 4xx."""

    def election(self, request: Request, key: str) -> Election:
        return actions.close_if_due(selectors.election_for(actor_scope(request.user), key))

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, actions.ElectionError):
            return _error(exc)
        return super().handle_exception(exc)


class ElectionCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    company = serializers.CharField()
    statement = serializers.CharField()
    photo = serializers.CharField(allow_blank=True)


class ElectionTurnoutSerializer(serializers.Serializer):
    voted = serializers.IntegerField()
    electors = serializers.IntegerField()


class ElectionSerializer(serializers.Serializer):
    #: The list leaves the candidates out (lousihui/schema.py keeps them out of `required`).
    schema_optional_fields = ("candidates",)

    key = serializers.CharField()
    building = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Election.Status.choices)
    seats = serializers.IntegerField()
    role = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    min_turnout_percent = serializers.IntegerField()
    void_reason = serializers.CharField()
    turnout = ElectionTurnoutSerializer()
    candidates = ElectionCandidateSerializer(many=True)


def election_data(election: Election, request: Request, with_candidates: bool = True) -> dict[str, Any]:
    turnout = selectors.turnout(election)
    data: dict[str, Any] = {
        "key": election.key,
        "building": election.building.slug,
        "title": election.title,
        "status": election.status,
        "seats": election.seats,
        "role": election.role,
        "opens_at": election.opens_at,
        "closes_at": election.closes_at,
        "min_turnout_percent": election.min_turnout_percent,
        "void_reason": election.void_reason,
        "turnout": {"voted": turnout.voted, "electors": turnout.electors},
    }
    if with_candidates:
        data["candidates"] = [
            {
                "id": c.pk,
                "name": c.name,
                "company": c.company,
                "statement": c.statement,
                "photo": request.build_absolute_uri(c.photo.url) if c.photo else "",
            }
            for c in selectors.candidates_in_order(election)
        ]
    return data


class CreateElectionSerializer(StrictJSONTypes):
    building = serializers.SlugField()
    title = serializers.CharField(max_length=200)
    seats = serializers.IntegerField(min_value=1, max_value=50)
    role = serializers.ChoiceField(
        choices=CouncilMember.Role.choices, default=CouncilMember.Role.EMPLOYEE_REPRESENTATIVE
    )
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    min_turnout_percent = serializers.IntegerField(min_value=0, max_value=100, default=0)
    term_years = serializers.IntegerField(min_value=1, max_value=10, default=3)


class ElectionListView(_ElectionView):
    """Elections of a building (`?building=<slug>`); POST sets up a draft (captain or district staff)."""

    @extend_schema(responses=ElectionSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs: QuerySet[Election] = selectors.elections_for_building(
            actor_scope(request.user), request.query_params.get("building")
        )[:100]
        return Response([election_data(e, request, with_candidates=False) for e in qs])

    @extend_schema(request=CreateElectionSerializer, responses={201: ElectionSerializer})
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            return Response({"detail": _("Sign in to set up an election.")}, status=status.HTTP_403_FORBIDDEN)
        serializer = CreateElectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        building = (
            Building.objects.select_related("subdistrict").filter(slug=data.pop("building"), is_active=True).first()
        )
        if building is None:
            raise Http404
        election = actions.election_create(
            scope=actor_scope(request.user), actor=_actor(request), building=building, **data
        )
        election = selectors.election_queryset().get(pk=election.pk)
        return Response(election_data(election, request), status=status.HTTP_201_CREATED)


class ElectionDetailView(_ElectionView):
    @extend_schema(responses=ElectionSerializer)
    def get(self, request: Request, key: str) -> Response:
        return Response(election_data(self.election(request, key), request))


class BallotView(_ElectionView):
    """Casts a ballot with a voting code: 201 with the receipt, shown once."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "election_ballot"

    @extend_schema(
        request=inline_serializer(
            "BallotIn",
            {"code": serializers.CharField(), "candidates": serializers.ListField(child=serializers.IntegerField())},
        ),
        responses={201: inline_serializer("ElectionBallotOut", {"receipt": serializers.CharField()})},
    )
    def post(self, request: Request, key: str) -> Response:
        election = self.election(request, key)
        candidates = _body(request).get("candidates", [])
        if not isinstance(candidates, list):
            raise actions.ElectionError("invalid", _("Candidates are given by their numbers."), "candidates")
        receipt = actions.ballot_cast(election=election, code=_text(request, "code"), candidate_ids=candidates)
        return Response({"receipt": receipt}, status=status.HTTP_201_CREATED)


class ResultsView(_ElectionView):
    """The count: 403 for everyone (superusers too) until voting has closed."""

    @extend_schema(responses=inline_serializer("ElectionResults", {"status": serializers.CharField()}))
    def get(self, request: Request, key: str) -> Response:
        election = self.election(request, key)
        try:
            result = selectors.results(election)
        except selectors.Embargoed:
            return Response({"detail": _("No count is shown before voting closes.")}, status=status.HTTP_403_FORBIDDEN)
        return Response(
            {
                "status": election.status,
                "void_reason": election.void_reason,
                "turnout": {"voted": result.turnout.voted, "electors": result.turnout.electors},
                "ballots": result.ballots,
                "paper_voters": result.paper_voters,
                "paper_confirmed": result.paper_confirmed,
                "needs_lot": result.needs_lot,
                "candidates": [
                    {
                        "id": r.candidate.pk,
                        "name": r.candidate.name,
                        "votes": r.votes,
                        "online": r.online,
                        "paper": r.paper,
                        "elected": r.elected,
                    }
                    for r in result.candidates
                ],
                "companies": [
                    {"company": c.company, "voted": c.voted, "electors": c.electors} for c in result.companies
                ],
            }
        )


class ReceiptView(_ElectionView):
    """Whether the ballot behind a receipt is in the count (after close); nothing about its content."""

    @extend_schema(
        responses={
            200: inline_serializer("ElectionReceipt", {"counted": serializers.BooleanField()}),
            409: OpenApiResponse(description="voting has not closed yet"),
        }
    )
    def get(self, request: Request, key: str, receipt: str) -> Response:
        election = self.election(request, key)
        if not election.results_public:
            return Response(
                {"detail": _("Receipts can be checked once voting has closed.")}, status=status.HTTP_409_CONFLICT
            )
        if (
            not codes.well_formed(receipt, codes.RECEIPT_LENGTH)
            or not Ballot.objects.filter(election=election, receipt_hash=codes.receipt_hash(receipt)).exists()
        ):
            return Response({"detail": _("No ballot with this receipt.")}, status=status.HTTP_404_NOT_FOUND)
        return Response({"counted": True})


class _ManageView(_ElectionView):
    def managed(self, request: Request, key: str) -> Election:
        election = self.election(request, key)
        if not access.can_manage(actor_scope(request.user), election):
            raise Http404
        return election


class CandidatesView(_ManageView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer(
            "CandidateIn",
            {
                "name": serializers.CharField(),
                "company": serializers.CharField(required=False, allow_blank=True),
                "statement": serializers.CharField(required=False, allow_blank=True),
            },
        ),
        responses={201: inline_serializer("ElectionCandidateOut", {"id": serializers.IntegerField()})},
    )
    def post(self, request: Request, key: str) -> Response:
        election = self.managed(request, key)
        photo = request.FILES.get("photo")
        candidate = actions.candidate_add(
            scope=actor_scope(request.user),
            election=election,
            name=_text(request, "name"),
            company=_text(request, "company"),
            statement=_text(request, "statement"),
            photo=photo,
        )
        return Response({"id": candidate.pk, "name": candidate.name}, status=status.HTTP_201_CREATED)


class ElectorsView(_ManageView):
    """Adds electors (JSON, or a CSV/XLSX file) or a company's anonymous codes; the codes are shown once."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer(
            "ElectionElectorsIn", {"electors": serializers.ListField(child=serializers.DictField())}
        ),
        responses={
            201: inline_serializer(
                "ElectionElectorsOut", {"codes": serializers.ListField(child=serializers.DictField())}
            )
        },
    )
    def post(self, request: Request, key: str) -> Response:
        election = self.managed(request, key)
        scope = actor_scope(request.user)
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                rows = roll_files.read_roll(upload.name or "", io.BytesIO(upload.read()))
            except roll_files.RollFileError as exc:
                raise actions.ElectionError("invalid", str(exc), "file") from exc
            issued = actions.electors_import(scope=scope, actor=_actor(request), election=election, rows=rows)
        elif _body(request).get("anonymous"):
            company = Company.objects.filter(building=election.building, name=_text(request, "company")).first()
            if company is None:
                raise actions.ElectionError("invalid", _("That company is not a tenant of this building."), "company")
            try:
                count = int(_body(request).get("count") or 0)
            except (TypeError, ValueError):
                count = 0
            issued = actions.electors_issue_anonymous(
                scope=scope,
                actor=_actor(request),
                election=election,
                company=company,
                count=count,
                keep_for_download=False,
            )
        else:
            rows_in = _body(request).get("electors")
            if not isinstance(rows_in, list) or not all(isinstance(r, dict) for r in rows_in):
                raise actions.ElectionError(
                    "invalid", _("Send “electors”: a list of {name, company, ref}."), "electors"
                )
            issued = actions.electors_import(scope=scope, actor=_actor(request), election=election, rows=rows_in)
        return Response(
            {
                "codes": [
                    {"id": i.elector.pk, "company": i.company, "ref": i.elector.ref, "code": i.code} for i in issued
                ]
            },
            status=status.HTTP_201_CREATED,
        )


class ReissueView(_ManageView):
    @extend_schema(
        request=None, responses={201: inline_serializer("ElectionReissued", {"code": serializers.CharField()})}
    )
    def post(self, request: Request, key: str, elector_id: int) -> Response:
        election = self.managed(request, key)
        issued = actions.elector_reissue(
            scope=actor_scope(request.user), actor=_actor(request), election=election, elector_id=elector_id
        )
        return Response(
            {"id": issued.elector.pk, "ref": issued.elector.ref, "code": issued.code}, status=status.HTTP_201_CREATED
        )


class PaperVoteView(_ElectionView):
    @extend_schema(
        request=None, responses={200: inline_serializer("ElectionPaperVoted", {"voted": serializers.CharField()})}
    )
    def post(self, request: Request, key: str, elector_id: int) -> Response:
        election = self.election(request, key)
        elector = actions.elector_mark_paper(scope=actor_scope(request.user), election=election, elector_id=elector_id)
        return Response({"id": elector.pk, "voted": elector.voted})


class PaperTotalsView(_ElectionView):
    @extend_schema(
        request=inline_serializer(
            "ElectionPaperTotals", {"totals": serializers.DictField(child=serializers.IntegerField())}
        ),
        responses={200: None},
    )
    def post(self, request: Request, key: str) -> Response:
        election = self.election(request, key)
        totals = _body(request).get("totals")
        if not isinstance(totals, dict):
            raise actions.ElectionError("invalid", _("Totals are whole numbers per candidate."), "totals")
        election = actions.paper_totals_enter(scope=actor_scope(request.user), election=election, totals=totals)
        return Response({"totals": election.paper_totals, "confirmed": False})


class PaperConfirmView(_ElectionView):
    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request, key: str) -> Response:
        election = actions.paper_totals_confirm(scope=actor_scope(request.user), election=self.election(request, key))
        return Response({"totals": election.paper_totals, "confirmed": True})


class LotView(_ManageView):
    @extend_schema(
        request=inline_serializer(
            "Lot", {"order": serializers.ListField(child=serializers.IntegerField()), "note": serializers.CharField()}
        ),
        responses={200: None},
    )
    def post(self, request: Request, key: str) -> Response:
        election = self.managed(request, key)
        order = _body(request).get("order")
        if not isinstance(order, list):
            raise actions.ElectionError("invalid", _("The lot lists candidates by their numbers."), "order")
        election = actions.lot_record(
            scope=actor_scope(request.user), election=election, order=order, note=_text(request, "note")
        )
        return Response({"order": election.lot_order, "note": election.lot_note})


class TransitionView(_ManageView):
    """open / close / certify / cancel."""

    action = ""

    @extend_schema(
        request=inline_serializer(
            # Required (not blank) to cancel: the action says so with a 400 and the field.
            "ElectionTransition",
            {"reason": serializers.CharField(required=False, allow_blank=True)},
        ),
        responses=ElectionSerializer,
    )
    def post(self, request: Request, key: str) -> Response:
        election = self.managed(request, key)
        scope = actor_scope(request.user)
        reason = _text(request, "reason")  # read (and type-checked) for every action, used to cancel
        if self.action == "open":
            actions.election_open(scope=scope, election=election)
        elif self.action == "close":
            actions.election_close(scope=scope, election=election)
        elif self.action == "certify":
            actions.election_certify(scope=scope, actor=_actor(request), election=election)
        else:
            actions.election_cancel(scope=scope, election=election, reason=reason)
        return Response(election_data(selectors.election_queryset().get(pk=election.pk), request))


def _transition(name: str) -> Any:
    view: type[TransitionView] = type(f"{name.title()}View", (TransitionView,), {"action": name})
    return view.as_view()


open_view = _transition("open")
close_view = _transition("close")
certify_view = _transition("certify")
cancel_view = _transition("cancel")
