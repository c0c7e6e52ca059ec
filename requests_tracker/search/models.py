"""The search documents behind 案例查询, and which guide matters answer which demand category."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from requests_tracker.models import Category, Demand
from services.guide.models import Matter


class CategoryMatter(models.Model):
    """A guide matter that answers demands of a category (shown on the submit form and tracking page)."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="guide_links", verbose_name=_("category")
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="category_links", verbose_name=_("matter")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("category guide link")
        verbose_name_plural = _("category guide links")
        ordering = ["category", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "matter"], name="category_matter_once")]

    def __str__(self) -> str:
        return f"{self.category} → {self.matter}"


class SearchDocument(models.Model):
    """One searchable case: a resolved public demand, an answered question or a published matter.

    `title_words`/`body_words` hold the jieba-segmented text (words separated by spaces). On
    PostgreSQL `vector` is their tsvector (title weighted A, body B, GIN index) and `title_words`
    has a trigram index for short queries and typos; `title_pairs` holds every two of the title's Chinese
    characters as one lexeme (GIN), for a Chinese typo. On SQLite `vector` and `title_pairs` stay empty.
    """

    class Kind(models.TextChoices):
        DEMAND = "demand", _("case")
        QUESTION = "question", _("answered question")
        MATTER = "matter", _("guide matter")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    demand = models.OneToOneField(
        Demand, on_delete=models.CASCADE, null=True, blank=True, related_name="search_document"
    )
    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, null=True, blank=True, related_name="search_document"
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    title_words = models.TextField(blank=True)
    body_words = models.TextField(blank=True)
    vector = SearchVectorField(null=True, blank=True)
    title_pairs = SearchVectorField(
        null=True, blank=True, help_text="every two of the title's Chinese characters (the typo fallback)"
    )
    url = models.CharField(max_length=300)
    category_id_ref = models.IntegerField(null=True, blank=True, db_index=True)
    building_id_ref = models.IntegerField(null=True, blank=True)
    subdistrict_id_ref = models.IntegerField(null=True, blank=True)
    district_id_ref = models.IntegerField(null=True, blank=True)
    department_id_ref = models.IntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    meta = models.CharField(max_length=300, blank=True, help_text="building · category · date, as shown")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="matter") & models.Q(matter__isnull=False) & models.Q(demand__isnull=True))
                | (~models.Q(kind="matter") & models.Q(demand__isnull=False) & models.Q(matter__isnull=True)),
                name="search_document_one_source",
            )
        ]
        indexes = [models.Index(fields=["kind", "building_id_ref"], name="search_doc_kind_building")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.title}"
