"""A synthetic CRM customer table with known personal data, for tests and benchmarks.

:func:`make_crm_table` writes the kind of table a marketing team exports from its CRM:
names, contact data in the national formats of five countries (GB, US, DE, FR, AU),
dates of birth, postal addresses, an IBAN and a stored card number (the things a PII scan
must find), a free-text ``notes`` field with identifiers typed into it, a legacy custom
field (``field_7``) that holds secondary email addresses under a name that says nothing,
and ordinary columns (segment, lifetime value, consent flags) that are not identifiers.
:data:`CRM_TRUTH` gives, per column, the entity type its values are.

Every identifier is fictitious and drawn from ranges reserved for fiction or
documentation where such ranges exist: phone numbers from Ofcom's drama ranges
(020 7946 0xxx, 0113/0161 496 0xxx), the NANP 555-01xx range, ARCEP's fiction blocks
(01 99 00 …, 02 61 91 …), ACMA's (02) 5550 / (03) 7010 / 0491 570 ranges and
030 23125xxx in Germany; email domains from RFC 2606 (``example.com/.net/.org``); IP
addresses from RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) and RFC 3849
(2001:db8::/32). Card numbers pass the Luhn check (ISO/IEC 7812-1 Annex B) with real
issuer prefixes, IBANs the ISO 13616 mod-97 check (French ones also the RIB key), UK
National Insurance numbers and US Social Security numbers follow HMRC's and the SSA's
allocation rules; all are random, tied to no one. About :data:`CRM_TYPO_SHARE` of the
phone numbers, IBANs, card numbers and national ids are mistyped on purpose, so that they
fail validation while keeping their shape, as typing errors in real CRM data do.

The table is a pure function of ``(n_rows, seed)`` (NumPy ``default_rng``), built with
vectorised NumPy/Arrow operations: a million rows take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fairmark.errors import UsageError
from fairmark.privacy.entities import EntityType

__all__ = [
    "COUNTRIES",
    "CRM_NOTES_ENTITIES",
    "CRM_TRUTH",
    "CRM_TYPO_SHARE",
    "REFERENCE_DATE",
    "make_crm_table",
]

COUNTRIES: Final = ("GB", "US", "DE", "FR", "AU")
"""Countries of the customers (ISO 3166-1 alpha-2), in the ``country`` column."""
_COUNTRY_P = np.array([0.3, 0.25, 0.2, 0.15, 0.1])

REFERENCE_DATE: Final = dt.date(2024, 1, 1)
"""Ages (18 to 90) and signup dates (2015-2023) are drawn relative to this date."""

CRM_TRUTH: Final[dict[str, EntityType | None]] = {
    "customer_id": None,
    "first_name": EntityType.PERSON,
    "last_name": EntityType.PERSON,
    "email": EntityType.EMAIL_ADDRESS,
    "phone": EntityType.PHONE_NUMBER,
    "dob": EntityType.DATE_OF_BIRTH,
    "street": EntityType.STREET_ADDRESS,
    "postcode": EntityType.POSTAL_CODE,
    "city": None,
    "country": None,
    "iban": EntityType.IBAN_CODE,
    "card_number": EntityType.CREDIT_CARD,
    "national_id": EntityType.NATIONAL_ID,
    "ip": EntityType.IP_ADDRESS,
    "signup_date": None,
    "segment": None,
    "lifetime_value": None,
    "consent_email": None,
    "consent_sms": None,
    "notes": EntityType.FREE_TEXT,
    "field_7": EntityType.EMAIL_ADDRESS,
}
"""Entity type of each column's values (``None``: not one of the detected entity types)."""

CRM_TYPO_SHARE: Final = 0.03
"""Share of the phone numbers, IBANs, card numbers and national ids that are mistyped, as
in real CRM data: a changed last digit (fails Luhn or mod-97), two lost digits (phones),
an impossible prefix (SSN area 000, NINO starting with D). They keep the shape of the
entity, so a column's validated share is below its candidate share."""

CRM_NOTES_ENTITIES: Final = (
    EntityType.EMAIL_ADDRESS,
    EntityType.PHONE_NUMBER,
    EntityType.CREDIT_CARD,
)
"""Identifiers typed into ``notes`` (in about a quarter of the notes)."""

_FIRST: Final = {
    "GB": "Oliver George Harry Jack Charlie Thomas James William Amelia Olivia Isla Emily "
          "Ava Jessica Sophie Grace Lily Chloe Ruth Margaret",
    "US": "Liam Noah Ethan Mason Logan Lucas Michael Daniel Emma Ava Mia Harper Abigail "
          "Madison Ella Avery Scarlett Chloe Linda Patricia",
    "DE": "Lukas Leon Finn Jonas Paul Felix Maximilian Jürgen Klaus Stefan Hannah Lena "
          "Leonie Anna Lea Mia Sophie Ursula Petra Sabine",
    "FR": "Gabriel Louis Raphaël Jules Adam Hugo Arthur Nathan Léa Chloé Manon Emma Inès "
          "Camille Zoé Louise Océane Sylvie Nathalie Hélène",
    "AU": "Jack William Oliver Noah Thomas Lachlan Cooper Riley Charlotte Olivia Ava Mia "
          "Chloe Isla Matilda Ruby Zoe Grace Kylie Sharon",
}  # fmt: skip
_LAST: Final = {
    "GB": "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson "
          "Evans Walker White Roberts Green Hall Wood Jackson O'Neil",
    "US": "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
          "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin",
    "DE": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann "
          "Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann",
    "FR": "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon "
          "Laurent Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier",
    "AU": "Smith Jones Williams Brown Wilson Taylor Johnson White Martin Anderson Thompson "
          "Nguyen Thomas Walker Harris Lee Ryan Robinson Kelly King",
}  # fmt: skip
_CITY: Final = {
    "GB": "London Manchester Birmingham Leeds Glasgow Bristol Liverpool Edinburgh",
    "US": "Chicago Houston Phoenix Philadelphia Seattle Denver Boston Atlanta",
    "DE": "Berlin Hamburg München Köln Frankfurt Stuttgart Leipzig Dresden",
    "FR": "Paris Lyon Marseille Toulouse Nice Nantes Strasbourg Bordeaux",
    "AU": "Sydney Melbourne Brisbane Perth Adelaide Hobart Canberra Darwin",
}  # fmt: skip
_STREET_NAMES: Final = {
    "GB": "High Church Station Victoria Green Manor Park Queen's Mill Kings",
    "US": "Main Oak Pine Maple Cedar Elm Washington Lake Hill Sunset",
    "DE": "Haupt Schul Garten Dorf Bahnhof Berg Linden Kirch Wald Ring",
    "AU": "George Collins Queen King Elizabeth Bourke Flinders Hay Murray Swan",
}  # fmt: skip
_FR_STREETS: Final = (
    "de la Paix", "Victor Hugo", "de la République", "Pasteur", "des Lilas", "du Moulin",
    "Jean Jaurès", "de l'Église", "Nationale", "du Château",
)
_SUFFIX: Final = {
    "GB": ("Street", "Road", "Lane", "Avenue", "Close", "Way"),
    "US": ("St", "Ave", "Blvd", "Rd", "Drive", "Lane"),
    "DE": ("straße", "weg", "allee", "gasse", "platz", "ring"),
    "FR": ("rue", "avenue", "boulevard", "place", "allée", "chemin"),
    "AU": ("Street", "Road", "Parade", "Terrace", "Avenue", "Crescent"),
}
_DOMAINS: Final = (
    "example.com", "example.net", "example.org", "mail.example.com", "post.example.net",
)
_SEGMENTS: Final = ("bronze", "silver", "gold", "platinum")
_NOTES_PLAIN: Final = (
    "Interested in the premium plan, follow up next quarter.",
    "Asked about delivery times to the new address.",
    "Complained about the last invoice; refund approved.",
    "Prefers contact in the evening.",
    "Renewal discussed, waiting for budget approval.",
    "Visited the store, liked the autumn collection.",
    "No answer on two calls, will retry.",
    "Requested a paper catalogue.",
    "Happy with the service, may refer a friend.",
    "Unsubscribed from the newsletter last year but still buys online.",
)
_NOTES_EMAIL: Final = (
    "Wants invoices sent to {} instead of the main address.",
    "New email {} given at the counter.",
)
_NOTES_PHONE: Final = (
    "Call back on {} after 6pm.",
    "Second number: {} (work).",
)
_NOTES_CARD: Final = (
    "Card {} declined, asked customer to update payment details.",
    "Paid by phone with card {}; receipt sent.",
)


def _ascii_lower(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _strings(chars: np.ndarray) -> pa.Array:
    """Rows of a ``(m, width)`` uint8 array of ASCII codes as a pyarrow string array."""
    m, width = chars.shape
    offsets = np.arange(0, m * width + 1, width, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8).tobytes()
    return pa.Array.from_buffers(pa.string(), m, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(data)])  # fmt: skip


def _pick_per_country(
    rng: np.random.Generator, country: np.ndarray, lists: dict[str, tuple[str, ...]]
) -> pa.Array:
    """One random item of the row's country list per row."""
    flat: list[str] = []
    offsets, sizes = [], []
    for code in COUNTRIES:
        offsets.append(len(flat))
        sizes.append(len(lists[code]))
        flat.extend(lists[code])
    off = np.asarray(offsets)[country]
    size = np.asarray(sizes)[country]
    idx = off + (rng.random(len(country)) * size).astype(np.int64)
    return pa.array(flat, pa.string()).take(pa.array(idx))


def _digits_text(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values.astype(np.int64)), pa.string()), width=width,
                        padding="0")  # fmt: skip


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _with_nulls(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    missing = pa.array(rng.random(len(values)) < share)
    return pc.if_else(missing, pa.scalar(None, values.type), values)


def _scatter(n: int, parts: list[tuple[np.ndarray, pa.Array]], typ: pa.DataType) -> pa.Array:
    """Assemble per-group arrays (``(row indices, values)``) into one array of ``n`` rows."""
    rows = np.concatenate([r for r, _ in parts]) if parts else np.zeros(0, np.int64)
    values = pa.concat_arrays([v.cast(typ) for _, v in parts]) if parts else pa.array([], typ)
    order = np.empty(n, dtype=np.int64)
    order[rows] = np.arange(len(rows))
    return values.take(pa.array(order))


def _luhn_complete(digits: np.ndarray) -> np.ndarray:
    """Append the ISO/IEC 7812-1 Annex B (Luhn) check digit to each row of ``digits``."""
    m, k = digits.shape
    total = np.zeros(m, dtype=np.int64)
    for j in range(k):  # position from the right once the check digit is appended: k - j
        d = digits[:, j].astype(np.int64)
        if (k - j) % 2 == 1:  # doubled positions
            d = d * 2
            d = np.where(d > 9, d - 9, d)
        total += d
    check = (10 - total % 10) % 10
    return np.concatenate([digits, check[:, None]], axis=1)


def _cards(rng: np.random.Generator, m: int) -> pa.Array:
    """Luhn-valid card numbers: Visa (4…, 16), Mastercard (51-55 and 2221-2720, 16), Amex
    (34/37, 15), formatted in groups with spaces or dashes, or compact."""
    brand = rng.choice(3, size=m, p=[0.55, 0.3, 0.15])
    out: list[tuple[np.ndarray, pa.Array]] = []
    style = rng.choice(3, size=m, p=[0.4, 0.2, 0.4])  # spaces, dashes, compact
    for b in range(3):
        rows = np.flatnonzero(brand == b)
        if rows.size == 0:
            continue
        length = 15 if b == 2 else 16
        body = rng.integers(0, 10, size=(rows.size, length - 1), dtype=np.int64)
        if b == 0:
            body[:, 0] = 4
        elif b == 1:
            two_series = rng.random(rows.size) < 0.3
            prefix = np.where(two_series, rng.integers(2221, 2721, rows.size),
                              rng.integers(51, 56, rows.size) * 100 + rng.integers(0, 100,
                                                                               rows.size))
            for j, power in enumerate((1000, 100, 10, 1)):
                body[:, j] = prefix // power % 10
        else:
            body[:, 0] = 3
            body[:, 1] = np.where(rng.random(rows.size) < 0.5, 4, 7)
        digits = _luhn_complete(body) + 48
        groups = (4, 6, 5) if b == 2 else (4, 4, 4, 4)
        for s in range(3):
            sub = np.flatnonzero(style[rows] == s)
            if sub.size == 0:
                continue
            d = digits[sub]
            if s == 2:
                chars = d
            else:
                sep = 32 if s == 0 else 45
                cols, start = [], 0
                for g in groups:
                    if start:
                        cols.append(np.full((sub.size, 1), sep))
                    cols.append(d[:, start:start + g])
                    start += g
                chars = np.concatenate(cols, axis=1)
            out.append((rows[sub], _strings(chars)))
    return _scatter(m, out, pa.string())


def _mod97(digits: np.ndarray) -> np.ndarray:
    r = np.zeros(digits.shape[0], dtype=np.int64)
    for j in range(digits.shape[1]):
        r = (r * 10 + digits[:, j]) % 97
    return r


def _letters_to_digits(text: str) -> list[int]:
    out: list[int] = []
    for ch in text:
        out.extend(int(x) for x in (str(ord(ch) - 55) if ch.isalpha() else ch))
    return out


def _ibans(rng: np.random.Generator, country: str, m: int) -> pa.Array:
    """ISO 13616 IBANs of ``country`` (GB, DE or FR) with valid mod-97 check digits."""
    if country == "GB":
        names = ("NWBK", "BARC", "LOYD", "MIDL", "HBUK")
        pick = rng.integers(0, len(names), m)
        bank = np.array([list(b.encode()) for b in names])[pick]
        num = rng.integers(0, 10, size=(m, 14), dtype=np.int64)
        bban_chars = np.concatenate([bank, num + 48], axis=1)
        bank_digits = np.array([_letters_to_digits(b) for b in names])[pick]
        bban_digits = np.concatenate([bank_digits, num], axis=1)
    else:
        n_digits = 18 if country == "DE" else 21
        num = rng.integers(0, 10, size=(m, n_digits), dtype=np.int64)
        if country == "FR":  # RIB key: 97 - (89·bank + 15·branch + 3·account) mod 97
            bank = _as_int(num[:, 0:5])
            branch = _as_int(num[:, 5:10])
            account = _as_int(num[:, 10:21])
            key = 97 - (89 * bank + 15 * branch + 3 * account) % 97
            num = np.concatenate([num, (key // 10)[:, None], (key % 10)[:, None]], axis=1)
        bban_chars = num + 48
        bban_digits = num
    tail = np.array([*_letters_to_digits(country), 0, 0])
    check = 98 - _mod97(np.concatenate([bban_digits, np.tile(tail, (m, 1))], axis=1))
    head = np.concatenate([np.tile(np.array(list(country.encode())), (m, 1)),
                           (check // 10 + 48)[:, None], (check % 10 + 48)[:, None]], axis=1)
    compact = np.concatenate([head, bban_chars], axis=1)
    spaced = rng.random(m) < 0.5
    parts = [(np.flatnonzero(~spaced), _strings(compact[~spaced]))]
    if spaced.any():
        c = compact[spaced]
        cols = []
        for start in range(0, c.shape[1], 4):
            if start:
                cols.append(np.full((c.shape[0], 1), 32))
            cols.append(c[:, start:start + 4])
        parts.append((np.flatnonzero(spaced), _strings(np.concatenate(cols, axis=1))))
    return _scatter(m, parts, pa.string())


def _as_int(digits: np.ndarray) -> np.ndarray:
    out = np.zeros(digits.shape[0], dtype=np.int64)
    for j in range(digits.shape[1]):
        out = out * 10 + digits[:, j]
    return out


def _phone_pool(code: str) -> tuple[list[str], list[str]]:
    """Fictional numbers of a country: (national format, international format)."""
    nat: list[str] = []
    intl: list[str] = []
    if code == "GB":
        for area, local, cc_area in (("020", "7946 0", "20"), ("0113", "496 0", "113"),
                                     ("0161", "496 0", "161")):  # fmt: skip
            for i in range(1000):
                nat.append(f"{area} {local}{i:03d}")
                intl.append(f"+44 {cc_area} {local}{i:03d}")
    elif code == "US":
        for area in ("212", "312", "415", "646", "202", "305", "617", "206"):
            for i in range(100, 200):
                nat.append(f"({area}) 555-{i:04d}")
                intl.append(f"+1 {area}-555-{i:04d}")
    elif code == "DE":
        for i in range(1000):
            nat.append(f"030 23125{i:03d}")
            intl.append(f"+49 30 23125{i:03d}")
    elif code == "FR":
        for block in ("1 99 00", "2 61 91", "3 53 01", "4 65 71", "5 36 49"):
            for i in range(0, 10000, 7):
                tail = f"{i // 100:02d} {i % 100:02d}"
                nat.append(f"0{block} {tail}")
                intl.append(f"+33 {block} {tail}")
    else:  # AU
        for area, block in (("2", "5550"), ("3", "7010")):
            for i in range(0, 10000, 5):
                nat.append(f"(0{area}) {block} {i:04d}")
                intl.append(f"+61 {area} {block} {i:04d}")
        for i in range(1000):
            nat.append(f"0491 570 {i:03d}")
            intl.append(f"+61 491 570 {i:03d}")
    return nat, intl


def _phones(rng: np.random.Generator, country: np.ndarray) -> pa.Array:
    parts = []
    international = rng.random(len(country)) < 0.4
    for k, code in enumerate(COUNTRIES):
        rows = np.flatnonzero(country == k)
        if rows.size == 0:
            continue
        nat, intl = _phone_pool(code)
        pool = pa.array(nat + intl, pa.string())
        idx = rng.integers(0, len(nat), rows.size) + np.where(international[rows], len(nat), 0)
        parts.append((rows, pool.take(pa.array(idx))))
    return _scatter(len(country), parts, pa.string())


def _postcodes(rng: np.random.Generator, country: np.ndarray) -> pa.Array:
    parts = []
    for k, code in enumerate(COUNTRIES):
        rows = np.flatnonzero(country == k)
        m = rows.size
        if m == 0:
            continue
        if code == "GB":
            outward = pa.array(["SW1A", "EC1A", "M1", "B33", "LS1", "CR2", "W1A", "N1", "G2",
                                "BS8", "L3", "EH1"]).take(pa.array(rng.integers(0, 12, m)))
            letters = np.frombuffer(b"ABDEFGHJLNPQRSTUWXYZ", dtype=np.uint8)
            inward = np.concatenate([rng.integers(0, 10, (m, 1)) + 48,
                                     letters[rng.integers(0, 20, (m, 2))]], axis=1)
            values = _join(outward, " ", _strings(inward))
        elif code == "US":
            values = _digits_text(rng.integers(1001, 99951, m), 5)
        elif code == "DE":
            values = _digits_text(rng.integers(1067, 99999, m), 5)
        elif code == "FR":
            values = _digits_text(rng.integers(1, 96, m) * 1000 + rng.integers(0, 1000, m), 5)
        else:
            values = _digits_text(rng.integers(800, 8000, m), 4)
        parts.append((rows, values))
    return _scatter(len(country), parts, pa.string())


def _streets(rng: np.random.Generator, country: np.ndarray) -> pa.Array:
    parts = []
    for k, code in enumerate(COUNTRIES):
        rows = np.flatnonzero(country == k)
        m = rows.size
        if m == 0:
            continue
        number = pc.cast(pa.array(rng.integers(1, 250, m)), pa.string())
        suffix = pa.array(_SUFFIX[code]).take(pa.array(rng.integers(0, 6, m)))
        if code == "FR":
            name = pa.array(_FR_STREETS).take(pa.array(rng.integers(0, len(_FR_STREETS), m)))
            values = _join(number, " ", suffix, " ", name)
        elif code == "DE":
            names = _STREET_NAMES[code].split()
            name = pa.array(names).take(pa.array(rng.integers(0, len(names), m)))
            values = _join(name, suffix, " ", number)
        else:
            names = _STREET_NAMES[code].split()
            name = pa.array(names).take(pa.array(rng.integers(0, len(names), m)))
            flat = pa.array(rng.random(m) < 0.1)
            unit = pc.if_else(flat, _join("Flat ", pc.cast(pa.array(rng.integers(1, 20, m)),
                                                           pa.string()), ", "), "")
            values = _join(unit, number, " ", name, " ", suffix)
        parts.append((rows, values))
    return _scatter(len(country), parts, pa.string())


def _national_ids(rng: np.random.Generator, country: np.ndarray) -> pa.Array:
    """UK NINO (HMRC NIM39110 prefix rules) for GB rows, US SSN (SSA: area 001-665 and
    667-899, group 01-99, serial 0001-9999) for US rows, null elsewhere."""
    n = len(country)
    parts = []
    gb = np.flatnonzero(country == COUNTRIES.index("GB"))
    if gb.size:
        first = np.frombuffer(b"ABCEGHJKLMNOPRSTWXYZ", dtype=np.uint8)
        second = np.frombuffer(b"ABCEGHJKLMNPRSTWXYZ", dtype=np.uint8)
        a = first[rng.integers(0, len(first), gb.size)]
        b = second[rng.integers(0, len(second), gb.size)]
        bad = {b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"}
        pair = [bytes((x, y)) for x, y in zip(a, b, strict=True)]
        fix = np.array([p in bad for p in pair])
        a = np.where(fix, ord("A"), a)
        digits = rng.integers(0, 10, (gb.size, 6)) + 48
        suffix = np.frombuffer(b"ABCD", dtype=np.uint8)[rng.integers(0, 4, gb.size)]
        spaced = rng.random(gb.size) < 0.5
        compact = np.concatenate([a[:, None], b[:, None], digits, suffix[:, None]], axis=1)
        sp = np.full((gb.size, 1), 32)
        with_spaces = np.concatenate([compact[:, :2], sp, compact[:, 2:4], sp, compact[:, 4:6],
                                      sp, compact[:, 6:8], sp, compact[:, 8:]], axis=1)
        parts.append((gb[~spaced], _strings(compact[~spaced])))
        parts.append((gb[spaced], _strings(with_spaces[spaced])))
    us = np.flatnonzero(country == COUNTRIES.index("US"))
    if us.size:
        area = rng.integers(1, 899, us.size)
        area = np.where(area == 666, 667, area)
        ssn = _join(_digits_text(area, 3), "-", _digits_text(rng.integers(1, 100, us.size), 2),
                    "-", _digits_text(rng.integers(1, 10000, us.size), 4))
        parts.append((us, ssn))
    rest = np.flatnonzero(~np.isin(country, [COUNTRIES.index("GB"), COUNTRIES.index("US")]))
    parts.append((rest, pa.nulls(rest.size, pa.string())))
    return _scatter(n, parts, pa.string())


def _ips(rng: np.random.Generator, n: int) -> pa.Array:
    v6 = rng.random(n) < 0.1
    prefix = pa.array(["192.0.2.", "198.51.100.", "203.0.113."]).take(
        pa.array(rng.integers(0, 3, n)))
    v4 = _join(prefix, pc.cast(pa.array(rng.integers(1, 255, n)), pa.string()))
    hextets = [pc.utf8_lower(pa.array([f"{x:x}" for x in rng.integers(0, 65536, n)]))
               for _ in range(2)]
    six = _join("2001:db8::", hextets[0], ":", hextets[1])
    return pc.if_else(pa.array(v6), six, v4)


def _fold(names: pa.Array) -> pa.Array:
    """:func:`_ascii_lower` of each name, computed once per distinct name."""
    unique = pc.unique(names)
    folded = pa.array([_ascii_lower(x) for x in unique.to_pylist()], pa.string())
    return folded.take(pc.index_in(names, value_set=unique))


def _emails(rng: np.random.Generator, first: pa.Array, last: pa.Array) -> pa.Array:
    n = len(first)
    f, la = _fold(first), _fold(last)
    sep = pa.array([".", "_", "", "."]).take(pa.array(rng.integers(0, 4, n)))
    digits = pc.if_else(pa.array(rng.random(n) < 0.3),
                        pc.cast(pa.array(rng.integers(1, 100, n)), pa.string()), "")
    domain = pa.array(_DOMAINS).take(pa.array(rng.integers(0, len(_DOMAINS), n)))
    email = _join(f, sep, la, digits, "@", domain)
    upper = pa.array(rng.random(n) < 0.03)
    return pc.if_else(upper, pc.utf8_upper(email), email)


def _notes(
    rng: np.random.Generator, email: list[str | None], phone: list[str | None],
    card: list[str | None],
) -> pa.Array:  # fmt: skip
    n = len(email)
    kind = rng.choice(5, size=n, p=[0.2, 0.55, 0.09, 0.08, 0.08])  # null, plain, e, p, c
    plain = rng.integers(0, len(_NOTES_PLAIN), n)
    template = rng.integers(0, 2, n)
    extra = rng.integers(0, len(_NOTES_PLAIN), n)
    out: list[str | None] = []
    for i in range(n):
        k = kind[i]
        if k == 0:
            out.append(None)
            continue
        text = _NOTES_PLAIN[plain[i]]
        if k == 2 and email[i]:
            text = _NOTES_EMAIL[template[i]].format(email[i].lower())
        elif k == 3 and phone[i]:
            text = _NOTES_PHONE[template[i]].format(phone[i])
        elif k == 4 and card[i]:
            text = _NOTES_CARD[template[i]].format(card[i])
        if extra[i] % 3 == 0:
            text = text + " " + _NOTES_PLAIN[extra[i]]
        out.append(text)
    return pa.array(out, pa.string())


def _typo(kind: str, value: str) -> str:
    """A mistyped copy of ``value`` that fails its validation (see :data:`CRM_TYPO_SHARE`)."""
    if kind in {"card_number", "iban"}:  # one digit changed: Luhn and mod-97 catch it
        return value[:-1] + str((int(value[-1]) + 1) % 10)
    if kind == "phone":  # two digits lost
        return value[:-2].rstrip(" -")
    if value[0].isdigit():  # SSN area 000 is never issued
        return "000" + value[3:]
    return "D" + value[1:]  # NINO prefixes never start with D


def _with_typos(rng: np.random.Generator, values: pa.Array, kind: str) -> pa.Array:
    rows = np.flatnonzero(rng.random(len(values)) < CRM_TYPO_SHARE)
    out = values.to_pylist()
    for i in rows:
        if out[i]:
            out[i] = _typo(kind, out[i])
    return pa.array(out, pa.string())


def make_crm_table(n_rows: int, *, seed: int = 0) -> pa.Table:
    """Make a synthetic CRM customer table with known personal data.

    Parameters
    ----------
    n_rows : int
        Number of customers (>= 1).
    seed : int, default 0
        Seed of NumPy's ``default_rng``; the table is a pure function of
        ``(n_rows, seed)``.

    Returns
    -------
    pyarrow.Table
        Columns (in this order, types in brackets): ``customer_id`` (string
        ``C00000001`` …), ``first_name``, ``last_name``, ``email`` (5 % null, 3 %
        upper-case), ``phone`` (8 % null; national or, for 40 %, international format of
        the customer's country), ``dob`` (date32, ages 18-90 on :data:`REFERENCE_DATE`),
        ``street``, ``postcode`` (string, the country's format), ``city``, ``country``
        (ISO 3166-1 alpha-2 of :data:`COUNTRIES`), ``iban`` (GB/DE/FR customers, 40 % of
        them null, compact or in groups of four), ``card_number`` (70 % null; Visa,
        Mastercard, Amex; spaces, dashes or compact), ``national_id`` (UK NINO for GB,
        SSN for US, else null), ``ip`` (90 % IPv4, 10 % IPv6), ``signup_date`` (date32),
        ``segment``, ``lifetime_value`` (float64, EUR), ``consent_email``,
        ``consent_sms`` (bool), ``notes`` (20 % null; about a third of the rest hold an
        email, phone or card number, see :data:`CRM_NOTES_ENTITIES`), ``field_7``
        (60 % null, else a secondary email address). :data:`CRM_TRUTH` gives each
        column's entity type; about 3 % of phones, IBANs, cards and national ids are
        mistyped (:data:`CRM_TYPO_SHARE`).

    Raises
    ------
    UsageError
        If ``n_rows`` < 1 or ``seed`` < 0.
    """
    if isinstance(n_rows, bool) or not isinstance(n_rows, int | np.integer) or n_rows < 1:
        raise UsageError(f"n_rows must be a whole number >= 1, got {n_rows!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UsageError(f"seed must be a whole number >= 0, got {seed!r}")
    n = int(n_rows)
    rng = np.random.default_rng(int(seed))
    country = rng.choice(len(COUNTRIES), size=n, p=_COUNTRY_P)
    first = _pick_per_country(rng, country, {k: tuple(v.split()) for k, v in _FIRST.items()})
    last = _pick_per_country(rng, country, {k: tuple(v.split()) for k, v in _LAST.items()})
    email = _with_nulls(rng, _emails(rng, first, last), 0.05)
    phone = _with_nulls(rng, _phones(rng, country), 0.08)
    ref = np.datetime64(REFERENCE_DATE.isoformat(), "D")
    age_days = rng.integers(18 * 365 + 5, 90 * 365, n)
    dob = pa.array((ref - age_days).astype("datetime64[D]"), pa.date32())
    signup = pa.array((np.datetime64("2015-01-01", "D") + rng.integers(0, 9 * 365, n))
                      .astype("datetime64[D]"), pa.date32())  # fmt: skip
    iban_parts = []
    for code in ("GB", "DE", "FR"):
        rows = np.flatnonzero(country == COUNTRIES.index(code))
        if rows.size:
            iban_parts.append((rows, _ibans(rng, code, rows.size)))
    others = np.flatnonzero(~np.isin(country, [0, 2, 3]))
    iban_parts.append((others, pa.nulls(others.size, pa.string())))
    iban = _with_nulls(rng, _scatter(n, iban_parts, pa.string()), 0.4)
    card = _with_nulls(rng, _cards(rng, n), 0.7)
    secondary = _emails(rng, _pick_per_country(rng, country, {k: tuple(v.split())
                                                              for k, v in _FIRST.items()}),
                        last)  # fmt: skip
    columns: dict[str, pa.Array] = {
        "customer_id": _join("C", _digits_text(np.arange(1, n + 1), 8)),
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "dob": dob,
        "street": _streets(rng, country),
        "postcode": _postcodes(rng, country),
        "city": _pick_per_country(rng, country, {k: tuple(v.split()) for k, v in _CITY.items()}),
        "country": pa.array(COUNTRIES).take(pa.array(country)),
        "iban": iban,
        "card_number": card,
        "national_id": _with_typos(rng, _national_ids(rng, country), "national_id"),
        "ip": _ips(rng, n),
        "signup_date": signup,
        "segment": pa.array(_SEGMENTS).take(pa.array(rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1]))),
        "lifetime_value": pa.array(np.round(rng.lognormal(5.5, 1.0, n), 2)),
        "consent_email": pa.array(rng.random(n) < 0.6),
        "consent_sms": pa.array(rng.random(n) < 0.3),
    }
    for kind in ("phone", "iban", "card_number"):
        columns[kind] = _with_typos(rng, columns[kind], kind)
    columns["notes"] = _notes(rng, columns["email"].to_pylist(), columns["phone"].to_pylist(),
                              columns["card_number"].to_pylist())  # fmt: skip
    columns["field_7"] = _with_nulls(rng, secondary, 0.6)
    assert list(columns) == list(CRM_TRUTH)
    return pa.table(columns)
