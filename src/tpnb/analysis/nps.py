"""NPS with intervals: polars frames in, frames out.

No function here opens a file or a database; ``tpnb.warehouse.read`` provides
the frames (the marts), these functions compute the numbers.

NPS intervals use the adjusted-Wald method (Rocks 2016): add 3 to n and 3/4
to the promoter and detractor counts, then
``Var = (p + d - (p - d)^2) / n`` on the adjusted shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from tpnb.analysis._util import group_keys as _by
from tpnb.analysis._util import normal_sf as _normal_sf
from tpnb.analysis._util import z_value as _z
from tpnb.analysis.multiplicity import adjust

# scipy.stats is imported only where the t distribution is needed: it costs most of a
# second at start-up, and `tpnb nps` should answer in well under one.


def nps_interval(promoters, detractors, n, level: float = 0.95):
    """Adjusted-Wald NPS interval on the -100..100 scale; arrays or scalars.

    Returns (adjusted_nps, standard_error, ci_low, ci_high).
    """
    promoters = np.asarray(promoters, dtype=float)
    detractors = np.asarray(detractors, dtype=float)
    n_adj = np.asarray(n, dtype=float) + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    adjusted = p - d
    se = np.sqrt((p + d - adjusted**2) / n_adj)
    z = _z(level)
    low = np.clip(adjusted - z * se, -1, 1)
    high = np.clip(adjusted + z * se, -1, 1)
    return adjusted * 100, se * 100, low * 100, high * 100


def nps(
    frame: pl.DataFrame,
    by: str | Sequence[str] | None = None,
    score: str = "nps",
    weight: str | None = None,
    level: float = 0.95,
    cluster: str | None = "account_id",
    taylor: bool = False,
) -> pl.DataFrame:
    """NPS per group with counts and an adjusted-Wald interval.

    ``taylor``: ``weight`` is a survey weight (raked): the interval's design effect is that of the
    weights and the accounts together, by Taylor linearisation (``taylor_design_effect``).

    ``weight`` names a column of response weights (e.g. account weights);
    weighted shares then use Kish's effective n for the interval. Where ``cluster``
    (the account) is a column and some account holds several respondents, the
    interval is widened by the design effect of that clustering (``design_effect``;
    ``n_effective`` = n / design effect). Responses without a score are left out.
    """
    keys = _by(by)
    rated = frame.filter(pl.col(score).is_not_null())
    w = pl.col(weight).cast(pl.Float64) if weight else pl.col(score).is_not_null().cast(pl.Float64)
    rated = rated.with_columns(
        ((pl.col(score) >= 9).cast(pl.Int64) - (pl.col(score) <= 6).cast(pl.Int64)).alias("__s"),
        pl.lit(1).alias("__all"),
    )
    group_keys = keys or ["__all"]
    agg = rated.group_by(group_keys, maintain_order=True).agg(
        pl.len().alias("n"),
        (pl.col(score) >= 9).sum().alias("promoters"),
        pl.col(score).is_between(7, 8).sum().alias("passives"),
        (pl.col(score) <= 6).sum().alias("detractors"),
        (w * (pl.col(score) >= 9)).sum().alias("__wp"),
        (w * (pl.col(score) <= 6)).sum().alias("__wd"),
        w.sum().alias("__w"),
        (w**2).sum().alias("__w2"),
    )
    if taylor and weight and cluster and cluster in rated.columns:
        per_cluster = rated.group_by([*group_keys, cluster]).agg(
            (w * pl.col("__s")).sum().alias("WS"), w.sum().alias("W")
        )
        terms = per_cluster.group_by(group_keys).agg(
            (pl.col("WS") ** 2).sum().alias("__cws2"),
            (pl.col("WS") * pl.col("W")).sum().alias("__cwsw"),
            (pl.col("W") ** 2).sum().alias("__cw2"),
            pl.len().alias("__c"),
        )
        agg = agg.join(terms, on=group_keys, how="left", nulls_equal=True)
    elif cluster and cluster in rated.columns:
        per_cluster = rated.group_by([*group_keys, cluster]).agg(pl.col("__s").sum().alias("S"), pl.len().alias("m"))
        terms = per_cluster.group_by(group_keys).agg(
            (pl.col("S").cast(pl.Float64) ** 2).sum().alias("__cs2"),
            (pl.col("S") * pl.col("m")).cast(pl.Float64).sum().alias("__csn"),
            (pl.col("m").cast(pl.Float64) ** 2).sum().alias("__cn2"),
            pl.len().alias("__c"),
        )
        agg = agg.join(terms, on=group_keys, how="left", nulls_equal=True)
    if not keys:
        agg = agg.drop("__all")
    return nps_from_sums(agg, weighted=weight is not None, level=level).sort(keys if keys else "n")


def design_effect(agg: pl.DataFrame) -> np.ndarray:
    """The design effect of clustered respondents per group, from per-cluster sums of the score
    s (+1 promoter, 0 passive, -1 detractor): ``__cs2`` = sum of S_c², ``__csn`` = sum of S_c n_c,
    ``__cn2`` = sum of n_c², ``__c`` = clusters. The cluster-robust variance of the mean over the
    simple-random-sample variance, at least 1 (1 without the sums, or with one respondent per cluster).
    """
    n = agg["n"].cast(pl.Float64).to_numpy()
    if "__cs2" not in agg.columns:
        return np.ones_like(n)
    p, d = agg["promoters"].cast(pl.Float64).to_numpy(), agg["detractors"].cast(pl.Float64).to_numpy()
    c = agg["__c"].cast(pl.Float64).to_numpy()
    mean = (p - d) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        v_srs = ((p + d) - n * mean**2) / (n * (n - 1))
        clustered = agg["__cs2"].to_numpy() - 2 * mean * agg["__csn"].to_numpy() + mean**2 * agg["__cn2"].to_numpy()
        v_cl = c / (c - 1) * clustered / n**2
        deff = np.where((c > 1) & (v_srs > 0), v_cl / v_srs, 1.0)
    return np.maximum(np.nan_to_num(deff, nan=1.0), 1.0)


TAYLOR_SUMS = ("__cws2", "__cwsw", "__cw2")


def taylor_design_effect(agg: pl.DataFrame) -> np.ndarray:
    """The design effect of weights and accounts together: the Taylor-linearised variance of the
    weighted mean score (accounts as primary units, with replacement) over the simple-random-sample
    variance of n responses. From per-group sums over accounts c of the weighted score sum WS_c and
    weight sum W_c: ``__cws2`` = sum WS_c², ``__cwsw`` = sum WS_c W_c, ``__cw2`` = sum W_c², ``__c``."""
    n = agg["n"].cast(pl.Float64).to_numpy()
    w = agg["__w"].to_numpy()
    c = agg["__c"].cast(pl.Float64).to_numpy()
    mean = ((agg["__wp"] - agg["__wd"]) / agg["__w"]).to_numpy()
    share = ((agg["__wp"] + agg["__wd"]) / agg["__w"]).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = agg["__cws2"].to_numpy() - 2 * mean * agg["__cwsw"].to_numpy() + mean**2 * agg["__cw2"].to_numpy()
        v_taylor = c / (c - 1) * spread / w**2
        v_srs = (share - mean**2) / n
        deff = np.where((c > 1) & (v_srs > 0), v_taylor / v_srs, 1.0)
    return np.nan_to_num(deff, nan=1.0)


def nps_from_sums(agg: pl.DataFrame, weighted: bool = False, level: float = 0.95) -> pl.DataFrame:
    """NPS and its interval from per-group sums (``n``, ``promoters``, ``passives``,
    ``detractors``, and the weighted ``__wp``, ``__wd``, ``__w``, ``__w2``).

    The sums can come from polars (``nps``) or from SQL over a large table
    (``tpnb nps``): the statistics are the same either way. With the per-cluster sums
    (``__cs2``, ``__csn``, ``__cn2``, ``__c``) the interval carries the design effect of the clustering.
    """
    agg = agg.with_columns(pl.col("__wp", "__wd", "__w", "__w2").cast(pl.Float64))
    if "__cws2" in agg.columns:  # survey weights with accounts: Taylor linearisation
        deff = taylor_design_effect(agg)
        n_eff = agg["n"].to_numpy().astype(float) / deff
    else:
        # weighted (accounts weighted equally), Kish's n already counts accounts, not people
        deff = np.ones(agg.height) if weighted else design_effect(agg)
        n_eff = (agg["__w"] ** 2 / agg["__w2"]).to_numpy() if weighted else agg["n"].to_numpy().astype(float)
        n_eff = n_eff / deff
    share_p = (agg["__wp"] / agg["__w"]).to_numpy()
    share_d = (agg["__wd"] / agg["__w"]).to_numpy()
    _, se, low, high = nps_interval(share_p * n_eff, share_d * n_eff, n_eff, level)
    return agg.with_columns(
        pl.Series("nps", (share_p - share_d) * 100),
        pl.Series("ci_low", low),
        pl.Series("ci_high", high),
        pl.Series("se", se),
        pl.Series("n_effective", n_eff),
        pl.Series("design_effect", deff),
    ).drop("__wp", "__wd", "__w", "__w2", "__cs2", "__csn", "__cn2", "__c", *TAYLOR_SUMS, strict=False)


def account_weights(frame: pl.DataFrame, account: str = "account_id") -> pl.DataFrame:
    """Add ``account_weight``: each account's responses share one unit of weight.

    The rule: a B2B account counts once, whatever the number of its people who
    answered, so one large account cannot dominate the NPS.
    """
    return frame.with_columns((1.0 / pl.len().over(account)).alias("account_weight"))


def account_nps(
    frame: pl.DataFrame,
    by: str | Sequence[str] | None = None,
    score: str = "nps",
    account: str = "account_id",
) -> pl.DataFrame:
    """NPS with every account weighted equally (see ``account_weights``)."""
    rated = account_weights(frame.filter(pl.col(score).is_not_null()), account)
    return nps(rated, by=by, score=score, weight="account_weight")


def nps_change(
    before: pl.DataFrame,
    after: pl.DataFrame,
    on: str | Sequence[str] | None = None,
    level: float = 0.95,
    adjustment: str = "holm",
) -> pl.DataFrame:
    """Compare two ``nps()`` results: change, its interval and a z-test.

    Uses the adjusted-Wald variances of both periods (not a two-proportion test). ``change`` is the
    difference of the published NPS; the interval and the test are on the adjusted-Wald estimates
    (``change_adjusted``). With several groups, ``p_adjusted`` is Holm-adjusted over them and
    ``is_significant`` follows it.
    """
    keys = _by(on)
    cols = ["n", "promoters", "detractors", "nps"]
    if keys:
        joined = before.select(*keys, *cols).join(after.select(*keys, *cols), on=keys, suffix="_after")
    else:
        joined = pl.concat(
            [before.select(cols), after.select(cols).rename({c: f"{c}_after" for c in cols})],
            how="horizontal",
        )
    adj_b, se_b, _, _ = nps_interval(joined["promoters"], joined["detractors"], joined["n"])
    adj_a, se_a, _, _ = nps_interval(joined["promoters_after"], joined["detractors_after"], joined["n_after"])
    se = np.sqrt(se_b**2 + se_a**2)
    z = (adj_a - adj_b) / se
    p_value = 2 * _normal_sf(np.abs(z))
    zc = _z(level)
    return joined.rename(
        {
            "n": "n_before",
            "nps": "nps_before",
            "promoters": "promoters_before",
            "detractors": "detractors_before",
        }
    ).with_columns(
        pl.Series("change", joined["nps_after"].to_numpy() - joined["nps"].to_numpy()),
        pl.Series("change_ci_low", (adj_a - adj_b) - zc * se),
        pl.Series("change_ci_high", (adj_a - adj_b) + zc * se),
        pl.Series("change_adjusted", adj_a - adj_b),
        pl.Series("z", z),
        pl.Series("p_value", p_value),
        pl.Series("p_adjusted", adjust(p_value, adjustment)),
        pl.Series("is_significant", adjust(p_value, adjustment) < (1 - level)),
    )
