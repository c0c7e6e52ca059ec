"""An S3-compatible server the tests start themselves: moto's server mode, a real HTTP S3 endpoint.

Where moto[server] is not installed the tests that need it skip with the reason (fail with
REQUIRE_SERVICES=1, as for the other services).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

ACCESS_KEY = "lousihui-test"
SECRET_KEY = "lousihui-test-secret"  # moto accepts any key
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_moto() -> None:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        reason = 'needs moto\'s S3 server: pip install "moto[server]" (requirements-dev.txt)'
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@dataclass
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        """A private bucket of its own for each test (nothing is shared between tests)."""
        name = f"lousihui-media-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        return [o["Key"] for o in self.client().list_objects_v2(Bucket=bucket).get("Contents", [])]

    def env(self, bucket: str) -> dict[str, str]:
        """The environment settings.py reads to put media in `bucket`."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def storage_settings(self, bucket: str, **options: Any) -> dict[str, Any]:
        """STORAGES["default"] as settings.py builds it from env(bucket)."""
        return {
            "BACKEND": "lousihui.storage.MediaStorage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.endpoint_url,
                "public_endpoint_url": self.endpoint_url,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 600,
                "file_overwrite": False,
                **options,
            },
        }


@contextmanager
def moto_s3() -> Iterator[S3Server]:
    require_moto()
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()
