"""Development mailbox: an e-mail backend that writes each message as one .eml file, and readers for them.

Settings pick `EmlFileBackend` when EMAIL_URL is `filemail://<folder>` (`make run` uses `.var/mail/`);
the DEBUG-only page `/dev/mail/` (marketplace.devtools) lists and opens the files.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

# Names the backend writes: 20261123-142501-123456-1a2b3c4d.eml (nothing else is ever opened).
FILE_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,120}\.eml$")


def mail_dir() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", None) or settings.MARKETPLACE_MAIL_DIR)


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, file_path: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.directory = Path(file_path) if file_path else mail_dir()

    def send_messages(self, email_messages) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            # Write then rename, so a reader never sees half a message.
            partial = self.directory / f".{name}.tmp"
            partial.write_bytes(message.message().as_bytes(linesep="\n"))
            partial.rename(self.directory / name)
            sent += 1
        return sent


@dataclass(frozen=True)
class MailSummary:
    name: str
    subject: str
    to: str
    sender: str
    date: str


@dataclass(frozen=True)
class Mail:
    summary: MailSummary
    text: str
    has_html: bool
    headers: list[tuple[str, str]]


def list_mail(directory: Path | None = None, *, limit: int = 200) -> list[MailSummary]:
    """The newest messages first (headers only)."""
    directory = directory or mail_dir()
    if not directory.is_dir():
        return []
    files = sorted(
        (path for path in directory.iterdir() if FILE_NAME.match(path.name) and path.is_file()),
        key=lambda path: (path.stat().st_mtime, path.name),
        reverse=True,
    )[:limit]
    parser = BytesHeaderParser(policy=email.policy.default)
    summaries = []
    for path in files:
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        summaries.append(_summary(path.name, headers))
    return summaries


def read_mail(name: str, directory: Path | None = None) -> Mail | None:
    """One message by file name, or None if the name is not a mailbox file or does not exist."""
    path = _path_of(name, directory)
    if path is None:
        return None
    message: EmailMessage = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[assignment]
    text_part = message.get_body(preferencelist=("plain",))
    text = text_part.get_content() if text_part is not None else ""
    return Mail(
        summary=_summary(name, message),
        text=text,
        has_html=message.get_body(preferencelist=("html",)) is not None,
        headers=[(key, str(value)) for key, value in message.items()],
    )


def raw_mail(name: str, directory: Path | None = None) -> bytes | None:
    path = _path_of(name, directory)
    return path.read_bytes() if path else None


def _path_of(name: str, directory: Path | None) -> Path | None:
    if not FILE_NAME.match(name):
        return None
    path = (directory or mail_dir()) / name
    return path if path.is_file() else None


def _summary(name: str, headers) -> MailSummary:
    return MailSummary(
        name=name,
        subject=str(headers.get("Subject", "")).strip(),
        to=str(headers.get("To", "")),
        sender=str(headers.get("From", "")),
        date=str(headers.get("Date", "")),
    )
