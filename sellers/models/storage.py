"""Private file storage: seller documents and case attachments never get a public URL."""

from __future__ import annotations

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="sellers.models.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at use, so tests can point it elsewhere); no URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self):  # type: ignore[override]
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):  # type: ignore[override]
        return None

    def url(self, name):
        raise ValueError("Private files are served only through an authorising view.")


private_storage = PrivateStorage()


def generated_name(folder: str, extension: str) -> str:
    """A random file name: the uploader's file name never reaches the file system."""
    return str(PurePosixPath(folder) / f"{uuid.uuid4().hex}.{extension}")
