"""What reviewers read instead of raw keys and codes: a Vietnamese label per field key (this module's table,
else the first printed label of the field in its document-type file), and the meaning of a coded value
("Nữ (2)" for gender 2, from extract/data/codes.toml). Display only: stored values stay as they are."""
from __future__ import annotations

import re
from functools import cache

_BARE = {
    "so": "Số đăng ký", "quyenSo": "Quyển số", "trangSo": "Trang số", "ngayDangKy": "Ngày đăng ký",
    "loaiDangKy": "Loại đăng ký", "noiDangKy": "Nơi đăng ký", "nguoiKy": "Người ký", "chucVuNguoiKy": "Chức vụ người ký",
    "soDinhDanh": "Số định danh", "hoTen": "Họ và tên", "ngaySinh": "Ngày sinh", "gioiTinh": "Giới tính",
    "quocTich": "Quốc tịch", "queQuan": "Quê quán", "noiThuongTru": "Nơi thường trú", "coGiaTriDen": "Có giá trị đến",
    "danToc": "Dân tộc", "namSinh": "Năm sinh", "soGiayTo": "Số giấy tờ", "loaiGiayTo": "Loại giấy tờ",
    "diaChi": "Địa chỉ", "soThua": "Thửa đất số", "soTo": "Tờ bản đồ số", "dienTich": "Diện tích (m²)",
    "mucDichSuDung": "Mục đích sử dụng", "thoiHanSuDung": "Thời hạn sử dụng", "hinhThucSuDung": "Hình thức sử dụng",
    "nguonGocSuDung": "Nguồn gốc sử dụng", "soPhatHanh": "Số phát hành", "soVaoSo": "Số vào sổ",
    "noiSinh": "Nơi sinh", "noiCuTru": "Nơi cư trú", "soDinhDanhCaNhan": "Số định danh",
    "soGiayToTuyThan": "Số giấy tờ tùy thân", "ngayChet": "Ngày chết", "noiChet": "Nơi chết",
}
_PREFIX = {"nks": "Người được khai sinh", "nkt": "Người chết", "me": "Mẹ", "cha": "Cha", "nyc": "Người yêu cầu",
           "chong": "Chồng", "vo": "Vợ", "nxn": "Người được xác nhận", "cm": "Cha/mẹ", "nc": "Con"}
_SPLIT = re.compile(r"^(nks|nkt|me|cha|nyc|chong|vo|nxn|cm|nc)([A-Z]\w*)$")


@cache
def _specs(doc_type: str) -> dict:
    """The field specs of a document type's profile by key ({} for an unknown type)."""
    from extract.profiles import load_profiles

    profile = load_profiles().get(doc_type) if doc_type else None
    return {f.key: f for f in profile.fields} if profile else {}


def _split_owner(key: str) -> tuple[str, str]:
    if key.startswith("owners."):
        _, index, key = key.split(".", 2)
        return f"Chủ {int(index) + 1}: ", key
    return "", key


def label(key: str, doc_type: str = "") -> str:
    owner, key = _split_owner(key)
    if key in _BARE:
        return owner + _BARE[key]
    m = _SPLIT.match(key)
    if m:
        bare = m.group(2)[0].lower() + m.group(2)[1:]
        return f"{owner}{_PREFIX[m.group(1)]} – {_BARE.get(bare, bare)}"
    spec = None if owner else _specs(doc_type).get(key)
    if spec is not None and spec.labels:
        return spec.labels[0]
    return owner + key


@cache
def _code_words(doc_type: str, key: str) -> dict[str, str]:
    """code -> its first word, for a field the profile reads through a code table ("2" -> "Nữ")."""
    from extract.data import code_table

    spec = _specs(doc_type).get(key)
    if spec is None:
        return {}
    table = "gender" if spec.normalizer == "gender" else (spec.params or {}).get("table") \
        if spec.normalizer == "code" else None
    try:
        return {code: words[0] for code, words in code_table(table).items() if words and words[0] != code} \
            if table else {}
    except KeyError:
        return {}


def shown(key: str, value: str, doc_type: str = "") -> str:
    """A stored value as a person reads it: "Nữ (2)" for a code with a meaning, else the value itself."""
    owner, bare = _split_owner(key)
    word = None if owner else _code_words(doc_type, bare).get((value or "").strip())
    return f"{word} ({value.strip()})" if word else value
