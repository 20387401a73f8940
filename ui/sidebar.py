"""The shared sidebar: model provider, model, base URL and key, connection test, estimates, Stop.

A key typed here stays in this browser session's memory (never on disk); the model, base URL
and key are kept per provider, so a URL typed for OpenAI never follows the user to Anthropic.
"""

from __future__ import annotations

import hashlib
import json

import streamlit as st

from assistant.api import Studio
from assistant.errors import PlaybookError
from assistant.settings import DEFAULT_MODELS
from ui import access, runs, session, state
from ui.safety import inert_inline


def _remember_key(provider: str) -> None:
    """Keep the typed key in this session's memory (never on disk) under the provider's name."""
    st.session_state[state.API_KEYS][provider] = (
        st.session_state.get(state.provider_field(state.W_API_KEY, provider), "") or ""
    )
    st.session_state[state.CONNECTION_RESULT] = None


def _test_connection() -> None:
    here = session.studio()
    model = session.model_name(here)
    try:
        message = session.provider(here).check(model)
    except PlaybookError as exc:
        st.session_state[state.CONNECTION_RESULT] = ("error", exc.message)
    except Exception as exc:  # noqa: BLE001  (an SDK surprise: say what it was, never the key)
        st.session_state[state.CONNECTION_RESULT] = ("error", f"{type(exc).__name__}: the connection test failed.")
    else:
        st.session_state[state.CONNECTION_RESULT] = ("success", message)


def _on_connection_field(key: str) -> None:
    state.keep(key)
    st.session_state[state.CONNECTION_RESULT] = None


def _on_provider_change() -> None:
    state.keep(state.W_PROVIDER)
    st.session_state[state.CONNECTION_RESULT] = None  # a test of the previous provider says nothing now


def _stop_job() -> None:
    job = runs.active_job()
    if job is not None:
        job.stop()


def _tokens(count: int) -> str:
    return f"{count / 1000:.1f}k" if count >= 1000 else str(count)


def _cost(value: float | None, model: str) -> str:
    if value is None:
        return f"price unknown for {model}"
    return "no cost" if value == 0 else f"≈ ${value:.4f}"


def _estimates(studio: Studio) -> float | None:
    """The next step's and the rest of the run's tokens and cost; returns the rest's cost."""
    pack = session.current_pack(studio)
    ws = state.workspace(pack.name)
    variables, _ = session.prepared(studio, pack, ws.values)
    if variables is None:
        st.caption("Estimates appear once the organisation profile is complete.")
        return None
    remaining = runs.remaining_steps(pack, ws)
    if not remaining:
        st.caption("Every step of the chain has a draft.")
        return None
    model = session.model_name(studio)
    expert = bool(st.session_state.get(state.EXPERT))
    available = {s: d.text for s, d in ws.drafts.items() if d.usable}
    key = hashlib.sha256(
        json.dumps(
            [pack.name, variables, remaining, model, expert, sorted((k, len(v)) for k, v in available.items())],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    cache = st.session_state[state.ESTIMATE_CACHE]
    if key not in cache:
        try:
            cache.clear()
            cache[key] = studio.estimate(pack, variables, remaining, available=available, expert=expert, model=model)
        except PlaybookError as exc:
            st.caption(inert_inline(exc.message))
            return None
    estimate = cache[key]
    first = estimate.steps[0]
    st.markdown(
        f"**Next step** ({inert_inline(pack.step(first.step).title)}): ~{_tokens(first.input_tokens)} in + "
        f"~{_tokens(first.output_tokens)} out tokens · {_cost(first.cost, model)}"
    )
    if len(estimate.steps) > 1:
        st.markdown(
            f"**Rest of the run** ({len(estimate.steps)} steps): ~{_tokens(estimate.input_tokens)} in + "
            f"~{_tokens(estimate.output_tokens)} out · {_cost(estimate.cost, model)}"
        )
    st.caption("Estimates: prompts are counted exactly, answers at the pack's typical length.")
    return estimate.cost


def _provider_choice() -> str:
    state.restore(state.W_PROVIDER, session.default_provider())
    st.selectbox(
        "Provider",
        session.PROVIDERS,
        key=state.W_PROVIDER,
        format_func=session.PROVIDER_LABELS.get,
        on_change=_on_provider_change,
        help="Offline drafts need no key. OpenAI also covers any OpenAI-compatible server (vLLM, llama.cpp, Ollama) via the Base URL.",
    )
    return st.session_state[state.W_PROVIDER]


def _connection_fields(provider: str) -> None:
    """Model, base URL and key of a hosted provider (the environment's values first)."""
    model_key = state.provider_field(state.W_MODEL, provider)
    state.restore(model_key, session.env_default(state.W_MODEL, provider))
    st.text_input(
        "Model",
        key=model_key,
        placeholder=DEFAULT_MODELS.get(provider, ""),
        on_change=_on_connection_field,
        args=(model_key,),
        help=f"Leave empty for the default ({DEFAULT_MODELS.get(provider, '')}).",
    )
    url_key = state.provider_field(state.W_BASE_URL, provider)
    state.restore(url_key, session.env_default(state.W_BASE_URL, provider))
    st.text_input(
        "Base URL (optional)",
        key=url_key,
        placeholder="http://localhost:8000/v1" if provider == "openai" else "https://api.anthropic.com",
        on_change=_on_connection_field,
        args=(url_key,),
        help="For a local or company server (vLLM, llama.cpp, Ollama, a gateway). Leave empty for the provider's own API.",
    )
    env_name = session.KEY_ENV[provider]
    if session.env_key_applies(provider):
        if session.environment_settings().user_daily_budget_usd is None:
            st.caption(f":material/key: Using key from environment ({env_name}).")
            return
        st.caption(
            f":material/key: This server's key ({env_name}) is used within your daily budget; "
            "a key of your own (kept for this session only) has no budget."
        )
    elif session.env_has_key(provider):
        st.caption(
            ":material/lock: This server's key is sent only to the endpoint its operator configured. "
            "For this Base URL, paste a key of your own (kept for this session only), or leave it empty for a local server."
        )
    key_widget = state.provider_field(state.W_API_KEY, provider)
    if key_widget not in st.session_state:
        st.session_state[key_widget] = session.typed_key(provider)
    st.text_input(
        f"{'OpenAI' if provider == 'openai' else 'Anthropic'} API key",
        key=key_widget,
        type="password",
        on_change=_remember_key,
        args=(provider,),
        help="Kept only in this browser session's memory: never written to the history, logs or exports.",
    )


def _connection_test() -> None:
    st.button("Test connection", key=state.W_TEST_CONNECTION, on_click=_test_connection)
    result = st.session_state.get(state.CONNECTION_RESULT)
    if result:
        (st.success if result[0] == "success" else st.error)(inert_inline(result[1]))


def _provider_notice(studio: Studio) -> None:
    """What the chosen provider will do: offline drafts, a test double, or a missing key."""
    effective = session.provider_name(studio)
    if session.override() is not None:
        st.caption(f"Test provider in use: {inert_inline(effective)}.")
    elif effective == "offline":
        st.info(
            "**Producing offline drafts.** No model is connected, so each step is composed on this machine from "
            "your inputs and the pack's checklist: the structure is right, the prose is generic.\n\n"
            "**To connect a model:** choose OpenAI or Anthropic above and paste a key, start the app with "
            "`OPENAI_API_KEY` or `ANTHROPIC_API_KEY` set, or choose OpenAI and enter the Base URL of a local "
            "OpenAI-compatible server.",
            icon=":material/cloud_off:",
        )
    elif not studio.settings.api_key_for(effective) and not (effective == "openai" and studio.settings.base_url):
        st.warning(
            f"No {session.PROVIDER_NAMES.get(effective, effective)} key yet: paste one above or set {session.KEY_ENV.get(effective, '')} "
            "before starting the app" + (", or enter a local server's Base URL." if effective == "openai" else "."),
            icon=":material/key:",
        )


def _run_in_progress() -> None:
    job = runs.active_job()
    if job is None:
        return
    st.divider()
    st.markdown(
        ":material/progress_activity: **A run is in progress.**"
        if not job.stopping
        else ":material/stop_circle: **Stopping…**"
    )
    st.button("Stop the run", key=state.W_SIDEBAR_STOP, on_click=_stop_job, icon=":material/stop:")


def _account(studio: Studio) -> None:
    """Who is signed in, and the way out (team mode only)."""
    if not access.team_mode():
        return
    teams = ", ".join(access.team_label(t) for t in sorted(studio.viewer.teams)) or "No team"
    st.markdown(f":material/account_circle: Signed in as **{inert_inline(studio.viewer.shown)}**")
    st.caption(inert_inline(teams) + (" · admin" if studio.viewer.admin else ""))
    st.button("Sign out", key=state.W_SIGN_OUT, on_click=st.logout, icon=":material/logout:")


def _budget(studio: Studio, estimated: float | None) -> None:
    """What is left of today's budget on the operator's key, and whether the rest of the run fits."""
    left = studio.budget_left(session.provider_name(studio))
    if left is None:
        return
    budget = studio.settings.user_daily_budget_usd or 0.0
    st.markdown(f"**Left today** on this server's key: ${left:.4f} of ${budget:.2f}")
    if estimated is not None and estimated > left:
        st.warning(
            "The rest of the run is estimated above what is left: run one step at a time, choose a cheaper model, "
            "or paste a key of your own (no budget applies to it).",
            icon=":material/savings:",
        )


def draw(studio: Studio) -> None:
    """The sidebar every page shares."""
    with st.sidebar:
        _account(studio)
        st.subheader("Model")
        provider = _provider_choice()
        if provider == "offline":
            st.caption("Model: offline-draft (composed on this machine).")
        else:
            _connection_fields(provider)
        _connection_test()
        _provider_notice(studio)
        st.subheader("Estimate")
        try:
            _budget(studio, _estimates(studio))
        except PlaybookError as exc:
            st.caption(inert_inline(exc.message))
        _run_in_progress()
