"""The API's schema says what the API answers (#14 item 14), one mismatch schemathesis found per test.

tests/test_schemathesis.py runs the generated cases against a live server; these pin each fix on its own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from requests_tracker.api import PRIVATE_FIELDS
from requests_tracker.models import Category
from tests import factories

pytestmark = pytest.mark.django_db

DEMANDS = "/api/v1/demands/"


@cache
def _schema() -> dict[str, Any]:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    return _schema()


def component(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return schema["components"]["schemas"][name]


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def parameter(schema: dict[str, Any], path: str, name: str, method: str = "get") -> dict[str, Any]:
    return next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)


def submission(cast: factories.Cast, **changes: Any) -> dict[str, Any]:
    return {"building": cast.tower_a.slug, "category": cast.category.code, "title": "外卖无法上楼", **changes}


def test_the_schema_is_valid_openapi(schema: dict[str, Any]) -> None:  # a guard: it was valid before too
    validate(schema)


# --- what the answers hold -------------------------------------------------------------------------


def test_a_category_without_a_default_department_answers_null_and_the_schema_allows_it(
    schema: dict[str, Any],
) -> None:
    Category.objects.create(code="other", name="其他", name_en="Other")
    body = APIClient().get("/api/v1/categories/other/").json()

    assert body["default_department"] is None
    assert component(schema, "Category")["properties"]["default_department"]["nullable"] is True


@pytest.mark.parametrize(
    ("name", "field"),
    [("Matter", "hall_service"), ("Project", "subdistrict"), ("Resource", "building"), ("Resource", "subdistrict")],
)
def test_the_other_optional_links_are_nullable(schema: dict[str, Any], name: str, field: str) -> None:
    assert component(schema, name)["properties"][field]["nullable"] is True


def test_an_unresolved_demand_has_an_empty_outcome_and_the_schema_allows_it(
    cast: factories.Cast, schema: dict[str, Any]
) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    row = APIClient().get(DEMANDS).json()["results"][0]

    assert row["outcome"] == ""
    allowed = component(schema, "Demand")["properties"]["outcome"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in allowed
    assert component(schema, "BlankEnum")["enum"] == [""]


def test_contact_fields_are_not_required_since_anonymous_readers_do_not_get_them(
    cast: factories.Cast, schema: dict[str, Any]
) -> None:
    factories.make_demand(cast.tower_a, cast.category)
    row = APIClient().get(DEMANDS).json()["results"][0]

    assert not set(PRIVATE_FIELDS) & set(row)
    for name in ("Demand", "DemandDetail", "DemandSubmitted"):
        required = set(component(schema, name)["required"])
        assert not set(PRIVATE_FIELDS) & required, name
        assert {"id", "status", "title"} <= required


def test_an_empty_email_is_allowed_where_the_api_stores_or_sends_one(schema: dict[str, Any]) -> None:
    for name in ("Demand", "DemandSubmitRequest", "HallRequestRequest"):
        email = component(schema, name)["properties"]["contact_email"]
        check = jsonschema.Draft4Validator(email, format_checker=jsonschema.FormatChecker())
        assert check.is_valid(""), name
        assert check.is_valid("zhang.san@example.com"), name
        assert not check.is_valid("zhang.san"), name


def test_the_election_list_leaves_the_candidates_out_and_the_schema_says_so(schema: dict[str, Any]) -> None:
    election = component(schema, "Election")
    assert "candidates" in election["properties"]
    assert "candidates" not in election["required"]


# --- what the requests may hold --------------------------------------------------------------------


def test_stats_dates_are_dates_and_only_is_an_enum(schema: dict[str, Any]) -> None:
    for name in ("since", "until"):
        assert parameter(schema, "/api/v1/stats/", name)["schema"] == {"type": "string", "format": "date"}
    assert parameter(schema, "/api/v1/stats/", "only")["schema"]["enum"] == ["figures"]


def test_demand_date_filters_are_dates(schema: dict[str, Any]) -> None:
    for name in ("since", "until"):
        assert parameter(schema, DEMANDS, name)["schema"] == {"type": "string", "format": "date"}


def test_search_parameters_are_typed(schema: dict[str, Any]) -> None:
    q = parameter(schema, "/api/v1/search/", "q")
    assert q["required"] is True
    assert q["schema"]["maxLength"] == 100
    assert set(parameter(schema, "/api/v1/search/", "kind")["schema"]["enum"]) == {"demand", "question", "matter"}
    assert "enum" in parameter(schema, "/api/v1/search/", "outcome")["schema"]


def test_optional_query_parameters_may_be_sent_empty(schema: dict[str, Any]) -> None:
    for path, _method, op in operations(schema):
        for p in op.get("parameters", []):
            if p["in"] == "query" and not p.get("required") and p["schema"].get("type") != "array":
                assert p.get("allowEmptyValue") is True, (path, p["name"])
    assert APIClient().get(DEMANDS, {"building": "", "until": "", "page": ""}).status_code == 200
    assert "allowEmptyValue" not in parameter(schema, DEMANDS, "status")  # a list: an empty item is refused


def test_request_bodies_are_json_except_for_uploads(schema: dict[str, Any]) -> None:
    submit = schema["paths"][DEMANDS]["post"]["requestBody"]["content"]
    assert list(submit) == ["application/json"]
    candidates = schema["paths"]["/api/v1/elections/{key}/candidates/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in candidates


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/projects/", {"status": "AAA"}, "status"),
        ("/api/v1/resources/", {"kind": "AAA", "building": "nowhere"}, "kind"),
    ],
)
def test_a_filter_value_outside_its_enum_is_a_400_with_the_reason(
    db: None, path: str, params: dict[str, str], field: str
) -> None:
    response = APIClient().get(path, params)

    assert response.status_code == 400
    assert "AAA" in response.json()[field][0]


# --- JSON bodies: the type is part of the value ----------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("floor", "12"), ("floor", 12.0), ("is_public", 1), ("is_public", "true"), ("title", 123), ("description", 1.5)],
)
def test_a_json_value_of_the_wrong_type_is_refused(cast: factories.Cast, field: str, value: Any) -> None:
    response = APIClient().post(DEMANDS, submission(cast, **{field: value}), format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_form_still_sends_text_for_every_type(cast: factories.Cast) -> None:  # a guard: unchanged
    response = APIClient().post(DEMANDS, submission(cast, floor="12", is_public="true"))  # multipart

    assert response.status_code == 201, response.content
    assert (response.json()["floor"], response.json()["is_public"]) == (12, True)


def test_other_write_serializers_are_strict_too(cast: factories.Cast) -> None:
    client = APIClient()
    client.force_login(cast.captain_a)
    body = {"title": "午休", "building": cast.tower_a.slug, "is_public": "false"}

    response = client.post("/api/v1/projects/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["is_public"]


# --- error answers ------------------------------------------------------------------------------------


def test_every_operation_documents_its_error_answers(schema: dict[str, Any]) -> None:
    assert "Error" in schema["components"]["schemas"]
    for path, method, op in operations(schema):
        codes = set(op["responses"])
        has_params = any(p["in"] in ("path", "query") for p in op.get("parameters", []))
        # No authentication on the tracking page's API and the screen feeds: nothing to refuse.
        if path != "/api/v1/track/{token}/" and not path.startswith("/api/v1/screen/"):
            assert "403" in codes, (method, path)
        if has_params or method != "get":
            assert {"400", "404"} & codes, (method, path)
        if method != "get":
            assert {"400", "404", "409"} <= codes, (method, path)
        for code in codes - {"200", "201", "204", "304"}:
            assert "application/json" in op["responses"][code].get("content", {}), (method, path, code)
    assert "429" in schema["paths"][DEMANDS]["post"]["responses"]
    assert "429" not in schema["paths"][DEMANDS]["get"]["responses"]
    assert "409" in schema["paths"]["/api/v1/elections/{key}/receipts/{receipt}/"]["get"]["responses"]


@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v1/buildings/%C2%84/", "/api/v1/elections/%01/"])
def test_a_path_that_matches_nothing_under_api_is_a_json_404(db: None, path: str) -> None:
    response = APIClient().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。"}


def test_pages_keep_djangos_404(db: None) -> None:  # a guard: unchanged
    response = APIClient().get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
