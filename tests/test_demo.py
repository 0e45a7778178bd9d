"""The demo generator: deterministic, realistic shape, truth written beside the data."""

from datetime import date

import polars as pl

from tpnb import demo


def test_same_seed_same_data_other_seed_other_data():
    a = demo.generate(seed=3, customers=200, as_of=date(2026, 6, 30))
    b = demo.generate(seed=3, customers=200, as_of=date(2026, 6, 30))
    c = demo.generate(seed=4, customers=200, as_of=date(2026, 6, 30))
    assert a.surveys.equals(b.surveys) and a.contacts.equals(b.contacts) and a.orders.equals(b.orders)
    assert not a.surveys.equals(c.surveys)


def test_shape_of_the_demo():
    data = demo.generate(seed=1, customers=2000, as_of=date(2026, 6, 30))
    assert data.touchpoints.height >= 12
    assert set(data.touchpoints["phase"]) == {
        "pre_purchase",
        "purchase",
        "post_purchase",
        "ongoing",
    }
    assert set(data.touchpoints["kind"]) == {"direct", "indirect"}
    assert data.customers["account_id"].n_unique() < data.customers.height  # several people per account
    span = data.contacts["opened_at"].max() - data.contacts["opened_at"].min()
    assert span.days >= 365
    assert set(data.contacts["channel"]) >= {"phone", "email", "portal", "letter"}
    reach = {c: data.surveys[c].is_not_null().mean() for c in data.surveys.columns if c.startswith("tp_")}
    assert min(reach.values()) < 0.3 < 0.8 < max(reach.values())  # touchpoints differ in reach
    # halo: ratings correlate within a respondent
    rated = data.surveys.select("tp_delivery", "tp_invoice").drop_nulls()
    assert rated.select(pl.corr("tp_delivery", "tp_invoice")).item() > 0.2
    assert data.surveys["comment"].drop_nulls().str.contains("pünktlich|delivery").any()
    assert (
        data.truth["nps_model"]["touchpoint_weights"]["delivery"]
        > data.truth["nps_model"]["touchpoint_weights"]["newsletter"]
    )


def test_customers_scale_contacts_linearly():
    small = demo.generate(seed=2, customers=500, as_of=date(2026, 6, 30))
    large = demo.generate(seed=2, customers=5000, as_of=date(2026, 6, 30))
    assert 8 < large.contacts.height / small.contacts.height < 12
