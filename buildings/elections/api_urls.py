from django.urls import path

from . import api

urlpatterns = [
    path("elections/", api.ElectionListView.as_view(), name="api-elections"),
    path("elections/<slug:key>/", api.ElectionDetailView.as_view(), name="api-election"),
    path("elections/<slug:key>/ballots/", api.BallotView.as_view(), name="api-election-ballots"),
    path("elections/<slug:key>/results/", api.ResultsView.as_view(), name="api-election-results"),
    path("elections/<slug:key>/receipts/<str:receipt>/", api.ReceiptView.as_view(), name="api-election-receipt"),
    path("elections/<slug:key>/candidates/", api.CandidatesView.as_view(), name="api-election-candidates"),
    path("elections/<slug:key>/electors/", api.ElectorsView.as_view(), name="api-election-electors"),
    path(
        "elections/<slug:key>/electors/<int:elector_id>/reissue/",
        api.ReissueView.as_view(),
        name="api-election-reissue",
    ),
    path(
        "elections/<slug:key>/electors/<int:elector_id>/paper/",
        api.PaperVoteView.as_view(),
        name="api-election-paper-vote",
    ),
    path("elections/<slug:key>/paper-totals/", api.PaperTotalsView.as_view(), name="api-election-paper-totals"),
    path(
        "elections/<slug:key>/paper-totals/confirm/", api.PaperConfirmView.as_view(), name="api-election-paper-confirm"
    ),
    path("elections/<slug:key>/lot/", api.LotView.as_view(), name="api-election-lot"),
    path("elections/<slug:key>/open/", api.open_view, name="api-election-open"),
    path("elections/<slug:key>/close/", api.close_view, name="api-election-close"),
    path("elections/<slug:key>/certify/", api.certify_view, name="api-election-certify"),
    path("elections/<slug:key>/cancel/", api.cancel_view, name="api-election-cancel"),
]
