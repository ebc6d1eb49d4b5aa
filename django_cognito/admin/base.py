"""Shared admin plumbing: service errors as messages, per-object actions, cheap summaries."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..exceptions import CognitoError
from .paginator import count_label

M = TypeVar("M", bound=Model)
SUMMARY_NAMES = 100
ERROR_NAMES = 5


def admin_url(model: type[Model], view: str, *args: Any,
              query: Mapping[str, Any] | None = None) -> str:
    """The URL of an admin view of ``model`` (``changelist``, ``change``, ...)."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}",
                  args=[quote(a) for a in args])
    return f"{url}?{urlencode(query)}" if query else url


def links(items: Iterable[tuple[Any, str]]) -> str:
    """``label`` links separated by `` · `` for a readonly field or a changelist cell."""
    return format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in items))


def render_page(modeladmin: admin.ModelAdmin, request: HttpRequest, title: str,
                **context: Any) -> TemplateResponse:
    """A small admin page: an intro, a form with a submit button, or a revealed value."""
    context = {**modeladmin.admin_site.each_context(request), "opts": modeladmin.opts,
               "title": title, **context}
    return TemplateResponse(request, "admin/django_cognito/form_page.html", context)


def adopt(target: M, created: M) -> None:
    """Make the unsaved instance the admin holds stand for the row a service created."""
    target.pk = created.pk
    target.refresh_from_db()
    target._state.adding = False


class CognitoModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes go through services.

    A :class:`CognitoError` the form could not foresee (a race, a trigger's veto) rolls the
    admin's transaction back and comes back as an error message, never as a 500.
    """

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CognitoError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str,
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except CognitoError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(admin_url(self.model, "change", unquote(object_id)))

    def summarize_deletion(self, request: HttpRequest, objs: Iterable[Model],
                           related: Mapping[type[Model], QuerySet[Any]]
                           ) -> tuple[list[Any], dict[str, str], set[str], list[Any]]:
        """What ``get_deleted_objects`` returns, without collecting every related row.

        Django's collector lists each cascaded row: a pool's million users would be
        loaded and rendered. This names up to a hundred objects and counts the rest with a
        bounded COUNT.
        """
        objs = list(objs)
        names: list[Any] = [format_html("{}: {}", capfirst(self.opts.verbose_name), obj)
                            for obj in objs[:SUMMARY_NAMES]]
        if len(objs) > SUMMARY_NAMES:
            names.append(_("… and %(count)d more") % {"count": len(objs) - SUMMARY_NAMES})
        counts = {str(self.opts.verbose_name_plural): str(len(objs))}
        lacking: set[str] = set()
        for model, queryset in related.items():
            label = count_label(queryset)
            if label == "0":
                continue
            counts[str(model._meta.verbose_name_plural)] = label
            if self.admin_site.is_registered(model) and not request.user.has_perm(
                    f"{model._meta.app_label}.delete_{model._meta.model_name}"):
                lacking.add(str(model._meta.verbose_name))
        return names, counts, lacking, []


def apply_to_each(modeladmin: admin.ModelAdmin, request: HttpRequest,
                  objects: Iterable[M], operation: Callable[[M], object], done: str) -> int:
    """Run a service ``operation`` on each object; report successes and each distinct error.

    Each object gets its own savepoint, so one refusal leaves the others' changes intact.
    ``done`` is the change message logged for each object that succeeded.
    """
    succeeded = 0
    failures: dict[str, list[str]] = {}
    for obj in objects:
        try:
            with transaction.atomic():
                operation(obj)
        except CognitoError as exc:
            failures.setdefault(exc.message, []).append(str(obj))
            continue
        succeeded += 1
        modeladmin.log_change(request, obj, done)
    if succeeded:
        name = modeladmin.opts.verbose_name if succeeded == 1 else \
            modeladmin.opts.verbose_name_plural
        messages.success(request, _("%(done)s: %(count)d %(name)s.") % {
            "done": done, "count": succeeded, "name": name})
    for message, names in failures.items():
        shown = ", ".join(names[:ERROR_NAMES])
        if len(names) > ERROR_NAMES:
            shown += _(" and %(count)d more") % {"count": len(names) - ERROR_NAMES}
        messages.error(request, f"{shown}: {message}")
    return succeeded
