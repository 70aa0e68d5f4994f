"""Every graded exercise is taught, and every erratum of the seed notes is corrected, on the page.

**Exercises.** Each registry exercise ``<topic>.<Name>`` has a MyST target
``(def-<topic>-<name>)=`` (lower case, runs of other characters turned into ``-``) in one of
its chapter's source pages (``chapters/<chapter>/*.md``, listed in ``_toc.yml``). The block
that follows the target (up to the next target or heading) holds the definition as a display
equation (``$$``, ``{math}`` or an algorithm box), a gradient exercise's block states the
derivative (``\\partial``, ``\\nabla`` or a prime), and on the chapter's index page the
target comes before the graded-exercise table.

**Errata.** Each entry of the seed notes' errata (``ERRATA`` below, one key per entry of
``tests/book/ERRATA.md``, the repository's copy of the shared ``ERRATA.md``) has a target
``(err-...)=`` in its chapter, inside the "Common mistakes" section, followed by a code cell
of that section (the number that tells the seed's version from the correct one is computed
when the book is built).

A new registry exercise (or a new ERRATA.md entry) fails here until its chapter defines it
under its anchor: write the definition and the derivation first, then the exercise.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from autograder import registry

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
TARGET = re.compile(r"^\(([A-Za-z0-9_.:-]+)\)=\s*$")
HEADING = re.compile(r"^(#{1,6}) ")
DISPLAY = re.compile(r"^\s*(\$\$|```\{math\}|````?\{prf:algorithm\}|:::\{prf:algorithm\})")

#: Each ERRATA.md entry (its bold key) -> (chapter folder, anchor label).
ERRATA: dict[str, tuple[str, str]] = {
    "003_0fa82a6dc0641123.txt, 1.1 梯度消失与爆炸": ("01_init", "err-var-product"),
    "002_9ffe4a645a86325a.txt, Xavier初始化, He初始化": ("01_init", "err-xavier-lecun"),
    "001_41b6af2f31c6f5fd.txt, BN层 (为什么提出BN?)": ("02_norm", "err-bn-eps-sign"),
    "004_dbb3ea4cc5cdec3e.txt, 2.4.2.1 BN (细节: batch_size = 1 的处理)": (
        "02_norm",
        "err-bn-batch-one",
    ),
    "004_dbb3ea4cc5cdec3e.txt, 2.4.2.1 LN、IN、GN (【注1】)": ("02_norm", "err-ln-divide-std"),
    "004_dbb3ea4cc5cdec3e.txt, 2.4.2.1 BN (细节: 将 BN 层放在激活函数之后)": (
        "02_norm",
        "err-bn-placement",
    ),
    "001_41b6af2f31c6f5fd.txt, BN实现 (TensorFlow batch_norm)": ("02_norm", "err-bn-inference"),
    "004_dbb3ea4cc5cdec3e.txt, 3.1.4 GeLU (公式)": ("03_activations", "err-gelu-erf"),
    "004_dbb3ea4cc5cdec3e.txt, 3.1.4 GeLU (理解)": ("03_activations", "err-gelu-shape"),
    "004_dbb3ea4cc5cdec3e.txt, 3.1.3 ReLU (梯度裁剪)": ("03_activations", "err-relu6-clipping"),
    "softmax stability (001_41b6af2f31c6f5fd.txt, 收敛性 item 2; 004_dbb3ea4cc5cdec3e.txt, "
    "3.2 softmax)": ("03_activations", "err-softmax-stability"),
    "000_cbc345610602c95b.txt, 3.2 KL-Divergence Loss": ("04_losses", "err-kl-is-not-ce"),
    "002_9ffe4a645a86325a.txt, KL散度(Kullback-Leibler Divergence)": ("04_losses", "err-kl-sign"),
    "000_cbc345610602c95b.txt, 3.3.2 CrossEntropyLoss": ("04_losses", "err-ce-mean-over-c"),
    "000_cbc345610602c95b.txt, 3.3.1 NLLLoss": ("04_losses", "err-nll-takes-log-probs"),
    "001_41b6af2f31c6f5fd.txt, nn.BCELoss": ("04_losses", "err-bce-targets"),
    "001_41b6af2f31c6f5fd.txt, nn.CrossEntropyLoss": ("04_losses", "err-ce-prob-targets"),
    "004_dbb3ea4cc5cdec3e.txt, 4.2.2 entropy loss (交叉熵, binary classes)": (
        "04_losses",
        "err-bce-two-terms",
    ),
    "004_dbb3ea4cc5cdec3e.txt, 4.2.3.1 经典 softmax loss": ("04_losses", "err-ce-gradient"),
    "000_cbc345610602c95b.txt, 3.4 Triplet Loss": ("04_losses", "err-triplet"),
    "000_cbc345610602c95b.txt, 3.1.2 Adam Optimizer 数学公式": (
        "05_optimizers",
        "err-adam-formula",
    ),
    "004_dbb3ea4cc5cdec3e.txt, 5.2.6.1 Adam Base (代码)": ("05_optimizers", "err-adam-code"),
    "002_9ffe4a645a86325a.txt, Adam算法": ("05_optimizers", "err-adam-beta2"),
    "004_dbb3ea4cc5cdec3e.txt, 5.2.6.2 AdamL and AdamW": ("05_optimizers", "err-adamw"),
    "002_9ffe4a645a86325a.txt, 动量法(Momentum Method)": ("05_optimizers", "err-momentum-sum"),
    "004_dbb3ea4cc5cdec3e.txt, 5.2.3 AdaGrad (代码)": ("05_optimizers", "err-adagrad-sqrt"),
    "004_dbb3ea4cc5cdec3e.txt, 5.2.4 AdaDelta / 5.2.5 RMSprop": (
        "05_optimizers",
        "err-adadelta-rmsprop",
    ),
    "003_0fa82a6dc0641123.txt, 4.3 torch.optim.SGD": ("05_optimizers", "err-sgd-dampening"),
    "004_dbb3ea4cc5cdec3e.txt, 5.2.2 Momentum": ("05_optimizers", "err-momentum-ema"),
    "001_41b6af2f31c6f5fd.txt, 弹性反向传播算法 Rprop算法": ("05_optimizers", "err-rprop-etas"),
    "001_41b6af2f31c6f5fd.txt, Adamax算法 (also 003_0fa82a6dc0641123.txt, 4.4)": (
        "05_optimizers",
        "err-adamax",
    ),
    "004_dbb3ea4cc5cdec3e.txt, 5.1.2 指数平滑原理": ("05_optimizers", "err-ema-weights"),
    "004_dbb3ea4cc5cdec3e.txt, 2.4.3.1 L1 正则化": ("06_regularization", "err-l1-laplace"),
    "004_dbb3ea4cc5cdec3e.txt, 2.4.3.1 dropout": ("06_regularization", "err-dropout-convention"),
    "004_dbb3ea4cc5cdec3e.txt, 1.4 F-score (macro-F1)": ("07_metrics", "err-macro-f1"),
    "004_dbb3ea4cc5cdec3e.txt, 1.3 精确率与召回率 (Recall, CV 理解)": ("07_metrics", "err-recall"),
    "004_dbb3ea4cc5cdec3e.txt, 1.5 Average Precision & Recall (算法)": ("07_metrics", "err-ap"),
    "001_41b6af2f31c6f5fd.txt, 评价指标 (R2)": ("07_metrics", "err-r2"),
    "001_41b6af2f31c6f5fd.txt, 评价指标 (MAPE)": ("07_metrics", "err-mape"),
    "001_41b6af2f31c6f5fd.txt, 回归损失 1.均方误差 / 2.平均绝对误差": (
        "07_metrics",
        "err-mse-mean",
    ),
    "001_41b6af2f31c6f5fd.txt, MSE与MAE (中位数)": ("07_metrics", "err-median-robust"),
    "004_dbb3ea4cc5cdec3e.txt, 7 模型集成 (概率平均)": ("08_ensembles", "err-weighted-average"),
    "004_dbb3ea4cc5cdec3e.txt, 7 模型集成 (Stochastic Weight Averaging)": (
        "08_ensembles",
        "err-swa",
    ),
    "004_dbb3ea4cc5cdec3e.txt, 2.1.4 基本方程 (隐层的简化)": ("00_backprop", "err-bp3-bias"),
    "004_dbb3ea4cc5cdec3e.txt, 4.2.2 entropy loss (条件熵, 互信息)": (
        "04_losses",
        "err-conditional-entropy",
    ),
    "004_dbb3ea4cc5cdec3e.txt, 对抗训练 (CV / FGM)": ("06_regularization", "err-fgsm-fgm"),
    "000_cbc345610602c95b.txt, 2.3 什么是train-validation split": (
        "06_regularization",
        "err-validation-set",
    ),
    "003_0fa82a6dc0641123.txt, 2.3 NLL/BCE/BCEWithLogits Loss": (
        "04_losses",
        "err-bce-no-ignore-index",
    ),
    "003_0fa82a6dc0641123.txt, 2.4 其他损失函数 (MarginRankingLoss, KLDivLoss)": (
        "04_losses",
        "err-margin-ranking-kl-mean",
    ),
    "002_9ffe4a645a86325a.txt, 为什么不使用KL散度作为分类损失函数?": (
        "04_losses",
        "err-kl-far-apart",
    ),
}


def anchor_of(exercise_id: str) -> str:
    """The target of an exercise: ``lr_scheduler.LinearLR`` -> ``def-lr-scheduler-linearlr``."""
    return "def-" + re.sub(r"[^a-z0-9]+", "-", exercise_id.lower()).strip("-")


@cache
def toc_files() -> frozenset[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.add(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    return frozenset(found)


@cache
def chapter_pages(chapter: str) -> tuple[Path, ...]:
    """The chapter's source pages that the book builds (index first)."""
    folder = CHAPTERS / chapter
    pages = [
        page
        for page in sorted(folder.glob("*.md"))
        if f"chapters/{chapter}/{page.stem}" in toc_files()
    ]
    return tuple(sorted(pages, key=lambda p: p.stem != "index"))


CODE_FENCE = re.compile(r"^```(\{code-cell\}|[a-z]*$)")


@cache
def lines_of(page: Path) -> tuple[str, ...]:
    """The page's lines, with the inside of code cells and code blocks blanked (a Python
    comment ``# ...`` there is not a heading)."""
    out, in_code = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if in_code:
            in_code = line.rstrip() != "```"
            out.append("")
        else:
            in_code = bool(CODE_FENCE.match(line)) and line.rstrip() != "```"
            out.append(line)
    return tuple(out)


@cache
def targets(page: Path) -> dict[str, int]:
    """Label -> line index of every MyST target ``(label)=`` on the page."""
    lines = lines_of(page)
    return {m.group(1): i for i, line in enumerate(lines) if (m := TARGET.match(line))}


def block_after(page: Path, line: int) -> list[str]:
    """The lines after a target, up to the next target or heading (but past a heading that
    directly follows the target, which the target names)."""
    lines = lines_of(page)
    block, start = [], line + 1
    while start < len(lines) and (not lines[start].strip() or TARGET.match(lines[start])):
        start += 1
    if start < len(lines) and HEADING.match(lines[start]):
        start += 1
    for text in lines[start:]:
        if TARGET.match(text) or HEADING.match(text):
            break
        block.append(text)
    return block


def find(chapter: str, label: str) -> tuple[Path, int] | None:
    for page in chapter_pages(chapter):
        if label in targets(page):
            return page, targets(page)[label]
    return None


def exercises():
    return sorted(registry.all_exercises(), key=lambda e: e.id)


def test_every_chapter_has_its_pages_in_the_toc():
    for ex in exercises():
        assert chapter_pages(ex.chapter), f"no page of chapters/{ex.chapter} is in _toc.yml"


@pytest.mark.parametrize("exercise", exercises(), ids=lambda e: e.id)
def test_exercise_is_defined_before_the_table(exercise):
    label = anchor_of(exercise.id)
    where = find(exercise.chapter, label)
    assert where is not None, (
        f"{exercise.id}: no target ({label})= in chapters/{exercise.chapter}/*.md; write its "
        "definition (a display equation) and its gradient or update rule under that target"
    )
    page, line = where
    block = block_after(page, line)
    assert any(DISPLAY.match(text) for text in block), (
        f"{exercise.id}: the block after ({label})= in {page.relative_to(ROOT)} has no display "
        "equation ($$, {math} or {prf:algorithm})"
    )
    if exercise.id.endswith("_backward") or getattr(exercise, "forward", None):
        assert any(mark in "\n".join(block) for mark in ("\\partial", "\\nabla", "'(")), (
            f"{exercise.id} is a gradient: the block after ({label})= states no derivative "
            "(\\partial, \\nabla or f')"
        )
    text = page.read_text(encoding="utf-8")
    table = text.find("exercise_table(")
    if table != -1:
        table_line = text[:table].count("\n")
        assert line < table_line, f"{exercise.id}: ({label})= comes after the exercise table"


def test_anchors_are_unique_per_chapter():
    for chapter in {e.chapter for e in exercises()}:
        seen: dict[str, Path] = {}
        for page in chapter_pages(chapter):
            for label in targets(page):
                assert label not in seen, f"({label})= on {page.name} and {seen[label].name}"
                seen[label] = page


#: The errata of the seed notes, as the course's maintainers wrote them (a copy of the shared
#: ``ERRATA.md``, kept in the repository so that CI checks against it too).
ERRATA_COPY = Path(__file__).with_name("ERRATA.md")


def errata_keys(path: Path) -> list[str]:
    return re.findall(r"^- \*\*(.+?)\*\*", path.read_text(encoding="utf-8"), re.MULTILINE)


def test_errata_table_is_the_errata_file():
    keys = errata_keys(ERRATA_COPY)
    assert len(keys) == len(set(keys)) == 50
    assert set(keys) == set(ERRATA), (
        f"missing here: {sorted(set(keys) - set(ERRATA))}; "
        f"not in ERRATA.md: {sorted(set(ERRATA) - set(keys))}"
    )


def test_errata_copy_is_current():
    shared = Path(os.environ.get("ERRATA_MD", "/work/shared/ERRATA.md"))
    if not shared.is_file():
        pytest.skip("no shared ERRATA.md on this machine: the repository's copy is the record")
    assert errata_keys(shared) == errata_keys(ERRATA_COPY), (
        f"{shared} changed: copy it to {ERRATA_COPY} and map its new entries"
    )


def common_mistakes_span(page: Path) -> tuple[int, int] | None:
    lines = lines_of(page)
    start = next((i for i, t in enumerate(lines) if re.match(r"^#+ Common mistakes", t)), None)
    if start is None:
        return None
    level = len(HEADING.match(lines[start]).group(1))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if (m := HEADING.match(lines[i])) and len(m.group(1)) <= level
        ),
        len(lines),
    )
    return start, end


@pytest.mark.parametrize("key", sorted(ERRATA), ids=lambda k: ERRATA[k][1])
def test_erratum_is_taught_under_common_mistakes(key):
    chapter, label = ERRATA[key]
    where = find(chapter, label)
    assert where is not None, f"ERRATA '{key}': no target ({label})= in chapters/{chapter}"
    page, line = where
    span = common_mistakes_span(page)
    assert span is not None and span[0] < line < span[1], (
        f"({label})= is not inside the 'Common mistakes' section of {page.relative_to(ROOT)}"
    )
    after = page.read_text(encoding="utf-8").splitlines()[line : span[1]]
    assert any(text.startswith("```{code-cell}") for text in after), (
        f"({label})= in {page.relative_to(ROOT)}: no code cell after it in 'Common mistakes'"
    )
    assert len(block_after(page, line)) > 0, f"({label})= is followed by nothing"
