"""The docs stay true: every model is in the glossary, every setting in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def test_the_glossary_lists_every_thidua_model_and_choice_value() -> None:
    from thidua.accounts.models import RoleKind
    from thidua.documents.models import TemplateKind
    from thidua.organizations.models import (
        AwardForm,
        GroupKind,
        LeadershipRole,
        OrganizationKind,
        SecondRound,
        TieBreak,
        VoteBase,
        VotingUnit,
    )
    from thidua.years.models import NoticeKind, NoticeStatus

    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    models = [m.__name__ for m in apps.get_models() if m.__module__.startswith("thidua.")]
    missing = [name for name in models if f"`{name}`" not in glossary]
    for choices in (
        RoleKind,
        AwardForm,
        GroupKind,
        LeadershipRole,
        OrganizationKind,
        SecondRound,
        TieBreak,
        VoteBase,
        VotingUnit,
        TemplateKind,
        NoticeKind,
        NoticeStatus,
    ):
        missing += [f"{choices.__name__}.{v}" for v in choices.values if f"`{v}`" not in glossary]
    assert not missing, f"add to docs/glossary.md: {missing}"


def test_env_example_documents_every_variable_the_settings_read() -> None:
    settings_text = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"((?:THIDUA_|DATABASE_)[A-Z_]+)"', settings_text))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert read, "no variables found in settings"
    assert read <= documented, f"add to .env.example: {sorted(read - documented)}"


def test_the_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme[: readme.index("```", readme.index("```sh") + 5)]
    assert "make run" in first_block and "make test" in first_block
