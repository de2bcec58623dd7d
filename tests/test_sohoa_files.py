"""The one file-hash helper the hot folders (dedupe) and exports (manifests) share."""
import hashlib

from common.files import sha256_of


def test_sha256_of_matches_the_digest_of_the_whole_content(tmp_path):
    data = bytes(range(256)) * 9000  # over 2 MiB: read in several chunks
    path = tmp_path / "trang.bin"
    path.write_bytes(data)
    assert sha256_of(path) == hashlib.sha256(data).hexdigest()
    (tmp_path / "rong").write_bytes(b"")
    assert sha256_of(tmp_path / "rong") == hashlib.sha256(b"").hexdigest()
