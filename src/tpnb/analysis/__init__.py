"""The analysis: polars frames in, results out; never a connection, a path or a language string.

``nps``, ``ratings``, ``service``, ``cells`` and ``freshness`` compute the
measures; ``importance`` and ``drivers`` the key-driver models; ``measures``
and ``targets`` the review steps of the management cycle. The frames come from
``tpnb.warehouse.read``.
"""
