"""Compiles the project's and its apps' locale/*/LC_MESSAGES/*.po to .mo in pure Python (polib, no gettext)."""

from pathlib import Path
from typing import Any

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po → .mo) without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        # The project's catalogs, and those of the project's own apps (an app such as elections keeps
        # its strings beside its code, where Django finds them, so features do not all edit one file).
        project_apps = [
            Path(a.path) / "locale" for a in apps.get_app_configs() if Path(a.path).is_relative_to(settings.BASE_DIR)
        ]
        for base in [*map(Path, settings.LOCALE_PATHS), *project_apps]:
            for po_path in sorted(base.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                count += 1
        self.stdout.write(f"compiled {count} catalog(s)")
