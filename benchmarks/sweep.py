"""Accuracy over a sweep of generator settings: the worst setting beside the default.

cpflag is built on ``cpflag.synth``; a rule that fits the generator's defaults
can fail on data that differ from them. This runs cpflag over a grid of named
generator settings -- each pushes a few ``NoiseRates`` knobs to a hard value --
and reports, per flag kind and setting, precision at ``match``, recall at
match + review, precision of the ``review`` band, false reviews per 1,000
attendances, plan-subject flags on children of the LAs that share no list, and
calibration (a reliability table and the expected calibration error), then the
WORST value of every metric over the settings beside the default's.

Usage (from the project root)::

    python benchmarks/sweep.py                        # demo, 30 days, tuning grid, seeds 7 11
    python benchmarks/sweep.py --scale region         # region, 7 days
    python benchmarks/sweep.py --settings default,many_moves --days 30
    python benchmarks/sweep.py --held-out             # the held-out grid (see HELD_OUT)
    python benchmarks/sweep.py --json sweep.json      # the full report as JSON too

See ``docs/evaluation.md`` for the settings, the metrics and how the held-out
set is used.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cpflag
from _evidence import evidence_of_true_flags, recall_where_findable
from cpflag import synth

PLAN_KINDS: Final = (
    "plan_subject",
    "sibling_of_plan_subject",
    "carer_of_plan_subject",
    "unborn_plan_mother",
    "newborn_of_unborn_plan",
)
KINDS: Final = (*PLAN_KINDS, "repeat_attendance")
#: Days of history per data set by scale: enough for repeat attendance and
#: newborns to occur (a demo day has ~400 attendances), small enough for 2 cores.
DEFAULT_DAYS: Final = {"demo": 30, "region": 7, "national": 1}
#: Reliability bins of the match probability: (lo, hi], the first [0, 0.5].
CAL_EDGES: Final = (0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0)


@attrs.frozen
class Setting:
    """A named generator setting: a few ``NoiseRates`` knobs pushed to a hard value."""

    name: str
    what: str
    knobs: Mapping[str, float | int] = attrs.field(factory=dict)

    def rates(self) -> synth.NoiseRates:
        return synth.NoiseRates(**self.knobs)  # type: ignore[arg-type]


DEFAULT: Final = Setting("default", "the generator's documented defaults")

#: The tuning grid: what rules and thresholds may be looked at and chosen on.
TUNING: Final = (
    DEFAULT,
    Setting(
        "carers_rarely_named",
        "LAs seldom name a carer; the named carer is often the father; ED seldom records one",
        {
            "plan_carer_named": 0.25,
            "plan_carer_is_mother": 0.6,
            "plan_lac_birth_mother_named": 0.2,
            "carer_recorded": 0.15,
        },
    ),
    Setting(
        "noisy_addresses",
        "postcodes and addresses missing, mistyped or pseudo; placements withheld; more flats",
        {
            "postcode_missing": 0.12,
            "postcode_typo": 0.08,
            "postcode_unknown": 0.03,
            "postcode_no_space": 0.5,
            "address_missing": 0.25,
            "address_abbreviated": 0.5,
            "plan_postcode_typo": 0.05,
            "plan_postcode_missing": 0.1,
            "plan_lac_address_withheld": 0.4,
            "flat": 0.5,
        },
    ),
    Setting(
        "many_moves",
        "four in ten plan families moved since the list, half of the moves to another LA",
        {"moved_plan": 0.4, "moved_background": 0.2, "move_same_la": 0.5},
    ),
    Setting(
        "no_baby_nhs",
        "no NHS number on babies under 6 weeks and no mother's number on any baby record",
        {"nhs_missing_newborn": 1.0, "mother_nhs_on_newborn": 0.0, "nhs_of_mother": 0.0},
    ),
    Setting(
        "stale_lists",
        "most LAs send a list 90-240 days old; more families moved since",
        {
            "la_stale_list": 0.8,
            "stale_list_min_days": 90,
            "stale_list_max_days": 240,
            "moved_plan": 0.2,
        },
    ),
    Setting(
        "relatives_apart",
        "half the fathers and non-subject children of plan families live at another address",
        {"relatives_apart": 0.5},
    ),
    Setting(
        "patronymic_heavy",
        "patronymic surnames, step-families, second surnames, Begum/Kaur, hyphens all common",
        {
            "patronymic": 0.3,
            "blended_plan": 0.7,
            "blended_background": 0.3,
            "surname_change": 0.6,
            "alt_surname_used": 0.8,
            "plan_alt_surname": 0.8,
            "muslim_mother_title": 0.9,
            "sikh_religious_names": 0.9,
            "hyphenated_child": 0.15,
            "child_mother_surname": 0.15,
        },
    ),
    Setting(
        "named_newborns",
        "babies recorded under their own names from birth, seldom with the mother's number",
        {
            "baby_named_0_6": 0.2,
            "baby_named_7_27": 0.05,
            "baby_named_28_41": 0.0,
            "mother_nhs_on_newborn": 0.1,
        },
    ),
    Setting(
        "baby_of_everywhere",
        "babies recorded as Baby / Baby of X up to 6 weeks, mostly 'Baby of X'",
        {
            "baby_named_0_6": 1.0,
            "baby_named_7_27": 0.9,
            "baby_named_28_41": 0.6,
            "baby_of_style": 0.9,
        },
    ),
    Setting(
        "blank_edds",
        "six in ten pre-birth rows have no expected delivery date",
        {"plan_edd_missing": 0.6},
    ),
    Setting(
        "doppelgangers",
        "one attending background child in 500 is a plan child's namesake born the same day "
        "(about one attendance in 1,000; real rates are lower)",
        {"doppelganger": 0.002},
    ),
)
TUNING_SEEDS: Final = (7, 11)

# --- HELD-OUT SET -------------------------------------------------------------------
# Tuning never looks at these. They are run once per release (for the closing
# note of a change), with ``--held-out``, and never to choose a rule, a weight or
# a threshold: a result here that prompts a change spends the set, and new
# held-out values and seeds must then be drawn (see docs/evaluation.md). The
# knob values differ from the tuning grid's and the seeds from TUNING_SEEDS.
HELD_OUT: Final = (
    DEFAULT,
    Setting(
        "carers_sometimes_named",
        "half the carers named; the birth mother on 4 in 10 LAC rows",
        {
            "plan_carer_named": 0.5,
            "plan_carer_is_mother": 0.75,
            "plan_lac_birth_mother_named": 0.4,
            "carer_recorded": 0.25,
        },
    ),
    Setting(
        "addresses_and_moves",
        "moderately noisy addresses and a quarter of plan families moved",
        {
            "postcode_missing": 0.08,
            "postcode_typo": 0.05,
            "address_missing": 0.15,
            "plan_postcode_missing": 0.06,
            "plan_lac_address_withheld": 0.25,
            "moved_plan": 0.25,
            "move_same_la": 0.65,
        },
    ),
    Setting(
        "babies_untraced",
        "few baby NHS numbers, fewer Baby-of records, a third of EDDs blank",
        {
            "nhs_missing_newborn": 0.95,
            "mother_nhs_on_newborn": 0.3,
            "baby_named_0_6": 0.5,
            "baby_named_7_27": 0.2,
            "plan_edd_missing": 0.3,
        },
    ),
    Setting(
        "families_scattered",
        "relatives apart, patronymics and step-families together",
        {
            "relatives_apart": 0.3,
            "patronymic": 0.15,
            "blended_plan": 0.6,
            "surname_change": 0.5,
        },
    ),
    Setting(
        "old_lists",
        "half the LAs send a list 150-300 days old",
        {"la_stale_list": 0.5, "stale_list_min_days": 150, "stale_list_max_days": 300},
    ),
    Setting(
        "namesakes_and_moves",
        "namesakes born the same day and a fifth of plan families moved",
        {"doppelganger": 0.004, "moved_plan": 0.2},
    ),
)
HELD_OUT_SEEDS: Final = (2027, 4099)
# --- end of the held-out set ----------------------------------------------------------


def evaluate_plan_kinds(flags: pl.DataFrame, truth_flags: pl.DataFrame) -> pl.DataFrame:
    """Per plan-based kind: ``true, found, match, match_correct, review`` (one place to re-point).

    The counting is cpflag's own evaluation helper; if it moves, only this
    import changes.
    """
    from cpflag.report import evaluate_flags

    return evaluate_flags(flags, truth_flags, kinds=PLAN_KINDS).by_kind.select(
        "flag", "true", "found", "match", "match_correct", "review"
    )


# --- truth of repeat attendance -------------------------------------------------------


def repeat_truth(
    attendances: pl.DataFrame, truth_attendances: pl.DataFrame, config: cpflag.FlagConfig
) -> pl.DataFrame:
    """Which attendances truly meet the repeat rules, by the true person and family.

    The child rule: the child (true ``person_id``, under 18 at arrival) has at
    least ``repeat_min_attendances`` attendances in the ``repeat_window_days``
    window ending at this one (earlier arrivals only, this one included). The
    family rule: the children of the true birth family (``family_id``) have at
    least ``family_repeat_min_attendances`` there, by at least two children.

    Returns:
        ``attendance_id``, ``child_rule``, ``family_rule`` for child attendances.
    """
    w = config.repeat_window_days
    kids = (
        truth_attendances.filter(~pl.col("is_adult"))
        .select("attendance_id", "person_id", "family_id", "arrival_date")
        .join(attendances.select("attendance_id", "arrival_time"), on="attendance_id")
        .sort("arrival_time", "attendance_id")
        .with_row_index("ord")
    )
    if kids.height == 0:
        return pl.DataFrame(
            schema={"attendance_id": pl.String, "child_rule": pl.Boolean, "family_rule": pl.Boolean}
        )

    def window(by: str) -> pl.DataFrame:
        other = kids.select(
            by,
            pl.col("ord").alias("ord_j"),
            pl.col("arrival_date").alias("date_j"),
            pl.col("person_id").alias("person_j"),
        )
        return (
            kids.join(other, on=by)
            .filter(
                (pl.col("ord_j") <= pl.col("ord"))
                & ((pl.col("arrival_date") - pl.col("date_j")).dt.total_days() <= w)
            )
            .group_by("attendance_id")
            .agg(n=pl.len(), children=pl.col("person_j").n_unique())
        )

    child = window("person_id")
    family = window("family_id")
    return (
        kids.select("attendance_id")
        .join(child.select("attendance_id", pl.col("n").alias("n_child")), on="attendance_id")
        .join(family.rename({"n": "n_family"}), on="attendance_id")
        .select(
            "attendance_id",
            (pl.col("n_child") >= config.repeat_min_attendances).alias("child_rule"),
            (
                (pl.col("n_family") >= config.family_repeat_min_attendances)
                & (pl.col("children") >= 2)
            ).alias("family_rule"),
        )
    )


# --- calibration ----------------------------------------------------------------------


def flag_probability(flags: pl.DataFrame) -> pl.Series:
    """Each flag's probability: ``match_probability`` if the flags have one, else from ``score``.

    ``score`` is a log2 match weight w, so p = 2^w / (1 + 2^w) = 1 / (1 + 2^-w).
    A ``repeat_attendance`` score is a count, not a weight: null unless the
    flags carry ``match_probability``.
    """
    if "match_probability" in flags.columns:
        return flags["match_probability"].cast(pl.Float64).alias("p")
    w = flags["score"].cast(pl.Float64).to_numpy()
    p = 1.0 / (1.0 + np.exp2(-np.clip(w, -1000.0, 1000.0)))
    weight = (flags["flag"] != "repeat_attendance").to_numpy()
    return pl.Series("p", np.where(weight, p, np.nan)).fill_nan(None)


def _bins(p: npt.NDArray[np.float64], edges: Sequence[float]) -> npt.NDArray[np.int64]:
    """Bin of each probability: (lo, hi], the first bin closed at 0."""
    return np.searchsorted(np.asarray(edges[1:-1]), p, side="left").astype(np.int64)


def reliability_table(
    p: npt.ArrayLike, correct: npt.ArrayLike, edges: Sequence[float] = CAL_EDGES
) -> pl.DataFrame:
    """``lo, hi, n, mean_p, accuracy`` per probability bin (empty bins left out)."""
    pa = np.asarray(p, dtype=np.float64)
    ca = np.asarray(correct, dtype=np.float64)
    b = _bins(pa, edges)
    rows = []
    for i in range(len(edges) - 1):
        sel = b == i
        n = int(sel.sum())
        if n:
            rows.append(
                {
                    "lo": edges[i],
                    "hi": edges[i + 1],
                    "n": n,
                    "mean_p": float(pa[sel].mean()),
                    "accuracy": float(ca[sel].mean()),
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "lo": pl.Float64,
            "hi": pl.Float64,
            "n": pl.Int64,
            "mean_p": pl.Float64,
            "accuracy": pl.Float64,
        },
    )


def expected_calibration_error(
    p: npt.ArrayLike, correct: npt.ArrayLike, edges: Sequence[float] = CAL_EDGES
) -> float | None:
    """ECE = sum over bins of (n_bin / N) * |accuracy_bin - mean p_bin|; None without flags."""
    t = reliability_table(p, correct, edges)
    total = int(t["n"].sum())
    if total == 0:
        return None
    gap = (t["accuracy"] - t["mean_p"]).abs() * t["n"]
    return float(gap.sum()) / total


# --- one run --------------------------------------------------------------------------


@attrs.frozen
class RunResult:
    """Counts of one (setting, seed) run."""

    #: per kind: true, found, match, match_correct, review, review_correct,
    #: findable, found_findable (relationship kinds; null otherwise)
    counts: pl.DataFrame
    #: attendances, nolist_child_attendances, nolist_match, nolist_review
    nolist: dict[str, int]
    #: every flag: flag, band, p, correct
    scored: pl.DataFrame
    seconds_flagging: float


def _nolist(data: synth.SynthData, scored: pl.DataFrame) -> dict[str, int]:
    """Wrong plan-subject flags on children of the LAs that share no list.

    A child's LA is its birth family's (``truth_persons.la_code``); no plan row
    of such an LA is on the lists, so every such flag is wrong (counted as
    wrong by the truth all the same).
    """
    shared = data.manifest["la_code"].implode()
    people = data.truth_persons.select("person_id", "la_code")
    kids = (
        data.truth_attendances.filter(~pl.col("is_adult"))
        .select("attendance_id", "person_id")
        .join(people, on="person_id")
        .filter(~pl.col("la_code").is_in(shared))
    )
    ps = scored.filter((pl.col("flag") == "plan_subject") & ~pl.col("correct")).join(
        kids.select("attendance_id"), on="attendance_id"
    )
    return {
        "attendances": data.attendances.height,
        "nolist_child_attendances": kids.height,
        "nolist_match": ps.filter(pl.col("band") == "match").height,
        "nolist_review": ps.filter(pl.col("band") == "review").height,
    }


def evaluate_run(
    data: synth.SynthData, flags: pl.DataFrame, config: cpflag.FlagConfig
) -> tuple[pl.DataFrame, dict[str, int], pl.DataFrame]:
    """Counts per kind, no-list counts and every flag with its probability and correctness."""
    key = ["attendance_id", "flag", "plan_id"]
    plan_counts = evaluate_plan_kinds(flags, data.truth_flags)
    truth_keys = data.truth_flags.select(key).unique().with_columns(pl.lit(True).alias("_true"))
    rep = repeat_truth(data.attendances, data.truth_attendances, config)
    # One row per (attendance, kind, plan), the first, as cpflag's evaluation counts them.
    flags = flags.unique(key, keep="first", maintain_order=True)
    scored = (
        flags.with_columns(flag_probability(flags))
        .join(truth_keys, on=key, how="left")
        .join(rep, on="attendance_id", how="left")
        .with_columns(
            pl.when(pl.col("flag") != "repeat_attendance")
            .then(pl.col("_true").fill_null(False))
            .when(pl.col("band") == "match")
            .then(pl.col("child_rule").fill_null(False))
            .otherwise((pl.col("child_rule") | pl.col("family_rule")).fill_null(False))
            .alias("correct")
        )
        .select("attendance_id", "flag", "band", "p", "correct")
    )
    r = scored.filter(pl.col("flag") == "repeat_attendance")
    # What a run raises is what it is asked for: family-only rows only when on.
    family = pl.col("family_rule") & pl.lit(config.repeat_family_rows)
    rep_true = rep.filter(pl.col("child_rule") | family)
    rep_row = {
        "flag": "repeat_attendance",
        "true": rep_true.height,
        "found": rep_true.join(r, on="attendance_id", how="semi").height,
        "match": r.filter(pl.col("band") == "match").height,
        "match_correct": r.filter((pl.col("band") == "match") & pl.col("correct")).height,
        "review": r.filter(pl.col("band") == "review").height,
    }
    counts = pl.concat([plan_counts, pl.DataFrame([rep_row], schema=plan_counts.schema)])
    review_correct = (
        scored.filter((pl.col("band") == "review") & pl.col("correct"))
        .group_by("flag")
        .agg(review_correct=pl.len())
    )
    relationship = flags.filter(pl.col("flag").is_in(PLAN_KINDS[1:]))
    evidence = evidence_of_true_flags(data.truth_flags, data.attendances, data.plans)
    findable = recall_where_findable(relationship, evidence).select(
        "flag", "findable", "found_findable"
    )
    counts = (
        counts.join(review_correct, on="flag", how="left")
        .join(findable, on="flag", how="left")
        .with_columns(pl.col("review_correct").fill_null(0).cast(pl.Int64))
    )
    return counts, _nolist(data, scored), scored


def run_one(
    setting: Setting,
    seed: int,
    *,
    scale: str,
    days: int,
    n_attendances: int | None = None,
    n_plan_rows: int | None = None,
) -> RunResult:
    """Generate one data set of ``setting``, flag it and count."""
    data = synth.generate(
        scale=scale,
        days=days,
        seed=seed,
        rates=setting.rates(),
        n_attendances=n_attendances,
        n_plan_rows=n_plan_rows,
    )
    t0 = time.perf_counter()
    index = cpflag.build_index(data.plans, manifest=data.manifest)
    run = cpflag.run_flagging(data.attendances, index)
    seconds = time.perf_counter() - t0
    counts, nolist, scored = evaluate_run(data, run.flags, index.config)
    return RunResult(counts=counts, nolist=nolist, scored=scored, seconds_flagging=seconds)


# --- the sweep ------------------------------------------------------------------------


def _ratio(num: str, den: str) -> pl.Expr:
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


@attrs.frozen
class SweepReport:
    """The sweep's results, pooled over seeds within each setting.

    ``metrics``: per (setting, flag): the counts and ``precision_match``,
    ``recall``, ``recall_findable``, ``precision_review``,
    ``false_reviews_per_1000``, ``ece``. ``nolist``: per setting: attendances,
    no-list child attendances, plan-subject flags on them at match / review.
    ``reliability``: per (setting, flag, bin): n, mean_p, accuracy.
    ``worst``: per (flag, metric): the default's value and the worst over the
    other settings, with the setting that gave it.
    """

    settings: tuple[str, ...]
    seeds: tuple[int, ...]
    scale: str
    days: int
    metrics: pl.DataFrame
    nolist: pl.DataFrame
    reliability: pl.DataFrame
    worst: pl.DataFrame
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": list(self.settings),
            "seeds": list(self.seeds),
            "scale": self.scale,
            "days": self.days,
            "metrics": self.metrics.to_dicts(),
            "nolist": self.nolist.to_dicts(),
            "reliability": self.reliability.to_dicts(),
            "worst": self.worst.to_dicts(),
            "seconds": self.seconds,
        }


#: Metric, and whether higher is better (the worst is then the lowest).
METRICS: Final = (
    ("precision_match", True),
    ("recall", True),
    ("recall_findable", True),
    ("precision_review", True),
    ("false_reviews_per_1000", False),
    ("ece", False),
)


def _metrics(counts: pl.DataFrame, attendances: pl.DataFrame, ece: pl.DataFrame) -> pl.DataFrame:
    pooled = counts.group_by("setting", "flag", maintain_order=True).agg(
        pl.col("true", "found", "match", "match_correct", "review", "review_correct").sum(),
        pl.col("findable").sum(),
        pl.col("found_findable").sum(),
        pl.col("findable").is_null().all().alias("_no_evidence"),
    )
    return (
        pooled.join(attendances, on="setting")
        .join(ece, on=["setting", "flag"], how="left")
        .with_columns(
            _ratio("match_correct", "match").alias("precision_match"),
            _ratio("found", "true").alias("recall"),
            pl.when(pl.col("_no_evidence"))
            .then(None)
            .otherwise(_ratio("found_findable", "findable"))
            .alias("recall_findable"),
            _ratio("review_correct", "review").alias("precision_review"),
            (1000 * (pl.col("review") - pl.col("review_correct")) / pl.col("attendances")).alias(
                "false_reviews_per_1000"
            ),
        )
        .drop("_no_evidence")
    )


def _worst_row(
    frame: pl.DataFrame, flag: str, metric: str, column: str, *, higher: bool
) -> dict[str, Any]:
    """The default's value of ``column`` and the worst over the other settings.

    Several settings sharing the worst value are named as ``first (+k tied)``,
    in grid order.
    """
    d = frame.filter(pl.col("setting") == DEFAULT.name)[column].to_list()
    o = frame.filter((pl.col("setting") != DEFAULT.name) & pl.col(column).is_not_null())
    worst = (o[column].min() if higher else o[column].max()) if o.height else None
    where = None
    if worst is not None:
        tied = o.filter(pl.col(column) == worst)["setting"].to_list()
        where = tied[0] + (f" (+{len(tied) - 1} tied)" if len(tied) > 1 else "")
    return {
        "flag": flag,
        "metric": metric,
        "default": None if not d or d[0] is None else float(d[0]),
        "worst": None if worst is None else float(worst),  # type: ignore[arg-type]
        "worst_setting": where,
    }


def _worst(metrics: pl.DataFrame, nolist: pl.DataFrame) -> pl.DataFrame:
    """Per (flag, metric): the default's value, the worst of the others and where."""
    rows: list[dict[str, Any]] = []
    for kind in KINDS:
        per_kind = metrics.filter(pl.col("flag") == kind)
        for name, higher in METRICS:
            rows.append(_worst_row(per_kind, kind, name, name, higher=higher))
    for name in ("nolist_match", "nolist_review"):
        rows.append(_worst_row(nolist, "plan_subject", name, name, higher=False))
    total = metrics.group_by("setting", maintain_order=True).agg(
        (
            1000
            * (pl.col("review") - pl.col("review_correct")).sum()
            / pl.col("attendances").first()
        ).alias("v")
    )
    rows.append(_worst_row(total, "all", "false_reviews_per_1000", "v", higher=False))
    return pl.DataFrame(
        rows,
        schema={
            "flag": pl.String,
            "metric": pl.String,
            "default": pl.Float64,
            "worst": pl.Float64,
            "worst_setting": pl.String,
        },
    )


_RELIABILITY_SCHEMA: Final = {
    "setting": pl.String,
    "flag": pl.String,
    "lo": pl.Float64,
    "hi": pl.Float64,
    "n": pl.Int64,
    "mean_p": pl.Float64,
    "accuracy": pl.Float64,
}


def run_sweep(
    settings: Iterable[Setting],
    seeds: Sequence[int],
    *,
    scale: str = "demo",
    days: int = 1,
    n_attendances: int | None = None,
    n_plan_rows: int | None = None,
    progress: bool = False,
) -> SweepReport:
    """Run cpflag over every (setting, seed) and pool the counts per setting."""
    t0 = time.perf_counter()
    settings = tuple(settings)
    counts, nolist, scored = [], [], []
    for s in settings:
        for seed in seeds:
            r = run_one(
                s,
                seed,
                scale=scale,
                days=days,
                n_attendances=n_attendances,
                n_plan_rows=n_plan_rows,
            )
            counts.append(r.counts.with_columns(setting=pl.lit(s.name), seed=pl.lit(seed)))
            nolist.append({"setting": s.name, "seed": seed, **r.nolist})
            scored.append(r.scored.with_columns(setting=pl.lit(s.name)))
            if progress:
                print(
                    f"  {s.name:<24} seed {seed:<5} {r.nolist['attendances']:>7} attendances,"
                    f" flagged in {r.seconds_flagging:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    nl = pl.DataFrame(nolist).group_by("setting", maintain_order=True).agg(pl.exclude("seed").sum())
    all_scored = pl.concat(scored)
    rel_rows, ece_rows = [], []
    for (setting, kind), g in all_scored.filter(pl.col("p").is_not_null()).group_by(
        "setting", "flag", maintain_order=True
    ):
        p, c = g["p"].to_numpy(), g["correct"].to_numpy()
        rel_rows.append(
            reliability_table(p, c).with_columns(setting=pl.lit(setting), flag=pl.lit(kind))
        )
        ece_rows.append({"setting": setting, "flag": kind, "ece": expected_calibration_error(p, c)})
    ece = pl.DataFrame(
        ece_rows, schema={"setting": pl.String, "flag": pl.String, "ece": pl.Float64}
    )
    reliability = (
        pl.concat(rel_rows).select(*_RELIABILITY_SCHEMA)
        if rel_rows
        else pl.DataFrame(schema=_RELIABILITY_SCHEMA)
    )
    metrics = _metrics(pl.concat(counts), nl.select("setting", "attendances"), ece)
    return SweepReport(
        settings=tuple(s.name for s in settings),
        seeds=tuple(seeds),
        scale=scale,
        days=days,
        metrics=metrics,
        nolist=nl,
        reliability=reliability,
        worst=_worst(metrics, nl),
        seconds=time.perf_counter() - t0,
    )


# --- text -------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def setting_text(report: SweepReport, setting: str) -> str:
    """The per-kind table of one setting."""
    m = report.metrics.filter(pl.col("setting") == setting)
    nl = report.nolist.filter(pl.col("setting") == setting).row(0, named=True)
    lines = [
        f"== {setting} ({nl['attendances']} attendances over seeds {list(report.seeds)})",
        f"{'flag':<24} {'true':>6} {'match':>6} {'P@match':>8} {'R@m+r':>7} {'R@find':>7}"
        f" {'review':>6} {'P(rev)':>7} {'FR/1k':>6} {'ECE':>6}",
    ]
    for r in m.iter_rows(named=True):
        lines.append(
            f"{r['flag']:<24} {r['true']:>6} {r['match']:>6} {_f(r['precision_match']):>8}"
            f" {_f(r['recall']):>7} {_f(r['recall_findable']):>7} {r['review']:>6}"
            f" {_f(r['precision_review']):>7} {_f(r['false_reviews_per_1000'], 2):>6}"
            f" {_f(r['ece']):>6}"
        )
    lines.append(
        f"plan_subject flags on children of LAs that share no list"
        f" ({nl['nolist_child_attendances']} attendances): match {nl['nolist_match']},"
        f" review {nl['nolist_review']}"
    )
    return "\n".join(lines)


def reliability_text(report: SweepReport, setting: str) -> str:
    """Reliability table per kind of one setting (bins of p; accuracy = share right)."""
    r = report.reliability.filter(pl.col("setting") == setting)
    lines = [f"== reliability, {setting}: flags by probability bin (p from score unless given)"]
    for kind in KINDS:
        k = r.filter(pl.col("flag") == kind)
        if k.height == 0:
            continue
        ece = report.metrics.filter((pl.col("setting") == setting) & (pl.col("flag") == kind))[
            "ece"
        ].to_list()
        lines.append(f"{kind}: ECE {_f(ece[0] if ece else None)}")
        for b in k.iter_rows(named=True):
            lines.append(
                f"  p in ({b['lo']:.4f}, {b['hi']:.4f}]  n {b['n']:>6}"
                f"  mean p {b['mean_p']:.5f}  right {b['accuracy']:.3f}"
            )
    return "\n".join(lines)


def worst_text(report: SweepReport) -> str:
    """The final table: the worst value of every metric over the settings, beside the default."""
    lines = [
        f"== WORST over {len(report.settings) - 1} settings beside the default"
        f" (scale {report.scale}, days {report.days}, seeds {list(report.seeds)})",
        f"{'flag':<24} {'metric':<24} {'default':>8} {'worst':>8}  worst setting",
    ]
    for r in report.worst.iter_rows(named=True):
        digits = 0 if r["metric"].startswith("nolist") else 3
        lines.append(
            f"{r['flag']:<24} {r['metric']:<24} {_f(r['default'], digits):>8}"
            f" {_f(r['worst'], digits):>8}  {r['worst_setting'] or ''}"
        )
    return "\n".join(lines)


def to_text(report: SweepReport, *, reliability: str = "default") -> str:
    parts = [setting_text(report, s) for s in report.settings]
    shown = {"none": [], "default": [DEFAULT.name], "all": list(report.settings)}[reliability]
    parts += [reliability_text(report, s) for s in shown if s in report.settings]
    parts.append(worst_text(report))
    return "\n\n".join(parts)


def _pick(grid: Sequence[Setting], names: str | None) -> list[Setting]:
    if names is None:
        return list(grid)
    by_name = {s.name: s for s in grid}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise SystemExit(f"unknown settings {unknown}; this grid has {sorted(by_name)}")
    if DEFAULT.name not in wanted:
        wanted.insert(0, DEFAULT.name)
    return [by_name[n] for n in wanted]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", default="demo", choices=sorted(synth.SCALES))
    ap.add_argument(
        "--days",
        type=int,
        default=None,
        help="days of history per data set (default: 30 demo, 7 region, 1 national)",
    )
    ap.add_argument("--seeds", type=int, nargs="+", default=None)
    ap.add_argument("--settings", default=None, help="comma-separated names (default: all)")
    ap.add_argument(
        "--held-out",
        action="store_true",
        help="run the held-out settings and seeds (once per release; never for tuning)",
    )
    ap.add_argument("--reliability", choices=("none", "default", "all"), default="default")
    ap.add_argument("--json", type=Path, default=None, help="also write the report as JSON")
    args = ap.parse_args(argv)
    days = args.days if args.days is not None else DEFAULT_DAYS[args.scale]
    if args.held_out:
        if args.seeds is not None:
            raise SystemExit("--held-out uses the held-out seeds; --seeds is not allowed with it")
        grid, seeds = _pick(HELD_OUT, args.settings), list(HELD_OUT_SEEDS)
    else:
        grid, seeds = _pick(TUNING, args.settings), list(args.seeds or TUNING_SEEDS)
    label = "HELD-OUT" if args.held_out else "tuning"
    print(
        f"sweep ({label}): scale {args.scale}, days {days}, seeds {seeds},"
        f" {len(grid)} settings; cpflag {cpflag.__version__};"
        f" {os.cpu_count()} CPUs",
        file=sys.stderr,
    )
    report = run_sweep(grid, seeds, scale=args.scale, days=days, progress=True)
    print(to_text(report, reliability=args.reliability))
    print(f"\n{label} sweep: {report.seconds:.0f} s wall")
    if args.json is not None:
        args.json.write_text(json.dumps({"grid": label, **report.to_dict()}, indent=1, default=str))


if __name__ == "__main__":
    main()
