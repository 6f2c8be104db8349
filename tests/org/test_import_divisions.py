"""The division importer (minsheng.org.divisions_import) and `manage.py import_divisions`.

Most tests use the 台前县 slice shipped in minsheng/org/data/divisions-410927 and tiny CSV files
written to tmp_path; the few that read the national files in ../shared/data skip without them.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from minsheng.org import divisions_import
from minsheng.org.divisions_import import DivisionImportError, ImportResult, import_divisions
from minsheng.org.models import Division

REPO = Path(__file__).resolve().parents[2]
SLICE = REPO / "minsheng" / "org" / "data" / "divisions-410927"
SHARED_DIVISIONS = REPO.parent / "shared" / "data" / "divisions"
needs_shared = pytest.mark.skipif(
    not (SHARED_DIVISIONS / "villages.csv.gz").exists(),
    reason=f"the national division files are not at {SHARED_DIVISIONS}",
)

COUNTY = "410927000000"
SUNKOU = "410927102000"  # 孙口镇
SUNKOU_VILLAGES = 29  # lines of villages.csv with streetCode 410927102


def snapshot() -> list[tuple[str, str, int, str | None]]:
    return list(Division.objects.order_by("code").values_list("code", "name", "level", "parent_id"))


def copy_slice(tmp_path: Path) -> Path:
    target = tmp_path / "slice"
    shutil.copytree(SLICE, target)
    return target


def replace_line(path: Path, line_number: int, new_line: str) -> str:
    """Replace a 1-based line of a file; return the old line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    old = lines[line_number - 1]
    lines[line_number - 1] = new_line + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return old


def write_files(directory: Path, **files: str) -> Path:
    """Write tiny CSV files: write_files(d, provinces="code,name\\n41,河南省\\n")."""
    directory.mkdir(parents=True, exist_ok=True)
    for stem, text in files.items():
        (directory / f"{stem}.csv").write_text(text, encoding="utf-8")
    return directory


HENAN = "code,name\n41,河南省\n"
PUYANG = "code,name,provinceCode\n4109,濮阳市,41\n"
TAIQIAN = "code,name,cityCode,provinceCode\n410927,台前县,4109,41\n"
STREETS_HEADER = "code,name,areaCode,provinceCode,cityCode\n"
VILLAGES_HEADER = "code,name,streetCode,provinceCode,cityCode,areaCode\n"


# --- the slice ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_slice_imports_every_level_with_parents() -> None:
    result = import_divisions([SLICE])

    assert (result.created, result.updated, result.unchanged) == (389, 0, 0)
    assert result.changes == 389
    assert {level: c.created for level, c in result.by_level.items()} == {
        1: 1,
        2: 1,
        3: 1,
        4: 9,
        5: 377,
    }
    assert Division.objects.count() == 389
    province = Division.objects.get(code="410000000000")
    assert (province.name, province.level, province.parent_id) == ("河南省", 1, None)
    assert Division.objects.get(code="410900000000").parent_id == "410000000000"
    county = Division.objects.get(code=COUNTY)
    assert (county.name, county.level, county.parent_id) == ("台前县", 3, "410900000000")
    sunkou = Division.objects.get(code=SUNKOU)
    assert (sunkou.name, sunkou.level, sunkou.parent_id) == ("孙口镇", 4, COUNTY)
    assert Division.objects.filter(parent_id=COUNTY).count() == 9
    assert Division.objects.filter(parent_id=SUNKOU, level=5).count() == SUNKOU_VILLAGES
    village = Division.objects.get(code="410927100201")
    assert (village.name, village.level, village.parent_id) == ("台前村委会", 5, "410927100000")


@pytest.mark.django_db
def test_second_run_changes_nothing() -> None:
    import_divisions([SLICE])
    before = snapshot()

    again = import_divisions([SLICE])

    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 389, 0)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_changed_name_is_one_update(tmp_path: Path) -> None:
    import_divisions([SLICE])
    changed = copy_slice(tmp_path)
    old = replace_line(changed / "streets.csv", 4, '410927102,"孙口镇（新）",410927,41,4109')
    assert old.startswith("410927102,")

    result = import_divisions([changed])

    assert (result.created, result.updated, result.unchanged) == (0, 1, 388)
    assert result.by_level[4].updated == 1
    assert Division.objects.get(code=SUNKOU).name == "孙口镇（新）"


@pytest.mark.django_db
def test_a_name_changed_in_the_database_is_restored() -> None:
    import_divisions([SLICE])
    Division.objects.filter(code=COUNTY).update(name="改过的名字")

    result = import_divisions([SLICE])

    assert (result.created, result.updated) == (0, 1)
    assert Division.objects.get(code=COUNTY).name == "台前县"


@pytest.mark.django_db
def test_divisions_missing_from_the_files_are_kept(tmp_path: Path) -> None:
    Division.objects.create(code="110000000000", name="北京市", level=1)

    import_divisions([SLICE])

    assert Division.objects.filter(code="110000000000").exists()
    assert Division.objects.count() == 390


# --- --within ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("within", ["410927102", "410927102000"])
def test_within_imports_the_township_its_villages_and_its_ancestors(within: str) -> None:
    result = import_divisions([SLICE], within=within)

    assert result.created == 3 + 1 + SUNKOU_VILLAGES
    assert {level: c.created for level, c in result.by_level.items()} == {
        1: 1,
        2: 1,
        3: 1,
        4: 1,
        5: SUNKOU_VILLAGES,
    }
    assert set(Division.objects.filter(level__lte=4).values_list("code", flat=True)) == {
        "410000000000",
        "410900000000",
        COUNTY,
        SUNKOU,
    }
    assert not Division.objects.filter(level=5).exclude(parent_id=SUNKOU).exists()


@pytest.mark.django_db
def test_within_a_county_given_in_twelve_digits() -> None:
    result = import_divisions([SLICE], within=COUNTY)
    assert result.created == 389


@pytest.mark.django_db
@pytest.mark.parametrize("within", ["4109271", "", "41x", "４１", "4109271020001"])
def test_an_invalid_within_code_is_refused(within: str) -> None:
    with pytest.raises(DivisionImportError, match="not a division code"):
        import_divisions([SLICE], within=within)
    # It is a ValueError too, for callers that do not know the importer's own exception.
    with pytest.raises(ValueError):
        import_divisions([SLICE], within=within)
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_within_a_division_that_exists_nowhere_is_refused() -> None:
    with pytest.raises(DivisionImportError, match="no such division"):
        import_divisions([SLICE], within="410927999")
    assert Division.objects.count() == 0


# --- bad rows leave the database as it was -----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("already_imported", [False, True], ids=["empty-db", "populated-db"])
def test_a_bad_village_row_aborts_the_whole_import(tmp_path: Path, already_imported: bool) -> None:
    if already_imported:
        import_divisions([SLICE])
    before = snapshot()
    broken = copy_slice(tmp_path)
    # Changes before the bad row that would be written if the import were not all-or-nothing.
    replace_line(broken / "provinces.csv", 2, '41,"河南省（改）"')
    replace_line(broken / "streets.csv", 2, '410927100,"城关镇（改）",410927,41,4109')
    replace_line(broken / "villages.csv", 200, '4109271O2201,"坏行",410927102,41,4109,410927')

    with pytest.raises(DivisionImportError) as caught:
        import_divisions([broken], batch_size=10)

    message = str(caught.value)
    assert "villages.csv" in message
    assert "line 200" in message
    assert "4109271O2201" in message
    assert caught.value.line == 200
    assert caught.value.path == broken / "villages.csv"
    assert snapshot() == before
    assert Division.objects.count() == (389 if already_imported else 0)


@pytest.mark.parametrize(
    ("village_row", "problem"),
    [
        ('410927100201,"台前村委会",410927100,41,4109', "expected 6 columns"),
        ('410927100201,"台前村委会",410927100,41,4109,410927,x', "expected 6 columns"),
        ('41092710020,"台前村委会",410927100,41,4109,410927', "not a 12-digit village code"),
        ('41092710020a,"台前村委会",410927100,41,4109,410927', "not a 12-digit village code"),
        ('410927100201," ",410927100,41,4109,410927', "empty name"),
        ('410927100201,"台前村委会",410927101,41,4109,410927', "streetCode '410927101'"),
        ('410927100201,"台前村委会",410927100,42,4109,410927', "provinceCode '42'"),
        ('410927199201,"台前村委会",410927199,41,4109,410927', "parent 410927199"),
        ('410927100201,"重复",410927100,41,4109,410927', "duplicate code 410927100201"),
        (f'410927100299,"{"长" * 101}",410927100,41,4109,410927', "longer than 100"),
    ],
    ids=[
        "too-few-columns",
        "too-many-columns",
        "short-code",
        "non-digit-code",
        "empty-name",
        "street-prefix",
        "province-prefix",
        "unknown-parent",
        "duplicate",
        "long-name",
    ],
)
@pytest.mark.django_db
def test_each_kind_of_bad_row_is_reported(tmp_path: Path, village_row: str, problem: str) -> None:
    files = copy_slice(tmp_path)
    replace_line(files / "villages.csv", 3, village_row)

    with pytest.raises(DivisionImportError, match=problem) as caught:
        import_divisions([files])

    assert caught.value.line == 3
    assert "villages.csv, line 3" in str(caught.value)
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_row_outside_within_still_rejects_the_file(tmp_path: Path) -> None:
    files = copy_slice(tmp_path)
    replace_line(files / "villages.csv", 3, '410927100201,"",410927100,41,4109,410927')

    with pytest.raises(DivisionImportError, match="line 3"):
        import_divisions([files], within="410927102")
    assert Division.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_parent_is_reported_unless_already_in_the_database() -> None:
    villages = SLICE / "villages.csv"
    with pytest.raises(DivisionImportError, match="parent 410927100 .* neither in the files"):
        import_divisions([villages])
    assert Division.objects.count() == 0

    import_divisions([SLICE / "provinces.csv", SLICE / "cities.csv"])
    import_divisions([SLICE / "areas.csv", SLICE / "streets.csv"])
    result = import_divisions([villages])

    assert result.created == 377
    assert Division.objects.count() == 389


@pytest.mark.django_db
def test_a_bad_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "things.csv"
    path.write_text("code,title\n41,河南省\n", encoding="utf-8")
    with pytest.raises(DivisionImportError, match="line 1: header"):
        import_divisions([path])


@pytest.mark.django_db
def test_a_file_whose_name_contradicts_its_header_is_refused(tmp_path: Path) -> None:
    write_files(tmp_path, cities=HENAN)
    with pytest.raises(
        DivisionImportError, match="named cities but its header is that of provinces"
    ):
        import_divisions([tmp_path / "cities.csv"])


def test_missing_paths_and_empty_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DivisionImportError, match="no such file or directory"):
        import_divisions([tmp_path / "nowhere"])
    with pytest.raises(DivisionImportError, match="holds none of"):
        import_divisions([tmp_path])


# --- file forms --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_gzip_files_work_whatever_their_name(tmp_path: Path) -> None:
    files = copy_slice(tmp_path)
    villages = files / "villages.csv"
    with gzip.open(files / "villages.csv.gz", "wb") as compressed:
        compressed.write(villages.read_bytes())
    villages.unlink()
    # A gzip file without .gz in its name is recognised by its content.
    renamed = tmp_path / "cun.csv"
    with gzip.open(renamed, "wb") as compressed:
        compressed.write((SLICE / "streets.csv").read_bytes())

    result = import_divisions([files])
    assert result.created == 389
    assert import_divisions([renamed]).unchanged == 9


@pytest.mark.django_db
def test_single_files_in_any_order_take_their_level_from_the_header(tmp_path: Path) -> None:
    renamed = tmp_path / "towns.csv"
    shutil.copy(SLICE / "streets.csv", renamed)
    files = [
        SLICE / "villages.csv",
        renamed,
        SLICE / "areas.csv",
        SLICE / "provinces.csv",
        SLICE / "cities.csv",
    ]

    result = import_divisions(files)

    assert result.created == 389
    assert result.by_level[4].created == 9


@pytest.mark.django_db
def test_columns_may_come_in_any_order_and_a_bom_and_blank_lines_are_tolerated(
    tmp_path: Path,
) -> None:
    write_files(
        tmp_path,
        provinces="\ufeffcode,name\n41,河南省\n\n",
        cities="provinceCode,name,code\n41,濮阳市,4109\n",
    )
    result = import_divisions([tmp_path])
    assert result.created == 2
    assert Division.objects.get(code="410900000000").name == "濮阳市"


@pytest.mark.django_db
def test_rows_repeating_their_parent_are_folded_into_it(tmp_path: Path) -> None:
    # As in the real data: 东莞市 is a city without counties, listed again as its own county.
    write_files(
        tmp_path,
        provinces="code,name\n44,广东省\n",
        cities="code,name,provinceCode\n4419,东莞市,44\n",
        areas="code,name,cityCode,provinceCode\n441900,东莞市,4419,44\n",
        streets=STREETS_HEADER + "441900003,东城街道,441900,44,4419\n",
        villages=VILLAGES_HEADER + "441900003001,主山社区居委会,441900003,44,4419,441900\n",
    )

    result = import_divisions([tmp_path])

    assert (result.created, result.skipped) == (4, 1)
    dongguan = Division.objects.get(code="441900000000")
    assert (dongguan.level, dongguan.parent_id) == (2, "440000000000")
    assert Division.objects.get(code="441900003000").parent_id == "441900000000"
    assert import_divisions([tmp_path]).changes == 0


@pytest.mark.django_db
def test_odd_but_real_names_and_codes_are_kept(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        provinces=HENAN + "11,北京市\n",
        cities=PUYANG.rstrip("\n") + "\n1101,市辖区,11\n",
        areas=TAIQIAN + "410971,河南濮阳工业园区,4109,41\n",
    )
    import_divisions([tmp_path])
    assert Division.objects.get(code="110100000000").name == "市辖区"
    assert Division.objects.get(code="410971000000").parent_id == "410900000000"


# --- the management command --------------------------------------------------------------------


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("import_divisions", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_command_summarises_in_chinese_and_says_when_nothing_changed() -> None:
    first = run_command(str(SLICE))
    assert "导入完成：新增 389，更新 0，未变 0" in first
    assert "没有任何变更" not in first

    second = run_command(str(SLICE))
    assert "新增 0，更新 0，未变 389" in second
    assert "没有任何变更" in second


@pytest.mark.django_db
def test_command_within_and_per_level_detail() -> None:
    out = StringIO()
    call_command("import_divisions", str(SLICE), within="410927102", verbosity=2, stdout=out)
    text = out.getvalue()
    assert f"新增 {4 + SUNKOU_VILLAGES}" in text
    assert f"村级：新增 {SUNKOU_VILLAGES}" in text


@pytest.mark.django_db
def test_command_turns_a_bad_row_into_a_command_error(tmp_path: Path) -> None:
    broken = copy_slice(tmp_path)
    replace_line(broken / "villages.csv", 10, "410927100209,缺列")

    with pytest.raises(CommandError) as caught:
        run_command(str(broken))

    assert "villages.csv, line 10" in str(caught.value)
    assert "数据库未作任何修改" in str(caught.value)
    assert caught.value.returncode != 0
    assert Division.objects.count() == 0


def test_command_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="路径不存在"):
        run_command(str(tmp_path / "nowhere"))


@pytest.mark.django_db
def test_command_refuses_an_invalid_within() -> None:
    with pytest.raises(CommandError, match="not a division code"):
        run_command(str(SLICE), "--within", "12345")


def test_manage_py_reports_errors_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "MINSHENG_VAR_DIR": str(tmp_path / "var")}
    completed = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "import_divisions", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert completed.returncode == 1
    assert "路径不存在" in completed.stderr
    assert "Traceback" not in completed.stderr


# --- the two write paths: COPY on PostgreSQL, bulk_create elsewhere --------------------------


@pytest.mark.django_db
def test_the_portable_write_path_gives_the_same_results(monkeypatch: pytest.MonkeyPatch) -> None:
    # On PostgreSQL the importer normally uses COPY; force the bulk_create path to compare.
    monkeypatch.setattr(divisions_import, "_can_copy", lambda: False)
    assert import_divisions([SLICE]).created == 389
    Division.objects.filter(code=SUNKOU).update(name="x")
    result: ImportResult = import_divisions([SLICE])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 388)


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_uses_the_copy_path() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL only (set DATABASE_URL=postgres://…)")
    assert divisions_import._can_copy()


# --- the national files ------------------------------------------------------------------------


def load_slice_maker() -> ModuleType:
    path = REPO / "bench" / "make_division_slice.py"
    spec = importlib.util.spec_from_file_location("make_division_slice", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared
@needs_shared
def test_the_shipped_slice_is_a_verbatim_cut_of_the_national_files(tmp_path: Path) -> None:
    load_slice_maker().make_slice("410927", SHARED_DIVISIONS, tmp_path)
    for stem in ("provinces", "cities", "areas", "streets", "villages"):
        assert (tmp_path / f"{stem}.csv").read_bytes() == (SLICE / f"{stem}.csv").read_bytes()


@pytest.mark.shared
@needs_shared
@pytest.mark.django_db
def test_the_national_files_pass_every_check_and_match_the_slice() -> None:
    # Every row of the country is checked; only 台前县 and its ancestors are written.
    result = import_divisions([SHARED_DIVISIONS], within="410927")

    assert (result.created, result.skipped) == (389, 0)
    assert import_divisions([SLICE]).changes == 0
