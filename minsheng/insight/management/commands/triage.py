"""`manage.py triage train|evaluate|retrain|suggest`: 智能派单's classifier and router.

    triage train [--input CSV …] [--unlabelled CSV …] [--no-unlabelled] [--if-missing]
    triage evaluate --input CSV
    triage retrain [--level N] [--from-tree] [--if-missing] [--input CSV …] [--unlabelled CSV …]
                   [--no-unlabelled]
    triage suggest --text TEXT [--title TITLE] [--division CODE] [--format json|text]

`suggest` prints the top three categories and units for a call, best first, by the same code
path as the operator's desk (minsheng.insight.triage.suggest):
``{"categories": [{"name", "score", "terms"}], "units": [{"code", "name", "score", "why"}],
"division": CODE|null, "place_guessed": bool, "preselect": bool}``.

Labelled CSVs have the columns of ../shared/data/messages/labelled.csv (``title``, ``text``,
``category``); unlabelled ones need ``text`` (``title`` is read when present). Without
``--input``, ``train`` reads ``labelled.csv`` from MINSHENG_TRIAGE_DATA, and both commands take
the unlabelled messages found there. The model goes to MINSHENG_TRIAGE_MODEL.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.insight.triage import (
    examples_from_tickets,
    examples_from_tree,
    model_path,
    suggest,
    train_and_save,
)
from minsheng.org.models import Division
from minsheng.textproc.classify import (
    Classifier,
    Example,
    TriageError,
    evaluate,
    read_labelled_csv,
    read_texts_csv,
)
from minsheng.tickets.models import Category

LABELLED_FILE = "labelled.csv"
UNLABELLED_FILES = ("messages_with_votes.csv", "messages_with_replies.csv")
MIN_DB_EXAMPLES = 20


def data_dir() -> Path:
    return Path(settings.MINSHENG_TRIAGE_DATA)


class Command(BaseCommand):
    help = "Train, evaluate or retrain the category classifier (智能派单)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="train from labelled CSV files")
        train.add_argument("--input", action="append", default=[], metavar="CSV")
        train.add_argument(
            "--if-missing",
            action="store_true",
            help="do nothing when a model file exists; no training data is not an error",
        )
        self._unlabelled_arguments(train)
        evaluate_ = actions.add_parser("evaluate", help="score the model on a labelled CSV")
        evaluate_.add_argument("--input", required=True, metavar="CSV")
        retrain = actions.add_parser("retrain", help="train from the dispatched tickets")
        retrain.add_argument(
            "--level",
            type=int,
            choices=(1, 2, 3),
            default=1,
            help="category depth to learn (1: 城乡建设, 3: the leaves); default 1",
        )
        retrain.add_argument(
            "--from-tree",
            action="store_true",
            help="also learn the tree's own words and the messages its lexicon files surely "
            "(what an installation knows before its first dispatched ticket)",
        )
        retrain.add_argument(
            "--if-missing", action="store_true", help="do nothing when a model file exists"
        )
        retrain.add_argument(
            "--input", action="append", default=[], metavar="CSV", help="also these labelled CSVs"
        )
        self._unlabelled_arguments(retrain)
        suggest_ = actions.add_parser("suggest", help="suggest categories and units for a call")
        suggest_.add_argument("--text", required=True)
        suggest_.add_argument("--title", default="")
        suggest_.add_argument("--division", default="", metavar="CODE", help="区划代码")
        suggest_.add_argument("--format", choices=("json", "text"), default="json")

    @staticmethod
    def _unlabelled_arguments(parser: CommandParser) -> None:
        parser.add_argument("--unlabelled", action="append", default=[], metavar="CSV")
        parser.add_argument("--no-unlabelled", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except TriageError as error:
            raise CommandError(str(error)) from error

    # --- train

    def _train(self, options: dict[str, Any]) -> None:
        target = model_path()
        if options["if_missing"] and target.exists():
            self.stdout.write(f"智能分类模型已存在：{target}")
            return
        inputs = [Path(p) for p in options["input"]]
        if not inputs:
            default = data_dir() / LABELLED_FILE
            if not default.is_file():
                message = f"找不到训练数据 {default}：智能分类建议暂不可用（可用 --input 指定）。"
                if options["if_missing"]:
                    self.stdout.write(message)
                    return
                raise CommandError(message)
            inputs = [default]
        examples: list[Example] = []
        for path in inputs:
            examples += read_labelled_csv(path)
        self._fit(examples, [str(p) for p in inputs], options)

    # --- retrain

    def _retrain(self, options: dict[str, Any]) -> None:
        target = model_path()
        if options["if_missing"] and target.exists():
            self.stdout.write(f"智能分类模型已存在：{target}")
            return
        examples = examples_from_tickets(level=options["level"])
        from_db = len(examples)
        inputs = [Path(p) for p in options["input"]]
        for path in inputs:
            examples += read_labelled_csv(path)
        sources = [f"database: {from_db} dispatched tickets, level {options['level']}"]
        if options["from_tree"]:
            if options["level"] != 3:
                raise CommandError("--from-tree 只用于末级分类（--level 3）。")
            texts = self._message_texts()
            tree = examples_from_tree(texts)
            examples += tree
            sources.append(f"tree: {len(tree)} names, synonyms and surely filed messages")
            # The messages are in the examples already; self-training on them again would only
            # repeat the lexicon's labels.
            if not options["unlabelled"]:
                options["no_unlabelled"] = True
        if len(examples) < MIN_DB_EXAMPLES:
            raise CommandError(
                f"已派单且有分类的工单只有 {from_db} 件，至少需要 {MIN_DB_EXAMPLES} 条样本"
                "（可用 --input 加入带标注的 CSV）。"
            )
        self._fit(examples, sources + [str(p) for p in inputs], options)

    @staticmethod
    def _message_texts() -> list[str]:
        """The installation's real messages (MINSHENG_TRIAGE_DATA), where it has them."""
        texts: list[str] = []
        for name in (LABELLED_FILE, *UNLABELLED_FILES):
            path = data_dir() / name
            if path.is_file():
                texts += read_texts_csv(path)
        return texts

    def _fit(self, examples: list[Example], sources: list[str], options: dict[str, Any]) -> None:
        unlabelled: list[str] = []
        if not options["no_unlabelled"]:
            paths = [Path(p) for p in options["unlabelled"]] or [
                p for p in (data_dir() / name for name in UNLABELLED_FILES) if p.is_file()
            ]
            for path in paths:
                unlabelled += read_texts_csv(path)
                sources.append(f"unlabelled: {path}")
        self.stdout.write(f"训练中：{len(examples)} 条标注样本，{len(unlabelled)} 条未标注文本……")
        model = train_and_save(examples, unlabelled, sources=sources, path=model_path())
        info = model.info
        self.stdout.write(
            f"已保存 {model_path()}：{len(info.label_counts)} 个分类，"
            f"{info.examples} 条样本，自训练 {info.pseudo_labelled} 条，"
            f"分类树描述 {info.params.get('category_names', 0)} 条。"
        )

    # --- suggest

    def _suggest(self, options: dict[str, Any]) -> None:
        code = options["division"].strip()
        division = None
        if code:
            if not (code.isascii() and code.isdigit() and len(code) in (6, 9, 12)):
                raise CommandError(f"区划代码应为 6、9 或 12 位数字：{code}")
            division = Division.objects.filter(code=code.ljust(12, "0")).first()
            if division is None:
                raise CommandError(f"找不到区划 {code}（请先导入区划）。")
        text = options["text"]
        if not text.strip():
            raise CommandError("--text 不能为空。")
        result = suggest(text, options["title"], division)
        categories = [
            {
                "name": _category_name(c.leaf or c.category, c.label),
                "score": c.score,
                "terms": list(c.terms),
            }
            for c in result.categories
        ]
        units = [
            {"code": u.unit.code, "name": u.unit.name, "score": u.score, "why": u.why}
            for u in result.units
        ]
        if options["format"] == "json":
            body = {
                "categories": categories,
                "units": units,
                "division": result.division.code if result.division else None,
                "place_guessed": result.place_guessed,
                "preselect": result.confident,
            }
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        for c in result.categories:
            self.stdout.write(f"分类 {c.score:.2f} {_category_name(c.leaf or c.category, c.label)}")
        for u in result.units:
            self.stdout.write(f"单位 {u.score:.2f} {u.unit.name}（{u.unit.code}）：{u.why}")
        if not result.units:
            self.stdout.write("没有建议的承办单位。")

    # --- evaluate

    def _evaluate(self, options: dict[str, Any]) -> None:
        examples = read_labelled_csv(Path(options["input"]))
        model = Classifier.load(model_path())
        predicted = model.predict([(e.text, e.title) for e in examples])
        result = evaluate([e.label for e in examples], predicted)
        self.stdout.write(result.summary())
        width = max([_width(r.label) for r in result.classes] + [5])
        self.stdout.write(f"{_pad('class', width)}  precision  recall  f1     support")
        for r in result.classes:
            self.stdout.write(
                f"{_pad(r.label, width)}  {r.precision:.3f}      {r.recall:.3f}   {r.f1:.3f}  "
                f"{r.support}"
            )


def _category_name(category: Category | None, label: str) -> str:
    return category.full_name if category is not None else label


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
