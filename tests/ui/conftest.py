"""Fixtures for the Streamlit tests: the app under AppTest, scripted providers, canned answers.

Every test gets a private data folder (``PLAYBOOK_DATA_DIR``, from the root
conftest), so the history database is a fresh file per test. A provider
object is handed to the app through ``st.session_state["provider_override"]``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
E2E = ROOT / "tests" / "e2e"
if str(E2E) not in sys.path:
    sys.path.insert(0, str(E2E))

from streamlit.testing.v1 import AppTest

from assistant.providers.base import CompletionRequest
from assistant.providers.scripted import ScriptedProvider, ScriptedReply

APP = ROOT / "ui" / "app.py"
ANSWERS = ROOT / "tests" / "data" / "answers"
PACK = "escalation-procedure"
#: an ``[auth]`` secrets section: team mode (AppTest stands in for the identity provider through ``at.user``)
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "studio",
    "client_secret": "studio-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
ISSUER = "https://id.example.com"


def person(email: str, *, subject: str | None = None, **claims: Any) -> dict[str, Any]:
    """``st.user`` of someone signed in with the identity provider."""
    return {"is_logged_in": True, "iss": ISSUER, "sub": subject or f"sub-{email.partition('@')[0]}", "email": email, **claims}


def read_answer(name: str) -> str:
    return (ANSWERS / name).read_text(encoding="utf-8")


def section(text: str, number: int) -> str:
    """The ``## N) ...`` section of a playbook answer, up to the next one."""
    match = re.search(rf"(?ms)^## {number}\) .*?(?=^## \d+\) |^---\s*$|\Z)", text)
    assert match, f"no section {number}"
    return match.group(0).rstrip() + "\n"


def without_section(text: str, number: int) -> str:
    return text.replace(section(text, number), "")


def runbook_part(role_title: str) -> str:
    text = read_answer("rb_atlasflow_complete.md")
    blocks = re.split(r"(?m)^(?=# )", text)
    return next(b for b in blocks if b.startswith(f"# {role_title}"))


@dataclass
class Answers:
    """What the scripted provider says for each step (``None`` = the complete AtlasFlow answer)."""

    playbook: str = field(default_factory=lambda: read_answer("pb_atlasflow_complete.md"))
    training: str = field(default_factory=lambda: read_answer("tr_atlasflow_complete.md"))
    repair: str = field(default_factory=lambda: section(read_answer("pb_atlasflow_complete.md"), 4))

    def drop_playbook_section(self, number: int) -> None:
        """Leave ``## N) ...`` out of the playbook answer (4 is the routing rules)."""
        self.playbook = without_section(self.playbook, number)

    def thin_playbook_section(self, number: int) -> str:
        """Keep ``## N) ...`` in the playbook answer but with none of its required items; returns its heading."""
        heading = section(self.playbook, number).splitlines()[0]
        thin = f"{heading}\n\nWe treat every customer with respect and keep them informed throughout, whatever their plan.\n\n"
        self.playbook = self.playbook.replace(section(self.playbook, number), thin)
        return heading


def responder(answers: Answers, library: Any) -> Callable[[CompletionRequest], ScriptedReply]:
    pack = library.get(PACK)

    def reply(request: CompletionRequest) -> ScriptedReply:
        task = request.task
        assert task is not None
        if task.sections:
            return ScriptedReply.from_text(answers.repair, size=200)
        if task.step == "playbook":
            return ScriptedReply.from_text(answers.playbook, size=200)
        if task.step == "runbooks":
            part = pack.checklist_for("runbooks").section(task.part)
            return ScriptedReply.from_text(runbook_part(part.title), size=200)
        if task.step == "training":
            return ScriptedReply.from_text(answers.training, size=200)
        return ScriptedReply.from_text(f"# {task.step}\n\nScripted answer for {task.step}.\n")

    return reply


@pytest.fixture(autouse=True)
def served_on_loopback() -> Any:
    """Serve the app under test as ``make run`` does: on 127.0.0.1 (unset, it would listen everywhere
    and the app would refuse to open without sign-in)."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def reply_for(answers: Answers, library: Any) -> Callable[[CompletionRequest], ScriptedReply]:
    """``request -> reply`` giving each step its AtlasFlow fixture answer (see ``answers``)."""
    return responder(answers, library)


@pytest.fixture
def scripted(reply_for: Callable[[CompletionRequest], ScriptedReply]) -> ScriptedProvider:
    """A scripted provider answering each step with the AtlasFlow fixture answers."""
    return ScriptedProvider(reply_for)


class App:
    """An AppTest of ``ui/app.py`` with the few moves every test makes."""

    def __init__(self, provider: Any | None = None, *, user: dict[str, Any] | None = None) -> None:
        """``user``: team mode (an ``[auth]`` section in the secrets) with this ``st.user``."""
        self.at = AppTest.from_file(str(APP), default_timeout=60)
        if user is not None:
            self.at.secrets["auth"] = AUTH
            self.at.user = user
        if provider is not None:
            self.at.session_state["provider_override"] = provider
        self.at.run()
        self.check()

    def check(self) -> App:
        assert not self.at.exception, [e.value for e in self.at.exception]
        return self

    def run(self) -> App:
        self.at.run()
        return self.check()

    def page(self, name: str) -> App:
        self.at.switch_page(f"pages/{name}.py").run()
        return self.check()

    def click(self, key: str) -> App:
        self.at.button(key=key).click().run()
        return self.check()

    def load_example(self) -> App:
        self.page("organisation")
        return self.click("load_example")

    def texts(self) -> str:
        """Every Markdown, caption, alert and code text on the page, joined."""
        parts: list[str] = []
        for kind in ("markdown", "caption", "info", "success", "warning", "error", "code", "title", "header", "subheader"):
            parts += [str(element.value) for element in getattr(self.at, kind)]
        # colour directives (":green[:material/check_circle:]") read as their text
        return re.sub(r":(?:green|red|orange|blue|gray)\[([^\]]*)\]", r"\1", "\n".join(parts))

    def workspace(self, pack: str = PACK) -> Any:
        return self.at.session_state["workspaces"][pack]

    def draft(self, step: str, pack: str = PACK) -> Any:
        return self.workspace(pack).drafts[step]


@pytest.fixture
def app() -> App:
    return App()


@pytest.fixture
def scripted_app(scripted: ScriptedProvider) -> App:
    return App(scripted)


@pytest.fixture
def app_factory() -> Callable[..., App]:
    """Start another browser session (same history database): ``app_factory(provider=None, user=None)``."""
    return App


class Downloads:
    """Every file the app hands to AppTest's media store (download buttons), by file id, and the
    makers of files built only when their button is clicked."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.makers: dict[str, Callable[[], Any]] = {}
        self.names: dict[str, str | None] = {}

    def of(self, button: Any) -> bytes:
        """The bytes behind an ``st.download_button``: its stored file, or what its maker makes on a click."""
        if button.proto.deferred_file_id:
            return self.makers[button.proto.deferred_file_id]()
        return self.files[Path(button.proto.url).stem]

    def name_of(self, button: Any) -> str | None:
        """The file name the browser saves an ``st.download_button``'s file under."""
        return self.names[Path(button.proto.url).stem]


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    import streamlit.testing.v1.app_test as app_test_module
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured = Downloads()

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
            file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
            captured.files[file_id] = self.get_file(file_id).content
            captured.names[file_id] = filename
            return file_id

    class Deferring(MediaFileManager):
        def add_deferred(self, data_callable: Callable[[], Any], *args: Any, **kwargs: Any) -> str:
            file_id = super().add_deferred(data_callable, *args, **kwargs)
            captured.makers[file_id] = data_callable
            return file_id

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    monkeypatch.setattr(app_test_module, "MediaFileManager", Deferring)
    return captured
