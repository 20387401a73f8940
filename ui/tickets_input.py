"""The ticket history shared by the Calibration and Dashboard pages: upload or sample, column mapping, loaded table.

The file, its mapping and the loaded DuckDB table live in plain session keys, so both pages (and
a page switch) reuse them; each page draws its own widgets (keys prefixed per page), filled from
those plain keys, because Streamlit ties a widget key to the page that drew it. Uploads and
samples are written to a private temporary folder of the session, because DuckDB reads files by path.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from assistant.errors import PlaybookError
from assistant.analytics.tickets import (
    FIELDS,
    ColumnMapping,
    TicketTable,
    detect_mapping,
    load_tickets,
    write_sample,
)

from ui.safety import inert_inline

#: plain session keys
TICKETS_PATH = "analytics_tickets_path"
TICKETS_DIR = "_analytics_tickets_dir"
MAPPING = "analytics_mapping"
TABLE = "_analytics_table"
#: widget keys (each page adds its prefix)
W_UPLOAD = "tickets_upload"
W_SAMPLE_ROWS = "sample_rows"
W_SAMPLE = "sample_generate"
W_MAP = "map__"
UNMAPPED = "(not in the file)"


def _folder() -> Path:
    if TICKETS_DIR not in st.session_state or not Path(st.session_state[TICKETS_DIR]).is_dir():
        st.session_state[TICKETS_DIR] = tempfile.mkdtemp(prefix="playbook-tickets-")
    return Path(st.session_state[TICKETS_DIR])


def _use(path: Path) -> None:
    st.session_state[TICKETS_PATH] = str(path)
    st.session_state.pop(MAPPING, None)
    for key in [k for k in st.session_state if W_MAP in str(k)]:
        del st.session_state[key]


def _on_upload(prefix: str) -> None:
    upload = st.session_state.get(prefix + W_UPLOAD)
    if upload is None:
        return
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(upload.name).name) or "tickets.csv"
    # one folder per content, so the file keeps the name its owner gave it
    folder = _folder() / hashlib.sha256(upload.getvalue()).hexdigest()[:16]
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(upload.getvalue())
    _use(path)


def _shown(message: str, path: Path) -> str:
    """A message about ``path`` in people's words: the file's name, never the server's folders."""
    return message.replace(str(path), path.name).replace(str(path.parent) + "/", "").replace(str(_folder()), "")


def _on_sample(prefix: str) -> None:
    rows = int(st.session_state.get(prefix + W_SAMPLE_ROWS) or 20000)
    path = _folder() / f"sample-{rows}.parquet"
    if not path.exists():
        write_sample(path, rows)
    _use(path)


def _on_map(prefix: str, field: str) -> None:
    value = st.session_state.get(f"{prefix}{W_MAP}{field}")
    st.session_state.setdefault(MAPPING, {})[field] = value


def source(prefix: str = "") -> Path | None:
    """Upload a CSV/Parquet file or generate a sample; returns the file in use (or None)."""
    left, right = st.columns([3, 2])
    left.file_uploader(
        "Ticket history (CSV or Parquet, 60–90 days)",
        type=["csv", "parquet", "pq"],
        key=prefix + W_UPLOAD,
        on_change=_on_upload,
        args=(prefix,),
        help="Created/resolved times, priority, tier or ARR, channel, category, reopens, CSAT, first response and escalation level.",
    )
    with right:
        st.number_input(
            "Sample size (tickets)",
            min_value=1000,
            max_value=2_000_000,
            value=20000,
            step=5000,
            key=prefix + W_SAMPLE_ROWS,
        )
        st.button(
            "Generate a sample history",
            key=prefix + W_SAMPLE,
            on_click=_on_sample,
            args=(prefix,),
            icon=":material/dataset:",
            help="90 days of synthetic tickets (seeded): tiers, channels and incident bursts.",
        )
    chosen = st.session_state.get(TICKETS_PATH)
    if not chosen or not Path(chosen).is_file():
        return None
    st.caption(f"Using **{inert_inline(Path(chosen).name)}**.")
    return Path(chosen)


def mapping(path: Path, prefix: str = "") -> ColumnMapping | None:
    """Selectboxes per field, pre-filled with the auto-detected columns; None when the file cannot be read."""
    try:
        detected = detect_mapping(path)
        from assistant.analytics.tickets import inspect_file

        columns = list(inspect_file(path)[0])
    except PlaybookError as exc:
        st.error(inert_inline(_shown(exc.message, path)), icon=":material/error:")
        return None
    if MAPPING not in st.session_state:
        st.session_state[MAPPING] = {f.name: detected.columns.get(f.name, UNMAPPED) for f in FIELDS}
    kept: dict[str, str] = st.session_state[MAPPING]
    chosen: dict[str, str] = {}
    options = [UNMAPPED, *columns]
    with st.expander("Column mapping (auto-detected)", expanded=False):
        grid = st.columns(3)
        for index, field in enumerate(FIELDS):
            key = f"{prefix}{W_MAP}{field.name}"
            if kept.get(field.name) not in options:
                kept[field.name] = UNMAPPED
            if st.session_state.get(key) != kept[field.name]:
                st.session_state[key] = kept[field.name]
            value = grid[index % 3].selectbox(
                field.label + (" *" if field.required else ""),
                options,
                key=key,
                on_change=_on_map,
                args=(prefix, field.name),
            )
            if value != UNMAPPED:
                chosen[field.name] = value
    return ColumnMapping(columns=chosen)


def table(path: Path, columns: ColumnMapping) -> TicketTable | None:
    """The loaded tickets for this file and mapping (kept in the session; reloaded when either changes)."""
    key = (str(path), path.stat().st_mtime, columns.model_dump_json())
    cached: tuple[Any, TicketTable] | None = st.session_state.get(TABLE)
    if cached is not None and cached[0] == key:
        return cached[1]
    try:
        with st.spinner("Reading the tickets…"):
            loaded = load_tickets(path, columns)
    except PlaybookError as exc:
        st.error(inert_inline(_shown(exc.message, path)), icon=":material/error:")
        return None
    if cached is not None:
        cached[1].close()
    st.session_state[TABLE] = (key, loaded)
    return loaded


def current_table(prefix: str = "") -> TicketTable | None:
    """Source, mapping and table in one call (what both pages start with); ``prefix`` keeps each page's widget keys apart."""
    path = source(prefix)
    if path is None:
        st.info("Upload a ticket export or generate a sample history to start.", icon=":material/upload_file:")
        return None
    columns = mapping(path, prefix)
    if columns is None:
        return None
    loaded = table(path, columns)
    if loaded is not None:
        summary = loaded.summary
        period = (
            f" from {summary.first_created:%Y-%m-%d} to {summary.last_created:%Y-%m-%d}"
            if summary.first_created and summary.last_created
            else ""
        )
        st.caption(f"{loaded.rows:,} tickets{period}; {len(summary.mapping)} of {len(FIELDS)} fields mapped.")
        for note in summary.notes:
            st.warning(inert_inline(note), icon=":material/warning:")
    return loaded
