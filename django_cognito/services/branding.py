"""SetUICustomization / GetUICustomization: the managed login's CSS and logo, per pool
("ALL") or per app client; a client's own customisation replaces the pool's.

Cognito accepts CSS rules for its ``*-customizable`` classes only, and a PNG or JPEG logo of
at most 100 KB ("Customizing the classic hosted UI" in Cognito's developer guide). The pages
also serve the CSS as a stylesheet of their own origin under a Content-Security-Policy that
loads nothing from elsewhere, so no rule can reach another site.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from django.db import transaction

from ..clock import now
from ..exceptions import InvalidParameterException, ResourceNotFoundException
from ..models import AppClient, UICustomization, UserPool

ALL = "ALL"
MAX_IMAGE_BYTES = 100 * 1024
MAX_CSS = 131072
CLASSES = frozenset({
    "background-customizable", "banner-customizable", "errorMessage-customizable",
    "idpButton-customizable", "idpButton-customizable:hover", "inputField-customizable",
    "inputField-customizable:focus", "label-customizable", "legalText-customizable",
    "logo-customizable", "submitButton-customizable", "submitButton-customizable:hover",
    "textDescription-customizable", "redirect-customizable",
    "passwordCheck-notValid-customizable", "passwordCheck-valid-customizable",
})
_RULE = re.compile(r"\s*([^{}]+?)\s*\{([^{}]*)\}", re.S)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True)
class Branding:
    """What a page of ``client`` shows: its customisation or the pool's."""

    record: UICustomization

    @property
    def version(self) -> str:
        return self.record.css_version

    @property
    def has_logo(self) -> bool:
        return bool(self.record.image)


def check_css(css: str) -> str:
    """The CSS if every rule styles one of Cognito's customizable classes."""
    if len(css) > MAX_CSS:
        raise InvalidParameterException(f"CSS must be at most {MAX_CSS} characters.")
    text = _COMMENT.sub("", css)
    position = 0
    for match in _RULE.finditer(text):
        if text[position:match.start()].strip():
            break
        for selector in match.group(1).split(","):
            name = selector.strip().removeprefix(".")
            if not selector.strip().startswith(".") or name not in CLASSES:
                raise InvalidParameterException(
                    f"css contains classes that are not allowed: {selector.strip()[:80]}")
        if "<" in match.group(2) or "@import" in match.group(2):
            raise InvalidParameterException("css contains a declaration that is not allowed.")
        position = match.end()
    if text[position:].strip():
        raise InvalidParameterException("css is not valid: only rules of the customizable "
                                        "classes are allowed.")
    return css


def _image(data: object) -> tuple[bytes, str]:
    if data is None:
        return b"", ""
    if not isinstance(data, (str, bytes)):
        raise InvalidParameterException("ImageFile must be base64-encoded bytes.")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterException("ImageFile must be base64-encoded bytes.") from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise InvalidParameterException("The image file must be 100 KB or smaller.")
    for magic, content_type in IMAGE_TYPES:
        if raw.startswith(magic):
            return raw, content_type
    raise InvalidParameterException("The image file must be a PNG or a JPEG.")


def _client(pool: UserPool, client_id: object) -> AppClient | None:
    if client_id in (None, ALL):
        return None
    client = AppClient.objects.filter(pool=pool, pk=str(client_id)).first()
    if client is None:
        raise ResourceNotFoundException(f"Client {str(client_id)[:128]} does not exist.")
    return client


def set_ui_customization(pool: UserPool, client_id: object, css: object,
                         image_file: object) -> UICustomization:
    """SetUICustomization: replace the CSS and logo of the pool ("ALL") or of one client."""
    client = _client(pool, client_id)
    if css is not None and not isinstance(css, str):
        raise InvalidParameterException("CSS must be a string.")
    checked = check_css(css or "")
    image, image_type = _image(image_file)
    moment = now()
    with transaction.atomic():
        record = UICustomization.objects.select_for_update().filter(
            pool=pool, client=client).first() or UICustomization(pool=pool, client=client,
                                                                 created_at=moment)
        record.css = checked
        record.image, record.image_type = image, image_type
        record.css_version = hashlib.sha256(checked.encode() + image).hexdigest()[:16]
        record.modified_at = moment
        record.save()
    return record


def get_ui_customization(pool: UserPool, client_id: object) -> UICustomization | None:
    """GetUICustomization: the client's own, else the pool's, else none."""
    client = _client(pool, client_id)
    found = UICustomization.objects.filter(pool=pool, client=client).first() \
        if client is not None else None
    return found or UICustomization.objects.filter(pool=pool, client=None).first()


def for_client(pool: UserPool, client_id: str) -> Branding | None:
    """What the managed login shows to ``client_id``'s users."""
    try:
        record = get_ui_customization(pool, client_id)
    except ResourceNotFoundException:
        return None
    return Branding(record) if record is not None and (record.css or record.image) else None
