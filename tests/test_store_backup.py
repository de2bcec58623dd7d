"""`sohoa backup` and `sohoa restore` end to end, on SQLite (the online backup API) and PostgreSQL (pg_dump /
pg_restore): what was in the store at the backup is exactly what is there after the restore, whatever
happened in between; a damaged backup is refused and the store left as it was."""
from __future__ import annotations

from click.testing import CliRunner

from hotfolders.cli import backup_command, restore_command
from store.db import Store
from tests.support.review_kit import make_env


def _snapshot(url: str) -> dict:
    with Store(url) as store:
        records = {r.id: (r.status, r.version, dict(sorted((k, v.value) for k, v in store.load_record(r.id).record
                                                            .fields.items())))
                   for r in store.record_rows()}
        return {"records": records, "files": [(f.id, f.state, f.rel_path) for f in store.files()],
                "users": [(u.name, u.role) for u in store.user_rows()]}


def test_backup_then_restore_brings_back_exactly_what_was_saved(workspace_store_url, tmp_path):
    env = make_env(tmp_path, n=3, store_url=workspace_store_url)
    url = env.store.url
    before = _snapshot(url)
    runner = CliRunner()
    out = tmp_path / "sao-luu" / "kho.bak"
    done = runner.invoke(backup_command, [str(env.workspace), "--out", str(out)])
    assert done.exit_code == 0, done.output + repr(done.exception)
    assert out.is_file() and oct(out.stat().st_mode & 0o777) == "0o600"

    # work goes on after the backup: a record corrected, approved, one more file
    rec = env.records[0]
    with Store(url) as store:
        store.set_field(rec.record_id, rec.flagged[0], "Sửa Sau Sao Lưu", who="an")
        store.set_record_status(rec.record_id, "approved")
        store.add_file(content_hash="z" * 64, size=1, origin_path="x", rel_path="KS/x.jpg", kind_hint="KS",
                       commune="", book="")
    assert _snapshot(url) != before

    back = runner.invoke(restore_command, [str(env.workspace), "--from", str(out), "--yes"])
    assert back.exit_code == 0, back.output + repr(back.exception)
    assert _snapshot(url) == before
    with Store(url) as store:  # and the store works on: ids go on, writes commit
        f = store.add_file(content_hash="y" * 64, size=1, origin_path="y", rel_path="KS/y.jpg", kind_hint="KS",
                           commune="", book="")
        assert f.id > max(i for i, _, _ in before["files"])

    damaged = tmp_path / "hong.bak"
    damaged.write_bytes(out.read_bytes()[: out.stat().st_size // 3])
    refused = runner.invoke(restore_command, [str(env.workspace), "--from", str(damaged), "--yes"])
    assert refused.exit_code != 0
    assert _snapshot(url)["records"] == before["records"]


def test_a_backup_onto_the_live_store_file_is_refused(tmp_path):
    """Regression (outside probe): `backup --out WS/sohoa.db` replaced the live SQLite file; the running review
    app and watcher then wrote to the deleted one, and every edit from then on was lost at their restart."""
    from sohoa.cli import main
    from store.backup import sqlite_file

    env = make_env(tmp_path, n=1)
    live = sqlite_file(env.store.url)
    inode, before = live.stat().st_ino, _snapshot(env.store.url)
    for target in (live, live.with_name(live.name + "-wal")):
        result = CliRunner().invoke(main, ["backup", str(env.workspace), "--out", str(target)])
        assert result.exit_code != 0 and "live store" in result.output, result.output
    assert live.stat().st_ino == inode and _snapshot(env.store.url) == before
