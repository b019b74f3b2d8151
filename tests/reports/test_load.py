"""Tests of skyshield.reports.load: the shipped copy, the rules on a hand-made file, errors."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
import tempfile
from collections import defaultdict
from datetime import date
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import skyshield.reports
from skyshield.reports import DropReason, ReportClass, ReportsError, load_reports, monthly_totals
from skyshield.reports.rules import apportion

DATA = resources.files("skyshield.reports") / "data"
ATTACKS = "missile_attacks_daily.csv"
WEAPONS = "missiles_and_uavs.csv"


def _shipped_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((DATA / ATTACKS).read_text("utf-8"))))


def _is_national(source: str) -> bool:
    return source.startswith(("kpszsu/", "https://t.me/kpszsu/"))


def _count(text: str) -> float | None:
    return float(text) if text.strip() else None


def _valid_counts(row: dict[str, str]) -> bool:
    """The loader's count rules, restated: launched and destroyed given, outcomes <= launched."""
    launched, destroyed = _count(row["launched"]), _count(row["destroyed"])
    not_reach_goal = _count(row["not_reach_goal"]) or 0.0
    if launched is None or destroyed is None:
        return False
    return destroyed + not_reach_goal <= launched


def _independent_night_totals(
    rows: list[dict[str, str]], model: str, class_atoms: set[str]
) -> dict[date, float]:
    """Launched per night (time_end date) of rows whose model is exactly `model`.

    National rows always count; other rows only on nights where no national row names an atom
    of the class (`class_atoms`), which is the deduplication rule restated with plain strings.
    """
    national_nights = {
        r["time_end"].strip()[:10]
        for r in rows
        if _is_national(r["source"]) and set(r["model"].split(" and ")) & class_atoms
    }
    totals: dict[date, float] = defaultdict(float)
    for r in rows:
        night = r["time_end"].strip()[:10]
        if r["model"] != model or not _valid_counts(r):
            continue
        if _is_national(r["source"]) or night not in national_nights:
            totals[date.fromisoformat(night)] += float(r["launched"])
    return dict(totals)


def _loader_night_totals(frame: pd.DataFrame, model: str) -> dict[date, float]:
    kept = frame[frame["model"] == model].groupby("night")["launched"].sum()
    return {ts.date(): float(v) for ts, v in kept.items()}


# --- the shipped copy ------------------------------------------------------------------------


def test_shipped_data__sha256_matches_readme() -> None:
    readme = (DATA / "README.md").read_text("utf-8")
    for name in (ATTACKS, WEAPONS):
        digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        stated = re.search(rf"`{re.escape(name)}`[^\n]*?`([0-9a-f]{{64}})`", readme)
        assert stated is not None, f"README.md gives no SHA-256 for {name}"
        assert stated.group(1) == digest, name


def test_shipped_data__readme_dropped_table_matches_loader() -> None:
    readme = (DATA / "README.md").read_text("utf-8")
    table = re.findall(r"^\| `([a-z_]+)` \| (\d+) \| (\d+) \|$", readme, flags=re.MULTILINE)
    dropped = load_reports().dropped
    stated = [(reason, int(rows), float(launched)) for reason, rows, launched in table]
    assert stated == list(dropped.itertuples(index=False, name=None))


def test_load_reports__shipped_iskander_per_night_matches_csv_arithmetic() -> None:
    ballistic_atoms = {
        "Iskander-M",
        "Iskander-M/KN-23",
        "KN-23",
        "X-47 Kinzhal",
        "Ballistic Missile",
        "Intercontinental Ballistic Missile",
    }
    expected = _independent_night_totals(_shipped_rows(), "Iskander-M", ballistic_atoms)
    got = _loader_night_totals(load_reports().rows, "Iskander-M")
    assert got == expected
    assert sum(expected.values()) > 0


def test_load_reports__shipped_shahed_per_night_matches_csv_arithmetic() -> None:
    # Every drone-class row of the shipped file is named Shahed-136/131 (the mixed
    # "Shahed-136/131 and Lancet" row is dropped), so the drone nights are these sums.
    rows = _shipped_rows()
    expected = _independent_night_totals(rows, "Shahed-136/131", {"Shahed-136/131"})
    reports = load_reports()
    drone = reports.by_night[reports.by_night["threat_class"] == ReportClass.DRONE]
    got = {ts.date(): float(v) for ts, v in zip(drone["night"], drone["launched"], strict=True)}
    assert got == expected
    # The raid of 30 June 2025 21:00 ends on 1 July 09:00: it is the night of 1 July.
    assert got[date(2025, 7, 1)] == 52.0


def test_load_reports__shipped_accounts_for_every_launch() -> None:
    reports = load_reports()
    rows = _shipped_rows()
    in_file = sum(_count(r["launched"]) or 0.0 for r in rows)
    assert reports.rows_read == len(rows)
    assert reports.launched_read == in_file
    assert reports.rows["launched"].sum() + reports.dropped["launched"].sum() == in_file
    assert set(reports.by_night["threat_class"]) <= {str(c) for c in ReportClass}
    # neutralised adds the lost its rows report (an empty lost adds nothing); the night's
    # not_reach_goal is known only when every row of the night and class gives it
    rows = reports.rows.assign(
        reported_lost=reports.rows["not_reach_goal"].fillna(0),
        lost_known=reports.rows["not_reach_goal"].notna(),
    )
    per_night = rows.groupby(["night", "threat_class"], sort=False).agg(
        destroyed=("destroyed", "sum"),
        reported_lost=("reported_lost", "sum"),
        lost_known=("lost_known", "all"),
    )
    by_night = reports.by_night.set_index(["night", "threat_class"])
    per_night = per_night.reindex(by_night.index)
    neutralised = per_night["destroyed"] + per_night["reported_lost"]
    assert (by_night["neutralised"] == neutralised).all()
    assert (by_night["not_reach_goal"].notna() == per_night["lost_known"]).all()
    known = by_night[by_night["not_reach_goal"].notna()]
    assert (known["neutralised"] == known["destroyed"] + known["not_reach_goal"]).all()
    # the file never writes a 0 lost: an empty cell is never read as one
    assert (reports.rows["not_reach_goal"] > 0).sum() == reports.rows["not_reach_goal"].count()
    assert reports.rows["not_reach_goal"].count() > 0
    assert (reports.by_night["neutralised"] <= reports.by_night["launched"]).all()


def test_monthly_totals__sums_nights_and_shares() -> None:
    reports = load_reports()
    months = monthly_totals(reports)
    june = months[(months["month"] == pd.Period("2025-06", "M"))].set_index("threat_class")
    nights = reports.by_night
    in_june = nights[(nights["night"] >= "2025-06-01") & (nights["night"] < "2025-07-01")]
    drone = in_june[in_june["threat_class"] == "drone"]
    assert june.loc["drone", "launched"] == drone["launched"].sum()
    assert june.loc["drone", "nights"] == len(drone)
    share = drone["neutralised"].sum() / drone["launched"].sum()
    assert june.loc["drone", "neutralised_share"] == pytest.approx(share, rel=1e-12)


# --- the rules on a hand-made file -----------------------------------------------------------

# No launch_place and no other optional column; an extra column `note`.
TINY_LINES = [
    "time_start,time_end,model,launched,destroyed,not_reach_goal,launched_details,source,target,note",
    "2025-01-01 21:00,2025-01-02 09:00,Shahed-136/131,100.0,70.0,20.0,,kpszsu/posts/a,Ukraine,x",
    "2025-01-01 21:00,2025-01-02 09:00,X-101/X-555 and Iskander-M,10.0,7.0,,"
    "\"{'X-101/X-555': 8, 'Iskander-M': 2}\",kpszsu/posts/a,Ukraine,",
    "2025-01-02,2025-01-02,Foo-9 drone,3.0,1.0,,,PvKPivden/posts/b,south,",
    "2025-01-02,2025-01-03,Orlan-10,2.0,2.0,,,PvKPivden/posts/c,south,",
    "2025-01-02,2025-01-02,Shahed-136/131,5.0,5.0,,,PvKPivden/posts/d,south,",
    "2025-01-02 20:00,2025-01-03 08:00,Iskander-M,1.0,0.0,,,pvkshid/posts/e,east,",
    "2025-01-03 20:00,2025-01-04 08:00,C-400 and Iskander-M,4.0,0.0,,,kpszsu/posts/f,Ukraine,",
    "2025-01-03 20:00,2025-01-04 08:00,Kalibr,,0.0,,,kpszsu/posts/g,Ukraine,",
    "yesterday,last night,Kalibr,2.0,1.0,,,kpszsu/posts/h,Ukraine,",
    "2025-01-03 3:30 ,2025-01-04 7:00 ,X-59/X-69,3.0,3.0,,,https://t.me/kpszsu/9,Ukraine,",
    "2025-01-02,2025-01-03,Orlan-10,2.0,2.0,,,PvKPivden/posts/k,south,",
]
TINY_CSV = "\n".join(TINY_LINES) + "\n"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    return path


def test_load_reports__tiny_file_by_night(tiny: Path) -> None:
    # Mixed row split 8 cruise + 2 ballistic; 7 destroyed shared by largest remainders:
    # 7*8/10 = 5.6 and 7*2/10 = 1.4 give 5 + 1, the leftover 1 goes to the larger remainder.
    expected = pd.DataFrame(
        {
            "night": pd.to_datetime(["2025-01-02"] * 3 + ["2025-01-03"] * 2 + ["2025-01-04"]),
            "threat_class": ["drone", "cruise", "ballistic", "other_uav", "ballistic", "cruise"],
            "launched": [100, 8, 2, 2, 1, 3],
            "destroyed": [70, 6, 1, 2, 0, 3],
            # only the drone row gives not_reach_goal: elsewhere the split is unknown (NA)
            "not_reach_goal": pd.array([20, None, None, None, None, None], dtype="Int64"),
            "neutralised": [90, 6, 1, 2, 0, 3],
            "rows": [1, 1, 1, 1, 1, 1],
        }
    ).astype({"night": "datetime64[ns]", "threat_class": "str"})
    pd.testing.assert_frame_equal(load_reports(tiny).by_night, expected)


def test_load_reports__tiny_file_dropped(tiny: Path) -> None:
    reports = load_reports(tiny)
    expected = pd.DataFrame(
        {
            "reason": [
                "time_end_unparseable",
                "launched_missing",
                "unknown_model",
                "mixed_classes_no_details",
                "repeated_row",
                "covered_by_national",
            ],
            "rows": [1, 1, 1, 1, 1, 1],
            "launched": [2.0, 0.0, 3.0, 4.0, 2.0, 5.0],
        }
    ).astype({"reason": "str"})
    pd.testing.assert_frame_equal(reports.dropped, expected)
    by_line = dict(zip(reports.dropped_rows["line"], reports.dropped_rows["reason"], strict=True))
    assert by_line == {
        10: DropReason.TIME_END_UNPARSEABLE,
        9: DropReason.LAUNCHED_MISSING,
        4: DropReason.UNKNOWN_MODEL,
        8: DropReason.MIXED_CLASSES_NO_DETAILS,
        12: DropReason.REPEATED_ROW,
        6: DropReason.COVERED_BY_NATIONAL,
    }


def test_load_reports__tiny_file_rows(tiny: Path) -> None:
    rows = load_reports(tiny).rows
    split = rows[rows["split"]]
    assert list(split["line"]) == [3, 3]
    assert list(split["threat_class"]) == ["cruise", "ballistic"]
    periods = dict(zip(rows["line"], rows["end_period"], strict=False))
    assert periods[5] == "date-only"
    assert periods[2] == "morning"
    assert dict(zip(rows["line"], rows["channel"], strict=False))[11] == "kpszsu"


THREE_CLASSES = "Shahed-136/131 and X-101/X-555 and Iskander-M"


def _split_parts(
    folder: Path, launched: tuple[int, int, int], destroyed: int, lost: int
) -> pd.DataFrame:
    """Load one national row joining a drone, a cruise and a ballistic type, split by details."""
    shahed, kh101, iskander = launched
    details = f"{{'Shahed-136/131': {shahed}, 'X-101/X-555': {kh101}, 'Iskander-M': {iskander}}}"
    path = folder / "three.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            [
                "time_end",
                "model",
                "launched",
                "destroyed",
                "not_reach_goal",
                "launched_details",
                "source",
            ]
        )
        writer.writerow(
            [
                "2025-01-02 09:00",
                THREE_CLASSES,
                sum(launched),
                destroyed,
                lost,
                details,
                "kpszsu/posts/z",
            ]
        )
    return load_reports(path).rows


def test_load_reports__split_shares_outcomes_within_each_part(tmp_path: Path) -> None:
    # 4 neutralised over launched 1:3:3 -> 0.57, 1.71, 1.71 -> 0, 2, 2 (largest remainders);
    # then 3 destroyed over those 0:2:2 -> 0, 1.5, 1.5 -> 0, 2, 1 (tie to the earlier class).
    parts = _split_parts(tmp_path, (1, 3, 3), destroyed=3, lost=1)
    got = parts[["threat_class", "launched", "destroyed", "not_reach_goal"]]
    assert got.values.tolist() == [["drone", 1, 0, 0], ["cruise", 3, 2, 0], ["ballistic", 3, 1, 1]]


@settings(deadline=None)
@given(
    st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)).filter(lambda t: sum(t) > 0),
    st.data(),
)
def test_load_reports__split_parts_add_up_and_stay_possible(
    launched: tuple[int, int, int], data: st.DataObject
) -> None:
    destroyed = data.draw(st.integers(0, sum(launched)))
    lost = data.draw(st.integers(0, sum(launched) - destroyed))
    with tempfile.TemporaryDirectory() as folder:
        parts = _split_parts(Path(folder), launched, destroyed, lost)
    assert parts["split"].all()
    assert parts["launched"].tolist() == list(launched)
    assert parts["destroyed"].sum() == destroyed
    assert parts["not_reach_goal"].sum() == lost
    assert (parts["destroyed"] >= 0).all()
    assert (parts["not_reach_goal"] >= 0).all()
    assert (parts["destroyed"] + parts["not_reach_goal"] <= parts["launched"]).all()


# Night 01-02: the drone row gives its lost (split known). Night 01-03: the cell is empty
# (the source folded the lost into destroyed, or none were lost: unknown either way). Night
# 01-04: two drone rows, only one gives its lost: the night's split is unknown, its neutralised
# adds the lost given. Night 01-05: a mixed row without lost: both parts unknown. Line 7: an
# unreadable lost drops the row.
LOST_CSV = """time_end,model,launched,destroyed,not_reach_goal,launched_details,source
2025-01-02 09:00,Shahed-136/131,50.0,30.0,15.0,,kpszsu/posts/a
2025-01-03 09:00,Shahed-136/131,40.0,38.0,,,kpszsu/posts/b
2025-01-04 09:00,Shahed-136/131,20.0,10.0,6.0,,kpszsu/posts/c
2025-01-04 18:00,Shahed-136/131,5.0,4.0,,,kpszsu/posts/d
2025-01-05 09:00,X-101/X-555 and Iskander-M,10.0,7.0,,"{'X-101/X-555': 8, 'Iskander-M': 2}",kpszsu/e
2025-01-06 09:00,Shahed-136/131,9.0,3.0,some,,kpszsu/posts/f
"""


def test_load_reports__empty_lost_is_unknown_not_zero(tmp_path: Path) -> None:
    path = tmp_path / "lost.csv"
    path.write_text(LOST_CSV, encoding="utf-8")
    reports = load_reports(path)
    got = reports.by_night.set_index(["night", "threat_class"])
    lost = {(str(n.date()), c): v for (n, c), v in got["not_reach_goal"].items()}
    assert lost[("2025-01-02", "drone")] == 15
    for key in [
        ("2025-01-03", "drone"),
        ("2025-01-04", "drone"),
        ("2025-01-05", "cruise"),
        ("2025-01-05", "ballistic"),
    ]:
        assert lost[key] is pd.NA, key
    neutralised = {(str(n.date()), c): v for (n, c), v in got["neutralised"].items()}
    assert neutralised == {
        ("2025-01-02", "drone"): 45,
        ("2025-01-03", "drone"): 38,  # an empty lost adds nothing
        ("2025-01-04", "drone"): 10 + 6 + 4,  # the lost given counts
        ("2025-01-05", "cruise"): 6,
        ("2025-01-05", "ballistic"): 1,
    }
    rows = reports.rows.set_index("line")["not_reach_goal"]
    assert rows[2] == 15
    assert rows[4] == 6
    assert rows[[3, 5]].isna().all()
    assert rows[6].isna().all()  # both parts of the mixed row
    assert dict(zip(reports.dropped["reason"], reports.dropped["rows"], strict=True)) == {
        DropReason.NOT_REACH_GOAL_INVALID: 1
    }
    months = monthly_totals(reports).set_index("threat_class")
    assert months.loc["drone", "split_nights"] == 1
    assert months.loc["drone", "not_reach_goal"] == 15
    assert months.loc["cruise", "split_nights"] == 0
    assert months.loc["cruise", "not_reach_goal"] is pd.NA


def test_load_reports__missing_required_column_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "no_launched.csv"
    path.write_text(TINY_CSV.replace(",launched,", ",fired,", 1), encoding="utf-8")
    with pytest.raises(ReportsError, match=r"no_launched\.csv: missing required column 'launched'"):
        load_reports(path)


def test_load_reports__missing_file_is_a_reports_error(tmp_path: Path) -> None:
    with pytest.raises(ReportsError, match=r"absent\.csv: cannot read the file"):
        load_reports(tmp_path / "absent.csv")


def test_load_reports__filled_new_columns_and_unknown_category(tmp_path: Path) -> None:
    # Later files fill is_shahed/turbojet and may add categories: neither may upset the loader.
    text = (
        "time_end,model,launched,destroyed,is_shahed,turbojet,extra\n"
        "2025-08-01 09:00,Shahed-136/131,50,40,30,5,z\n"
        "2025-08-01 09:00,Laser Gun,1,0,,,\n"
    )
    weapons = (
        "model,category,type\nShahed-136/131,UAV,loitering munition\nLaser Gun,directed energy,\n"
    )
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    (tmp_path / "w.csv").write_text(weapons, encoding="utf-8")
    reports = load_reports(tmp_path / "a.csv", weapons_path=tmp_path / "w.csv")
    assert reports.by_night["launched"].tolist() == [50]
    assert reports.dropped["reason"].tolist() == ["unknown_model"]


def test_package__all_sorted_and_complete() -> None:
    names = skyshield.reports.__all__
    assert list(names) == sorted(names)
    assert all(hasattr(skyshield.reports, name) for name in names)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [(7, [8, 2], [6, 1]), (1, [1, 1], [1, 0]), (0, [3, 4], [0, 0]), (5, [5, 0], [5, 0])],
)
def test_apportion__largest_remainders(total: int, weights: list[int], expected: list[int]) -> None:
    assert apportion(total, weights) == expected


# --- whatever the cells hold -----------------------------------------------------------------

MODELS = [
    "Shahed-136/131",
    "Iskander-M",
    "X-101/X-555 and Kalibr",
    "C-400 and Iskander-M",
    "X-101/X-555 and Iskander-M",
    "Orlan-10",
]
garbage = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
counts = st.one_of(
    st.integers(0, 500).map(str),
    st.integers(0, 500).map(lambda n: f"{n}.0"),
    st.sampled_from(["", " ", "-3", "2.5", "nan", "inf", "1e400", "12,0", "1_0"]),
    garbage,
)
times = st.one_of(
    st.sampled_from(["2025-03-01 21:00", "2025-03-02 09:00", "2025-03-02", " 2025-3-2 7:05 "]),
    garbage,
)
details = st.one_of(
    st.just(""),
    st.just("{'X-101/X-555': 3, 'Iskander-M': 1}"),
    st.just("{'X-101/X-555': NaN, 'Iskander-M': 1}"),
    garbage,
)
rows_strategy = st.lists(
    st.tuples(
        times,
        times,
        st.one_of(st.sampled_from(MODELS), garbage),
        counts,
        counts,
        counts,
        details,
        st.sampled_from(["kpszsu/posts/1", "PvKPivden/posts/2", "", "https://t.me/x/1"]),
    ),
    max_size=12,
)
HEADER = [
    "time_start",
    "time_end",
    "model",
    "launched",
    "destroyed",
    "not_reach_goal",
    "launched_details",
    "source",
]


def _launched_in_file(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) else 0.0


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_load_reports__garbage_cells_are_dropped_with_reasons(
    rows: list[tuple[str, ...]],
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "garbage.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        reports = load_reports(path)
    in_file = sum(_launched_in_file(r[3]) for r in rows)
    kept = float(reports.rows["launched"].sum())
    dropped = float(reports.dropped_rows["launched"].sum())
    assert kept + dropped == pytest.approx(in_file, rel=1e-12, abs=1e-9)
    assert reports.dropped["launched"].sum() == pytest.approx(dropped, rel=1e-12, abs=1e-9)
    assert set(reports.dropped_rows["reason"]) <= {str(r) for r in DropReason}
    # Every record is kept or dropped (a record's line is where it starts; cells may span lines).
    assert len(set(reports.rows["line"]) | set(reports.dropped_rows["line"])) == len(rows)
