"""`sohoa user add`, `sohoa review serve --help`, and the export rule with its workspace setting."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from review.app import open_store
from review.config import ReviewConfigError, load_review_config
from review.rules import export_predicate, export_rule, exportable
from review.tables import users
from review.users import authenticate
from sohoa.cli import main
from synth.review_work import make_workspace


@pytest.fixture()
def workspace(tmp_path):
    return make_workspace(tmp_path / "ws")


def test_user_add_reads_piped_password_and_stores_a_hash(workspace):
    result = CliRunner().invoke(main, ["user", "add", "lan", "--role", "approver", "-w", str(workspace)],
                                input="mot-mat-khau-dai\n")
    assert result.exit_code == 0, result.output
    store = open_store(workspace)
    with store.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == "lan")).first()
    assert row.role == "approver"
    assert "mot-mat-khau-dai" not in row.password_hash and row.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert authenticate(store.engine, "lan", "mot-mat-khau-dai").role == "approver"
    assert authenticate(store.engine, "lan", "sai") is None
    assert authenticate(store.engine, "khong-co", "mot-mat-khau-dai") is None


def test_user_add_refuses_short_password_and_unknown_role(workspace):
    runner = CliRunner()
    result = runner.invoke(main, ["user", "add", "lan", "--role", "reviewer", "-w", str(workspace)], input="ngan\n")
    assert result.exit_code != 0 and "Mật khẩu" in result.output
    result = runner.invoke(main, ["user", "add", "lan", "--role", "boss", "-w", str(workspace)], input="x" * 12)
    assert result.exit_code != 0


def test_review_serve_is_registered():
    result = CliRunner().invoke(main, ["review", "serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
    assert "review" in CliRunner().invoke(main, ["bench", "--help"]).output


def test_export_rule_default_and_configured(workspace):
    approved, reviewed, fresh = (SimpleNamespace(status=s) for s in ("approved", "reviewed", "extracted"))
    assert exportable(approved) and not exportable(reviewed) and not exportable(fresh)
    keep = export_predicate(workspace)
    assert keep(approved) and not keep(reviewed)
    assert export_rule(workspace)(reviewed) == "not_approved" and export_rule(workspace)(approved) is None
    (workspace / "review.toml").write_text('[review]\nexport_rule = "reviewed"\n', encoding="utf-8")
    keep = export_predicate(workspace)
    assert keep(reviewed) and keep(approved) and not keep(fresh)


def test_config_refuses_unknown_keys_and_rules(workspace):
    (workspace / "review.toml").write_text("[review]\nsesion_minutes = 5\n", encoding="utf-8")
    with pytest.raises(ReviewConfigError):
        load_review_config(workspace)
    (workspace / "review.toml").write_text('[review]\nexport_rule = "anything"\n', encoding="utf-8")
    with pytest.raises(ReviewConfigError):
        load_review_config(workspace)
    (workspace / "review.toml").write_text("[review]\nsession_minutes = 5\n", encoding="utf-8")
    assert load_review_config(workspace).session_minutes == 5
