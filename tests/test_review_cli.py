"""`sohoa user …` (accounts, password policy, audit), `sohoa review serve --help`, and the export rule with its
workspace setting."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from common.config import load_settings
from common.errors import AccountError, ConfigError
from export.rules import status_rule, workspace_rule
from review.app import open_store
from review.users import add_user, authenticate, check_password
from sohoa.cli import main
from synth.review_work import make_workspace

GOOD = "mot-mat-khau-dai"


@pytest.fixture()
def workspace(workspace_store_url, tmp_path):
    return make_workspace(tmp_path / "ws", workspace_store_url)


def _user(workspace, *args: str, password: str = GOOD):
    return CliRunner().invoke(main, ["user", *args, "-w", str(workspace)], input=password + "\n")


def test_user_add_reads_piped_password_and_stores_a_hash(workspace):
    result = _user(workspace, "add", "lan", "--role", "approver")
    assert result.exit_code == 0, result.output
    store = open_store(workspace)
    row = store.user_row("lan")
    assert row.role == "approver"
    assert GOOD not in row.password_hash and row.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert authenticate(store, "lan", GOOD).role == "approver"
    assert authenticate(store, "lan", "sai") is None
    assert authenticate(store, "khong-co", GOOD) is None
    created = store.audit_rows(action="account_created", subject="lan")
    assert len(created) == 1 and created[0].actor.startswith("os:") and created[0].detail == {"role": "approver"}


@pytest.mark.parametrize("password, why", [
    ("ngan", "ít nhất"), ("password12", "dễ đoán"), ("          x", "ít nhất"), ("lan-lan-lan-lan", "tên đăng nhập"),
    ("1234567890", "dễ đoán"), ("qwertyuiop", "dễ đoán"),
])
def test_weak_passwords_are_refused_with_a_reason(workspace, password, why):
    result = _user(workspace, "add", "lan", "--role", "reviewer", password=password)
    assert result.exit_code == 1 and why in result.output and "Traceback" not in result.output


def test_unknown_role_and_bad_names_are_refused(workspace):
    assert _user(workspace, "add", "lan", "--role", "boss").exit_code == 2
    store = open_store(workspace)
    for name in ("", "has space", "rev1\u200b", "a" * 65, "tab\tname"):
        with pytest.raises(AccountError):
            add_user(store, name, "reviewer", GOOD, actor="t")


def test_look_alike_account_names_are_refused(workspace):
    store = open_store(workspace)
    add_user(store, "rev1", "reviewer", GOOD, actor="t")
    for twin in ("REV1", "ｒｅｖ1"):  # case, full-width compatibility forms
        with pytest.raises(AccountError, match="giống hệt"):
            add_user(store, twin, "reviewer", GOOD, actor="t")


def test_names_with_letters_of_other_scripts_are_refused(workspace):
    """Regression (outside probe): `аn` with a Cyrillic а was accepted beside `an` — two accounts that look
    the same on every screen and log. Vietnamese letters stay allowed."""
    store = open_store(workspace)
    add_user(store, "an", "reviewer", GOOD, actor="t")
    for twin in ("\u0430n", "\u03bfanh", "ngu\u0443en"):  # Cyrillic а, Greek ο, Cyrillic у
        with pytest.raises(AccountError) as exc:
            add_user(store, twin, "reviewer", GOOD, actor="t")
        assert exc.value.code == "bad_name"
    assert add_user(store, "thắm.nguyễn", "reviewer", GOOD, actor="t").name == "thắm.nguyễn"


def test_disable_enable_role_and_password_changes_are_audited(workspace):
    assert _user(workspace, "add", "lan", "--role", "reviewer").exit_code == 0
    store = open_store(workspace)
    epoch = store.user_row("lan").session_epoch
    assert _user(workspace, "role", "lan", "approver").exit_code == 0
    assert _user(workspace, "passwd", "lan", password="mat-khau-moi-rat-dai").exit_code == 0
    assert _user(workspace, "disable", "lan").exit_code == 0
    assert authenticate(store, "lan", "mat-khau-moi-rat-dai") is None          # disabled: no login
    assert _user(workspace, "enable", "lan").exit_code == 0
    assert authenticate(store, "lan", "mat-khau-moi-rat-dai").role == "approver"
    assert store.user_row("lan").session_epoch == epoch + 4                    # every change ended sessions
    actions = [e.action for e in reversed(store.audit_rows(subject="lan"))]
    assert actions == ["account_created", "role_changed", "password_reset", "account_disabled", "account_enabled"]
    listed = _user(workspace, "list")
    assert listed.exit_code == 0 and "lan" in listed.output and "role_changed" in listed.output
    assert _user(workspace, "disable", "khong-co").exit_code == 1


def test_user_commands_need_a_workspace(tmp_path, monkeypatch):
    """Regression: `sohoa user add NAME` without -w silently created a new empty store in the current folder."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["user", "add", "lan", "--role", "reviewer"], input=GOOD + "\n")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "sohoa init" in result.output and not list(tmp_path.iterdir())


def test_check_password_accepts_a_long_passphrase():
    check_password("lan", "ba con vit bơi qua sông")


def test_review_serve_is_registered():
    result = CliRunner().invoke(main, ["review", "serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
    assert "review" in CliRunner().invoke(main, ["bench", "--help"]).output


def test_export_rule_default_and_configured(workspace):
    approved, reviewed, fresh = (SimpleNamespace(status=s, fields={}) for s in ("approved", "reviewed", "extracted"))
    default = status_rule("approved")
    assert default(approved) is None and default(reviewed) == "not_approved" and default(fresh)
    rule = workspace_rule(workspace)
    assert rule(approved) is None and rule(reviewed) == "not_approved"
    (workspace / "review.toml").write_text('[review]\nexport_rule = "reviewed"\n', encoding="utf-8")
    rule = workspace_rule(workspace)
    assert rule(reviewed) is None and rule(approved) is None and rule(fresh)


def test_config_refuses_unknown_keys_and_rules(workspace):
    (workspace / "review.toml").write_text("[review]\nsesion_minutes = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"review.toml:2: .*sesion_minutes"):
        load_settings(workspace)
    (workspace / "review.toml").write_text('[review]\nexport_rule = "anything"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="expected one of"):
        load_settings(workspace)
    (workspace / "review.toml").write_text("[review]\nsession_minutes = 5\n", encoding="utf-8")
    assert load_settings(workspace).review.session_minutes == 5
    # one file, every section: a [review] section in sohoa.toml is read by the same loader
    (workspace / "review.toml").unlink()
    text = (workspace / "sohoa.toml").read_text(encoding="utf-8").replace("lock_minutes = 15", "lock_minutes = 3")
    (workspace / "sohoa.toml").write_text(text, encoding="utf-8")
    assert load_settings(workspace).review.lock_minutes == 3
