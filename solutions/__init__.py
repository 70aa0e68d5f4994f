"""Reference implementations for the course *Foundations of Deep Learning*.

Plain numpy (scipy where natural). One module per chapter topic; names, signatures and
defaults mirror ``torch.nn.functional``, ``torch.nn.init``, ``torch.optim`` and
``sklearn.metrics``. Every differentiable ``f`` has ``f_backward(grad_output, *inputs, **kw)``.

Each module lists the functions the book shows as worked examples in ``__worked_examples__``;
all other public functions may be graded exercises, whose code never appears on the website.
"""

__version__ = "0.1.0"
