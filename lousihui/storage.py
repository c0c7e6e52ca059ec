"""Media on S3-compatible object storage (MinIO, Aliyun OSS, Tencent COS, AWS S3), kept private.

Chosen by settings.py when S3_BUCKET is set; the local disk stays the embedded default. Objects are
written without an ACL, so they take the bucket's own (private) policy. Nothing hands out a bucket URL
that works for anyone, forever:

- demand photos are read by the app and streamed after its access check (requests_tracker/views.py:
  `photo_public`, `photo_by_token`), with their own nosniff/sandbox headers;
- other media (project-update and candidate photos) get `.url()`: a signed URL that expires after
  S3_URL_EXPIRE_SECONDS, signed for S3_PUBLIC_ENDPOINT_URL when browsers reach the store under
  another address than the app does (compose: `http://minio:9000` inside, `http://localhost:9000` outside).
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class MediaStorage(S3Storage):
    """S3 storage whose every URL is signed and short-lived, optionally for a browser-facing endpoint."""

    # Set from the options by django-storages (annotations only: a class value would hide the option).
    client_config: Any
    public_endpoint_url: str | None
    connect_timeout: float
    read_timeout: float
    max_attempts: int

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "public_endpoint_url": None,
            # boto3 waits 60 s to connect and read, five times over: a dead store would hold a gunicorn
            # worker past its own timeout. Fail fast instead, as with Redis.
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "max_attempts": 2,
        }

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        if not self.querystring_auth or self.custom_domain:
            # An unsigned URL (or a custom domain, which django-storages leaves unsigned) would make
            # private photos public to whoever has the link, for ever.
            raise ImproperlyConfigured("Media URLs must be signed: querystring_auth on, no custom_domain.")
        self.client_config = self.client_config.merge(
            Config(
                connect_timeout=self.connect_timeout,
                read_timeout=self.read_timeout,
                retries={"max_attempts": self.max_attempts, "mode": "standard"},
            )
        )
        self._url_clients = threading.local()

    def _url_client(self) -> Any:
        """A client used only to sign URLs (offline: it never connects) for the browsers' endpoint."""
        client = getattr(self._url_clients, "client", None)
        if client is None:
            client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                endpoint_url=self.public_endpoint_url,
                config=self.client_config,
            )
            self._url_clients.client = client
        return client

    def url(
        self, name: str, parameters: dict[str, Any] | None = None, expire: int | None = None, http_method: Any = None
    ) -> str:
        if not self.public_endpoint_url or self.public_endpoint_url == self.endpoint_url:
            return super().url(name, parameters, expire, http_method)
        params = {**(parameters or {}), "Bucket": self.bucket_name, "Key": self._normalize_name(clean_name(name))}
        return self._url_client().generate_presigned_url(
            "get_object",
            Params=params,
            ExpiresIn=self.querystring_expire if expire is None else expire,
            HttpMethod=http_method,
        )
