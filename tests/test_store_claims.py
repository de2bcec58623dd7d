"""File claims, on SQLite and PostgreSQL: one claimant at a time, taken over only after the lease has run out,
and a taken-over claimant's writes refused (store/files.py)."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from common.errors import ClaimLost, FileKnown
from extract.types import FieldValue, Record
from store.db import Store
from store.schema import files
from store.types import Claim, PageData

A = Claim("host-a:1:1", timedelta(seconds=60))
B = Claim("host-b:2:2", timedelta(seconds=60))


def _add(store: Store, n: int = 0, claim: Claim | None = A, **extra):
    values = dict(content_hash=f"{n:064d}", size=1, origin_path=f"/in/KS/X/Q/{n}.json", rel_path=f"KS/X/Q/{n}.json",
                  kind_hint="KS", commune="X", book="Q")
    values.update(extra)
    return store.add_file(claim=claim, **values)


def _expire(store: Store, file_id: int) -> None:
    """The holder died: its lease ran out (set in the past rather than waited for)."""
    from store.engine import now

    with store.engine.begin() as conn:
        conn.execute(update(files).where(files.c.id == file_id).values(lease_expires=now() - timedelta(seconds=5)))


def _record() -> Record:
    return Record("ks", 0.9, {"so": FieldValue("01/2020", 0.99, "accepted")}, pages=[0])


def test_a_live_claim_is_exclusive_and_an_expired_one_is_taken_over(store_url):
    store = Store(store_url)
    f = _add(store)
    assert store.file(f.id).claimed_by == A.owner
    assert store.claim_file(f.id, A) and not store.claim_file(f.id, B)
    assert store.mark_processing(f.id, A) == 1
    _expire(store, f.id)
    assert store.claim_file(f.id, B)
    row = store.file(f.id)
    assert (row.claimed_by, row.state, row.attempts) == (B.owner, "received", 1)  # the dead one's work is redone
    with pytest.raises(ClaimLost):  # A wakes up late: nothing it does is kept
        store.commit_file_results(f.id, [PageData(0)], [_record()], A)
    with pytest.raises(ClaimLost):
        store.quarantine_file(f.id, "x", "y", A)
    assert store.record_rows() == [] and store.file(f.id).state == "received"
    assert store.mark_processing(f.id, B) == 2
    assert len(store.commit_file_results(f.id, [PageData(0)], [_record()], B)) == 1
    store.mark_moved(f.id, "/done/KS/X/Q/0.json", B)
    row = store.file(f.id)
    assert (row.state, row.claimed_by, row.lease_expires) == ("done", None, None)  # moved: the claim let go
    store.close()


def test_leases_are_renewed_and_released(store_url):
    store = Store(store_url)
    first, second = _add(store, 1), _add(store, 2)
    _expire(store, first.id)
    assert store.renew_claims(A) == 2
    assert not store.claim_file(first.id, B)  # renewed: alive again
    assert store.claim_holders() == [A.owner]
    assert store.release_claims(A.owner) == 2
    assert store.claim_file(second.id, B) and store.claim_holders() == [B.owner]
    assert store.release_claims(None) == 1 and store.claim_holders() == []
    store.close()


def test_the_same_new_file_is_registered_once(store_url):
    store = Store(store_url)
    _add(store, 7, A)
    with pytest.raises(FileKnown):  # a second workstation saw the same file at the same time
        _add(store, 7, B)
    first = store.first_copy(f"{7:064d}")
    dup = _add(store, 7, A, rel_path="KS/X/Q/copy.json", duplicate_of=first.id)
    with pytest.raises(FileKnown):  # and the same duplicate copy too
        _add(store, 7, B, rel_path="KS/X/Q/copy.json", duplicate_of=first.id)
    store.mark_moved(dup.id, "/done/KS/X/Q/copy.json", A)
    _add(store, 7, B, rel_path="KS/X/Q/copy.json", duplicate_of=first.id)  # dropped again later: a new row
    store.close()


def test_racing_claimants_get_each_file_exactly_once(store_url):
    """Eight threads (eight workstations) claim the same 40 files at once: every file has one winner."""
    store = Store(store_url)
    ids = [_add(store, n, None).id for n in range(40)]
    claims = [Claim(f"host-{i}:{i}:0", timedelta(seconds=60)) for i in range(8)]
    won: dict[str, list[int]] = {c.owner: [] for c in claims}
    stores = [Store(store_url) for _ in claims]
    barrier = threading.Barrier(len(claims))

    def work(s: Store, claim: Claim) -> None:
        barrier.wait()
        for file_id in ids:
            if s.claim_file(file_id, claim):
                won[claim.owner].append(file_id)

    threads = [threading.Thread(target=work, args=(s, c)) for s, c in zip(stores, claims, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(i for got in won.values() for i in got) == ids
    assert {f.id: f.claimed_by for f in store.files()} == {i: o for o, got in won.items() for i in got}
    for s in stores:
        s.close()
    store.close()
