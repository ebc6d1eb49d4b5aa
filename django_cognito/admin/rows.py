"""Changelist rows written with each column planned once per page instead of once per cell.

Django's ``items_for_result`` looks every column up again for every row, reverses the
change URL for every row and assembles each cell through ``format_html``; at 60 rows of
seven columns that was most of the pool-user changelist's time. :func:`result_table`
produces the same HTML: what a column is (a model field of some kind, a ``ModelAdmin``
method), its classes, its empty text and whether it links are decided once, and a row
costs a few attribute reads and escapes. Popups and ``list_editable`` changelists, which
add per-row forms and attributes, keep Django's own rendering.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from html import escape
from types import SimpleNamespace
from typing import Any

from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models import Field
from django.urls import NoReverseMatch
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

Cell = Callable[[Any], str]
# Reversed in place of a primary key once per page, then replaced by each row's key.
PK_SLOT = "0pk0slot0"
TEXT_FIELDS = (models.CharField, models.TextField, models.UUIDField)


def html(value: Any) -> str:
    """One ``format_html`` argument: safe strings as they are, anything else escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


def column_class(name: Any, index: int) -> str:
    """The ``field-...`` class Django gives a column (lambdas are numbered)."""
    if callable(name):
        return f"lambda{index}" if name.__name__ == "<lambda>" else name.__name__
    return str(name)


def model_field(opts: Any, name: Any) -> Field[Any, Any] | None:
    """The model field ``lookup_field`` would use for ``name``, or ``None``.

    Mirrors ``django.contrib.admin.utils._get_non_gfk_field``: reverse relations, generic
    foreign keys and ``<fk>_id`` names are not fields here.
    """
    if callable(name):
        return None
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.is_relation and ((field.many_to_one and not field.related_model)
                              or field.one_to_many):
        return None
    if (field.is_relation and not field.many_to_many
            and getattr(field, "attname", None) == name):
        return None
    return field


def _field_content(field: Field[Any, Any], empty: str, linked: bool) -> Cell:
    """``display_for_field`` for one field, with its per-page decisions made up front."""
    name, empty_html = field.name, html(empty)

    def generic(obj: Any) -> str:
        value = getattr(obj, name)
        if isinstance(value, str) and not value.strip():
            value = ""
        return html(display_for_field(value, field, empty, avoid_link=linked))

    if isinstance(field.remote_field, models.ManyToOneRel):
        def related(obj: Any) -> str:
            value = getattr(obj, name)
            return empty_html if value is None else html(value)
        return related
    if getattr(field, "flatchoices", None):
        labels = {key: html(label) for key, label in field.flatchoices}

        def choice(obj: Any) -> str:
            value = getattr(obj, name)
            if isinstance(value, str) and not value.strip():
                value = ""
            try:
                return labels.get(value, empty_html)
            except TypeError:  # an unhashable value: Django's own lookup copes
                return generic(obj)
        return choice
    if isinstance(field, models.BooleanField):
        icons = {value: html(display_for_value(value, empty, boolean=True))
                 for value in (True, False, None)}

        def boolean(obj: Any) -> str:
            value = getattr(obj, name)
            return icons[value] if value is None or type(value) is bool else generic(obj)
        return boolean
    if isinstance(field, models.DateTimeField):
        def moment(obj: Any) -> str:
            value = getattr(obj, name)
            if value in field.empty_values:
                return empty_html
            return escape(formats.localize(template_localtime(value)))
        return moment
    if isinstance(field, TEXT_FIELDS) and not isinstance(field, models.URLField):
        def text(obj: Any) -> str:
            value = getattr(obj, name)
            if isinstance(value, str):
                return html(value) if value.strip() else empty_html
            return generic(obj)
        return text
    return generic


def _computed(cl: ChangeList, name: Any, empty: str) -> Callable[[Any], tuple[Any, str]]:
    """A column without a model field: its value (dates get ``nowrap``) and its content."""
    model_admin = cl.model_admin
    if callable(name):
        attr = name
    elif hasattr(model_admin, name) and name != "__str__":
        attr = getattr(model_admin, name)
    else:
        def other(obj: Any) -> tuple[Any, str]:  # a model attribute: Django's lookup per row
            _field, found, value = lookup_field(name, obj, model_admin)
            blank = getattr(found, "empty_value_display", empty)
            boolean = getattr(found, "boolean", False)
            if isinstance(found, property) and hasattr(found, "fget"):
                boolean = getattr(found.fget, "boolean", False)
            if isinstance(value, str) and not value.strip():
                value = ""
            return value, html(display_for_value(value, blank, boolean))
        return other
    blank = getattr(attr, "empty_value_display", empty)
    boolean = getattr(attr, "boolean", False)

    def computed(obj: Any) -> tuple[Any, str]:
        value = attr(obj)
        if isinstance(value, str) and not value.strip():
            value = ""
        return value, html(display_for_value(value, blank, boolean))
    return computed


def _attribute(name: str, empty: str) -> Callable[[Any], tuple[Any, str]]:
    """An auto-created field (an implicit ``id``): shown like a computed value."""
    def attribute(obj: Any) -> tuple[Any, str]:
        value = getattr(obj, name)
        if isinstance(value, str) and not value.strip():
            value = ""
        return value, html(display_for_value(value, empty))
    return attribute


def _link(cl: ChangeList) -> Callable[[Any, str], str] | None:
    """Wraps content in the link to the row's change page, with the filters preserved."""
    context: dict[str, Any] = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    stand_in: Any = SimpleNamespace(**{cl.pk_attname: PK_SLOT})
    try:
        template = cl.url_for_result(stand_in)
    except NoReverseMatch:
        return None
    before, _slot, after = escape(add_preserved_filters(context, template)).partition(PK_SLOT)

    def link(obj: Any, content: str) -> str:
        pk = getattr(obj, cl.pk_attname)
        if type(pk) is int:
            url = f"{before}{pk}{after}"
        else:  # other keys are quoted by the admin's own reverse
            url = escape(add_preserved_filters(context, cl.url_for_result(obj)))
        return f'<a href="{url}">{content}</a>'
    return link


def _column(cl: ChangeList, index: int, name: Any, linked: bool, first: bool) -> Cell:
    """The whole ``<td>`` (``<th>`` for the first link) of one column, given the row."""
    empty = cl.model_admin.get_empty_value_display()
    base = f"field-{column_class(name, index)}"
    tag = "th" if linked and first else "td"
    link = _link(cl) if linked else None
    closing = f"</{tag}>"

    def missing(obj: Any) -> str:
        """A related object that is gone: the empty text, without the kind's classes."""
        inner = html(empty)
        return f'<{tag} class="{base}">{link(obj, inner) if link else inner}{closing}'

    field = model_field(cl.opts, name)
    if field is not None and not field.auto_created:
        content = _field_content(field, empty, linked)
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        opening = f'<{tag} class="{base}{" nowrap" if nowrap else ""}">'

        def field_cell(obj: Any) -> str:
            try:
                inner = content(obj)
            except ObjectDoesNotExist:
                return missing(obj)
            return opening + (link(obj, inner) if link else inner) + closing
        return field_cell
    compute = _computed(cl, name, empty) if field is None else _attribute(field.name, empty)
    classes = "action-checkbox" if name == "action_checkbox" else base
    opening, dated = f'<{tag} class="{classes}">', f'<{tag} class="{classes} nowrap">'

    def computed_cell(obj: Any) -> str:
        try:
            value, inner = compute(obj)
        except ObjectDoesNotExist:
            return missing(obj)
        start = dated if isinstance(value, (datetime.date, datetime.time)) else opening
        return start + (link(obj, inner) if link else inner) + closing
    return computed_cell


def result_rows(cl: ChangeList) -> list[SafeString]:
    """Each result's cells, as one safe string per row."""
    links = cl.list_display_links
    cells: list[Cell] = []
    first = True
    for index, name in enumerate(cl.list_display):
        linked = links is not None and ((first and not links) or name in links)
        cells.append(_column(cl, index, name, linked, first))
        if linked:
            first = False
    return [mark_safe("".join([cell(obj) for cell in cells]))  # noqa: S308  (escaped above)
            for obj in cl.result_list]


def result_table(cl: ChangeList) -> dict[str, Any] | None:
    """The headers and the ``<tbody>`` rows, or ``None`` where Django must render them."""
    if cl.formset is not None or cl.is_popup:
        return None
    headers = list(result_headers(cl))
    body = "\n".join(f"<tr>{row}</tr>" for row in result_rows(cl))
    return {
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "body": mark_safe(body),  # noqa: S308  (cells escaped above)
    }
