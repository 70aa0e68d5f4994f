"""Sphinx extension: the student bundle is a download of the website.

When the book is built, ``autograder release`` writes the student bundle (every chapter's
notebook and the ``check()`` that runs its public cases; no references, no hidden cases) to
``_build/bundle/course-exercises.zip``, and the directive

    ```{student-setup} 04_losses
    ```

shows where to get it and its two commands (set up, open that chapter's notebook), as the
bundle's own README says them (``autograder.release.commands``). Sphinx copies the zip to
``_downloads/`` like any ``{download}`` target, so the site serves it with no other step.
Without an argument the directive opens the first chapter's notebook (the landing page).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

#: Where the bundle is written, relative to the book's source folder (ignored by git).
BUNDLE = Path("_build") / "bundle" / "course-exercises.zip"


def build_bundle(app) -> None:
    """Write the bundle before any page is read (a page's ``{download}`` needs the file)."""
    from autograder.release import release

    target = Path(app.srcdir) / BUNDLE
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        built, _ = release(Path(tmp) / target.name)
        built.replace(target)  # atomic: a crash leaves the previous bundle in place


def setup_markdown(chapter: str) -> str:
    """The MyST text the directive shows for ``chapter``."""
    from autograder.release import commands

    return f"""**Get the notebook.** Download the student bundle
{{download}}`course-exercises.zip </{BUNDLE.as_posix()}>`: every chapter's exercise notebook
and the `check()` that runs its public cases on your machine (no solutions). Unzip it and,
from its folder `course-exercises/`, run (Python 3.11 or newer; on Windows use
`.venv\\Scripts\\` for `.venv/bin/`):

```bash
{as_shell_lines(commands(chapter))}
```
"""


def as_shell_lines(text: str) -> str:
    """``command      # comment`` lines as ``# comment`` then ``command`` (narrow boxes)."""
    out = []
    for line in text.splitlines():
        command, _, comment = line.partition("  #")
        out += [f"# {comment.strip()}"] if comment.strip() else []
        out.append(command.rstrip())
    return "\n".join(out)


class StudentSetup(SphinxDirective):
    optional_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from autograder import registry

        chapter = self.arguments[0] if self.arguments else min(set(registry.CHAPTERS.values()))
        known = set(registry.CHAPTERS.values())
        if chapter not in known:
            raise self.error(f"student-setup: chapter {chapter!r} is not one of {sorted(known)}")
        container = nodes.container(classes=["student-setup"])
        lines = StringList(setup_markdown(chapter).splitlines(), source=self.get_source_info()[0])
        self.state.nested_parse(lines, self.content_offset, container)
        return [container]


def setup(app):
    app.connect("builder-inited", build_bundle)
    app.add_directive("student-setup", StudentSetup)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
