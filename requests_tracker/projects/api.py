"""`/api/v1/projects/`: the public project list and detail; the council's writes (scoped like demands).

Reads: anyone sees public projects (linked demand ids only of public demands); writes are for those
who run the project (`access.managed_projects`): anyone else gets a 404, as for a demand out of scope.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from buildings.access import ActorScope, actor_scope
from buildings.api_fields import SLUG_PATTERN, SlugLookupField, StrictJSONTypes, invalid_choice
from buildings.models import Building, Subdistrict, User

from ..models import Demand
from . import access, actions, selectors
from .models import Milestone, Project, ProjectDemand, ProjectResource, ProjectUpdate


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "done_date"]


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectUpdate
        fields = [
            "id",
            "kind",
            "text",
            "progress_before",
            "progress_after",
            "status_after",
            "author_label",
            "created_at",
        ]


class ProjectSerializer(serializers.ModelSerializer):
    buildings = serializers.SerializerMethodField()
    subdistrict: serializers.SlugRelatedField[Subdistrict] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    demands = serializers.SerializerMethodField()
    resources = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "description",
            "status",
            "status_label",
            "paused_reason",
            "progress",
            "buildings",
            "subdistrict",
            "start_date",
            "target_date",
            "completed_at",
            "demands",
            "resources",
            "url",
        ]

    def get_buildings(self, project: Project) -> list[str]:
        return [b.slug for b in project.buildings.all()]

    def get_demands(self, project: Project) -> list[int]:
        """Ids of the linked demands: the public ones, or all of them for those who run the project."""
        full = project.pk in self.context.get("managed_ids", frozenset())
        return [link.demand_id for link in project.demand_links.all() if full or link.public]  # type: ignore[attr-defined]

    def get_resources(self, project: Project) -> list[int]:
        return [link.resource_id for link in project.resource_links.all()]

    def get_url(self, project: Project) -> str:
        return reverse("project", args=[project.pk])


class ProjectDetailSerializer(ProjectSerializer):
    milestones = MilestoneSerializer(many=True, read_only=True)
    updates = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "milestones", "updates"]

    @extend_schema_field(UpdateSerializer(many=True))
    def get_updates(self, project: Project) -> list[dict[str, Any]]:
        return list(UpdateSerializer(project.public_updates, many=True).data)  # type: ignore[attr-defined]


class ProjectCreateSerializer(StrictJSONTypes):
    building = SlugLookupField(slug_field="slug", queryset=Building.objects.filter(is_active=True), required=False)
    buildings = serializers.ListField(
        child=SlugLookupField(slug_field="slug", queryset=Building.objects.filter(is_active=True)),
        required=False,
        max_length=50,
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    target_date = serializers.DateField(required=False, allow_null=True, default=None)
    is_public = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        buildings = list(attrs.pop("buildings", []) or [])
        if attrs.get("building") is not None:
            buildings.append(attrs.pop("building"))
        attrs.pop("building", None)
        if not buildings:
            raise serializers.ValidationError({"building": _("Say which building(s) the project serves.")})
        attrs["buildings"] = list({b.pk: b for b in buildings}.values())
        return attrs


class LinkSerializer(StrictJSONTypes):
    demand = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class PostUpdateSerializer(StrictJSONTypes):
    text = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    is_public = serializers.BooleanField(required=False, default=True)
    progress = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=100)


class StatusSerializer(StrictJSONTypes):
    status = serializers.ChoiceField(choices=[s for s in Project.Status.choices if s[0] != Project.Status.DONE])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class CompleteSerializer(StrictJSONTypes):
    note = serializers.CharField(max_length=4000)
    resolve_demands = serializers.BooleanField(required=False, default=False)


class CompletionSerializer(serializers.Serializer):
    project = ProjectDetailSerializer()
    resolved = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.DictField(child=serializers.CharField())


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("building", OpenApiTypes.STR, description="building slug (projects serving it)"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Project.Status.values),
        ]
    )
)
class ProjectViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The project list (三张清单 · 项目清单)."""

    def scope(self) -> ActorScope:
        return actor_scope(self.request.user)

    def _links(self) -> list[Any]:
        public = ExpressionWrapper(Q(demand__is_public=True, demand__is_hidden=False), output_field=BooleanField())
        return [
            "buildings",
            Prefetch(
                "demand_links", queryset=ProjectDemand.objects.annotate(public=public).order_by("linked_at", "id")
            ),
            Prefetch("resource_links", queryset=ProjectResource.objects.order_by("id")),
        ]

    def get_queryset(self) -> QuerySet[Project]:
        projects = access.visible_projects(self.scope()).select_related("subdistrict")
        params = self.request.query_params
        wanted = params.get("status", "")
        if wanted and wanted not in Project.Status.values and self.action == "list":
            # Outside the documented enum: refused with the reason, not an empty page (#14).
            raise ValidationError({"status": [invalid_choice(wanted)]})
        slug = params.get("building", "")
        if slug:
            building = Building.objects.filter(slug=slug).first() if re.fullmatch(SLUG_PATTERN, slug) else None
            if building is None:
                return projects.none()
            projects = selectors.serving(projects, building)
        if wanted:
            projects = projects.filter(status=wanted) if wanted in Project.Status.values else projects.none()
        projects = projects.prefetch_related(*self._links()).order_by("-updated_at", "-id")
        if self.action == "retrieve":
            projects = projects.prefetch_related(
                "milestones",
                Prefetch("updates", queryset=ProjectUpdate.objects.filter(is_public=True), to_attr="public_updates"),
            )
        return projects

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return ProjectCreateSerializer
        if self.action == "retrieve":
            return ProjectDetailSerializer
        return ProjectSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        scope = self.scope()
        managed: frozenset[int] = frozenset()
        if access.may_run_any(scope):
            managed = frozenset(access.managed_projects(scope).values_list("pk", flat=True))
        return {**super().get_serializer_context(), "managed_ids": managed}

    def _runnable(self, pk: str | None) -> Project:
        scope = self.scope()
        if not scope.is_authenticated:
            raise NotAuthenticated()
        project = access.managed_projects(scope).filter(pk=int(pk)).first() if pk and pk.isdigit() else None
        if project is None:
            raise NotFound()
        return project

    def _detail(self, project: Project) -> dict[str, Any]:
        fresh = Project.objects.filter(pk=project.pk).prefetch_related(
            *self._links(),
            "milestones",
            Prefetch("updates", queryset=ProjectUpdate.objects.filter(is_public=True), to_attr="public_updates"),
        )
        return ProjectDetailSerializer(fresh.get(), context=self.get_serializer_context()).data

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        scope = self.scope()
        if not scope.is_authenticated:
            raise NotAuthenticated()
        serializer = ProjectCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = actions.project_create(actor=_user(request), scope=scope, **serializer.validated_data)
        return Response(self._detail(project), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=LinkSerializer,
        responses={
            201: ProjectDetailSerializer,
            200: OpenApiResponse(description=_("Already linked: nothing changed.")),
            204: OpenApiResponse(description=_("Unlinked (or was not linked).")),
            400: OpenApiResponse(description=_("Not a demand of a building the project serves.")),
            404: OpenApiResponse(description=_("Not a project you run.")),
        },
    )
    @drf_action(detail=True, methods=["post", "delete"])
    def demands(self, request: Request, pk: str | None = None) -> Response:
        """POST links a demand (`{"demand": id}`), DELETE unlinks it (body or `?demand=id`)."""
        project = self._runnable(pk)
        # The body (JSON: typed) or, for a DELETE without one, `?demand=id` (text, like a form).
        data = request.data if isinstance(request.data, dict) and request.data else request.query_params
        serializer = LinkSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        demand = Demand.objects.filter(pk=serializer.validated_data["demand"]).first()
        if demand is None:
            raise serializers.ValidationError({"demand": [_("No such demand.")]})
        scope = self.scope()
        if request.method == "DELETE":
            actions.project_unlink_demand(project=project, demand=demand, actor=_user(request), scope=scope)
            return Response(status=status.HTTP_204_NO_CONTENT)
        created = actions.project_link_demand(project=project, demand=demand, actor=_user(request), scope=scope)
        return Response(self._detail(project), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PostUpdateSerializer, responses={201: UpdateSerializer})
    @drf_action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: str | None = None) -> Response:
        """Posts an update; a public one is sent to everyone behind the linked demands."""
        project = self._runnable(pk)
        serializer = PostUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = actions.project_post_update(
            project=project, actor=_user(request), scope=self.scope(), **serializer.validated_data
        )
        body = UpdateSerializer(update).data
        update.refresh_from_db(fields=["notified"])  # told so far: all of them when Celery runs eagerly, else 0
        body["notified"] = update.notified
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=StatusSerializer, responses={200: ProjectDetailSerializer, 409: OpenApiResponse()})
    @drf_action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        """Starts, pauses (with a reason) or resumes the project; completing is `complete/`."""
        project = self._runnable(pk)
        serializer = StatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.project_set_status(
            project=project, actor=_user(request), scope=self.scope(), **serializer.validated_data
        )
        return Response(self._detail(project))

    @extend_schema(request=CompleteSerializer, responses={200: CompletionSerializer, 409: OpenApiResponse()})
    @drf_action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Marks the project done; with `resolve_demands` its open linked demands are resolved as solved."""
        project = self._runnable(pk)
        serializer = CompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = actions.project_complete(
            project=project, actor=_user(request), scope=self.scope(), **serializer.validated_data
        )
        return Response(
            {
                "project": self._detail(project),
                "resolved": done.resolved,
                "skipped": {str(k): v for k, v in done.skipped.items()},
            }
        )


def _user(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None
