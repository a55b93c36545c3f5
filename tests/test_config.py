"""A malformed config never stops the coach: each problem is named with its file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import Settings, load_settings, save_setting
from coach.errors import CoachError
from coach.paths import resolve_home


def test_defaults_without_a_config_file(coach_home: Path) -> None:
    loaded = load_settings(coach_home)
    assert loaded.settings == Settings()
    assert loaded.warnings == []


def test_good_values_are_used(coach_home: Path) -> None:
    (coach_home / "config.toml").write_text(
        'model = "base.en"\npause_threshold_s = 2\n'
        'extra_fillers = ["okay so"]\nlive_transcript = true\n'
    )
    loaded = load_settings(coach_home)
    assert loaded.settings.model == "base.en"
    assert loaded.settings.pause_threshold_s == 2.0
    assert loaded.settings.extra_fillers == ("okay so",)
    assert loaded.settings.live_transcript is True
    assert loaded.warnings == []


def test_bad_fields_are_named_and_defaults_kept(coach_home: Path) -> None:
    path = coach_home / "config.toml"
    path.write_text('pause_threshold_s = "long"\ncolour = "red"\nnew_prompts_per_day = -1\n')
    loaded = load_settings(coach_home)
    assert loaded.settings.pause_threshold_s == Settings().pause_threshold_s
    assert loaded.settings.new_prompts_per_day == Settings().new_prompts_per_day
    text = "\n".join(loaded.warnings)
    assert str(path) in text
    assert "pause_threshold_s" in text and "colour" in text and "new_prompts_per_day" in text


def test_unparseable_toml_is_a_warning_not_a_crash(coach_home: Path) -> None:
    path = coach_home / "config.toml"
    path.write_text("model = [unclosed\n")
    loaded = load_settings(coach_home)
    assert loaded.settings == Settings()
    assert len(loaded.warnings) == 1 and str(path) in loaded.warnings[0]


def test_home_resolution_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COACH_HOME", str(tmp_path / "from-env"))
    assert resolve_home() == (tmp_path / "from-env").resolve()
    assert resolve_home(tmp_path / "explicit") == (tmp_path / "explicit").resolve()
    assert (tmp_path / "explicit").is_dir()


CONFIG = """\
# my coach settings
model = "base.en"   # the bigger model

extra_fillers = [
  "okay so",   # my habit
]
input_device = "3"
live_transcript = true
"""


def test_saved_setting_is_read_back(coach_home: Path) -> None:
    path = save_setting(coach_home, "input_device", 'USB "Yeti" Mic: \\ (hw:2,0)')
    assert path == coach_home / "config.toml"
    loaded = load_settings(coach_home)
    assert loaded.settings.input_device == 'USB "Yeti" Mic: \\ (hw:2,0)'
    assert loaded.warnings == []


def test_saving_keeps_other_settings_and_comments(coach_home: Path) -> None:
    path = coach_home / "config.toml"
    path.write_text(CONFIG)
    save_setting(coach_home, "input_device", "Blue Yeti")
    text = path.read_text()
    assert text == CONFIG.replace('input_device = "3"', 'input_device = "Blue Yeti"')
    loaded = load_settings(coach_home)
    assert loaded.settings.input_device == "Blue Yeti"
    assert loaded.settings.model == "base.en"
    assert loaded.settings.extra_fillers == ("okay so",)
    assert loaded.warnings == []


def test_a_new_setting_goes_above_any_table(coach_home: Path) -> None:
    """A key written after a [table] header would belong to the table, not the settings."""
    path = coach_home / "config.toml"
    path.write_text('model = "base.en"\n\n[notes]\ntext = "kept"\n')
    save_setting(coach_home, "input_device", "Blue Yeti")
    text = path.read_text()
    assert text.index("input_device") < text.index("[notes]")
    assert load_settings(coach_home).settings.input_device == "Blue Yeti"
    assert 'text = "kept"' in text


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("model = [unclosed\n# half-edited by hand\n", "not valid TOML"),
        # the line looks like the key but sits in a multi-line string: parsing the result shows
        # that another value would change
        ('prompts_dir = """\ninput_device = "x"\n"""\n', "safely"),
    ],
)
def test_a_config_that_cannot_be_edited_safely_is_left_alone(
    coach_home: Path, text: str, why: str
) -> None:
    path = coach_home / "config.toml"
    path.write_text(text)
    with pytest.raises(CoachError, match=why):
        save_setting(coach_home, "input_device", "Blue Yeti")
    assert path.read_text() == text
    assert [p.name for p in coach_home.iterdir()] == ["config.toml"]  # no temporary file left
