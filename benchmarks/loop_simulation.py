"""A 30-night simulation of closing the loop on synthetic data with ground truth.

Usage: ``python benchmarks/loop_simulation.py [--nights 30] [--seed 3] [--late-share 0.1]``

Each night runs ``cpflag.run_flagging(..., close_loop=True)`` on that day's
attendances against the lists as the LAs shared them: lists are refreshed
weekly (their ``list_date`` moves on each seventh night), and a share of the
plans behind true plan-subject attendances is *added late*: withheld from the
lists until the first weekly refresh after the child's first attendance.
After each night, every review flag raised, and an audit sample of the match
flags (``--audit-share``, default a fifth), is decided from the ground truth
(confirmed when the synthetic truth has the pair, rejected otherwise; repeat
attendance, which the truth tables do not cover, is left undecided) and the
outcomes are fed to the next night. Every fifth night is run twice.

It reports:

* every true plan-subject pair cpflag raised at ``match`` (or confirmed at
  review) reaches its LA's notifications exactly once;
* no ``notification_id`` is in two nights' files, and a re-run of a night
  writes the same files;
* every attendance findable once its late plan arrives (an oracle run with
  the full lists finds it, and it is within the look-back window) is raised
  by look-back on the night the plan arrives, once;
* a rejected pair never returns (in flags or notifications) after rejection,
  nor at triage: an index built with the store's outcomes
  (``build_index(..., history=...)``) is asked again for every rejected pair's
  attendance, by ``match_one`` and by ``match``; confirmed pairs come back as
  known links;
* the calibration of ``match_probability`` on the decided flags: expected
  calibration error before, and after a Platt recalibration fitted on the
  decisions (out of fold; ``cpflag.loop.calibration``);
* ``cpflag train`` with the outcomes (``cpflag.loop.train_model``, the
  ``cpflag train --history`` path): the labelled pairs, the error before and
  after its recalibration (out of fold), and the error of every plan-based
  flag of the 30 nights against the ground truth (decided or not) with the
  shipped model, the trained model's own probabilities and the recalibrated ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attrs

import cpflag
from cpflag import loop, synth
from cpflag.loop import expected_calibration_error

KEY = ["attendance_id", "plan_id", "flag"]


def _late_plans(data: synth.SynthData, share: float, seed: int, days: list[dt.date]) -> dict:
    """``{plan_id: reveal day}``: plans withheld until the refresh after their first visit."""
    att_day = data.attendances.select(
        "attendance_id", pl.col("arrival_time").dt.date().alias("day")
    )
    subject = (
        data.truth_flags.filter(pl.col("flag") == "plan_subject")
        .join(att_day, on="attendance_id")
        .group_by("plan_id")
        .agg(pl.col("day").min().alias("first"))
        .filter(pl.col("first") < days[-7])
        .sort("plan_id")
    )
    rng = np.random.default_rng(seed)
    pick = rng.random(subject.height) < share
    refreshes = days[::7]
    out = {}
    for pid, first in subject.filter(pl.Series(pick)).iter_rows():
        out[pid] = next(r for r in refreshes if r > first)
    return out


def _decide(
    flags: pl.DataFrame, truth: pl.DataFrame, day: dt.date, audit_share: float, seed: int
) -> pl.DataFrame:
    # The truth tables hold the plan-based flags only: repeat attendance is left undecided.
    plan_based = flags.filter(pl.col("flag") != "repeat_attendance").sort(KEY, nulls_last=True)
    rng = np.random.default_rng([seed, day.toordinal()])
    audited = pl.Series(rng.random(plan_based.height) < audit_share)
    review = (
        plan_based.filter((pl.col("band") == "review") | audited)
        .select(KEY)
        .unique(maintain_order=True)
    )
    true = truth.select(KEY).with_columns(pl.lit(True).alias("true"))
    return review.join(true, on=KEY, how="left", nulls_equal=True).select(
        *KEY,
        pl.when(pl.col("true"))
        .then(pl.lit("confirmed"))
        .otherwise(pl.lit("rejected"))
        .alias("outcome"),
        pl.lit(day).alias("decided_on"),
        pl.lit("safeguarding nurse").alias("decided_by_role"),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nights", type=int, default=30)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--late-share", type=float, default=0.1)
    ap.add_argument("--audit-share", type=float, default=0.2, help="Match flags decided too.")
    ap.add_argument("--keep", type=Path, help="Keep the store and files here.")
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = synth.generate(scale="demo", seed=args.seed, days=args.nights)
    att = data.attendances.with_columns(pl.col("arrival_time").dt.date().alias("_day"))
    days = sorted(att["_day"].unique().to_list())
    late = _late_plans(data, args.late_share, args.seed, days)
    work = args.keep or Path(tempfile.mkdtemp(prefix="cpflag-loop-"))
    shutil.rmtree(work / "store", ignore_errors=True)
    store = work / "store"
    files: dict[dt.date, dict[str, pl.DataFrame]] = {}
    flags_by_night: dict[dt.date, pl.DataFrame] = {}
    rejected_on: dict[tuple[str, str, str], dt.date] = {}
    decided_all = []
    pending: pl.DataFrame | None = None
    rerun_same = True
    for i, day in enumerate(days):
        refresh = days[(i // 7) * 7]
        visible = [p for p, reveal in late.items() if reveal > refresh]
        plans = data.plans.filter(~pl.col("plan_id").is_in(visible))
        manifest = data.manifest.with_columns(pl.lit(refresh).alias("list_date"))
        batch = att.filter(pl.col("_day") == day).drop("_day")
        runs = 2 if i % 5 == 4 else 1
        outs = []
        for r in range(runs):
            out_dir = work / "notifications" / f"{day}-{r}"
            run = cpflag.run_flagging(
                batch,
                plans,
                manifest,
                history=store,
                close_loop=True,
                outcomes=pending if r == 0 else None,
                as_of=day,  # each simulated night runs on its own date
            )
            assert run.notifications is not None
            loop.write_notifications(run.notifications, out_dir, run.loaded_las)
            outs.append((run, {p.name: pl.read_csv(p) for p in sorted(out_dir.iterdir())}))
        if runs == 2:
            rerun_same &= outs[0][1].keys() == outs[1][1].keys() and all(
                outs[0][1][k].equals(outs[1][1][k]) for k in outs[0][1]
            )
        run = outs[-1][0]
        files[day] = {"all": run.notifications}
        flags_by_night[day] = run.flags
        pending = _decide(run.flags, data.truth_flags, day, args.audit_share, args.seed)
        decided_all.append(pending)
        for a, p, f in pending.filter(pl.col("outcome") == "rejected").select(KEY).iter_rows():
            rejected_on.setdefault((a, p, f), day)
        print(
            f"night {i + 1:2d} {day}: {batch.height} attendances, {run.flags.height} flags "
            f"({run.summary.loop['lookback_flags']} look-back), "
            f"{run.notifications.height} notifications",
            file=sys.stderr,
        )
    # The last night's decisions go in too (for the audit).
    loop.record_outcomes(store, pending)

    sent = pl.concat([f["all"].with_columns(pl.lit(d).alias("night")) for d, f in files.items()])
    dup_ids = sent.group_by("notification_id").len().filter(pl.col("len") > 1).height
    raised = loop.raised_flags(store)
    truth_ps = data.truth_flags.filter(pl.col("flag") == "plan_subject").select(KEY)
    decided = loop.audit(store)
    outcomes = pl.concat(decided_all)
    confirmed = outcomes.filter(pl.col("outcome") == "confirmed").select(KEY)
    due = (
        raised.join(truth_ps, on=KEY, how="semi")
        .filter(pl.col("band") == "match")
        .select(KEY)
        .vstack(
            raised.join(confirmed, on=KEY, how="semi")
            .join(truth_ps, on=KEY, how="semi")
            .select(KEY)
        )
        .unique()
    )
    counts = due.join(sent.group_by(KEY).len(), on=KEY, how="left").with_columns(
        pl.col("len").fill_null(0)
    )
    # Confirmed on the last night: sent on a later night, after the simulation.
    last = days[-1]
    counts = counts.join(
        outcomes.filter(pl.col("decided_on") == last).select(KEY), on=KEY, how="anti"
    )
    once = counts.filter(pl.col("len") == 1).height

    # Look-back: what an oracle run with the full lists finds for late plans.
    oracle = cpflag.flag(data.attendances, data.plans, data.manifest).join(
        data.attendances.select("attendance_id", pl.col("arrival_time").dt.date().alias("day")),
        on="attendance_id",
    )
    reveal = pl.DataFrame(
        {"plan_id": list(late), "reveal": list(late.values())},
        schema={"plan_id": pl.String, "reveal": pl.Date},
    )
    findable = (
        oracle.join(reveal, on="plan_id")
        .filter(
            (pl.col("day") < pl.col("reveal"))
            & (pl.col("day") >= pl.col("reveal") - pl.duration(days=90))
        )
        .select(*KEY, "reveal")
    )
    rejected_keys = (
        pl.DataFrame([list(k) for k in rejected_on], schema=KEY, orient="row")
        if rejected_on
        else pl.DataFrame(schema=dict.fromkeys(KEY, pl.String))
    )
    lb = raised.filter(pl.col("found") == "lookback").select(*KEY, "raised_on")
    got = findable.join(lb, on=KEY, how="left")
    on_time = got.filter(pl.col("raised_on") == pl.col("reveal")).height
    lb_dups = raised.group_by(KEY).len().filter(pl.col("len") > 1).height

    returned = 0
    if rejected_on:
        when = pl.DataFrame(
            [[*k, d] for k, d in rejected_on.items()],
            schema={**dict.fromkeys(KEY, pl.String), "rejected_on": pl.Date},
            orient="row",
        )
        later_flags = pl.concat(
            [
                f.select(KEY).with_columns(pl.lit(d).alias("night"))
                for d, f in flags_by_night.items()
            ]
        )
        for table in (later_flags, sent.select(*KEY, "night")):
            returned += (
                table.join(when, on=KEY, how="inner", nulls_equal=True)
                .filter(pl.col("night") > pl.col("rejected_on"))
                .height
            )

    check = loop.calibration(store)

    # Triage with the outcomes: every rejected pair's attendance asked again.
    decided_now = loop.outcomes_in_force(store)
    triage = cpflag.build_index(data.plans, data.manifest, history=store)
    asked = data.attendances.join(
        decided_now.select("attendance_id").unique(), on="attendance_id", how="semi"
    )
    one = pl.concat([triage.match_one(r) for r in asked.iter_rows(named=True)])
    batch_again = triage.match(asked)
    rejected_now = decided_now.filter(pl.col("outcome") == "rejected").select(KEY)
    confirmed_now = decided_now.filter(pl.col("outcome") == "confirmed").select(KEY)
    triage_returned = {
        name: frame.join(rejected_now, on=KEY, how="semi", nulls_equal=True).height
        for name, frame in (("match_one", one), ("match", batch_again))
    }
    known = one.join(confirmed_now, on=KEY, how="semi", nulls_equal=True)
    known_links = known.filter(pl.col("reasons").str.starts_with("CONFIRMED by review")).height

    # cpflag train with the outcomes, and every plan-based flag against the truth.
    t1 = time.perf_counter()
    trained = loop.train_model(
        data.attendances, data.plans, manifest=data.manifest, history=store, seed=args.seed
    )
    train_s = time.perf_counter() - t1
    recal_only = loop.train_model(
        data.attendances,
        data.plans,
        manifest=data.manifest,
        history=store,
        seed=args.seed,
        reestimate=False,
    )
    truth_keys = data.truth_flags.select(KEY).with_columns(pl.lit(True).alias("_true"))

    def truth_ece(model: cpflag.LinkageModel | None) -> tuple[float, int]:
        config = cpflag.FlagConfig() if model is None else cpflag.FlagConfig(model=model)
        flags = cpflag.flag(data.attendances, data.plans, data.manifest, config=config)
        f = flags.filter(pl.col("match_probability").is_not_null()).join(
            truth_keys, on=KEY, how="left", nulls_equal=True
        )
        y = f["_true"].fill_null(False).to_numpy().astype(float)
        return expected_calibration_error(f["match_probability"].to_numpy(), y), f.height

    shipped_ece, n_flags = truth_ece(None)
    own_ece, _ = truth_ece(attrs.evolve(trained.model, recalibration=None))
    recal_ece, _ = truth_ece(trained.model)
    shipped_recal_ece, _ = truth_ece(recal_only.model)
    print(
        f"cpflag loop simulation: {len(days)} nights, seed {args.seed}, "
        f"{data.attendances.height} attendances, {data.plans.height} plan rows, "
        f"{len(late)} plans added late ({time.perf_counter() - t0:.0f} s)"
    )
    print(
        f"true plan-subject pairs due to an LA: {counts.height}; "
        f"sent exactly once: {once}; not sent: {counts.filter(pl.col('len') == 0).height}; "
        f"sent more than once: {counts.filter(pl.col('len') > 1).height}"
    )
    print(
        f"notification rows sent: {sent.height}; ids in two nights' files: {dup_ids}; "
        f"re-run nights wrote the same files: {rerun_same}"
    )
    print(
        f"findable through late plans: {findable.height}; raised by look-back on the "
        f"night the plan arrived: {on_time}; flags raised twice: {lb_dups}; "
        f"look-back flags in all: {lb.height}"
    )
    print(
        f"review decisions: {outcomes.height} ({rejected_keys.height} rejected pairs); "
        f"rejected pairs returning later: {returned}"
    )
    after = "-" if check.ece_after is None else f"{check.ece_after:.3f}"
    print(
        f"expected calibration error of match_probability on the {check.decided} decided "
        f"flags: {check.ece_before:.3f} before, {after} after a Platt recalibration "
        f"(out of fold; slope {check.slope:.2f}, intercept {check.intercept:.2f}; "
        f"improves: {check.improves})"
    )
    print(
        f"triage with the outcomes ({len(asked)} decided attendances asked again): rejected "
        f"pairs returning: match_one {triage_returned['match_one']}, match "
        f"{triage_returned['match']}; confirmed pairs shown as known links: {known_links} "
        f"of {confirmed_now.height}"
    )
    print(f"cpflag train --history ({train_s:.0f} s):")
    for line in trained.lines():
        print(f"  {line}")
    print("cpflag train --history --no-reestimate (the shipped m and u, recalibrated):")
    for line in recal_only.lines():
        print(f"  {line}")
    print(
        f"every plan-based flag of the {len(days)} nights against the truth (shipped model: "
        f"{n_flags} flags): expected calibration error {shipped_ece:.4f} shipped, "
        f"{shipped_recal_ece:.4f} shipped and recalibrated; {own_ece:.4f} re-estimated (EM, "
        f"its own probabilities), {recal_ece:.4f} re-estimated and recalibrated"
    )
    print(decided.to_text().split("\n\n")[2])
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
