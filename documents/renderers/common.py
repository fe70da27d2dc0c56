"""What several renderers share: the Chinese names the documents print for codes whose
labels elsewhere come from a translation catalogue (documents.pdf: an issued document's
wording does not depend on one)."""

from core.choices import Province

# GB/T 2260 province-level divisions as documents name them.
PROVINCE_TEXTS = {
    Province.BEIJING: "北京市", Province.TIANJIN: "天津市", Province.HEBEI: "河北省",
    Province.SHANXI: "山西省", Province.INNER_MONGOLIA: "内蒙古自治区", Province.LIAONING: "辽宁省",
    Province.JILIN: "吉林省", Province.HEILONGJIANG: "黑龙江省", Province.SHANGHAI: "上海市",
    Province.JIANGSU: "江苏省", Province.ZHEJIANG: "浙江省", Province.ANHUI: "安徽省",
    Province.FUJIAN: "福建省", Province.JIANGXI: "江西省", Province.SHANDONG: "山东省",
    Province.HENAN: "河南省", Province.HUBEI: "湖北省", Province.HUNAN: "湖南省",
    Province.GUANGDONG: "广东省", Province.GUANGXI: "广西壮族自治区", Province.HAINAN: "海南省",
    Province.CHONGQING: "重庆市", Province.SICHUAN: "四川省", Province.GUIZHOU: "贵州省",
    Province.YUNNAN: "云南省", Province.TIBET: "西藏自治区", Province.SHAANXI: "陕西省",
    Province.GANSU: "甘肃省", Province.QINGHAI: "青海省", Province.NINGXIA: "宁夏回族自治区",
    Province.XINJIANG: "新疆维吾尔自治区", Province.TAIWAN: "台湾省",
    Province.HONG_KONG: "香港特别行政区", Province.MACAU: "澳门特别行政区",
}  # fmt: skip


def filename_of(title: str):
    """The download's name: the document's Chinese title and its reference."""

    def filename(document) -> str:
        return f"{title}-{document.reference}.pdf"

    return filename
