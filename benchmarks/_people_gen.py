"""A seeded person table with duplicates and recording errors, for ``dedupe_1m.py``.

Written from public figures on UK person registers, not from cpflag's own
generator (``cpflag.synth``) or its normalisers, so that it is not tuned to
cpflag: names come from Faker's locale lists (not cpflag's), nicknames from a
short hand-written table (not the ``nicknames`` package cpflag reads), and
the errors are drawn independently of how cpflag blocks or compares.

People. ``n`` records belong to about ``n / 1.43`` people: each person has
one record (70%), two (20%), three (7%) or four (3%). 30% of people live in a
family of 2-4 (one surname, home and postcode; 3% of families have twins: one
date of birth, two given names). Given names are Zipf-distributed, 75% from
the en_GB list and 25% from 14 other locales; surnames 50% from en_GB's
weighted list and 50% from the other locales (about 7,000 in all). Dates of
birth are uniform over 1930-2020; postcodes UK-shaped (``AA9 9AA``) in 120
areas x 40 districts; NHS numbers valid under Modulus 11.

Errors, drawn independently for every record after a person's first (the
rates are ``ERRORS`` below): a one-character edit in the given name (5%) or
the surname (5%), a nickname (4%), given and family names swapped (1%), a new
surname (3%), day and month swapped (2%, where the day is at most 12), a one-
digit date typo (3%), year off by one (1%), date missing (5%), moved house
(new address and postcode, 8%), a one-character postcode typo (3%), postcode
missing (5%), address missing (5%), sex missing (3%). Every record, first
included, lacks its NHS number with probability 0.35 and has it mistyped
(one digit) with probability 0.01.
"""

from __future__ import annotations

import importlib
import string

import numpy as np
import polars as pl

#: Error rates per duplicate record (see the module docstring).
ERRORS = {
    "given_typo": 0.05,
    "family_typo": 0.05,
    "nickname": 0.04,
    "names_swapped": 0.01,
    "new_surname": 0.03,
    "dob_swapped": 0.02,
    "dob_typo": 0.03,
    "dob_year_off": 0.01,
    "dob_missing": 0.05,
    "moved": 0.08,
    "postcode_typo": 0.03,
    "postcode_missing": 0.05,
    "address_missing": 0.05,
    "sex_missing": 0.03,
}
NHS_MISSING = 0.35
NHS_TYPO = 0.01
#: Records per person: 1, 2, 3 or 4 with these probabilities.
COPIES = (0.70, 0.20, 0.07, 0.03)
FAMILY_SHARE = 0.30
TWIN_SHARE = 0.03

_LOCALES = (
    "en_US",
    "en_IE",
    "en_IN",
    "en_NZ",
    "pl_PL",
    "de_DE",
    "it_IT",
    "fr_FR",
    "es_ES",
    "nl_NL",
    "pt_PT",
    "tr_TR",
    "ga_IE",
)

#: A short hand-written table of English nicknames (formal -> informal).
NICKNAMES = {
    "William": "Bill", "Robert": "Bob", "Richard": "Dick", "James": "Jim", "John": "Jack",
    "Thomas": "Tom", "Michael": "Mike", "Christopher": "Chris", "Daniel": "Dan",
    "Matthew": "Matt", "Anthony": "Tony", "Joseph": "Joe", "Samuel": "Sam",
    "Benjamin": "Ben", "Alexander": "Alex", "Edward": "Ted", "Henry": "Harry",
    "Frederick": "Fred", "Nicholas": "Nick", "Jonathan": "Jon", "Andrew": "Andy",
    "David": "Dave", "Stephen": "Steve", "Peter": "Pete", "Timothy": "Tim",
    "Elizabeth": "Liz", "Margaret": "Maggie", "Katherine": "Kate", "Catherine": "Cathy",
    "Jennifer": "Jenny", "Rebecca": "Becky", "Victoria": "Vicky", "Susan": "Sue",
    "Deborah": "Debbie", "Patricia": "Pat", "Alexandra": "Alex", "Samantha": "Sam",
    "Charlotte": "Lottie", "Abigail": "Abbie", "Jessica": "Jess", "Kimberley": "Kim",
    "Natalie": "Nat", "Eleanor": "Ellie", "Josephine": "Jo", "Christine": "Chris",
}  # fmt: skip


def _ascii(names: object) -> list[str]:
    return [x for x in dict.fromkeys(names) if x.isascii() and x.isalpha()]  # type: ignore[call-overload]


def _zipf(n: int, s: float = 1.0) -> np.ndarray:
    w = 1.0 / (np.arange(n) + 5.0) ** s
    out: np.ndarray = w / w.sum()
    return out


def name_pools() -> tuple[list[str], np.ndarray, list[str], np.ndarray, list[str], np.ndarray]:
    """(male, p), (female, p), (surnames, p) from Faker's locale lists."""
    gb = importlib.import_module("faker.providers.person.en_GB").Provider
    others = [importlib.import_module(f"faker.providers.person.{c}").Provider for c in _LOCALES]

    def given(attr: str) -> tuple[list[str], np.ndarray]:
        head = _ascii(getattr(gb, attr))
        tail = [x for x in _ascii(n for p in others for n in getattr(p, attr, ())) if x not in head]
        p = np.concatenate([0.75 * _zipf(len(head)), 0.25 * _zipf(len(tail), 0.6)])
        return head + tail, p / p.sum()

    male, pm = given("first_names_male")
    female, pf = given("first_names_female")
    gb_last = {k: v for k, v in gb.last_names.items() if k.isascii() and k.isalpha()}
    head = list(gb_last)
    wh = np.array(list(gb_last.values()), dtype=np.float64)
    tail = [
        x
        for x in _ascii(n for p in others for n in getattr(p, "last_names", ()))
        if x not in gb_last
    ]
    p = np.concatenate([0.5 * wh / wh.sum(), 0.5 * _zipf(len(tail), 0.6)])
    return male, pm, female, pf, head + tail, p / p.sum()


def _nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` valid NHS numbers (Modulus 11) as int64."""
    digits = rng.integers(0, 10, size=(n * 2, 9))
    digits[:, 0] = rng.integers(4, 10, size=n * 2)
    total = (digits * np.arange(10, 1, -1)).sum(axis=1)
    check = 11 - total % 11
    check[check == 11] = 0
    ok = check != 10
    d = np.concatenate([digits[ok], check[ok, None]], axis=1)[:n]
    out: np.ndarray = (d * 10 ** np.arange(9, -1, -1)).sum(axis=1)
    return out


def _postcodes(rng: np.random.Generator, n: int) -> pl.Series:
    letters = np.array(list(string.ascii_uppercase))
    areas = np.array(["".join(rng.choice(letters, 2)) for _ in range(120)])
    area = rng.choice(areas, n)
    return pl.Series(
        np.char.add(
            np.char.add(np.char.add(area, rng.integers(1, 41, n).astype(str)), " "),
            np.char.add(
                rng.integers(0, 10, n).astype(str),
                np.char.add(rng.choice(letters, n), rng.choice(letters, n)),
            ),
        )
    )


def _edit(s: pl.Expr, pos: pl.Expr, ch: pl.Expr, kind: pl.Expr) -> pl.Expr:
    """One character substituted (0), deleted (1), inserted (2) or transposed (3)."""
    head, rest = s.str.slice(0, pos), s.str.slice(pos + 1)
    cur, nxt = s.str.slice(pos, 1), s.str.slice(pos + 1, 1)
    return (
        pl.when(kind == 0)
        .then(pl.concat_str([head, ch, rest]))
        .when(kind == 1)
        .then(pl.concat_str([head, rest]))
        .when(kind == 2)
        .then(pl.concat_str([head, ch, cur, rest]))
        .otherwise(pl.concat_str([head, nxt, cur, s.str.slice(pos + 2)]))
    )


def generate(n: int, seed: int = 1) -> pl.DataFrame:
    """``n`` records: ``record_id``, ``person_id`` (the truth) and the person columns."""
    rng = np.random.default_rng(seed)
    male, pm, female, pf, surnames, ps = name_pools()
    n_people = int(n / float(np.dot(COPIES, [1, 2, 3, 4]))) + 10
    copies = rng.choice([1, 2, 3, 4], n_people, p=COPIES)
    # Families: consecutive people share surname, street, postcode.
    fam_size = rng.choice([2, 3, 4], n_people)
    in_family = rng.random(n_people) < FAMILY_SHARE
    family = np.cumsum(~in_family | (rng.random(n_people) < 1 / fam_size))
    sex = rng.choice(np.array(["M", "F"]), n_people)
    given = np.where(
        sex == "M", rng.choice(male, n_people, p=pm), rng.choice(female, n_people, p=pf)
    )
    n_fam = int(family.max()) + 1
    fam_surname = rng.choice(surnames, n_fam, p=ps)
    streets_pool = _street_pool(rng)
    fam_street = rng.choice(streets_pool, n_fam)
    fam_house = rng.integers(1, 300, n_fam)
    fam_pc = _postcodes(rng, n_fam).to_numpy()
    dob_days = rng.integers(-14610, 18627, n_people)  # 1930-01-01 .. 2020-12-31
    twin = np.r_[False, (family[1:] == family[:-1]) & (rng.random(n_people - 1) < TWIN_SHARE)]
    dob_days = np.where(twin, np.r_[dob_days[:1], dob_days[:-1]], dob_days)
    people = pl.DataFrame(
        {
            "person_id": np.arange(n_people, dtype=np.int64),
            "given_name": given,
            "family_name": fam_surname[family],
            "date_of_birth": pl.Series(dob_days, dtype=pl.Int32).cast(pl.Date),
            "sex": sex,
            "postcode": fam_pc[family],
            "address": np.char.add(
                np.char.add(fam_house[family].astype(str), " "), fam_street[family]
            ),
            "nhs_number": _nhs_numbers(rng, n_people).astype(str),
            "copies": copies,
        }
    )
    rec = people.select(pl.all().repeat_by("copies").explode()).drop("copies")
    rec = rec.with_columns((pl.int_range(pl.len()).over("person_id") > 0).alias("dup")).head(n)
    return _corrupt(rec, rng, male + female, surnames, ps, streets_pool)


def _street_pool(rng: np.random.Generator) -> np.ndarray:
    addr = importlib.import_module("faker.providers.address.en_GB").Provider
    gb = importlib.import_module("faker.providers.person.en_GB").Provider
    stems = _ascii(gb.last_names) + _ascii(gb.first_names_male)
    suffixes = [s for s in addr.street_suffixes if s.isascii()]
    return np.char.add(np.char.add(rng.choice(stems, 30000), " "), rng.choice(suffixes, 30000))


def _corrupt(
    rec: pl.DataFrame,
    rng: np.random.Generator,
    given_pool: list[str],
    surnames: list[str],
    ps: np.ndarray,
    streets: np.ndarray,
) -> pl.DataFrame:
    n = rec.height
    dup = rec["dup"].to_numpy()
    hit = {k: pl.Series(k, dup & (rng.random(n) < p)) for k, p in ERRORS.items()}
    letters = np.array(list(string.ascii_lowercase))

    def edit_cols(tag: str) -> list[pl.Series]:
        return [
            pl.Series(f"{tag}_pos", rng.integers(0, 6, n), dtype=pl.Int64),
            pl.Series(f"{tag}_ch", rng.choice(letters, n)),
            pl.Series(f"{tag}_kind", rng.integers(0, 4, n)),
        ]

    rec = rec.with_columns(
        *hit.values(),
        *edit_cols("g"),
        *edit_cols("f"),
        *edit_cols("p"),
        pl.Series("new_family", rng.choice(surnames, n, p=ps)),
        pl.Series("new_pc", _postcodes(rng, n)),
        pl.Series(
            "new_addr",
            np.char.add(
                np.char.add(rng.integers(1, 300, n).astype(str), " "), rng.choice(streets, n)
            ),
        ),
        pl.Series("dob_digit", rng.integers(0, 8, n)),
        pl.Series("dob_new_digit", rng.integers(0, 10, n)),
        pl.Series("year_step", rng.choice([-1, 1], n)),
        pl.Series("nhs_missing", rng.random(n) < NHS_MISSING),
        pl.Series("nhs_typo", rng.random(n) < NHS_TYPO),
        pl.Series("nhs_digit", rng.integers(0, 10, n)),
        pl.Series("nhs_pos", rng.integers(0, 10, n)),
    )
    c = pl.col
    nick = c("given_name").replace_strict(NICKNAMES, default=None)
    given = (
        pl.when(c("nickname") & nick.is_not_null())
        .then(nick)
        .when(c("given_typo"))
        .then(_edit(c("given_name"), c("g_pos"), c("g_ch"), c("g_kind")))
        .otherwise(c("given_name"))
    )
    family = (
        pl.when(c("new_surname"))
        .then(c("new_family"))
        .when(c("family_typo"))
        .then(_edit(c("family_name"), c("f_pos"), c("f_ch"), c("f_kind")))
        .otherwise(c("family_name"))
    )
    d = c("date_of_birth")
    ymd = d.dt.year() * 10000 + d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)
    place = pl.lit(10, pl.Int64).pow(c("dob_digit"))
    typo = ymd - ((ymd // place) % 10) * place + c("dob_new_digit") * place
    typo_date = typo.cast(pl.String).str.to_date("%Y%m%d", strict=False)
    swapped = pl.date(d.dt.year(), d.dt.day(), d.dt.month())
    dob = (
        pl.when(c("dob_missing"))
        .then(None)
        .when(c("dob_swapped") & (d.dt.day() <= 12))
        .then(swapped)
        .when(c("dob_typo"))
        .then(pl.coalesce(typo_date, d))
        .when(c("dob_year_off"))
        .then(d.dt.offset_by(pl.format("{}y", c("year_step"))))
        .otherwise(d)
    )
    pc = (
        pl.when(c("postcode_missing"))
        .then(None)
        .when(c("moved"))
        .then(c("new_pc"))
        .when(c("postcode_typo"))
        .then(
            _edit(
                c("postcode"), c("p_pos"), c("p_ch").str.to_uppercase(), pl.lit(0)
            ).str.to_uppercase()
        )
        .otherwise(c("postcode"))
    )
    addr = (
        pl.when(c("address_missing"))
        .then(None)
        .when(c("moved"))
        .then(c("new_addr"))
        .otherwise(c("address"))
    )
    nhs = c("nhs_number")
    nhs_typo = pl.concat_str(
        [
            nhs.str.slice(0, c("nhs_pos")),
            c("nhs_digit").cast(pl.String),
            nhs.str.slice(c("nhs_pos") + 1),
        ]
    )
    out = rec.select(
        pl.format("r{}", pl.int_range(pl.len())).alias("record_id"),
        "person_id",
        pl.when(c("names_swapped")).then(family).otherwise(given).alias("given_name"),
        pl.when(c("names_swapped")).then(given).otherwise(family).alias("family_name"),
        dob.alias("date_of_birth"),
        pl.when(c("sex_missing")).then(None).otherwise(c("sex")).alias("sex"),
        pc.alias("postcode"),
        addr.alias("address"),
        pl.when(c("nhs_missing"))
        .then(None)
        .when(c("nhs_typo"))
        .then(nhs_typo)
        .otherwise(nhs)
        .alias("nhs_number"),
    )
    # Shuffle: duplicates are not next to each other.
    return out.sample(fraction=1.0, shuffle=True, seed=int(rng.integers(0, 2**31)))
