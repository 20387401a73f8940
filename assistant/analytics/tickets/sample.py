"""A realistic synthetic ticket history (seeded and deterministic), so the features can be tried with no data.

Every value is drawn from one generator in one fixed order: the same seed always gives the same
file, which the tests and the benchmark rely on. Keep the order of the draws when editing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.analytics.tickets.files import connect, quote_text
from assistant.errors import UserInputError

SAMPLE_COLUMNS = [
    "ticket_id", "created_at", "resolved_at", "priority", "customer_tier", "arr_usd", "channel", "category",
    "reopen_count", "csat", "sentiment", "first_response_minutes", "escalated", "escalation_level",
    "escalated_at", "escalation_reason", "disputed_amount_usd", "churn_threat", "incident_id",
]


@dataclass(frozen=True)
class _Draws:
    """The drawn tickets as numpy arrays, one entry per ticket, in drawing order (sorted by time only at the end)."""

    created: Any
    in_burst: Any
    incident_of: Any
    tier: Any
    enterprise: Any
    arr: Any
    channel: Any
    category: Any
    priority: Any
    severe: Any
    outage: Any
    billing: Any
    disputed: Any
    reopen: Any
    sentiment: Any
    churn: Any
    first_response: Any
    resolve_hours: Any
    resolved_ok: Any


def generate_sample(rows: int, *, seed: int = 7, days: int = 90, start: str = "2025-01-06") -> Any:
    """A realistic synthetic ticket history as a pyarrow Table (same seed, same table).

    Business-hours and weekday arrival, Free/Pro/Enterprise tiers with ARR, channels, categories,
    billing disputes with amounts, churn threats, and a few incidents that each bring a burst of
    P1/P2 outage tickets within hours. The history's own escalations land inside the seed's mature
    bands (about 8% escalated, under 2% at Level 3 or above).
    """
    import numpy as np

    if rows < 1:
        raise UserInputError("--rows must be at least 1.")
    rng = np.random.default_rng(seed)
    draws = _draw_tickets(rng, rows, days, np.datetime64(start, "s").astype(np.int64))
    level, reason = _history_escalations(rng, draws)
    escalate_after, resolve_after, csat = _escalation_times_and_csat(rng, draws, level)
    return _arrow_table(draws, level, reason, escalate_after, resolve_after, csat)


def _arrivals(rng: Any, n: int, days: int, start_s: Any) -> tuple[Any, Any, Any]:
    """(created time, in an incident burst, incident index or -1): busier weekdays and hours, plus outage bursts."""
    import numpy as np

    # arrival: weekdays busier, business hours busier
    day_weights = np.array([1.0 if (d % 7) < 5 else 0.35 for d in range(days)])
    hour_weights = np.array([0.2] * 7 + [0.8, 1.4, 1.6, 1.6, 1.5, 1.3, 1.5, 1.6, 1.5, 1.3, 1.0, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2])
    day = rng.choice(days, size=n, p=day_weights / day_weights.sum())
    hour = rng.choice(24, size=n, p=hour_weights / hour_weights.sum())
    created = start_s + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n)

    # incidents: a few outages, each a burst of related tickets within hours of its start
    incidents = max(1, round(days / 15))
    burst_share = 0.045
    in_burst = rng.random(n) < burst_share
    incident_of = np.where(in_burst, rng.integers(0, incidents, size=n), -1)
    incident_start = start_s + np.sort(rng.integers(0, days, size=incidents)) * 86400 + rng.integers(8, 20, size=incidents) * 3600
    burst_offset = np.minimum(rng.exponential(5400, size=n), 6 * 3600).astype(np.int64)
    created = np.where(in_burst, incident_start[np.maximum(incident_of, 0)] + burst_offset, created)
    return created, in_burst, incident_of


def _draw_tickets(rng: Any, n: int, days: int, start_s: Any) -> _Draws:
    """Every ticket's own facts: account, channel, category, priority, mood, response and resolution times."""
    import numpy as np

    created, in_burst, incident_of = _arrivals(rng, n, days, start_s)
    tier = rng.choice(np.array(["Free", "Pro", "Enterprise"]), size=n, p=[0.5, 0.35, 0.15])
    enterprise = tier == "Enterprise"
    arr = np.where(
        enterprise,
        np.round(rng.lognormal(np.log(85000), 0.6, size=n), -2),
        np.where(tier == "Pro", np.round(rng.lognormal(np.log(6000), 0.6, size=n), -1), 0.0),
    )
    channel = rng.choice(np.array(["email", "chat", "ticket portal", "phone", "social"]), size=n, p=[0.38, 0.30, 0.22, 0.06, 0.04])
    channel = np.where((channel == "phone") & ~enterprise & (rng.random(n) < 0.8), "email", channel)

    categories = np.array(["how-to", "bug", "billing", "integration", "account", "feature request", "outage", "security", "data loss", "legal"])
    category = rng.choice(categories, size=n, p=[0.3015, 0.2, 0.14, 0.12, 0.1, 0.085, 0.04, 0.008, 0.003, 0.0025])
    category = np.where(in_burst & (rng.random(n) < 0.85), "outage", category)

    # priority by category
    u = rng.random(n)
    severe = np.isin(category, ["security", "data loss"])
    outage = category == "outage"
    p1_cut = np.where(severe, 0.3, np.where(outage, np.where(in_burst, 0.12, 0.15), 0.002))
    p2_cut = p1_cut + np.where(severe | outage, 0.45, 0.07)
    p3_cut = p2_cut + 0.45
    priority = np.where(u < p1_cut, "P1", np.where(u < p2_cut, "P2", np.where(u < p3_cut, "P3", "P4")))

    billing = category == "billing"
    disputed = np.where(billing & (rng.random(n) < 0.6), np.round(rng.lognormal(np.log(900), 1.3, size=n), 2), np.nan)

    reopen = rng.poisson(np.where(category == "bug", 0.35, 0.12)).astype(np.int64)
    sentiment = rng.normal(0.15, 0.42, size=n) - 0.25 * (priority == "P1") - 0.15 * in_burst - 0.12 * reopen
    sentiment = np.round(np.clip(sentiment, -1, 1), 2)
    churn_p = 0.006 * np.where(sentiment < -0.5, 4, 1) * np.where(reopen >= 2, 2, 1) * np.where(enterprise, 1.5, 1)
    churn = rng.random(n) < churn_p

    median_frt = {"chat": 3.0, "phone": 1.0, "email": 95.0, "ticket portal": 180.0, "social": 40.0}
    frt_median = np.select([channel == c for c in median_frt], list(median_frt.values()), 60.0)
    frt_median = frt_median / np.where(priority == "P1", 4, 1) / np.where(enterprise, 1.5, 1)
    first_response = np.round(rng.lognormal(np.log(frt_median), 0.7), 1)

    median_hours = np.select([priority == p for p in ("P1", "P2", "P3")], [4.0, 12.0, 30.0], 60.0)
    resolve_hours = rng.lognormal(np.log(median_hours), 0.8) * np.where(reopen > 0, 1.6, 1.0)
    resolved_ok = rng.random(n) > 0.02
    return _Draws(
        created=created, in_burst=in_burst, incident_of=incident_of, tier=tier, enterprise=enterprise, arr=arr,
        channel=channel, category=category, priority=priority, severe=severe, outage=outage, billing=billing,
        disputed=disputed, reopen=reopen, sentiment=sentiment, churn=churn, first_response=first_response,
        resolve_hours=resolve_hours, resolved_ok=resolved_ok,
    )


def _history_escalations(rng: Any, d: _Draws) -> tuple[Any, Any]:
    """(level, reason) per ticket: what agents did in this history, the highest level winning."""
    import numpy as np

    n = len(d.created)
    level = np.zeros(n, dtype=np.int64)
    reason = np.full(n, "", dtype=object)

    def mark(mask: Any, lvl: int, why: str) -> None:
        hit = mask & (level < lvl)
        level[hit] = lvl
        reason[hit] = why

    mark((d.reopen >= 2) & (rng.random(n) < 0.7), 1, "Customer requested")
    mark((d.sentiment < -0.6) & (rng.random(n) < 0.3), 1, "Customer requested")
    mark((d.priority == "P2") & (rng.random(n) < 0.12), 1, "SLA breach risk")
    mark((d.category == "bug") & (rng.random(n) < 0.06), 1, "Technical complexity")
    mark((d.category == "integration") & (rng.random(n) < 0.07), 1, "Integration issue")
    mark((d.priority == "P2") & d.enterprise & (d.resolve_hours > 6) & (rng.random(n) < 0.6), 2, "Product bug")
    mark(d.billing & (np.nan_to_num(d.disputed) > 5000), 2, "Billing dispute")
    mark((d.category == "bug") & (d.reopen >= 2) & (rng.random(n) < 0.3), 2, "Product bug")
    mark((d.category == "legal") & (rng.random(n) < 0.5), 2, "Legal")
    mark((d.priority == "P1") & (d.outage | d.severe) & (rng.random(n) < 0.4), 3, "Outage")
    mark((d.category == "security") & np.isin(d.priority, ["P1", "P2"]) & (rng.random(n) < 0.25), 3, "Security")
    mark((d.category == "data loss") & (rng.random(n) < 0.4), 3, "Data loss")
    mark(d.churn & (d.arr > 50000), 4, "Churn threat")
    mark((d.category == "legal") & (level < 2), 4, "Legal")
    mark((d.channel == "social") & (d.sentiment < -0.7), 4, "Public complaint")
    reason = np.where(level == 0, None, reason)
    return level, reason


def _escalation_times_and_csat(rng: Any, d: _Draws, level: Any) -> tuple[Any, Any, Any]:
    """(seconds to escalation, seconds to resolution, CSAT or NaN): escalated tickets take longer and score lower."""
    import numpy as np

    n = len(d.created)
    escalate_median = np.where(level >= 3, 25.0, 150.0)
    escalate_after = np.round(rng.lognormal(np.log(escalate_median), 0.9) * 60).astype(np.int64)
    resolve_after = (d.resolve_hours * 3600).astype(np.int64) + np.where(level > 0, escalate_after, 0)
    resolve_after = resolve_after * np.where(level >= 2, 2, 1)

    answered = (rng.random(n) < 0.35) & d.resolved_ok
    csat_mean = 4.4 - 0.55 * (level > 0) - 0.25 * d.reopen - 0.004 * np.minimum(resolve_after / 3600, 100) + 0.4 * d.sentiment
    csat = np.where(answered, np.clip(np.round(rng.normal(csat_mean, 0.7)), 1, 5), np.nan)
    return escalate_after, resolve_after, csat


def _arrow_table(d: _Draws, level: Any, reason: Any, escalate_after: Any, resolve_after: Any, csat: Any) -> Any:
    """The draws sorted by creation time as a pyarrow Table with an export's column names and types."""
    import numpy as np
    import pyarrow as pa

    n = len(d.created)
    order = np.argsort(d.created, kind="stable")

    def arranged(values: Any) -> Any:
        return values[order]

    created_sorted = arranged(d.created)
    level_sorted = arranged(level)
    resolved_at = np.where(arranged(d.resolved_ok), created_sorted + arranged(resolve_after), 0)
    escalated_at = np.where(level_sorted > 0, created_sorted + arranged(escalate_after), 0)

    def ts(values: Any, valid: Any) -> Any:
        return pa.array(values.astype("datetime64[s]"), type=pa.timestamp("s"), mask=~valid)

    table = pa.table(
        {
            "ticket_id": pa.array([f"T-{100001 + i}" for i in range(n)]),
            "created_at": ts(created_sorted, np.ones(n, dtype=bool)),
            "resolved_at": ts(resolved_at, arranged(d.resolved_ok)),
            "priority": pa.array(arranged(d.priority)),
            "customer_tier": pa.array(arranged(d.tier)),
            "arr_usd": pa.array(arranged(d.arr)),
            "channel": pa.array(arranged(d.channel)),
            "category": pa.array(arranged(d.category)),
            "reopen_count": pa.array(arranged(d.reopen)),
            "csat": pa.array(arranged(csat), from_pandas=True),
            "sentiment": pa.array(arranged(d.sentiment)),
            "first_response_minutes": pa.array(arranged(d.first_response)),
            "escalated": pa.array(level_sorted > 0),
            "escalation_level": pa.array(level_sorted),
            "escalated_at": ts(escalated_at, level_sorted > 0),
            "escalation_reason": pa.array(list(arranged(reason)), type=pa.string()),
            "disputed_amount_usd": pa.array(arranged(d.disputed), from_pandas=True),
            "churn_threat": pa.array(arranged(d.churn)),
            "incident_id": pa.array([f"INC-{i + 1:03d}" if i >= 0 else None for i in arranged(d.incident_of).tolist()], type=pa.string()),
        }
    )
    return table


def write_sample(path: Path | str, rows: int, *, seed: int = 7, days: int = 90) -> Path:
    """Write :func:`generate_sample` as CSV or Parquet (by the file's suffix); returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise UserInputError(f"{path}: choose a .csv or .parquet file name for the sample tickets.")
    table = generate_sample(rows, seed=seed, days=days)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect()
    try:
        con.register("sample", table)
        options = "FORMAT PARQUET, COMPRESSION ZSTD" if suffix != ".csv" else "FORMAT CSV, HEADER true"
        con.execute(f"COPY (SELECT * FROM sample) TO {quote_text(str(path))} ({options})")
    except OSError as exc:
        raise UserInputError(f"{path}: cannot be written ({exc}).") from None
    finally:
        con.close()
    return path
