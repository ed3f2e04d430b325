"""Development e-mail backend: each message becomes one .eml file under EMAIL_FILE_PATH (.var/mail)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, file_path: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path or getattr(settings, "EMAIL_FILE_PATH", None) or settings.MARKETPLACE_MAIL_DIR)

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            (self.directory / name).write_bytes(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent
