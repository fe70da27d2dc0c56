"""The buyer search's normalised names and their character bigrams (SPEC 4, issue 10).

Two SQL functions, IMMUTABLE so that an index can be built on them, and the indexes on
them: a GIN index over the bigrams of the current and former names (candidates for the
search) and a btree over the normalised current name (equal and starting-with). Being
expressions, not columns, every writer fills them, `COPY` and trigger-less loads alike.
The trigram indexes they replace go.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

import buyers.models

PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
# Cities of more or fewer than two characters before 市; any two characters also count.
CITIES = (
    "石家庄|哈尔滨|齐齐哈尔|牡丹江|佳木斯|呼和浩特|乌鲁木齐|张家口|秦皇岛|连云港|景德镇|"
    "马鞍山|平顶山|驻马店|张家界|攀枝花|葫芦岛|[^市]{2}"
)

CREATE = rf"""
CREATE FUNCTION buyer_normalised_name(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    lower(normalize(name, NFKC)),
    '[][[:space:]()（）【】〔〕《》〈〉「」『』、，。·・,.\-_/&+''"“”‘’:;：；]', '', 'g'),
    '(股份有限公司|有限责任公司|集团有限公司|集团股份有限公司|有限公司|分公司|集团|公司|'
    '有限合伙|合伙企业|厂)$', ''),
    '^({PROVINCES})(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)', '\1'),
    '^({PROVINCES})?({CITIES})市', '\1\2')
$fn$;

CREATE FUNCTION buyer_normalised_names(name text, former_names text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT array_prepend(
    buyer_normalised_name(coalesce(name, '')),
    coalesce(array(
        SELECT buyer_normalised_name(line)
        FROM unnest(string_to_array(former_names, E'\n')) AS line
        WHERE btrim(line) <> ''
    ), '{{}}'))
$fn$;

CREATE FUNCTION buyer_name_bigrams(name text, former_names text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
SELECT coalesce(array_agg(DISTINCT substr(n, i, 2)), '{{}}')
FROM unnest(CASE WHEN coalesce(former_names, '') = ''
                 THEN ARRAY[buyer_normalised_name(name)]
                 ELSE buyer_normalised_names(name, former_names) END) AS n,
     generate_series(1, length(n) - 1) AS i
$fn$;
"""
DROP = """
DROP FUNCTION buyer_name_bigrams(text, text);
DROP FUNCTION buyer_normalised_names(text, text);
DROP FUNCTION buyer_normalised_name(text);
"""


class Migration(migrations.Migration):
    dependencies = [("buyers", "0004_messages_and_text_limits")]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RemoveIndex(model_name="buyer", name="buyer_name_trgm"),
        migrations.RemoveIndex(model_name="buyer", name="buyer_former_names_trgm"),
        migrations.AddIndex(
            model_name="buyer",
            index=django.contrib.postgres.indexes.GinIndex(
                buyers.models.NameBigrams("name", "former_names"), name="buyer_name_bigrams"
            ),
        ),
        migrations.AddIndex(
            model_name="buyer",
            index=models.Index(
                django.contrib.postgres.indexes.OpClass(
                    buyers.models.NormalisedName("name"), name="text_pattern_ops"
                ),
                name="buyer_normalised_name",
            ),
        ),
    ]
