"""The law's arithmetic (minsheng/villages/law.py), with hand-computed cases."""

import pytest

from minsheng.villages import law


@pytest.mark.parametrize(
    ("n", "needed"),
    [(0, 1), (1, 1), (2, 2), (3, 2), (40, 21), (41, 21), (400, 201), (401, 201)],
)
def test_more_than_half(n, needed):
    assert law.more_than_half(n) == needed
    # The definition: the smallest k with 2k > n.
    assert 2 * needed > n and 2 * (needed - 1) <= n


@pytest.mark.parametrize(
    ("n", "needed"),
    [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (30, 20), (31, 21), (32, 22), (33, 22), (150, 100)],
)
def test_at_least_two_thirds_includes_two_thirds_itself(n, needed):
    assert law.at_least_two_thirds(n) == needed
    assert 3 * needed >= 2 * n and (needed == 0 or 3 * (needed - 1) < 2 * n)


def test_counts_are_integers():
    with pytest.raises(ValueError):
        law.more_than_half(-1)
    with pytest.raises(ValueError):
        law.at_least_two_thirds(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        law.majority(present=True, votes_for=1)  # type: ignore[arg-type]


def test_representatives_quorum_exactly_at_the_boundary_and_one_below():
    # 2/3 of 31 is 20.67: 21 present is enough (3 × 21 = 63 ≥ 62), 20 is not.
    ok = law.representatives_quorum(members=31, present=21)
    assert ok.ok
    below = law.representatives_quorum(members=31, present=20)
    assert not below.ok
    assert below.message == (
        "村民代表会议须有三分之二以上组成人员到会：应到 31 人，实到 20 人，至少需 21 人"
        "（村民委员会组织法第二十六条）"
    )
    assert below.rule == "村民委员会组织法第二十六条"
    # Exactly two-thirds is "三分之二以上": 20 of 30.
    assert law.representatives_quorum(members=30, present=20).ok
    assert not law.representatives_quorum(members=30, present=19).ok


def test_party_assembly_quorum_two_thirds():
    assert law.party_assembly_quorum(members=45, present=30).ok
    refused = law.party_assembly_quorum(members=45, present=29)
    assert not refused.ok
    assert "应到 45 人，实到 29 人，至少需 30 人" in refused.message


def test_branch_and_councils_quorum_more_than_half():
    # 5 members: 3 needed; 7 members: 4 needed; half of 6 is not enough.
    assert law.branch_quorum(members=5, present=3).ok
    assert not law.branch_quorum(members=5, present=2).ok
    assert not law.councils_quorum(members=6, present=3).ok
    assert law.councils_quorum(members=6, present=4).ok
    assert "至少需 4 人" in law.councils_quorum(members=7, present=3).message


def test_assembly_either_half_of_adults_or_two_thirds_of_households_suffices():
    # 400 adults, 150 households: 201 adults or 100 households' representatives.
    by_adults = law.assembly_quorum(adults=400, present=201, households=150, households_present=0)
    assert by_adults.ok
    assert "十八周岁以上村民过半数" in by_adults.message
    by_households = law.assembly_quorum(
        adults=400, present=100, households=150, households_present=100
    )
    assert by_households.ok
    assert "三分之二以上的户的代表" in by_households.message
    # Exactly half of the adults is not "过半数", and 99 of 150 households is below 2/3.
    neither = law.assembly_quorum(adults=400, present=200, households=150, households_present=99)
    assert not neither.ok
    assert neither.rule == "村民委员会组织法第二十二条"
    assert "十八周岁以上村民 400 人，到会 200 人，至少需 201 人" in neither.message
    assert "共 150 户，到会户代表 99 户，至少需 100 户" in neither.message


def test_a_tie_fails_and_abstentions_count_as_present_not_for():
    # 20 present, 10 for 10 against: a tie is not more than half.
    tie = law.majority(present=20, votes_for=10)
    assert not tie.ok
    assert tie.message == "决定须经到会人员过半数同意：到会 20 人，赞成 10 票，至少需 11 票"
    assert law.majority(present=20, votes_for=11).ok
    # 21 present: 10 for, 5 against, 6 abstaining — the abstentions are present and not for.
    assert not law.majority(present=21, votes_for=10).ok
    assert law.majority(present=21, votes_for=11).ok
    # "more than half of 40" is 21.
    assert not law.majority(present=40, votes_for=20).ok
    assert law.majority(present=40, votes_for=21).ok


def test_quorum_dispatches_by_meeting():
    assert law.quorum(law.Meeting.REPRESENTATIVES, expected=31, present=21).ok
    assert not law.quorum(law.Meeting.PARTY_ASSEMBLY, expected=31, present=20).ok
    assert law.quorum(
        law.Meeting.ASSEMBLY, expected=400, present=10, households=150, households_present=100
    ).ok
    assert not law.quorum(law.Meeting.BRANCH, expected=4, present=2).ok


def test_the_law_imports_no_django():
    import ast
    import pathlib

    source = pathlib.Path(law.__file__).read_text(encoding="utf-8")
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith(("django", "minsheng")) for name in imported)
