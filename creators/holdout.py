"""The program-wide holdout (docs/policies.md, "Program-wide holdout"): a stable share of
creators who get no marketing send at all, so the program's incremental effect can be
measured over time against them (programs/holdout_effect.py).

A creator is in it when their bucket, the first 32 bits of md5("program-holdout:<creator
id>") read as an unsigned integer and divided by 2³², is below PROGRAM_HOLDOUT_PERCENT / 100.
The bucket never changes, so raising the share keeps everyone already held out and adds
more; the salt differs from the campaigns' own holdout (campaigns/policies.py bucket_sql,
md5("<campaign id>:<creator id>")), so the two are independent.
"""

from __future__ import annotations

import hashlib

from django.conf import settings

SALT = "program-holdout:"


def program_holdout_share() -> float:
    """The held-out share in [0, 1) from PROGRAM_HOLDOUT_PERCENT."""
    percent = float(settings.PROGRAM_HOLDOUT_PERCENT or 0)
    return min(max(percent, 0.0), 99.99) / 100


def program_holdout_bucket(creator_id: int) -> float:
    """The creator's place in [0, 1), as the SQL below computes it."""
    digest = hashlib.md5(f"{SALT}{int(creator_id)}".encode(), usedforsecurity=False)
    return int(digest.hexdigest()[:8], 16) / 4294967296.0


def program_holdout_bucket_sql(alias: str = "c") -> str:
    """SQL for the bucket of the creator row `alias`."""
    return (
        f"(('x' || substr(md5('{SALT}' || {alias}.id::text), 1, 8))::bit(32)::bigint"
        "::float8 / 4294967296.0)"
    )


def program_holdout_condition(alias: str = "c") -> str:
    """SQL true for creators (row `alias`) in the program-wide holdout; FALSE when it is off,
    which costs nothing."""
    share = program_holdout_share()
    if share <= 0:
        return "FALSE"
    return f"{program_holdout_bucket_sql(alias)} < {share!r}"


def creator_in_program_holdout(creator_id: int) -> bool:
    share = program_holdout_share()
    return share > 0 and program_holdout_bucket(creator_id) < share
