"""Hypothesis strategies shared by the normaliser tests, and checks that they
cover the traps (mojibake, placeholders, pseudo-postcodes, valid NHS numbers).

Realistic messy values -- case, padding, separators, diacritics, mojibake,
newborn placeholders -- are mixed with arbitrary text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from tests import reference_normalise as ref


def mojibake(text: str, *, latin1: bool = False) -> str:
    """How UTF-8 text looks after a wrong Windows-1252 (or Latin-1) decode."""
    out = []
    for b in text.encode("utf-8"):
        if latin1:
            out.append(chr(b))
            continue
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


_LATINISH = st.characters(min_codepoint=0x20, max_codepoint=0x24F)
_ODD = st.sampled_from(
    [*"'`´‘’ʼ-–—‐/.,()&\u00a0\u2009\u3000\t", "\u0301", "ﬁ", "Ａ", "İ", "ẞ", "ŉ", "ǅ", "Ⱥ"]
)
ARBITRARY = st.one_of(
    st.text(max_size=16),
    st.text(alphabet=_LATINISH, max_size=16),
    st.text(alphabet=st.one_of(_LATINISH, _ODD), max_size=16),
)


def _messy(base: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Case, padding, mojibake and separator noise over realistic values."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        v = draw(base)
        case = draw(st.sampled_from(["keep", "upper", "lower", "title", "swap"]))
        v = {
            "keep": v,
            "upper": v.upper(),
            "lower": v.lower(),
            "title": v.title(),
            "swap": v.swapcase(),
        }[case]
        if draw(st.booleans()):
            v = mojibake(v, latin1=draw(st.booleans()))
            if draw(st.integers(0, 4)) == 0:
                v = mojibake(v)
        if draw(st.booleans()):
            sep = draw(st.sampled_from([" ", "  ", "-", ".", "\t", "\u00a0", ",", "/"]))
            v = v.replace(" ", sep)
        pad = draw(st.sampled_from(["", " ", "  ", "\n"]))
        return pad + v + pad

    return build()


_NAME_WORDS = [
    "O'Brien", "O`Brien", "O’Brien", "OBrien", "O Brien", "Smith-Jones", "Smith", "Jones",
    "José", "Zoë", "Łukasz", "Ødegård", "Begum", "Kaur", "Singh", "McDonald", "Mc Donald",
    "Mac Donald", "de la Cruz", "van der Berg", "Mohammed", "Muhammad", "Alfie", "Izzy",
    "Ştefan", "Nguyễn", "Dr", "Mr", "Mrs", "Miss", "Master", "O", "mc", "St John",
    "Al-Hassan", "bin Ali", "Ærøe", "Straße", "Đorđe", "Þór", "Ahmed2", "J0hn", "Anne-Marie",
    "Babylon", "Baby", "Twin", "D'Arcy", "N'Golo", "Le Roux", "Fitz Gerald",
]  # fmt: skip
_name_word = st.sampled_from(_NAME_WORDS)
REALISTIC_NAMES = st.lists(_name_word, min_size=1, max_size=3).map(" ".join)
NAMES = st.one_of(_messy(REALISTIC_NAMES), REALISTIC_NAMES, ARBITRARY, st.none())

_PH_TOKENS = [
    "baby", "Baby", "BABY", "babyboy", "Babygirl", "boy", "girl", "male", "of", "Of", "OF",
    "twin", "Twin1", "TWIN", "triplet", "a", "B", "c", "d", "1", "2", "3", "4", "one", "two",
    "new", "born", "newborn", "unborn", "infant", "bb", "BG", "b/o", "B/O", "b / o", "B /O",
    "(baby of)", "(Baby Of)", "Smith", "Jones", "Smith-Jones", "Olivia", "x", "-", "(", ")",
    "born2", "baby3", "Mrs",
]  # fmt: skip
PLACEHOLDER_TEXT = st.lists(st.sampled_from(_PH_TOKENS), min_size=0, max_size=5).flatmap(
    lambda ws: st.sampled_from([" ", "", "-", "  "]).map(lambda sep: sep.join(ws))
)
_opt = st.sampled_from


@st.composite
def _placeholder_grammar(draw: st.DrawFn) -> str:
    """Values built along the placeholder grammar, every part optional."""
    parts = [
        draw(_opt(["", "Baby", "baby boy", "Twin", "Unborn Baby", "BB", "New Born", "Infant"])),
        draw(_opt(["", "A", "b", "1", "Two", "4", "d"])),
        draw(_opt(["", "girl", "Boy"])),
        draw(_opt(["", "of", "OF", "b/o"])),
        draw(_opt(["", "Smith", "Smith-Jones", "O'Brien", "Mrs Begum", "Twin"])),
        draw(_opt(["", "Twin 2", "twin1", "Triplet C", "twin", "(baby of)", "baby of"])),
    ]
    return draw(_opt([" ", "-", ""])).join(p for p in parts if p)


PLACEHOLDER_FIELDS = st.one_of(
    _placeholder_grammar(), PLACEHOLDER_TEXT, _messy(PLACEHOLDER_TEXT), NAMES
)

_ADDR_TOKENS = [
    "Flat", "flat", "Fl", "FLT", "Apt", "Apartment", "Unit", "Block", "Room", "3", "12",
    "12a", "A", "b", "c", "1st", "2nd", "Floor", "Ground", "High", "St", "St.", "Rd", "Road",
    "Johns", "Rose", "Court", "Ct", "London", "SW1A 1AA", "sw1a1aa", "GIR 0AA", "ZZ99 3VZ",
    "E1 6AN", "Lane", "Ln", "Park", "Green", "Gdns", "Cres", "Sq", "/", "-", ",", "No.",
    "Sainte-Anne", "Mill", "Cottage", "Est", "Dr", "Ave", "B12", "3BX", "gir", "0aa",
]  # fmt: skip
ADDRESS_TEXT = st.lists(st.sampled_from(_ADDR_TOKENS), min_size=0, max_size=8).flatmap(
    lambda ws: st.sampled_from([" ", ", ", "/", "-", " ,"]).map(lambda sep: sep.join(ws))
)
ADDRESSES = st.one_of(ADDRESS_TEXT, _messy(ADDRESS_TEXT), ARBITRARY, st.none())


@st.composite
def _postcode_like(draw: st.DrawFn) -> str:
    shape = draw(
        st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A", "A", "AAA9", "9A", "AA999"])
    )
    inward_shape = draw(st.sampled_from(["9AA", "9AA", "9AA", "AA9", "9A", "99AA"]))
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    chars = [
        draw(st.sampled_from(letters)) if c == "A" else str(draw(st.integers(0, 9)))
        for c in shape + inward_shape
    ]
    out = "".join(chars[: len(shape)])
    inw = "".join(chars[len(shape) :])
    sep = draw(st.sampled_from([" ", "", "  ", "-", ".", "\u00a0"]))
    pc = out + sep + inw
    return draw(st.sampled_from([pc, pc.lower(), f" {pc} ", pc.title()]))


POSTCODES = st.one_of(
    _postcode_like(),
    st.sampled_from(
        [
            "ZZ99 3VZ",
            "zz993wz",
            "ZZ99 3CZ",
            "ZZ99",
            "NFA",
            "n/a",
            "No Fixed Abode",
            "Unknown",
            "N/K",
            "GIR 0AA",
            "gir0aa",
            "",
            "  ",
            "ßW1A 1AA",
            "SW1A 1AA",
            "None",
            "null",
        ]
    ),
    ARBITRARY,
    st.none(),
)


def _with_check(first: str) -> str | None:
    total = sum(int(first[i]) * (10 - i) for i in range(9))
    check = (11 - total % 11) % 11
    number = first + str(check)
    return None if check == 10 or len(set(number)) == 1 else number


def valid_nhs_numbers() -> st.SearchStrategy[str]:
    """Ten digits passing Modulus 11, never all one digit."""
    return (
        st.integers(0, 10**9 - 1)
        .map(lambda n: _with_check(f"{n:09d}"))
        .filter(lambda n: n is not None)
        .map(str)
    )


@st.composite
def _formatted_nhs(draw: st.DrawFn) -> str:
    n = draw(
        st.one_of(valid_nhs_numbers(), st.text(alphabet="0123456789", min_size=8, max_size=11))
    )
    style = draw(st.sampled_from(["plain", "343", "dash", "tabs", "odd"]))
    if style == "343":
        return f"{n[:3]} {n[3:6]} {n[6:]}"
    if style == "dash":
        return f"{n[:3]}-{n[3:6]}-{n[6:]}"
    if style == "tabs":
        return f"\t{n[:5]}\u00a0{n[5:]} "
    if style == "odd":
        return f"{n[:3]}\u2013{n[3:6]}\u2009{n[6:]}"
    return n


NHS_NUMBERS = st.one_of(
    _formatted_nhs(),
    st.sampled_from(["0000000000", "1111111111", "", " ", "485 777 345X", "١٢٣٤٥٦٧٨٩٠"]),
    ARBITRARY,
    st.none(),
)
SEXES = st.one_of(
    st.sampled_from(
        [
            "M",
            "F",
            "U",
            "m",
            "f",
            "u",
            "male",
            "Female",
            "MALE",
            "boy",
            "Girl",
            "1",
            "2",
            "9",
            "X",
            "x",
            "0",
            "01",
            "02",
            "09",
            " M ",
            "f.",
            "(F)",
            "",
            "man",
            "woman",
            "unknown",
        ]
    ),
    ARBITRARY,
    st.none(),
)


# --------------------------------------------------------------------------- coverage
# The property tests are only as good as their inputs: check that each
# generator can produce the traps its normaliser exists for.

_FIND = settings(max_examples=2000, deadline=None, database=None, phases=[Phase.generate])


@pytest.mark.parametrize(
    ("strategy", "trap"),
    [
        (NAMES, lambda v: v is not None and ("Ã" in v or "Å" in v)),
        (NAMES, lambda v: ref.name(v) == "obrien" and v != "OBrien"),
        (NAMES, lambda v: bool(v and v.split() and v.split()[0].lower() in ref.TITLES)),
        (POSTCODES, lambda v: ref.postcode(v)[4] == "valid" and " " not in v),
        (POSTCODES, lambda v: ref.postcode(v)[4] == "no_fixed_abode"),
        (POSTCODES, lambda v: ref.postcode(v)[4] == "malformed"),
        (NHS_NUMBERS, lambda v: ref.nhs(v)[1] == "valid" and not v.isdigit()),
        (NHS_NUMBERS, lambda v: ref.nhs(v)[1] == "bad_check_digit"),
        (ADDRESSES, lambda v: (ref.address(v)[1] or "").count(" ") >= 2),
        (ADDRESSES, lambda v: "saint" in (ref.address(v)[0] or "")),
    ],
)
def test_generators_reach_the_traps(
    strategy: st.SearchStrategy[str | None], trap: Callable[[str | None], bool]
) -> None:
    find(strategy, trap, settings=_FIND)


@pytest.mark.parametrize(
    "trap",
    [
        lambda r: r[2] and r[4] is not None,  # a placeholder with a twin marker
        lambda r: r[2] and r[0] is not None,  # a placeholder that keeps a given name
        lambda r: r[2] and r[3] != r[1],  # placeholder surname differs from family
    ],
)
def test_placeholder_generator_reaches_the_forms(
    trap: Callable[[tuple[object, ...]], bool],
) -> None:
    find(
        st.tuples(PLACEHOLDER_FIELDS, PLACEHOLDER_FIELDS),
        lambda p: bool(trap(ref.newborn(*p))),
        settings=_FIND,
    )


def test_generator_helpers() -> None:
    assert mojibake("José") == "JosÃ©"
    assert mojibake(mojibake("é")) == "ÃƒÂ©"
    assert _with_check("943476591") == "9434765919"
    assert _with_check("000000000") is None  # all one digit
    assert _with_check("100000001") is None  # remainder 10
