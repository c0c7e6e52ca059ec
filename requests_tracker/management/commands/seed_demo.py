"""`manage.py seed_demo`: the demo world (requests_tracker.demo.seed); `--accounts` only prints the logins."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from requests_tracker.demo import data as demo_data
from requests_tracker.demo.seed import accounts_table, seed_demo


class Command(BaseCommand):
    help = "Seeds the demo data (idempotent); with --accounts only prints the demo logins. / 写入演示数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="Only print the demo accounts and where to log in; writes nothing. / 仅显示演示账号",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo accounts, a superuser among them, have a published "
            "password: never use this on a site reachable by others.",
        )

    def handle(self, *args: Any, accounts: bool = False, force: bool = False, **options: Any) -> None:
        if accounts:
            self.stdout.write(accounts_table())
            return
        # A superuser whose password anyone can read in this repository must not appear on a real
        # deployment by accident; DEBUG off is the one signal the settings give that this may be one.
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: seed_demo would create a superuser 'admin' with the published password "
                f"'{demo_data.DEMO_PASSWORD}'. Run it on a development database, or pass --force if this "
                "really is a throwaway demo. / DEBUG 已关闭，拒绝写入带公开密码的演示账号。"
            )
        started = time.monotonic()
        result = seed_demo()
        self.stdout.write(result.summary(time.monotonic() - started))
