"""Vietnamese labels for field keys shown to reviewers; unknown keys show as they are."""
from __future__ import annotations

import re

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


def label(key: str) -> str:
    owner = ""
    if key.startswith("owners."):
        _, index, key = key.split(".", 2)
        owner = f"Chủ {int(index) + 1}: "
    if key in _BARE:
        return owner + _BARE[key]
    m = _SPLIT.match(key)
    if m:
        bare = m.group(2)[0].lower() + m.group(2)[1:]
        return f"{owner}{_PREFIX[m.group(1)]} – {_BARE.get(bare, bare)}"
    return owner + key
