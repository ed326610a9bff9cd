"""The Splink side of ``compare_splink.py``: a Splink model as a careful user would build it.

Splink (https://github.com/moj-analytical-services/splink) is an optional
benchmark extra (``pip install 'cpflag[splink]'``); cpflag itself never imports it.

The model follows Splink's documented workflow for a two-table ``link_only``
job on the DuckDB backend:

* the usual clean-up in polars before Splink sees the data -- upper case and
  trimmed names, NHS number and postcode without spaces/dashes (postcode
  re-spaced as ``SW1A 1AA``, the form ``PostcodeComparison`` parses), ECDS sex
  codes mapped to M/F -- but none of cpflag's domain normalisers (no nickname
  groups, no "Baby of" handling, no surname parts, no Modulus 11 check, no
  placeholder postcodes);
* library comparisons as close to cpflag's as Splink offers (``ExactMatch`` for
  the NHS number and sex, ``NameComparison`` with term-frequency adjustment for
  both names, ``DateOfBirthComparison``, ``PostcodeComparison``);
* blocking of the same kind as cpflag's default rules;
* ``u`` by random sampling, ``m`` by EM on two blocking rules, the prior from
  deterministic rules with an assumed recall, then ``predict`` with a threshold.

Works with Splink 4 (``Linker(tables, settings, db_api)``) and Splink 5
(``db_api.register(table)``; ``Linker(registered, settings)``).
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

#: Blocking rules for prediction: (name, key columns). The same kind as cpflag's
#: default rules (NHS number; DOB; surname + birth year; given name + birth
#: year and month; postcode + birth year; given + family name), without its
#: domain keys (swapped DOB, surname parts by sound, nickname groups).
PREDICT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("nhs_number", ("nhs_number",)),
    ("dob", ("date_of_birth",)),
    ("surname_year", ("family_name", "dob_year")),
    ("given_year_month", ("given_name", "dob_year", "dob_month")),
    ("postcode_year", ("postcode", "dob_year")),
    ("given_surname", ("given_name", "family_name")),
)

#: EM is run once per rule (Splink's docs: two or more rules, so that every
#: comparison is estimated at least once while not blocked on).
EM_RULES: tuple[tuple[str, ...], ...] = (("given_name", "family_name"), ("date_of_birth",))

#: Deterministic rules and their assumed recall for
#: ``estimate_probability_two_random_records_match`` (the docs' recipe).
DETERMINISTIC_RULES: tuple[tuple[str, ...], ...] = (
    ("nhs_number",),
    ("given_name", "family_name", "date_of_birth"),
)
DETERMINISTIC_RECALL = 0.9

_SEX = {"M": "M", "F": "F", "1": "M", "2": "F", "MALE": "M", "FEMALE": "F"}


def _name(col: str) -> pl.Expr:
    s = pl.col(col).cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(s == "").then(None).otherwise(s).alias(col)


def _postcode() -> pl.Expr:
    s = pl.col("postcode").cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", "")
    spaced = pl.concat_str([s.str.slice(0, s.str.len_chars() - 3), s.str.slice(-3)], separator=" ")
    return pl.when(s.str.len_chars() >= 5).then(spaced).otherwise(None).alias("postcode")


def _date(col: str, frame: pl.DataFrame) -> pl.Expr:
    if col not in frame.columns:
        return pl.lit(None, pl.Date).alias(col)
    if frame.schema[col] == pl.Date:
        return pl.col(col)
    if frame.schema[col] == pl.Datetime:
        return pl.col(col).dt.date()
    return pl.col(col).cast(pl.String).str.to_date(strict=False).alias(col)


def splink_frame(people: pl.DataFrame, id_column: str) -> pl.DataFrame:
    """The plain clean-up a Splink user does before linking (no domain normalisers).

    Args:
        people: Attendances or plan rows (contract columns).
        id_column: ``attendance_id`` or ``plan_id``.

    Returns:
        ``unique_id`` and the cleaned comparison and blocking columns.
    """
    for c in ("nhs_number", "given_name", "family_name", "sex", "postcode"):
        if c not in people.columns:
            people = people.with_columns(pl.lit(None, pl.String).alias(c))
    nhs = pl.col("nhs_number").cast(pl.String).str.replace_all(r"[\s-]", "")
    sex = pl.col("sex").cast(pl.String).str.strip_chars().str.to_uppercase()
    out = people.select(
        pl.col(id_column).cast(pl.String).alias("unique_id"),
        pl.when(nhs == "").then(None).otherwise(nhs).alias("nhs_number"),
        _name("given_name"),
        _name("family_name"),
        _date("date_of_birth", people),
        sex.replace_strict(_SEX, default=None, return_dtype=pl.String).alias("sex"),
        _postcode(),
    )
    return out.with_columns(
        pl.col("date_of_birth").dt.year().cast(pl.String).alias("dob_year"),
        pl.col("date_of_birth").dt.month().cast(pl.String).alias("dob_month"),
    )


def _settings(prior: float) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        probability_two_random_records_match=prior,
        comparisons=[
            cl.ExactMatch("nhs_number"),
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=False),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[block_on(*keys) for _, keys in PREDICT_RULES],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def _major_version() -> int:
    import splink

    return int(str(splink.__version__).split(".")[0])


def _make_linker(left: pl.DataFrame, right: pl.DataFrame, settings: Any, db_api: Any) -> Any:
    from splink import Linker

    tables = [left.to_arrow(), right.to_arrow()]
    names = ["attendances", "plans"]
    if _major_version() >= 5:
        registered = [
            db_api.register(t, dataset_display_name=n) for t, n in zip(tables, names, strict=True)
        ]
        return Linker(registered, settings, log_level=None)
    # Splink 4's signature (the installed stubs may be Splink 5's).
    linker4: Any = Linker
    return linker4(tables, settings, db_api, input_table_aliases=names, set_up_basic_logging=False)


@dataclass
class SplinkRun:
    """What one Splink run produced.

    Attributes:
        pairs: Scored pairs above the prediction threshold: ``attendance_id``,
            ``plan_id``, ``match_weight``, ``match_probability``.
        candidate_pairs: Pairs the prediction blocking rules generate (deduplicated).
        pairs_per_rule: Pairs each prediction rule generates on its own.
        seconds: Wall time per stage (``prepare``, ``train_u``, ``train_m``,
            ``train_prior``, ``predict``).
        parameters: The trained model (Splink's settings dict).
        prior: The estimated probability that two random records match.
        notes: Anything the training had to work around.
    """

    pairs: pl.DataFrame
    candidate_pairs: int
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    prior: float = 0.0
    notes: list[str] = field(default_factory=list)


def run_splink(
    attendances: pl.DataFrame,
    plan_subjects: pl.DataFrame,
    *,
    predict_weight: float,
    u_max_pairs: float = 1e7,
    seed: int = 7,
) -> SplinkRun:
    """Clean, train and predict with Splink (DuckDB), timing each stage.

    Args:
        attendances: The attendances (contract columns).
        plan_subjects: The plan rows whose subject is a person (cpp/lac/cin/marac).
        predict_weight: Keep pairs with a match weight at or above this.
        u_max_pairs: ``max_pairs`` for ``estimate_u_using_random_sampling``.
        seed: Seed for the u sampling.

    Returns:
        The scored pairs, the candidate-pair count, timings and parameters.
    """
    # Imported before the clock starts: import time is not linkage time.
    from splink import DuckDBAPI, block_on

    # Splink warns at length about levels not estimated by one EM session; the
    # second session covers them, so only errors are worth showing here.
    logging.getLogger("splink").setLevel(logging.ERROR)
    sec: dict[str, float] = {}
    t = time.perf_counter()
    left = splink_frame(attendances, "attendance_id")
    right = splink_frame(plan_subjects, "plan_id")
    linker = _make_linker(left, right, _settings(prior=1e-4), DuckDBAPI())
    sec["prepare"] = time.perf_counter() - t

    t = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*k) for k in DETERMINISTIC_RULES], recall=DETERMINISTIC_RECALL
    )
    sec["train_prior"] = time.perf_counter() - t
    t = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    sec["train_u"] = time.perf_counter() - t
    t = time.perf_counter()
    notes: list[str] = []
    for keys in EM_RULES:
        # A failed session leaves the linker half-changed, so train on a copy.
        backup = copy.deepcopy(linker)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*keys))
        except ValueError as err:
            # Small data: a level no true match falls in (e.g. a completely
            # different DOB among same-name pairs) has its m shrink each
            # iteration until Splink 5 rejects the underflow. Re-run that
            # session with the prior held at its deterministic estimate.
            if "below the minimum" not in str(err):
                raise
            linker = backup
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*keys), fix_probability_two_random_records_match=True
            )
            notes.append(
                f"EM on {' + '.join(keys)}: m underflowed to 0; re-run with the prior fixed"
            )
    sec["train_m"] = time.perf_counter() - t

    t = time.perf_counter()
    pred = linker.inference.predict(threshold_match_weight=predict_weight)
    raw = pred.as_duckdbpyrelation().pl()
    pairs = _orient(raw)
    sec["predict"] = time.perf_counter() - t

    settings = linker.misc.save_model_to_json()
    total, per_rule = candidate_pairs(left, right)
    return SplinkRun(
        pairs=pairs,
        candidate_pairs=total,
        pairs_per_rule=per_rule,
        seconds=sec,
        parameters=settings,
        prior=float(settings["probability_two_random_records_match"]),
        notes=notes,
    )


def _orient(raw: pl.DataFrame) -> pl.DataFrame:
    """``attendance_id``/``plan_id`` from Splink's l/r columns, whichever side is which."""
    att_left = pl.col("source_dataset_l") == "attendances"
    return raw.select(
        pl.when(att_left).then("unique_id_l").otherwise("unique_id_r").alias("attendance_id"),
        pl.when(att_left).then("unique_id_r").otherwise("unique_id_l").alias("plan_id"),
        "match_weight",
        "match_probability",
    )


def candidate_pairs(left: pl.DataFrame, right: pl.DataFrame) -> tuple[int, dict[str, int]]:
    """Distinct pairs the prediction rules generate, and pairs per rule (untimed).

    The union of equi-joins on the cleaned frames, which is what Splink's
    blocking generates (it drops a pair already found by an earlier rule).
    """
    found = []
    per_rule: dict[str, int] = {}
    for name, keys in PREDICT_RULES:
        lk = left.select("unique_id", *keys).drop_nulls()
        rk = right.select(pl.col("unique_id").alias("rid"), *keys).drop_nulls()
        pairs = lk.join(rk, on=list(keys), how="inner").select("unique_id", "rid")
        per_rule[name] = pairs.height
        found.append(pairs)
    return pl.concat(found).unique().height, per_rule


def blocking_recall(
    attendances: pl.DataFrame, plan_subjects: pl.DataFrame, truth: pl.DataFrame
) -> tuple[float, dict[str, float]]:
    """Share of true (attendance, plan) pairs the Splink prediction rules can find.

    Evaluated directly on the cleaned frames (a pair is found by a rule when
    every key is present and equal on both sides), so no Splink run is needed.

    Args:
        attendances: The attendances.
        plan_subjects: The plan rows with a subject.
        truth: True pairs (``attendance_id``, ``plan_id``).

    Returns:
        The union recall and the recall of each rule alone.
    """
    left = splink_frame(attendances, "attendance_id")
    right = splink_frame(plan_subjects, "plan_id")
    tp = (
        truth.select("attendance_id", "plan_id")
        .unique()
        .join(left.rename({"unique_id": "attendance_id"}), on="attendance_id", how="inner")
        .join(right.rename({"unique_id": "plan_id"}), on="plan_id", how="inner", suffix="_r")
    )
    if tp.height == 0:
        return 0.0, {}
    per_rule: dict[str, float] = {}
    any_hit = pl.lit(False)
    for name, keys in PREDICT_RULES:
        hit = pl.all_horizontal(
            [pl.col(k).is_not_null() & (pl.col(k) == pl.col(f"{k}_r")) for k in keys]
        ).fill_null(False)
        per_rule[name] = float(tp.select(hit.mean()).item())
        any_hit = any_hit | hit
    return float(tp.select(any_hit.mean()).item()), per_rule
