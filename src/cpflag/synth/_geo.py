"""Geography of the synthetic population: LAs, list dates, trusts, sites, addresses.

Addresses are built so that unrelated households share what real ones share:
about eight houses share a postcode unit and a street, and blocks of flats
hold many unrelated households at one building address ("Flat 3, Beech Court,
Station Road") under one postcode.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from cpflag.synth import _reference as ref
from cpflag.synth._config import NoiseRates, Scale

__all__ = ["Geography", "Sites", "assign_addresses", "build_geography"]

#: Letters allowed in the inward code's unit (no C, I, K, M, O, V).
_UNIT_LETTERS: Final = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
_ALNUM: Final = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))

I64 = npt.NDArray[np.int64]


@attrs.frozen
class Sites:
    """Hospital sites: one row per site, with the trust that runs it."""

    frame: pl.DataFrame  # site_code, trust, kind, upper, sex_coding, mrn_prefix
    #: trust index of each population LA (home trust of its residents)
    la_trust: I64


@attrs.frozen
class Geography:
    """The population LAs (local index = row) and the sites serving them."""

    las: pl.DataFrame
    sites: Sites


def _pick_las(rng: np.random.Generator, scale: Scale, table: pl.DataFrame) -> I64:
    regions = table["region"].to_numpy()
    if scale.la_scope == "all":
        return np.arange(table.height, dtype=np.int64)
    names = np.unique(regions)
    if scale.la_scope == "region":
        region = names[rng.integers(0, names.size)]
        return np.flatnonzero(regions == region).astype(np.int64)
    region = names[rng.integers(0, names.size)]
    cand = np.flatnonzero(regions == region)
    # Skip the tiniest LAs (Isles of Scilly, City of London): a demo needs lists.
    cand = cand[table["children_k"].to_numpy()[cand] >= 20]
    w = table["children_k"].to_numpy()[cand]
    pick = rng.choice(cand, size=min(scale.n_las, cand.size), replace=False, p=w / w.sum())
    return np.sort(pick).astype(np.int64)


def build_geography(
    rng: np.random.Generator, scale: Scale, start: dt.date, rates: NoiseRates
) -> Geography:
    """Choose the population LAs, which share lists, their list dates and the sites.

    Args:
        rng: The generator's random source.
        scale: The size preset.
        start: The last day of the attendance history.
        rates: Noise rates (stale lists, LA case conventions, family_ref use).

    Returns:
        The geography.
    """
    table = ref.las()
    idx = _pick_las(rng, scale, table)
    n = idx.size
    las = table[idx].with_row_index("la", offset=0).with_columns(pl.col("la").cast(pl.Int64))
    unshared = np.zeros(n, dtype=bool)
    n_unshared = min(scale.n_unshared, max(n - 1, 0))
    unshared[rng.choice(n, size=n_unshared, replace=False)] = True
    stale = rng.random(n) < rates.la_stale_list
    old = rng.integers(rates.stale_list_min_days, rates.stale_list_max_days + 1, size=n)
    age = np.where(stale, old, rng.integers(1, 32, size=n))
    list_day = np.datetime64(start, "D").astype(np.int64) - age
    contact = "Children's Services duty team 01632 " + pl.Series(
        values=960000 + rng.integers(0, 1000, size=n)
    ).cast(pl.String())
    las = las.with_columns(
        pl.Series("shares", ~unshared),
        pl.Series("list_date", list_day.astype(np.int32)).cast(pl.Date()),
        pl.Series("upper", rng.random(n) < rates.la_upper_case),
        pl.Series("family_ref", rng.random(n) >= rates.la_without_family_ref),
        pl.Series("la_contact", contact),
        pl.Series("ref_prefix", _codes(rng, n, 2)),
    )
    return Geography(las=las, sites=_build_sites(rng, n, scale, rates))


def _codes(rng: np.random.Generator, n: int, length: int, lead: str = "") -> pl.Series:
    """``n`` distinct random codes of ``length`` characters after ``lead``."""
    seen: set[str] = set()
    out: list[str] = []
    # Per-code loop over a few hundred trusts or LAs at most, never per record.
    while len(out) < n:
        code = lead + "".join(rng.choice(_ALNUM, size=length))
        if code not in seen:
            seen.add(code)
            out.append(code)
    return pl.Series(values=out, dtype=pl.String())


def _build_sites(rng: np.random.Generator, n_las: int, scale: Scale, rates: NoiseRates) -> Sites:
    la_trust = (np.arange(n_las) // max(scale.las_per_trust, 1)).astype(np.int64)
    n_trusts = int(la_trust.max()) + 1 if n_las else 0
    trust_codes = _codes(rng, n_trusts, 2, lead="R")
    has_utc = rng.random(n_trusts) < 0.6 if scale.name != "demo" else np.ones(n_trusts, bool)
    split = rng.random(n_trusts) < 0.7
    upper = rng.random(n_trusts) < rates.site_upper_case
    sex_12 = rng.random(n_trusts) < 0.4
    # MRN prefixes need not be unique across trusts (MRNs are per trust).
    prefix = rng.choice(_ALNUM[:24], size=n_trusts)
    rows: dict[str, list[object]] = {
        k: [] for k in ("site_code", "trust", "kind", "upper", "sex_12", "mrn_prefix")
    }
    # Per-trust loop (at most ~150 trusts).
    for t in range(n_trusts):
        kinds = ["ed_split" if split[t] else "ed_mixed"]
        if has_utc[t]:
            kinds.append("utc" if rng.random() < 0.6 else "miu")
        for k, kind in enumerate(kinds):
            rows["site_code"].append(f"{trust_codes[t]}{k + 1:02d}")
            rows["trust"].append(t)
            rows["kind"].append(kind)
            rows["upper"].append(bool(upper[t]))
            rows["sex_12"].append(bool(sex_12[t]))
            rows["mrn_prefix"].append(prefix[t])
    frame = pl.DataFrame(
        rows,
        schema={
            "site_code": pl.String(),
            "trust": pl.Int64(),
            "kind": pl.String(),
            "upper": pl.Boolean(),
            "sex_12": pl.Boolean(),
            "mrn_prefix": pl.String(),
        },
    )
    return Sites(frame=frame, la_trust=la_trust)


def _rank_within(keys: I64) -> I64:
    """0-based rank of each element among equal keys, in input order."""
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    start = np.r_[0, np.flatnonzero(np.diff(sk)) + 1]
    first = np.repeat(start, np.diff(np.r_[start, sk.size]))
    rank = np.empty_like(keys)
    rank[order] = np.arange(sk.size) - first
    return rank


def _street_parts(rng: np.random.Generator, n: int) -> tuple[pl.Series, pl.Series, pl.Series]:
    table = ref.streets()
    kinds = table["kind"].to_numpy()
    cells = np.select([kinds == "street", kinds == "type"], [0, 1], 2).astype(np.int64)
    rt = ref.ReferenceTable(table["part"], cells, table["weight"].to_numpy())
    name = rt.values.gather(rt.sample(rng, np.zeros(n, dtype=np.int64)))
    kind = rt.values.gather(rt.sample(rng, np.ones(n, dtype=np.int64)))
    block = rt.values.gather(rt.sample(rng, np.full(n, 2, dtype=np.int64)))
    return name, kind, block


def assign_addresses(
    rng: np.random.Generator, la: I64, las: pl.DataFrame, flat_rate: float
) -> tuple[pl.Series, pl.Series]:
    """An address line and a postcode for each household.

    Args:
        rng: The generator's random source.
        la: Population-LA index of each household.
        las: The population LAs (postcode area and district range per row).
        flat_rate: Share of households living in a block of flats.

    Returns:
        ``(address, postcode)`` series, one row per household.
    """
    n = la.size
    if n == 0:
        empty = pl.Series(values=[], dtype=pl.String())
        return empty, empty
    flat = rng.random(n) < flat_rate
    n_la = las.height
    # Group sizes: ~8 houses per postcode unit, ~12 flats per block.
    houses = np.bincount(la[~flat], minlength=n_la)
    flats = np.bincount(la[flat], minlength=n_la)
    units_per_la = np.maximum(1, np.ceil(houses / 8).astype(np.int64))
    blocks_per_la = np.maximum(1, np.ceil(flats / 12).astype(np.int64))
    unit_off = np.cumsum(units_per_la) - units_per_la
    block_off = np.cumsum(blocks_per_la) - blocks_per_la
    n_units = int(units_per_la.sum())
    n_blocks = int(blocks_per_la.sum())
    # A building key: houses -> postcode unit, flats -> block (offset past units).
    local = (rng.random(n) * np.where(flat, blocks_per_la[la], units_per_la[la])).astype(np.int64)
    key = np.where(flat, n_units + block_off[la] + local, unit_off[la] + local)
    rank = _rank_within(key)
    n_keys = n_units + n_blocks
    key_la = np.empty(n_keys, dtype=np.int64)
    key_la[unit_off[la[~flat]] + local[~flat]] = la[~flat]
    key_la[n_units + block_off[la[flat]] + local[flat]] = la[flat]
    # Keys nobody uses still need an LA for vectorised attribute draws.
    used = np.zeros(n_keys, dtype=bool)
    used[key] = True
    key_la[~used] = 0
    dmin = las["district_min"].to_numpy()[key_la]
    dmax = las["district_max"].to_numpy()[key_la]
    district = dmin + (rng.random(n_keys) * (dmax - dmin + 1)).astype(np.int64)
    sector = rng.integers(0, 10, size=n_keys)
    letters = _UNIT_LETTERS[rng.integers(0, _UNIT_LETTERS.size, size=(n_keys, 2))]
    base_no = rng.integers(0, 60, size=n_keys)
    street, stype, block = _street_parts(rng, n_keys)
    named_block = rng.random(n_keys) < 0.5
    kf = pl.DataFrame(
        {
            "area": las["postcode_area"].gather(key_la),
            "district": district,
            "sector": sector,
            "l1": letters[:, 0],
            "l2": letters[:, 1],
            "base": base_no,
            "street": street,
            "stype": stype,
            # A block is named after another street name than its road's.
            "block": street.shift(1, fill_value="Elm") + " " + block,
            "named": named_block,
        }
    )
    kf = kf.select(
        pl.concat_str(
            [
                pl.col("area"),
                pl.col("district").cast(pl.String()),
                pl.lit(" "),
                pl.col("sector").cast(pl.String()),
                pl.col("l1"),
                pl.col("l2"),
            ]
        ).alias("postcode"),
        pl.col("base"),
        pl.concat_str([pl.col("street"), pl.lit(" "), pl.col("stype")]).alias("road"),
        pl.col("block"),
        pl.col("named"),
    )
    hh = kf[key].with_columns(
        pl.Series("flat", flat),
        pl.Series("rank", rank),
        pl.Series("flat_no", rank + 1),
    )
    # Houses on one unit get distinct odd/even numbers; flats distinct flat numbers.
    house_no = (pl.col("base") + 2 * pl.col("rank") + 1).cast(pl.String())
    address = (
        pl.when(~pl.col("flat"))
        .then(pl.concat_str([house_no, pl.lit(" "), pl.col("road")]))
        .when(pl.col("named"))
        .then(
            pl.concat_str(
                [pl.lit("Flat "), pl.col("flat_no").cast(pl.String()), pl.lit(", "),
                 pl.col("block"), pl.lit(", "), pl.col("road")]
            )
        )
        .otherwise(
            pl.concat_str(
                [pl.lit("Flat "), pl.col("flat_no").cast(pl.String()), pl.lit(", "),
                 (pl.col("base") + 1).cast(pl.String()), pl.lit(" "), pl.col("road")]
            )
        )
    )  # fmt: skip
    out = hh.select(address.alias("address"), pl.col("postcode"))
    return out["address"], out["postcode"]


def gp_codes(rng: np.random.Generator, la: I64, las: pl.DataFrame) -> pl.Series:
    """A registered GP practice (ODS-style code) per household, from its LA's practices."""
    n_la = las.height
    practices = np.maximum(3, (las["children_k"].to_numpy() / 2).astype(np.int64))
    letter = np.array(list("ABCDEFGHJKLMNPY"))[np.arange(n_la) % 15]
    j = (rng.random(la.size) * practices[la]).astype(np.int64)
    number = 81000 + (la * 131 + j * 7) % 18000
    return pl.Series(values=letter[la], dtype=pl.String()) + pl.Series(
        values=number, dtype=pl.Int64()
    ).cast(pl.String()).str.zfill(5)
