"""The masking module and the phone parser: pure functions, table-driven, no database."""
import pytest

from casehub.masking import mask_address, mask_email, mask_name, mask_phone, mask_secret, mask_text
from casehub.phones import NotAPhoneNumber, normalize_phone

MASKED_IN_TEXT = [
    # Taiwanese phone numbers, every common form
    ("請回電0912-345-678謝謝", "請回電***謝謝"),
    ("手機 09 1234 5678", "手機 ***"),
    ("+886 912 345 678", "***"),
    ("886912345678", "***"),
    ("0912.345.678", "***"),
    ("０９１２－３４５－６７８", "***"),
    ("市話(07)336-8333", "市話***"),
    ("07-3368333#123 找王先生", "*** 找王先生"),
    ("(02)2345-6789分機12", "***"),
    ("電話 07 336 8333 轉 5", "電話 ***"),
    ("電話:3368333", "電話:***"),
    ("0900-000-000 打不通", "*** 打不通"),
    # international numbers
    ("visitor +1 312 555 0199 called", "visitor *** called"),
    ("+44 20 7946 0958", "***"),
    ("+81 3-1234-5678", "***"),
    # national ID and resident certificate numbers
    ("身分證A123456789", "身分證***"),
    ("居留證 A800000014", "居留證 ***"),
    ("舊式居留證AB12345678號", "舊式居留證***"),
    ("小寫a123456789", "小寫***"),
    ("全形Ａ１２３４５６７８９", "全形***"),
    # e-mail addresses
    ("寄到 ming@example.tw 即可", "寄到 *** 即可"),
    ("ｍｉｎｇ＠ｅｘａｍｐｌｅ．ｔｗ", "***"),
    # house numbers, lanes, alleys and floors, Arabic or Chinese numerals, full- or half-width
    ("九如一路100號", "九如一路***"),
    ("九如一路１００號", "九如一路***"),
    ("住九如一路一百號五樓", "住九如一路***"),
    ("3樓之2", "***"),
    ("大樓5F漏水", "大樓***漏水"),
    ("中山二路二段100巷5弄3號之1 7樓", "中山二路二段***"),
    ("100之3號", "***"),
    ("地下1樓停車場", "***停車場"),
    ("B2F停車場", "***停車場"),
    # several kinds in one text
    ("我住九如一路一百號五樓，電話0912-345-678，信箱ming@example.tw，身分證A123456789。",
     "我住九如一路***，電話***，信箱***，身分證***。"),
]

UNCHANGED_TEXT = [
    "案號20261205-000001",
    "2026-12-05",
    "時間 2026/12/05 10:30",
    "罰款1000元",
    "金額 NT$12,345",
    "九如一路2段",
    "中山二路二段",
    "2段",
    "中山2路",
    "號誌故障",
    "九如一路與建國路口",
    "路燈編號 12345 不亮",
    "請撥1999",
    "",
]


@pytest.mark.parametrize("text, masked", MASKED_IN_TEXT)
def test_personal_data_in_free_text_is_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", UNCHANGED_TEXT)
def test_what_is_not_personal_data_stays(text):
    assert mask_text(text) == text


def test_no_text_is_no_text():
    assert mask_text(None) is None


@pytest.mark.parametrize("address, public", [
    ("高雄市三民區九如一路100號", "高雄市三民區九如一路***"),
    ("高雄市三民區九如一路一百號五樓", "高雄市三民區九如一路***"),
    ("高雄市苓雅區四維三路2號", "高雄市苓雅區四維三路***"),
    ("中山二路二段100巷5弄3號", "中山二路二段***"),
    ("九如一路2段１００號", "九如一路2段***"),
    ("九如一路100", "九如一路***"),
    ("中山2路36號3樓之2", "中山2路***"),
    ("九如一路與建國路口", "九如一路與建國路口"),
    ("高雄市三民區九如一路", "高雄市三民區九如一路"),
    (None, None),
])
def test_a_public_location_keeps_road_and_section_only(address, public):
    assert mask_address(address) == public


@pytest.mark.parametrize("mask, value, masked", [
    (mask_name, "王小明", "王*明"),
    (mask_name, "王明", "王*"),
    (mask_name, "Wang Hsiao-ming", "W*************g"),
    (mask_phone, "0912345678", "0912***678"),
    (mask_phone, "073368333#123", "0733***333"),
    (mask_phone, "+13125550199", "+131*****199"),
    (mask_email, "ming@example.tw", "m***@example.tw"),
    (mask_name, None, None),
])
def test_fields_are_masked_keeping_a_hint(mask, value, masked):
    assert mask(value) == masked


def test_a_secret_is_masked_wherever_it_stands():
    assert mask_secret("查詢碼：ABCD234567。ABCD234567", "ABCD234567") == "查詢碼：***。***"
    assert mask_secret("沒有查詢碼", None) == "沒有查詢碼"


@pytest.mark.parametrize("given, stored", [
    ("0912-345-678", "0912345678"),
    ("09 1234 5678", "0912345678"),
    ("+886 912 345 678", "0912345678"),
    ("886912345678", "0912345678"),
    ("０９１２３４５６７８", "0912345678"),
    ("(07)336-8333", "073368333"),
    ("07-3368333", "073368333"),
    ("07-3368333#123", "073368333#123"),
    ("+886 7 336 8333", "073368333"),
    ("02 2345 6789", "0223456789"),
    ("+1 312 555 0199", "+13125550199"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phone_numbers_are_stored_in_one_form(given, stored):
    assert normalize_phone(given) == stored


@pytest.mark.parametrize("given", ["12345", "0912", "abc", "1234567890", "09123456789", "+999 123", ""])
def test_what_is_not_a_phone_number_is_refused(given):
    with pytest.raises(NotAPhoneNumber):
        normalize_phone(given)
