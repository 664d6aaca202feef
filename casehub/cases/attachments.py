"""Case attachments: photos and PDF, recognised by their content, size-limited, stored on disk."""
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from casehub.auth.models import User
from casehub.cases.models import Attachment, Case
from casehub.errors import DomainError
from casehub.extensions import db

# Magic numbers: what a file is, whatever its name or declared type says.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    content_type: str


def sniff_content_type(content: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_upload(filename: str, content: bytes) -> Upload:
    """Refuse anything that is not a photo or a PDF by content, or that is too large."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    field = {"attachments": [f"{filename}: "]}
    if len(content) > limit:
        field["attachments"][0] += f"larger than {limit // (1024 * 1024)} MB."
        raise DomainError("attachment_too_large", f"{filename} is too large.", status=422, fields=field)
    content_type = sniff_content_type(content)
    if content_type is None:
        field["attachments"][0] += "not a photo (JPEG, PNG, GIF, WebP) or PDF."
        raise DomainError("attachment_type", f"{filename} is not a photo or PDF.", status=422, fields=field)
    return Upload(filename=Path(filename).name[:255] or "attachment", content=content, content_type=content_type)


def store_attachment(case: Case, upload: Upload, *, uploaded_by: User | None, now: datetime) -> Attachment:
    """Write a checked upload to storage and record it on the case."""
    storage_key = f"{now:%Y/%m}/{uuid.uuid4().hex}"
    path = Path(current_app.config["ATTACHMENT_DIR"]) / storage_key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(upload.content)
    attachment = Attachment(case_id=case.id, filename=upload.filename, content_type=upload.content_type,
                            size=len(upload.content), sha256=hashlib.sha256(upload.content).hexdigest(),
                            storage_key=storage_key, uploaded_by_id=uploaded_by.id if uploaded_by else None,
                            created_at=now)
    db.session.add(attachment)
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"]) / attachment.storage_key
