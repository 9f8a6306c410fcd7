"""Settings from defaults, env, .env and YAML profiles, and their precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemachat.configs import BadInput, load_settings


def test_defaults() -> None:
    s = load_settings()
    assert s.workspace == Path("data")
    assert s.fb_database is None
    assert s.fb_user == "SYSDBA"
    assert s.row_cap == 1000


def test_env_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEMACHAT_FB_DATABASE", "db.example:/srv/erp.fdb")
    monkeypatch.setenv("SCHEMACHAT_FB_PASSWORD", "s3cret")
    monkeypatch.setenv("SCHEMACHAT_ROW_CAP", "50")
    s = load_settings()
    assert s.fb_database == "db.example:/srv/erp.fdb"
    assert s.fb_password is not None and s.fb_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s) and "s3cret" not in s.model_dump_json()
    assert s.row_cap == 50


def test_yaml_profile_and_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "erp.yaml"
    profile.write_text("workspace: /srv/ws\nfb_database: /srv/erp.fdb\nsample_rows: 9\n")
    s = load_settings(profile)
    assert (s.workspace, s.fb_database, s.sample_rows) == (Path("/srv/ws"), "/srv/erp.fdb", 9)
    assert s.config_file == profile
    monkeypatch.setenv("SCHEMACHAT_SAMPLE_ROWS", "3")  # env beats the profile
    assert load_settings(profile).sample_rows == 3
    assert load_settings(profile, sample_rows=7).sample_rows == 7  # flags beat env


def test_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SCHEMACHAT_FB_DATABASE=/from/dotenv.fdb\n")
    assert load_settings().fb_database == "/from/dotenv.fdb"


def test_bundled_profile_by_name() -> None:
    assert load_settings(Path("demo")).fb_database == "data/demo.fdb"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("row_cap: lots\n", "row_cap"),
        ("no_such_setting: 1\n", "no_such_setting"),
        ("sample_rows: -1\n", "sample_rows"),
    ],
)
def test_bad_profile_names_file_and_field(tmp_path: Path, yaml_text: str, expected: str) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(yaml_text)
    with pytest.raises(BadInput) as exc:
        load_settings(profile)
    assert str(profile) in str(exc.value) and expected in str(exc.value)


def test_missing_profile() -> None:
    with pytest.raises(BadInput, match=r"config file not found: nowhere\.yaml"):
        load_settings(Path("nowhere.yaml"))
