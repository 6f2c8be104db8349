"""The arithmetic of 四议两公开: quorums and majorities, in exact integers. Pure Python.

Where each rule comes from:
- 村民会议: 《中华人民共和国村民委员会组织法》第二十二条 — "召开村民会议，应当有本村十八周岁
  以上村民的过半数，或者本村三分之二以上的户的代表参加，村民会议所作决定应当经到会人员的过半数
  通过。"
- 村民代表会议: 同法第二十六条 — "村民代表会议有三分之二以上的组成人员参加方可召开，所作决定应当
  经到会人员的过半数同意。"
- 党员大会审议: at least two-thirds of the party members present (the product's rule,
  docs/product.md "Village and council rules"); it decides, as every step, by more than half of
  those present.
- 村党组织提议 and 村"两委"会商议: the law sets no number; Minsheng applies 民主集中制's usual
  rule — more than half of the members present to meet, more than half of those present to
  decide — and says so in every message.

Words of the law as numbers: "过半数" is strictly more than half (2·k > n); "三分之二以上"
includes two-thirds itself (以上 包括本数, 《民法典》第一千二百五十九条): 3·k ≥ 2·n. No floats:
two-thirds of 31 is 21 because 3 × 21 = 63 ≥ 62 and 3 × 20 = 60 < 62.

Each check returns a `Verdict` whose message names the rule and the numbers. Messages are
Chinese msgids marked with `gettext_noop` (a local identity, so that `makemessages` collects
them without this module importing Django); a page translates `verdict.template` and fills in
`verdict.params`, or shows `verdict.message` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Marks a message for translation (collected by `makemessages`); returns it unchanged."""
    return message


class Meeting(StrEnum):
    """The meetings of the four steps (④ is one of the last two)."""

    BRANCH = "branch"  # ① 村党组织（支部委员会）会议
    COUNCILS = "councils"  # ② 村"两委"联席会议
    PARTY_ASSEMBLY = "party_assembly"  # ③ 党员大会
    REPRESENTATIVES = "representatives"  # ④ 村民代表会议
    ASSEMBLY = "assembly"  # ④ 村民会议


@dataclass(frozen=True)
class Verdict:
    """Whether a rule is met, and the sentence that says which rule and with which numbers."""

    ok: bool
    rule: str
    template: str
    params: dict[str, int | str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.template % self.params


def more_than_half(n: int) -> int:
    """The smallest k with 2·k > n ("过半数"): 40 → 21, 41 → 21, 0 → 1."""
    _check_count(n)
    return n // 2 + 1


def at_least_two_thirds(n: int) -> int:
    """The smallest k with 3·k ≥ 2·n ("三分之二以上", which includes two-thirds itself):
    31 → 21, 30 → 20, 3 → 2."""
    _check_count(n)
    return (2 * n + 2) // 3


def _check_count(*numbers: int) -> None:
    for n in numbers:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"a count must be a non-negative integer, not {n!r}")


# --- Quorums ------------------------------------------------------------------------------------

RULE_ASSEMBLY = "村民委员会组织法第二十二条"
RULE_REPRESENTATIVES = "村民委员会组织法第二十六条"
RULE_PARTY_ASSEMBLY = "党员大会审议：三分之二以上党员到会"
RULE_MEETING = "民主集中制：过半数成员到会方可开会"
RULE_MAJORITY = "到会人员过半数通过"


def _members_quorum(
    *, ok_template: str, fail_template: str, rule: str, expected: int, present: int, needed: int
) -> Verdict:
    params: dict[str, int | str] = {"expected": expected, "present": present, "needed": needed}
    if present >= needed:
        return Verdict(True, rule, ok_template, params)
    return Verdict(False, rule, fail_template, params)


def representatives_quorum(*, members: int, present: int) -> Verdict:
    """村民代表会议 meets with at least two-thirds of its members present (组织法第二十六条)."""
    _check_count(members, present)
    return _members_quorum(
        rule=RULE_REPRESENTATIVES,
        expected=members,
        present=present,
        needed=at_least_two_thirds(members),
        ok_template=gettext_noop(
            "村民代表会议有三分之二以上组成人员到会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
        fail_template=gettext_noop(
            "村民代表会议须有三分之二以上组成人员到会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人（村民委员会组织法第二十六条）"
        ),
    )


def party_assembly_quorum(*, members: int, present: int) -> Verdict:
    """党员大会 reviews with at least two-thirds of the village's party members present
    (docs/product.md, "Village and council rules")."""
    _check_count(members, present)
    return _members_quorum(
        rule=RULE_PARTY_ASSEMBLY,
        expected=members,
        present=present,
        needed=at_least_two_thirds(members),
        ok_template=gettext_noop(
            "党员大会有三分之二以上党员到会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
        fail_template=gettext_noop(
            "党员大会须有三分之二以上党员到会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
    )


def branch_quorum(*, members: int, present: int) -> Verdict:
    """① 村党组织提议: the branch committee meets with more than half of its members present
    (民主集中制; the law sets no number — Minsheng's rule, docs/villages.md)."""
    _check_count(members, present)
    return _members_quorum(
        rule=RULE_MEETING,
        expected=members,
        present=present,
        needed=more_than_half(members),
        ok_template=gettext_noop(
            "村党组织会议有过半数委员到会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
        fail_template=gettext_noop(
            "村党组织会议须有过半数委员到会方可开会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
    )


def councils_quorum(*, members: int, present: int) -> Verdict:
    """② 村"两委"会商议: the joint meeting of the party branch committee and the villagers'
    committee meets with more than half of its members present (民主集中制; Minsheng's rule)."""
    _check_count(members, present)
    return _members_quorum(
        rule=RULE_MEETING,
        expected=members,
        present=present,
        needed=more_than_half(members),
        ok_template=gettext_noop(
            "村“两委”会有过半数成员到会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
        fail_template=gettext_noop(
            "村“两委”会须有过半数成员到会方可开会：应到 %(expected)d 人，实到 %(present)d 人，"
            "至少需 %(needed)d 人"
        ),
    )


def assembly_quorum(
    *, adults: int, present: int, households: int, households_present: int
) -> Verdict:
    """村民会议 meets with more than half of the village's adult (18+) villagers present, OR with
    representatives of at least two-thirds of its households; either suffices (组织法第二十二条)."""
    _check_count(adults, present, households, households_present)
    needed_adults = more_than_half(adults)
    needed_households = at_least_two_thirds(households)
    params: dict[str, int | str] = {
        "adults": adults,
        "present": present,
        "needed_adults": needed_adults,
        "households": households,
        "households_present": households_present,
        "needed_households": needed_households,
    }
    if adults > 0 and present >= needed_adults:
        return Verdict(
            True,
            RULE_ASSEMBLY,
            gettext_noop(
                "村民会议有本村十八周岁以上村民过半数到会：十八周岁以上村民 %(adults)d 人，"
                "到会 %(present)d 人，至少需 %(needed_adults)d 人"
            ),
            params,
        )
    if households > 0 and households_present >= needed_households:
        return Verdict(
            True,
            RULE_ASSEMBLY,
            gettext_noop(
                "村民会议有本村三分之二以上的户的代表到会：共 %(households)d 户，"
                "到会户代表 %(households_present)d 户，至少需 %(needed_households)d 户"
            ),
            params,
        )
    return Verdict(
        False,
        RULE_ASSEMBLY,
        gettext_noop(
            "村民会议须有本村十八周岁以上村民的过半数，或者本村三分之二以上的户的代表参加："
            "十八周岁以上村民 %(adults)d 人，到会 %(present)d 人，至少需 %(needed_adults)d 人；"
            "共 %(households)d 户，到会户代表 %(households_present)d 户，"
            "至少需 %(needed_households)d 户（村民委员会组织法第二十二条）"
        ),
        params,
    )


# --- Majority -----------------------------------------------------------------------------------


def majority(*, present: int, votes_for: int) -> Verdict:
    """A decision passes with more than half of those present voting for it (组织法第二十二条、
    第二十六条: "到会人员的过半数"). Against, abstaining and not voting all count as present and
    not for: 10 for of 20 present is a tie and fails; 11 passes."""
    _check_count(present, votes_for)
    needed = more_than_half(present)
    params: dict[str, int | str] = {"present": present, "votes_for": votes_for, "needed": needed}
    if votes_for >= needed:
        return Verdict(
            True,
            RULE_MAJORITY,
            gettext_noop(
                "经到会人员过半数同意：到会 %(present)d 人，赞成 %(votes_for)d 票，"
                "至少需 %(needed)d 票"
            ),
            params,
        )
    return Verdict(
        False,
        RULE_MAJORITY,
        gettext_noop(
            "决定须经到会人员过半数同意：到会 %(present)d 人，赞成 %(votes_for)d 票，"
            "至少需 %(needed)d 票"
        ),
        params,
    )


def quorum(
    meeting: Meeting,
    *,
    expected: int,
    present: int,
    households: int = 0,
    households_present: int = 0,
) -> Verdict:
    """The quorum of `meeting`: `expected` is the register's number at the meeting's date (for
    村民会议, the adult villagers; `households` its households)."""
    if meeting is Meeting.BRANCH:
        return branch_quorum(members=expected, present=present)
    if meeting is Meeting.COUNCILS:
        return councils_quorum(members=expected, present=present)
    if meeting is Meeting.PARTY_ASSEMBLY:
        return party_assembly_quorum(members=expected, present=present)
    if meeting is Meeting.REPRESENTATIVES:
        return representatives_quorum(members=expected, present=present)
    return assembly_quorum(
        adults=expected,
        present=present,
        households=households,
        households_present=households_present,
    )
