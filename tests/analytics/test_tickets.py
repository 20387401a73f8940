"""Ticket files: column auto-detection, typed loading, precise errors, and the seeded sample."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.analytics.tickets import (
    ColumnMapping,
    TicketDataError,
    detect_by_headers,
    detect_mapping,
    load_tickets,
    normalise_header,
    write_sample,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


def test_headers_are_normalised() -> None:
    assert normalise_header("First_Response (mins)") == "first response mins"
    assert normalise_header("createdAt") == "created at"


def test_helpdesk_style_headers_are_mapped() -> None:
    headers = ["Ticket #", "Created", "Closed At", "Sev", "Plan", "Via", "Type", "Reopens", "CSAT Score",
               "FRT (mins)", "Escalated To", "ARR (USD)", "Escalation Reason", "Churn Risk", "Notes"]
    found = detect_by_headers(headers)
    assert found["created_at"] == "Created"
    assert found["resolved_at"] == "Closed At"
    assert found["priority"] == "Sev"
    assert found["tier"] == "Plan"
    assert found["channel"] == "Via"
    assert found["category"] == "Type"
    assert found["reopen_count"] == "Reopens"
    assert found["csat"] == "CSAT Score"
    assert found["first_response_minutes"] == "FRT (mins)"
    assert found["escalation_level"] == "Escalated To"
    assert found["arr"] == "ARR (USD)"
    assert found["escalation_reason"] == "Escalation Reason"
    assert found["churn_threat"] == "Churn Risk"
    assert "Notes" not in found.values()


def test_value_shapes_fill_in_unhelpful_headers(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", """
col_a,col_b,col_c,col_d
2025-03-01 10:00:00,P1,L3,yes
2025-03-01 11:00:00,P3,L0,no
2025-03-02 09:30:00,P4,L1,no
""")
    mapping = detect_mapping(path)
    assert mapping.columns == {"created_at": "col_a", "priority": "col_b", "escalation_level": "col_c", "escalated": "col_d"}


def test_values_are_normalised_to_canonical_types(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", """
opened,priority,level,amount,escalated,churn
03/01/2025 10:00,Urgent,Level 3,"$6,500",yes,true
03/02/2025 11:30,p2,L1,,no,false
03/03/2025 12:45,low,none,120,no,no
""")
    table = load_tickets(path, ColumnMapping(columns={
        "created_at": "opened", "priority": "priority", "escalation_level": "level",
        "disputed_amount": "amount", "escalated": "escalated", "churn_threat": "churn",
    }))
    rows = table.query("SELECT priority, escalation_level, disputed_amount, escalated, churn_threat, created_at FROM tickets ORDER BY created_at")
    assert [r[0] for r in rows] == ["P1", "P2", "P4"]
    assert [r[1] for r in rows] == [3, 1, 0]
    assert [r[2] for r in rows] == [6500.0, None, 120.0]
    assert [r[3] for r in rows] == [True, False, False]
    assert [r[4] for r in rows] == [True, False, False]
    assert rows[0][5].isoformat() == "2025-03-01T10:00:00"
    assert table.summary.rows == 3 and "arr" in table.summary.unmapped


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TicketDataError, match=r"nope\.csv: file not found"):
        load_tickets(tmp_path / "nope.csv")


def test_missing_created_column_names_the_file_and_the_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,priority\n1,P1\n")
    with pytest.raises(TicketDataError) as caught:
        load_tickets(path)
    assert "t.csv" in caught.value.message and "Created time" in caught.value.message
    assert "id, priority" in caught.value.message
    assert caught.value.exit_code == 2


def test_unparseable_column_is_named_with_an_example(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "created,csat\n2025-01-01 10:00,5\n2025-01-02 10:00,great\n2025-01-03 10:00,awful\n")
    with pytest.raises(TicketDataError) as caught:
        load_tickets(path)
    message = caught.value.message
    assert "t.csv" in message and "'csat'" in message and "2 of 3" in message and "'awful'" in message


def test_a_mapped_column_that_is_not_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "created\n2025-01-01 10:00\n")
    with pytest.raises(TicketDataError, match=r"column 'Priority' \(mapped to Priority / severity\) is not in the file"):
        load_tickets(path, ColumnMapping(columns={"created_at": "created", "priority": "Priority"}))


def test_unknown_fields_are_rejected_by_the_mapping() -> None:
    with pytest.raises(ValueError, match="unknown field"):
        ColumnMapping(columns={"colour": "x"})


def test_sample_is_deterministic_and_auto_maps(tmp_path: Path) -> None:
    a = write_sample(tmp_path / "a.csv", 3000, seed=11)
    b = write_sample(tmp_path / "b.csv", 3000, seed=11)
    c = write_sample(tmp_path / "c.csv", 3000, seed=12)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(a) == digest(b) != digest(c)
    table = load_tickets(a)
    assert not table.summary.unmapped and not table.summary.notes
    assert table.rows == 3000


def test_sample_looks_like_a_support_history(tmp_path: Path) -> None:
    table = load_tickets(write_sample(tmp_path / "s.parquet", 20000, seed=7))
    first, last = table.summary.first_created, table.summary.last_created
    assert first is not None and last is not None and 85 <= (last - first).days <= 90
    assert {r[0] for r in table.query("SELECT DISTINCT tier FROM tickets")} == {"Free", "Pro", "Enterprise"}
    assert {"email", "chat", "phone", "social"} <= {r[0] for r in table.query("SELECT DISTINCT channel FROM tickets")}
    # incidents: the busiest hour holds far more outage tickets than a typical hour
    busiest, typical = table.one(
        "SELECT max(n), median(n) FROM (SELECT date_trunc('hour', created_at), count(*) AS n FROM tickets "
        "WHERE category = 'outage' GROUP BY 1)"
    )
    assert busiest >= 10 * typical
    escalated, major = table.one("SELECT avg((escalation_level > 0)::INT), avg((escalation_level >= 3)::INT) FROM tickets")
    assert 0.05 <= escalated <= 0.10 and 0.005 <= major <= 0.02
