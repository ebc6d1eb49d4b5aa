"""Admin of groups: created and updated through the group services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Group, GroupMembership, PoolUser
from ..services import groups
from ..services.groups import ROLE_ARN_RE
from .base import CognitoModelAdmin, admin_url, adopt, links


class GroupForm(forms.ModelForm):
    """CreateGroup / UpdateGroup members with Cognito's constraints."""

    class Meta:
        model = Group
        fields = ("pool", "name", "description", "role_arn", "precedence")

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"]
        if any(c.isspace() for c in name):
            raise ValidationError(_("A group name cannot contain whitespace."))
        return name

    def clean_role_arn(self) -> str:
        arn: str = self.cleaned_data["role_arn"]
        if arn and not (20 <= len(arn) <= 2048 and ROLE_ARN_RE.fullmatch(arn)):
            raise ValidationError(_("Enter an IAM role ARN (arn:aws:iam::…:role/…)."))
        return arn


@admin.register(Group)
class GroupAdmin(CognitoModelAdmin):
    list_display = ("name", "pool", "precedence", "role_arn", "member_count", "created_at")
    list_filter = ("pool",)
    list_select_related = ("pool",)
    search_fields = ("^name",)
    ordering = ("pool", "name")
    form = GroupForm
    fields = ("pool", "name", "description", "role_arn", "precedence", "members_link",
              "created_at", "modified_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Group]:
        # A correlated COUNT per listed group, served by the (group, user) unique index.
        members = GroupMembership.objects.filter(group=OuterRef("pk")).order_by().values(
            "group").annotate(n=Count("*")).values("n")
        return super().get_queryset(request).annotate(
            members_total=Coalesce(Subquery(members, output_field=IntegerField()), 0))

    def get_readonly_fields(self, request: HttpRequest, obj: Group | None = None) -> Any:
        fixed = ("members_link", "created_at", "modified_at")
        # Cognito cannot rename a group or move it to another pool.
        return fixed if obj is None else ("pool", "name", *fixed)

    def save_model(self, request: HttpRequest, obj: Group, form: ModelForm,
                   change: bool) -> None:
        data = form.cleaned_data
        if change:
            groups.update_group(obj, description=data["description"], role_arn=data["role_arn"],
                                precedence=data["precedence"])
            return
        adopt(obj, groups.create_group(obj.pool, obj.name, description=data["description"],
                                       role_arn=data["role_arn"], precedence=data["precedence"]))

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        related: dict[type[Model], Any] = {
            GroupMembership: GroupMembership.objects.filter(group__in=[g.pk for g in objs])}
        return self.summarize_deletion(request, objs, related)

    @admin.display(description=_("Members"))
    def member_count(self, obj: Group) -> int:
        return int(getattr(obj, "members_total", 0))

    @admin.display(description=_("Members"))
    def members_link(self, obj: Group) -> str:
        if obj.pk is None:
            return "-"
        return links([(_("%(count)d members") % {"count": self.member_count(obj)},
                       admin_url(PoolUser, "changelist", query={"group": obj.pk}))])
