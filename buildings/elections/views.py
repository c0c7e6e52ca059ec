"""The election's pages: /e/<key>/ (public), /e/<key>/vote/, /e/<key>/check/, and the council's downloads."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.constants
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from buildings import exports
from buildings.access import actor_scope
from buildings.models import User
from buildings.throttling import ScopedRateThrottle

from . import access, actions, codes, selectors
from .models import Ballot, CodeBatch, Election, Elector


def _election(request: HttpRequest, key: str) -> Election:
    return actions.close_if_due(selectors.election_for(actor_scope(request.user), key))


def vote_url(election: Election, code: str = "") -> str:
    """The address a slip's QR code opens; the code rides in the fragment, which browsers never send."""
    url = settings.SITE_URL.rstrip("/") + reverse("election-vote", args=[election.key])
    return f"{url}#c={code}" if code else url


@require_GET
def election_page(request: HttpRequest, key: str) -> HttpResponse:
    election = _election(request, key)
    scope = actor_scope(request.user)
    results = None
    if election.results_public:
        results = selectors.results(election)
    manages = access.can_manage(scope, election)
    return render(
        request,
        "elections/election.html",
        {
            "election": election,
            "building": election.building,
            "candidates": selectors.candidates_in_order(election),
            "turnout": selectors.turnout(election),
            "results": results,
            "manages": manages,
            "desk": access.can_mark_paper(scope, election) and election.status == Election.Status.VOTING,
            "batches": list(CodeBatch.objects.filter(election=election, downloaded_at__isnull=True)) if manages else [],
            "voting": election.status == Election.Status.VOTING
            and election.opens_at <= timezone.now() < election.closes_at,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, key: str) -> HttpResponse:
    election = _election(request, key)
    candidates = selectors.candidates_in_order(election)
    context: dict[str, Any] = {"election": election, "building": election.building, "step": "code", "code": ""}
    if request.method == "GET":
        try:
            actions.voting_window(election, timezone.now())
        except actions.ElectionError as exc:
            context.update(step="closed", error=exc.message)
            return render(request, "elections/vote.html", context, status=200)
        return render(request, "elections/vote.html", context)

    if not _allowed(request):
        context.update(error=_("Too many attempts from this network. Please wait a minute and try again."))
        return render(request, "elections/vote.html", context, status=429)
    step = request.POST.get("step", "code")
    code = codes.normalize(request.POST.get("code", ""))
    context["code"] = code
    chosen_raw = request.POST.getlist("candidates")
    try:
        if step == "code":
            actions.code_status(election=election, code=code)
            context.update(step="choose", candidates=candidates)
            return render(request, "elections/vote.html", context)
        actions.code_status(election=election, code=code)
        chosen = _chosen(election, candidates, chosen_raw)
        if step == "review":
            context.update(step="confirm", chosen=chosen, candidates=candidates)
            return render(request, "elections/vote.html", context)
        receipt = actions.ballot_cast(election=election, code=code, candidate_ids=[c.pk for c in chosen])
    except actions.ElectionError as exc:
        context["error"] = exc.message
        if exc.field == "candidates":
            context.update(step="choose", candidates=candidates, chosen_ids={str(c) for c in chosen_raw})
        elif exc.field != "code":
            context["step"] = "closed"
        return render(request, "elections/vote.html", context, status=exc.status)
    context.update(step="receipt", receipt=receipt, code="")
    return render(request, "elections/vote.html", context, status=201)


class _ThrottleScope:
    throttle_scope = "election_ballot"


def _allowed(request: HttpRequest) -> bool:
    # The API's scoped throttle (same counters, same client identity): the page is no way around it.
    return ScopedRateThrottle().allow_request(request, _ThrottleScope())  # type: ignore[arg-type]


def _chosen(election: Election, candidates: list[Any], raw: list[str]) -> list[Any]:
    by_id = {str(c.pk): c for c in candidates}
    if len(set(raw)) != len(raw):
        raise actions.ElectionError("invalid", _("A candidate can be chosen only once."), "candidates")
    if any(r not in by_id for r in raw):
        raise actions.ElectionError("invalid", _("That candidate does not stand in this election."), "candidates")
    if len(raw) > election.seats:
        raise actions.ElectionError(
            "invalid", _("Choose at most %(seats)s candidates.") % {"seats": election.seats}, "candidates"
        )
    return [c for c in candidates if str(c.pk) in raw]


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, key: str) -> HttpResponse:
    election = _election(request, key)
    context: dict[str, Any] = {"election": election, "building": election.building, "receipt": "", "outcome": ""}
    status = 200
    if request.method == "POST":
        receipt = codes.normalize(request.POST.get("receipt", ""))
        context["receipt"] = codes.grouped(receipt, 5) if codes.well_formed(receipt, codes.RECEIPT_LENGTH) else receipt
        if not election.results_public:
            context["outcome"] = "early"
            status = 409
        elif (
            codes.well_formed(receipt, codes.RECEIPT_LENGTH)
            and Ballot.objects.filter(election=election, receipt_hash=codes.receipt_hash(receipt)).exists()
        ):
            context["outcome"] = "counted"
        else:
            context["outcome"] = "unknown"
            status = 404
    return render(request, "elections/check.html", context, status=status)


@require_GET
def qr_png(request: HttpRequest, key: str) -> HttpResponse:
    election = _election(request, key)
    url = settings.SITE_URL.rstrip("/") + reverse("election", args=[election.key])
    return HttpResponse(_qr_png(url), content_type="image/png")


def _qr_png(data: str) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def _qr_data_uri(data: str) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(_qr_png(data)).decode()


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def roll(request: HttpRequest, key: str) -> HttpResponse:
    """The lobby desk: find an elector, mark them as voting on paper, or reissue a lost code (shown once)."""
    election = _election(request, key)
    scope = actor_scope(request.user)
    if not access.can_mark_paper(scope, election):
        raise Http404
    manages = access.can_manage(scope, election)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:64]
    context: dict[str, Any] = {"election": election, "building": election.building, "q": query, "manages": manages}
    status = 200
    if request.method == "POST":
        try:
            elector_id = int(request.POST.get("elector", ""))
        except ValueError:
            raise Http404 from None
        try:
            if request.POST.get("action") == "reissue" and manages:
                actor = request.user if isinstance(request.user, User) else None
                issued = actions.elector_reissue(scope=scope, actor=actor, election=election, elector_id=elector_id)
                url = vote_url(election, issued.code)
                context["reissued"] = {"elector": issued.elector, "code": issued.code, "qr": _qr_data_uri(url)}
            elif request.POST.get("action") == "paper":
                marked = actions.elector_mark_paper(scope=scope, election=election, elector_id=elector_id)
                context["marked"] = marked
            else:
                raise Http404
        except actions.ElectionError as exc:
            context["error"] = exc.message
            status = exc.status
    electors = []
    if query and "\x00" not in query:
        from django.db.models import Q

        electors = list(
            Elector.objects.filter(election=election)
            .filter(Q(name__icontains=query) | Q(ref__iexact=query) | Q(company__name__icontains=query))
            .select_related("company")
            .order_by("company__name", "ref")[:20]
        )
    context["electors"] = electors
    return render(request, "elections/roll.html", context, status=status)


@login_required
@never_cache
@require_GET
def codes_download(request: HttpRequest, key: str, batch_id: int, fmt: str) -> HttpResponse:
    """A batch of codes, once: CSV, XLSX or A4 slips with a QR code each, for the company's administrator."""
    election = _election(request, key)
    scope = actor_scope(request.user)
    if not access.can_manage(scope, election) or fmt not in ("csv", "xlsx", "slips"):
        raise Http404
    actor = request.user if isinstance(request.user, User) else None
    try:
        rows = actions.codes_take(
            scope=scope,
            actor=actor,
            election=election,
            batch_id=batch_id,
        )
    except actions.ElectionError as exc:
        return render(
            request, "elections/message.html", {"election": election, "message": exc.message}, status=exc.status
        )
    if fmt == "slips":
        slips = [
            {"company": company, "ref": ref, "name": name, "code": code, "qr": _qr_data_uri(vote_url(election, code))}
            for company, ref, name, code in rows
        ]
        return render(
            request, "elections/slips.html", {"election": election, "slips": slips, "vote_url": vote_url(election)}
        )
    headers = [_("Company"), _("Reference"), _("Name"), _("Voting code"), _("Vote at")]
    data = [[company, ref, name, code, vote_url(election, code)] for company, ref, name, code in rows]
    filename = f"election-{election.key}-codes-{batch_id}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(filename, headers, data)
    return exports.xlsx_response(filename, headers, data, sheet_title=_("Voting codes"))


@require_GET
def results_export(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    """The count and the turnout per company as CSV/XLSX: after close only, for everyone alike."""
    election = _election(request, key)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    try:
        result = selectors.results(election)
    except selectors.Embargoed:
        return render(
            request,
            "elections/message.html",
            {"election": election, "message": _("No count is shown before voting closes.")},
            status=403,
        )
    headers = [_("Candidate"), _("Company"), _("Votes"), _("Online"), _("Paper"), _("Elected")]
    rows: list[list[Any]] = [
        [r.candidate.name, r.candidate.company, r.votes, r.online, r.paper, _("yes") if r.elected else ""]
        for r in result.candidates
    ]
    rows.append([])
    rows.append([_("Turnout"), "", result.turnout.voted, result.turnout.electors, f"{result.turnout.percent}%", ""])
    rows += [[_("Turnout"), c.company, c.voted, c.electors, f"{c.percent}%", ""] for c in result.companies]
    filename = f"election-{election.key}-results.{fmt}"
    if fmt == "csv":
        return exports.csv_response(filename, headers, rows)
    return exports.xlsx_response(filename, headers, rows, sheet_title=_("Results"))
