"""The organisation page: a form generated from the pack manifest, example, YAML import/export."""

from __future__ import annotations

import yaml

from assistant.packs import PackLibrary

PACK = "escalation-procedure"


def key(name: str, pack: str = PACK) -> str:
    return f"var__{pack}__{name}"


def test_renders_a_field_per_variable_with_required_marks_and_placeholders(app, library: PackLibrary) -> None:
    pack = library.get(PACK)
    widgets = {w.key: w for w in [*app.at.text_input, *app.at.text_area]}
    for variable in pack.variables:
        widget = widgets[key(variable.name)]
        assert widget.label.startswith(variable.label)
        assert widget.label.endswith("*") == variable.required
        assert widget.placeholder  # the manifest's example
    # list variables are one-item-per-line text areas
    assert key("support_channels") in {w.key for w in app.at.text_area}
    assert "One per line" in app.at.text_area(key=key("support_channels")).placeholder
    assert app.at.text_input(key=key("company_name")).placeholder.startswith("e.g.")


def test_missing_and_over_long_values_get_inline_errors(app) -> None:
    app.at.text_input(key=key("company_name")).input("x" * 250)  # the manifest allows 200
    app.run()
    errors = [e.value for e in app.at.error]
    assert any("Company name" in e and "too long" in e and "200" in e for e in errors), errors
    # "required" errors wait until the profile is checked
    assert not any("Industry: required" in e for e in errors)
    app.click("check_profile")
    errors = [e.value for e in app.at.error]
    assert any(e.startswith("Industry: required") for e in errors), errors
    assert any("Company name" in e and "too long" in e for e in errors)
    assert "need attention" in app.texts()


def test_load_example_fills_the_form_and_the_profile_is_complete(app) -> None:
    app.click("load_example")
    assert app.at.text_input(key=key("company_name")).value == "AtlasFlow"
    assert app.at.text_area(key=key("support_channels")).value.splitlines()[0] == "email"
    assert not app.at.error
    assert any("profile is complete" in s.value for s in app.at.success)
    assert app.workspace().values["company_name"] == "AtlasFlow"


def test_values_survive_a_page_switch(app) -> None:
    app.at.text_input(key=key("company_name")).input("Kestrel Pay")
    app.run()
    app.page("validate")
    app.page("organisation")
    assert app.at.text_input(key=key("company_name")).value == "Kestrel Pay"


def test_import_and_export_a_variables_yaml(app, downloads) -> None:
    upload = yaml.safe_dump({"company_name": "Orchard Foods", "support_channels": ["chat", "phone"], "nonsense": 1})
    app.at.file_uploader(key="vars_upload").set_value(("profile.yaml", upload.encode(), "application/x-yaml"))
    app.run()
    assert app.at.text_input(key=key("company_name")).value == "Orchard Foods"
    assert app.at.text_area(key=key("support_channels")).value == "chat\nphone"
    assert any("Ignored nonsense" in w.value for w in app.at.warning)
    exported = yaml.safe_load(downloads.of(app.at.download_button(key="vars_download")))
    assert exported["company_name"] == "Orchard Foods"


def test_a_bad_yaml_file_says_where(app) -> None:
    app.at.file_uploader(key="vars_upload").set_value(("broken.yaml", b"company_name: [unclosed", "application/x-yaml"))
    app.run()
    assert any("broken.yaml" in e.value and "not valid YAML" in e.value for e in app.at.error)


def test_pack_picker_switches_the_form(app, library: PackLibrary) -> None:
    assert set(app.at.selectbox(key="pack_picker").options) >= {
        "Escalation Procedure (escalation-procedure)",
    }
    app.at.selectbox(key="pack_picker").set_value("escalation-management").run()
    app.check()
    pack = library.get("escalation-management")
    keys = {w.key for w in [*app.at.text_input, *app.at.text_area, *app.at.selectbox]}
    assert {key(v.name, pack.name) for v in pack.variables} <= keys
    assert app.at.session_state["pack_name"] == "escalation-management"


def test_expert_toggle_is_kept_in_the_session(app) -> None:
    app.at.toggle(key="expert_toggle").set_value(True).run()
    app.page("chain")
    app.page("organisation")
    assert app.at.toggle(key="expert_toggle").value is True
    assert app.at.session_state["expert"] is True
