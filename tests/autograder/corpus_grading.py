"""One sandboxed grading run shared by the corpus tests (``test_grading.py``) and the
diagnosis accuracy tests (``test_diagnosis.py``): every chapter's solution and stub notebook,
every corpus submission (the solution notebook plus the corpus cell), and one generated wrong
variant per declared known mistake (the solution notebook plus the mistake's code,
:func:`autograder.mistakes.as_submission`). Both modules run in the xdist group "corpus", so
the run happens once."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from autograder import extract, mistakes, registry
from autograder.grade import grade_submissions
from autograder.notebooks import ROOT

CORPUS = Path(__file__).parent / "corpus"


def solution(chapter: str) -> dict:
    return json.loads((ROOT / "instructor" / "solutions" / f"{chapter}.ipynb").read_text())


def with_cell(nb: dict, source: str) -> dict:
    nb = copy.deepcopy(nb)
    nb["cells"].append(
        {
            "cell_type": "code",
            "id": "extra",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": source,
        }
    )
    return nb


def corpus():
    """(chapter, name, text, EXPECT) of every corpus submission."""
    for path in sorted(CORPUS.glob("*/*.py")):
        text = path.read_text()
        expect = json.loads(re.search(r"# EXPECT: (\{.*\})", text).group(1))
        yield path.parent.name, path.stem, text, expect


def variant_source(m: mistakes.Mistake) -> str:
    return mistakes.as_submission(m, registry.get(m.exercise).function)


def grade_everything() -> tuple[dict, dict]:
    """{submission name: SubmissionResult}, sandbox layers. Names: ``solution/<chapter>``,
    ``stub/<chapter>``, ``corpus/<chapter>/<file stem>``, ``variant/<mistake id>``."""
    subs = []
    for chapter in registry.chapters():
        subs.append(
            extract.parse(f"solution/{chapter}", json.dumps(solution(chapter)).encode(), ".ipynb")
        )
        stub = ROOT / "chapters" / chapter / "exercises.ipynb"
        subs.append(extract.parse(f"stub/{chapter}", stub.read_bytes(), ".ipynb"))
    for chapter, name, text, _ in corpus():
        nb = with_cell(solution(chapter), text)
        subs.append(extract.parse(f"corpus/{chapter}/{name}", json.dumps(nb).encode(), ".ipynb"))
    for m in mistakes.all_mistakes():
        nb = with_cell(solution(m.chapter), variant_source(m))
        subs.append(extract.parse(f"variant/{m.id}", json.dumps(nb).encode(), ".ipynb"))
    results, layers = grade_submissions(subs, workers=2)
    return {r.name: r for r in results}, layers
