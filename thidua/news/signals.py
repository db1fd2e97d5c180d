"""Keeps the Wagtail groups of an organization's news site in step with thidua's roles: a role given or
revoked on the accounts page changes who may write or approve on the site, with no second step."""

from __future__ import annotations

from typing import Any

from thidua.accounts.models import Role


def role_changed(sender: type[Role], instance: Role, **kwargs: Any) -> None:
    from thidua.news import services
    from thidua.news.models import HomePage

    if instance.kind not in {kind for kind, _ in services.NEWS_GROUPS}:
        return
    # Groups exist once the organization's site is open; opening it fills them.
    if HomePage.objects.filter(organization_id=instance.organization_id).exists():
        services.sync_news_groups(instance.organization)
