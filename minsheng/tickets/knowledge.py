"""知识库: authoritative, dated answers operators read out to callers — writes, reads, search.

Search has to work for Chinese on SQLite as well as PostgreSQL, and Chinese has no spaces, so
neither LIKE on words nor PostgreSQL's built-in text search (which needs a Chinese parser such
as zhparser, rarely installed) helps. Instead every article stores `search_text`: its
normalised title and body as space-separated character bigrams (" 社会 会保 保障 障卡 "). A
query is cut the same way and each of its bigrams becomes a space-bounded `contains` test, which
is exact on both backends. Bigrams are the classic CJK index unit (Lucene's CJKAnalyzer): no
dictionary, no segmentation errors, good recall; ranking restores precision.

Abbreviations are the weak spot: "社保卡" (社保 保卡) shares no bigram with "社会保障卡" (社会 会保
保障 障卡). `ALIASES` lists the hotline's everyday abbreviations; when an article contains one
spelling, the index also receives the others. Article-specific keywords would need a field on
KnowledgeArticle; until there is one, editors put the colloquial name in the title
("社会保障卡（社保卡）补办流程").

There is no separate audit table for articles: `updated_by`/`updated_at` record the last editor,
which is what the operator desk shows; tickets keep their own history of which article was used
(`ticket_direct_answer` records the article id in its timeline event).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import Role, User
from minsheng.textproc.normalize import normalize_text
from minsheng.tickets.catalogue import load_categories
from minsheng.tickets.errors import InvalidInput, NotAllowed, StaleTicket
from minsheng.tickets.models import Category, KnowledgeArticle

EDITOR_ROLES: tuple[str, ...] = (
    Role.OPERATOR,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.ADMINISTRATOR,
)
# Everyone with a role may read: leaders, handlers and unit leaders look answers up too.
READER_ROLES: tuple[str, ...] = tuple(Role.values)

TITLE_MAX = 200
SOURCE_MAX = 200
BODY_MAX = 20000
QUERY_MAX_TOKENS = 32  # a pasted paragraph is not a search; bound the SQL it produces
CANDIDATES_PER_RESULT = 20
CANDIDATES_MIN = 200

EDITABLE_FIELDS = frozenset({"title", "body", "category", "source", "valid_from", "valid_to"})

# ---------------------------------------------------------------------------------------------
# The index

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN_RE = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")

# Groups of spellings callers and documents use for the same thing; the index gets every
# spelling of a group that the text mentions in one of them.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("社会保障卡", "社保卡"),
    ("社会保险", "社保"),
    ("医疗保险", "医疗保障", "医保"),
    ("最低生活保障", "低保"),
    ("住房公积金", "公积金"),
    ("新型农村合作医疗", "新农合"),
    ("城乡居民基本医疗保险", "居民医保"),
    ("城乡居民基本养老保险", "居民养老保险"),
    ("居民身份证", "身份证"),
    ("户籍", "户口"),
    ("电动自行车", "电动车"),
    ("不动产权证书", "不动产证", "房产证"),
    ("出租汽车", "出租车"),
    ("营业执照", "执照"),
    ("供电", "电力供应"),
    ("供水", "自来水"),
)

# Question words and particles dropped from queries (never from the index): "怎么补办社保卡"
# would otherwise ask for the bigrams 怎么/么补/办社, which no answer contains.
QUERY_STOPWORDS: tuple[str, ...] = (
    "请问",
    "怎么办",
    "怎么样",
    "怎么",
    "怎样",
    "如何",
    "为什么",
    "为何",
    "什么",
    "哪里",
    "哪儿",
    "哪个",
    "是否",
    "能否",
    "可不可以",
    "可以",
    "需要",
    "我想",
    "我要",
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
)
_STOPWORD_RE = re.compile("|".join(map(re.escape, QUERY_STOPWORDS)))


def _tokens(text: str) -> list[str]:
    """The index tokens of a text, in order of first appearance, without repeats."""
    normalized = normalize_text(text).lower()
    tokens: dict[str, None] = {}
    for match in _TOKEN_RE.finditer(normalized):
        run = match.group(1)
        if run is None:
            tokens[match.group(2)] = None
        elif len(run) == 1:
            tokens[run] = None
        else:
            for i in range(len(run) - 1):
                tokens[run[i : i + 2]] = None
    return list(tokens)


def bigrams(text: str) -> str:
    """The portable Chinese index of a text: "社保卡补办 sms 12345" → "社保 保卡 卡补 补办 sms 12345".

    Normalised (full-width → ASCII, traditional → simplified, lower case), then CJK runs cut into
    overlapping character bigrams (a one-character run stays itself), Latin/digit runs kept as
    words; space-separated, each token once.
    """
    return " ".join(_tokens(text))


def _alias_spellings(text: str) -> list[str]:
    normalized = normalize_text(text).lower()
    extra: list[str] = []
    for group in ALIASES:
        if any(spelling in normalized for spelling in group):
            extra.extend(spelling for spelling in group if spelling not in normalized)
    return extra


def _index_tokens(text: str) -> set[str]:
    # Each alias goes on its own line so that it cannot form a bigram with its neighbours.
    return set(_tokens("\n".join([text, *_alias_spellings(text)])))


def search_text_for(*, title: str, body: str) -> str:
    """The value of `KnowledgeArticle.search_text`: bigrams of title, body and their aliases,
    with a space at each end so that every token is matched as " token "."""
    # Title and body on separate lines: no bigram spans the last title and first body character.
    text = "\n".join([title, body, *_alias_spellings(f"{title}\n{body}")])
    return f" {bigrams(text)} "


def _query_tokens(query: str) -> list[str]:
    cleaned = _STOPWORD_RE.sub(" ", normalize_text(query).lower())
    return _tokens(cleaned)[:QUERY_MAX_TOKENS]


_CJK_CHAR_RE = re.compile(f"[{_CJK}]")


def _is_single_cjk(token: str) -> bool:
    return len(token) == 1 and _CJK_CHAR_RE.fullmatch(token) is not None


def _token_q(token: str) -> Q:
    if _is_single_cjk(token):
        # "水" alone: any bigram starting or ending with it ("停水", "水费").
        return Q(search_text__contains=f" {token}") | Q(search_text__contains=f"{token} ")
    return Q(search_text__contains=f" {token} ")


# ---------------------------------------------------------------------------------------------
# Permissions


def can_read_knowledge(user: User) -> bool:
    return bool(user.is_active and user.has_role(*READER_ROLES))


def can_edit_knowledge(user: User) -> bool:
    return bool(user.is_active and user.has_role(*EDITOR_ROLES))


# ---------------------------------------------------------------------------------------------
# Writes


def _require_editor(actor: User) -> None:
    if not can_edit_knowledge(actor):
        raise NotAllowed(
            _("您没有权限编辑知识库。只有话务员、派单员、督办员和系统管理员可以编辑。")
        )


def _clean_text(value: Any, field: str, label: str, *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(label)s格式不正确。") % {"label": label}, field=field)
    text: str = value.strip()
    if required and not text:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)s 个字（现为 %(length)s 个字）。")
            % {"label": label, "limit": limit, "length": len(text)},
            field=field,
        )
    return text


def _clean_date(value: Any, field: str, label: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise InvalidInput(_("%(label)s不是有效的日期。") % {"label": label}, field=field)


def _apply(article: KnowledgeArticle, fields: dict[str, Any]) -> None:
    """Validate `fields` and set them on `article`; raise InvalidInput naming the field."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    if "title" in fields:
        article.title = _clean_text(
            fields["title"], "title", _("标题"), limit=TITLE_MAX, required=True
        )
    if "body" in fields:
        article.body = _clean_text(fields["body"], "body", _("正文"), limit=BODY_MAX, required=True)
    if "source" in fields:
        article.source = _clean_text(
            fields["source"], "source", _("来源"), limit=SOURCE_MAX, required=False
        )
    if "category" in fields:
        category = fields["category"]
        if category is not None and not isinstance(category, Category):
            raise InvalidInput(_("请选择有效的分类。"), field="category")
        article.category = category
    if "valid_from" in fields:
        article.valid_from = _clean_date(fields["valid_from"], "valid_from", _("生效日期"))
    if "valid_to" in fields:
        article.valid_to = _clean_date(fields["valid_to"], "valid_to", _("失效日期"))
    if article.valid_from and article.valid_to and article.valid_to < article.valid_from:
        raise InvalidInput(_("失效日期不能早于生效日期。"), field="valid_to")
    article.search_text = search_text_for(title=article.title, body=article.body)


@transaction.atomic
def article_create(
    *,
    actor: User,
    title: str,
    body: str,
    category: Category | None = None,
    source: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> KnowledgeArticle:
    _require_editor(actor)
    article = KnowledgeArticle(updated_by=actor)
    _apply(
        article,
        {
            "title": title,
            "body": body,
            "category": category,
            "source": source,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    article.save()
    return article


@transaction.atomic
def article_update(
    *,
    article: KnowledgeArticle,
    actor: User,
    expected_updated_at: dt.datetime | None = None,
    **fields: Any,
) -> KnowledgeArticle:
    """Change some of title, body, category, source, valid_from, valid_to.

    A form passes the `updated_at` it showed as `expected_updated_at`: if someone saved the
    article in between, the edit is refused rather than silently overwriting theirs.
    """
    _require_editor(actor)
    locked = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    if expected_updated_at is not None and locked.updated_at != expected_updated_at:
        raise StaleTicket(_("该知识条目已被他人修改，请刷新页面后再编辑。"))
    _apply(locked, fields)
    locked.updated_by = actor
    locked.save()
    return locked


# ---------------------------------------------------------------------------------------------
# Reads


def valid_on_q(on: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def articles_base(
    *, on: dt.date | None = None, category: Category | None = None, include_expired: bool = False
) -> QuerySet[KnowledgeArticle]:
    """Articles valid on `on` (default today, local time), optionally within a category subtree."""
    articles = KnowledgeArticle.objects.select_related("category", "updated_by")
    if not include_expired:
        articles = articles.filter(valid_on_q(on or timezone.localdate()))
    if category is not None:
        articles = articles.filter(
            Q(category=category) | Q(category__full_name__startswith=f"{category.full_name}/")
        )
    return articles


@dataclass(frozen=True)
class _Ranked:
    score: int
    updated_at: dt.datetime
    article: KnowledgeArticle


def _hits(tokens: Sequence[str], indexed: set[str], text: str) -> int:
    return sum(1 for t in tokens if (t in text if _is_single_cjk(t) else t in indexed))


def _rank(articles: Iterable[KnowledgeArticle], tokens: Sequence[str]) -> list[KnowledgeArticle]:
    ranked = []
    for article in articles:
        title, body = article.title.lower(), article.body.lower()
        score = 3 * _hits(tokens, _index_tokens(title), title) + _hits(
            tokens, _index_tokens(body), body
        )
        ranked.append(_Ranked(score, article.updated_at, article))
    ranked.sort(key=lambda r: (r.score, r.updated_at), reverse=True)
    return [r.article for r in ranked]


def search_articles(
    query: str,
    *,
    on: dt.date | None = None,
    category: Category | None = None,
    limit: int = 10,
    include_expired: bool = False,
) -> list[KnowledgeArticle]:
    """Full-text search of the knowledge base, best first.

    Candidates contain every bigram of the query; if none do, those containing at least half of
    them (so one stray character in the query does not hide the answer). Candidates are ranked
    by query bigrams found in the title (×3) plus those found in the body, then by recency.
    Only articles valid on `on` (default today) unless `include_expired`, which also shows
    articles not yet in force (the editors' view). An empty query lists the most recently
    updated articles. The ranking looks at no more than max(20 × limit, 200) candidates,
    the most recent first: enough for a county's knowledge base, stated here for a city's.
    """
    limit = max(1, limit)
    base = articles_base(on=on, category=category, include_expired=include_expired)
    tokens = _query_tokens(query or "")
    if not tokens:
        return list(base.order_by("-updated_at", "-id")[:limit])
    cap = max(CANDIDATES_PER_RESULT * limit, CANDIDATES_MIN)
    conditions = [_token_q(t) for t in tokens]
    candidates = list(base.filter(*conditions).order_by("-updated_at", "-id")[:cap])
    if not candidates and len(tokens) > 1:
        found: Any = functools.reduce(
            operator.add,
            [
                Case(When(c, then=Value(1)), default=Value(0), output_field=IntegerField())
                for c in conditions
            ],
        )
        candidates = list(
            base.annotate(found=found)
            .filter(found__gte=math.ceil(len(tokens) / 2))
            .order_by("-found", "-updated_at", "-id")[:cap]
        )
    return _rank(candidates, tokens)[:limit]


def article_status(article: KnowledgeArticle, *, on: dt.date | None = None) -> str:
    """The article's state on a day (default today): "valid", "expired" or "pending"."""
    on = on or timezone.localdate()
    if article.valid_to and article.valid_to < on:
        return "expired"
    if article.valid_from and article.valid_from > on:
        return "pending"
    return "valid"


# ---------------------------------------------------------------------------------------------
# The demo county's knowledge base

DEMO_REPLIES_CSV = Path(__file__).resolve().parent / "data" / "demo_replies.csv"
DEMO_SOURCE = "演示数据"


@dataclass(frozen=True)
class DemoArticle:
    title: str
    body: str
    source: str
    category: str | None = None  # full name in the taxonomy
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


DEMO_ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        title="社会保障卡（社保卡）挂失与补办流程",
        category="人力社保/其他",
        source=f"{DEMO_SOURCE} · 台前县人力资源和社会保障局窗口办事指南",
        body=(
            "一、先挂失：社保卡丢失后，请立即挂失，防止被冒用。挂失渠道：拨打 12333 人社服务热线；"
            "使用“电子社保卡”或当地人社 App 办理线上挂失；也可到县人社局社保卡服务窗口或社保卡"
            "合作银行网点办理。\n"
            "二、再补办：本人携带有效居民身份证，到县人社局社保卡服务窗口或具备即时制卡条件的合作"
            "银行网点申请补卡；委托他人办理的，须同时携带双方身份证。即时制卡网点可当场领卡，"
            "其他网点按告知时间领取。\n"
            "三、补卡后：新卡需到银行网点或通过 App 激活金融功能；原卡自动作废。工本费按现行规定"
            "收取或免收，以窗口告知为准。\n"
            "答复口径：请来电人先挂失、后补办；如需上门服务（行动不便的老人），记录地址后派单至县人社局。"
        ),
    ),
    DemoArticle(
        title="城乡居民基本医疗保险（居民医保）2025 年度缴费标准",
        category="医疗保障/医保待遇/医保报销",
        source=f"{DEMO_SOURCE} · 参照国家医保局、财政部、国家税务总局年度征缴通知",
        valid_from=dt.date(2024, 9, 1),
        valid_to=dt.date(2025, 12, 31),
        body=(
            "2025 年度城乡居民医保个人缴费标准为每人每年 400 元，由税务部门征收。缴费渠道：手机税务"
            " App、微信或支付宝的税务缴费服务、合作银行柜台，或由村（社区）协办员代收。\n"
            "集中征缴期一般为上一年 9 月至 12 月；新生儿、新入学学生、退役军人等可在规定时间内"
            "参保缴费。特困人员、低保对象等困难群众的个人缴费按规定给予资助。\n"
            "本条为上一年度标准，已过期，仅供核对历史缴费。"
        ),
    ),
    DemoArticle(
        title="城乡居民基本医疗保险（居民医保）2026 年度缴费",
        category="医疗保障/医保待遇/医保报销",
        source=f"{DEMO_SOURCE} · 以台前县医疗保障局、国家税务总局台前县税务局年度征缴公告为准",
        valid_from=dt.date(2025, 9, 1),
        valid_to=dt.date(2026, 12, 31),
        body=(
            "2026 年度居民医保个人缴费标准以县医保局、县税务局联合发布的年度征缴公告为准，话务员"
            "应按公告金额答复，不得估计。缴费渠道同上一年度：手机税务 App、微信或支付宝的税务缴费"
            "服务、合作银行柜台或村（社区）代收。\n"
            "常见问题：已参加职工医保的不能重复参加居民医保；外出务工人员可在户籍地参保；"
            "缴费后次年 1 月 1 日起享受待遇。具体政策咨询可转县医保局。"
        ),
    ),
    DemoArticle(
        title="停水、停电、燃气故障报修渠道",
        category="市政公用/其他",
        source=f"{DEMO_SOURCE} · 台前县 12345 热线派单目录",
        body=(
            "停电、电压不稳、线路故障：国家电网供电服务热线 95598（7×24 小时），或由 12345 派单至"
            "国网台前县供电公司，紧急程度按“水电气暖”处理：2 小时内联系群众，24 小时内答复。\n"
            "停水、水压不足、管道漏水：派单至台前县自来水公司；农村集中供水站的问题同样派单至"
            "自来水公司，并抄送所在乡镇。\n"
            "燃气泄漏：先告知来电人关闭阀门、开窗通风、不要开关电器、离开现场，并立即转 119；"
            "一般燃气故障派单至台前县燃气公司。各单位值班电话见“承办单位”页面。"
        ),
    ),
    DemoArticle(
        title="12345 热线受理范围与办理时限",
        source=f"{DEMO_SOURCE} · 北京市接诉即办工作条例、国办函〔2025〕66号、本县办理规范",
        body=(
            "受理：企业和群众的咨询、求助、投诉、举报、建议和表扬，来源包括电话、网站、手机网页、"
            "应用接口、巡查和走访。\n"
            "不直接受理而转接或告知：110/119/120/122 紧急事项立即转接；涉及诉讼、仲裁、信访、"
            "行政复议、政府信息公开的事项，告知法定途径；已进入法定程序的事项不再重复派单。\n"
            "默认时限：紧急事项 1 小时内派单、1 小时内联系、2 小时内答复；水电气暖等 2 小时内派单"
            "和联系、24 小时内答复；一般事项 24 小时内派单、派单后 24 小时内联系、7 日内答复；"
            "复杂事项 15 日内答复；当场不能答复的咨询 1 个工作日内答复。延期须申请并经热线审核。\n"
            "工作日按国家法定节假日和调休安排计算。"
        ),
    ),
    DemoArticle(
        title="法定途径告知口径（诉讼、仲裁、信访、行政复议、政府信息公开）",
        category="公安/其他",
        source=f"{DEMO_SOURCE} · 国办函〔2025〕66号",
        body=(
            "以下事项不派单，由话务员告知法定途径后办结（办结方式“告知法定途径”）：\n"
            "诉讼：已经或应当通过法院解决的民事、行政纠纷，告知可向有管辖权的人民法院起诉，"
            "可咨询 12348 公共法律服务热线申请法律援助。\n"
            "仲裁：劳动争议告知可向县劳动人事争议仲裁委员会申请仲裁（一般自知道权利被侵害之日起"
            "一年内）；合同纠纷有仲裁条款的，向约定的仲裁机构申请。\n"
            "信访：对国家机关及其工作人员的职务行为提出意见、投诉的，告知可向县信访局或通过网上"
            "信访渠道反映。\n"
            "行政复议：对行政机关的行政行为不服的，告知可自知道之日起六十日内向县人民政府申请"
            "行政复议。\n"
            "政府信息公开：申请获取政府信息的，告知可向制作或保存该信息的行政机关提出书面申请。\n"
            "告知时请说明：12345 不能代替上述程序，也不影响来电人依法行使权利。"
        ),
    ),
    DemoArticle(
        title="紧急事项转接口径（110、119、120、122）",
        source=f"{DEMO_SOURCE} · 国办函〔2025〕66号",
        body=(
            "涉及人身、财产安全的紧急事项立即转接，不得派单等待：违法犯罪警情转 110；火灾、燃气"
            "泄漏、被困救援转 119；急危重症转 120；交通事故转 122。\n"
            "转接时请记录来电人位置和联系方式，保持通话直到对方接通；转接后工单状态为“已转警情”。"
        ),
    ),
    DemoArticle(
        title="孙口镇民生议事会与诉求直派乡镇",
        category="村务基层治理/其他",
        source=f"{DEMO_SOURCE} · 台前县孙口镇民生议事会制度",
        body=(
            "孙口镇每周召开民生议事会，收集一周群众诉求，经镇党委会研究后分解到各站所、执法大队"
            "和村（社区），由其负责落实“最后一公里”。\n"
            "派单口径：孙口镇辖区内的村务管理、村镇建设、土地承包经营、村委会选举和环境卫生事项，"
            "直接派至孙口镇人民政府，由镇里分解办理；涉及县直部门职责的，仍派至县直部门，"
            "不得把部门职责推给基层。"
        ),
    ),
)


def _demo_reply_articles(limit: int) -> list[DemoArticle]:
    """Reference answers from real board replies (anonymised, A市), as consultation examples."""
    if limit <= 0 or not DEMO_REPLIES_CSV.exists():
        return []
    articles: list[DemoArticle] = []
    with DEMO_REPLIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            title = (row.get("title") or "").strip()[:TITLE_MAX]
            reply = (row.get("reply") or "").strip()
            if not title or not reply:
                continue
            question = (row.get("text") or "").strip()
            body = f"来信摘要：{question[:500]}\n\n答复：{reply}"[:BODY_MAX]
            answered = (row.get("reply_time") or "").split(" ")[0]
            source = f"{DEMO_SOURCE} · 留言板历史答复（{answered}）" if answered else DEMO_SOURCE
            articles.append(DemoArticle(title=title, body=body, source=source[:SOURCE_MAX]))
            if len(articles) >= limit:
                break
    return articles


@transaction.atomic
def seed_demo_knowledge(limit: int = 200) -> int:
    """Create the demo articles that do not exist yet (by title); returns how many were created.

    The hand-written 台前县 articles always; then up to `limit` reference answers taken from
    data/demo_replies.csv. Categories are loaded if missing. Bypasses the permission check on
    purpose: there is no actor, and the seed is the installer's own act.
    """
    load_categories()
    # Hand-written articles last: they get the later ids and timestamps, so when a board reply
    # scores the same for a query, the curated answer (recency breaks ties) comes first.
    wanted = [*_demo_reply_articles(limit), *DEMO_ARTICLES]
    existing = set(
        KnowledgeArticle.objects.filter(title__in=[a.title for a in wanted]).values_list(
            "title", flat=True
        )
    )
    categories = {
        c.full_name: c
        for c in Category.objects.filter(full_name__in={a.category for a in wanted if a.category})
    }
    new: list[KnowledgeArticle] = []
    for demo in wanted:
        if demo.title in existing:
            continue
        existing.add(demo.title)
        new.append(
            KnowledgeArticle(
                title=demo.title,
                body=demo.body,
                source=demo.source,
                category=categories.get(demo.category) if demo.category else None,
                valid_from=demo.valid_from,
                valid_to=demo.valid_to,
                search_text=search_text_for(title=demo.title, body=demo.body),
            )
        )
    KnowledgeArticle.objects.bulk_create(new, batch_size=100)
    return len(new)
