"""The district's service side: the departments a demand can be routed to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buildings.models import BilingualName, District


class Department(BilingualName):
    """职能部门: a district body that accepts demands through the one window."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        related_name="departments",
        null=True,
        blank=True,
        verbose_name=_("district"),
    )
    description = models.TextField(_("what it handles"), blank=True)
    phone = models.CharField(_("public phone"), max_length=50, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        verbose_name=_("staff"),
        help_text=_("Users who act on the demands routed to this department."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
