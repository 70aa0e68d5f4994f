"""Sphinx extension: keep the website fully offline and free of console errors.

Jupyter Book always loads ``sphinx_thebe`` (live code via Binder). Its page scripts point at
unpkg.com and, on notebook pages, declare ``THEBE_JS_URL`` twice, which is a JavaScript
error in every browser. The course has no live kernels on the website (students run the
exercise notebooks locally), so this extension disconnects sphinx-thebe's script injection.
"""

from __future__ import annotations


def _disconnect_thebe(app) -> None:
    import sphinx_thebe

    thebe_handlers = {sphinx_thebe.init_thebe_core, sphinx_thebe.update_thebe_context}
    for event, listeners in app.events.listeners.items():
        for listener in list(listeners):
            if listener.handler in thebe_handlers:
                app.disconnect(listener.id)


def setup(app):
    app.connect("builder-inited", _disconnect_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
