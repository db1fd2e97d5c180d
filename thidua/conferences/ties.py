"""The regulation's tie-break as a poll keeps it (issue 15): copied into `Poll.rule_sources` when the poll
opens, read back when it is counted.

The steps are the regulation's `tie_break_order` (DOMAIN.md's default where it lists none), and the facts
are each choice's as the ranking reads them (`YearResults.tie_facts`: the settled final score with the
agreement's parts, the year's recorded share of women), frozen with the rules. So a later change of the
regulation, a score or a share never changes a vote already held, and the poll page can show what a tie
would be decided on before anyone votes.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from thidua.assessments.ranking import tie_order, year_results
from thidua.conferences import rules
from thidua.conferences.models import Poll
from thidua.lib import tiebreak
from thidua.organizations.models import Regulation
from thidua.organizations.selectors import women_shares

# The key of `Poll.rule_sources` that holds the tie-break: {"steps", "runoff_held", "facts"}.
TIE_BREAK_RULE = "tie_break_rule"


def rule_record(poll: Poll, regulation: Regulation) -> dict[str, Any] | None:
    """What `open_poll` stores for the poll's ties; None for a motion, which never ties on a seat."""
    if poll.method == rules.Method.MOTION:
        return None
    emulation_year = poll.conference.emulation_year
    known = year_results(emulation_year).tie_facts
    choices = list(poll.choices.select_related("organization"))
    sources = {
        pk: share.source
        for pk, share in women_shares(
            organization_ids=[c.organization_id for c in choices if c.organization_id],
            year=emulation_year.year,
        ).items()
    }
    facts: dict[str, dict[str, Any]] = {}
    for choice in choices:
        organization = choice.organization
        if organization is None or (fact := known.get(organization.code)) is None:
            continue
        share = fact.women_share
        facts[choice.key] = {
            "score": [str(part) for part in fact.score] if fact.score is not None else None,
            "score_text": fact.score_text,
            "women_share": f"{share.numerator}/{share.denominator}" if share is not None else None,
            "women_share_source": sources.get(organization.pk, ""),
        }
    # The re-vote among the tied is held once (DOMAIN.md, Voting): this poll is it when the poll before
    # sent its tied choices here. A second round for seats nobody reached is not.
    earlier = poll.runoff_of
    runoff_held = earlier is not None and bool((earlier.result or {}).get("runoff"))
    return {"steps": list(tie_order(regulation)), "runoff_held": runoff_held, "facts": facts}


def tie_rule(poll: Poll) -> rules.TieRule | None:
    """The tie-break the poll opened with; None for a poll opened before polls applied it, whose ties go
    to a re-vote as they always did."""
    stored = (poll.rule_sources or {}).get(TIE_BREAK_RULE)
    if not stored:
        return None
    facts = {
        key: tiebreak.Tied(
            key,
            score=tuple(Decimal(part) for part in fact["score"]) if fact.get("score") else None,
            score_text=fact.get("score_text", ""),
            women_share=Fraction(fact["women_share"]) if fact.get("women_share") else None,
        )
        for key, fact in stored.get("facts", {}).items()
    }
    return rules.TieRule(tuple(stored["steps"]), facts, bool(stored.get("runoff_held")))


def fact_rows(poll: Poll) -> list[dict[str, str]]:
    """The facts a tie in the poll is decided on, one row per choice, for the poll page."""
    stored = (poll.rule_sources or {}).get(TIE_BREAK_RULE) or {}
    facts = stored.get("facts", {})
    rows = []
    for choice in sorted(poll.choices.all(), key=lambda c: c.position):
        fact = facts.get(choice.key, {})
        share = fact.get("women_share")
        rows.append(
            {
                "label": choice.label,
                "score": fact.get("score_text") or "chưa chốt điểm",
                "women_share": tiebreak.percent_text(Fraction(share)) if share else "chưa ghi",
                "source": fact.get("women_share_source", ""),
            }
        )
    return rows
