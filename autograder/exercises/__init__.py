"""Chapter registries: one module per topic, named like ``solutions/<topic>.py``.

How to add a chapter (no change to the engine is needed):

1. Create ``autograder/exercises/<topic>.py`` where ``<topic>`` is the module name in
   ``solutions/`` (``activations``, ``losses``, ...; ``lr_scheduler`` joins ``optim`` in
   ``05_optimizers``). The chapter folder comes from ``autograder.registry.CHAPTERS``.
2. In it, import the reference module and define ``EXERCISES``, a list of
   :func:`autograder.registry.exercise` (or the helpers of :mod:`autograder.authoring`)::

       from solutions import activations as ref
       from autograder.authoring import elementwise, pair, float_inputs
       from autograder.registry import exercise, case

       EXERCISES = [
           *pair(ref.gelu, ref.gelu_backward, points=(2, 2),
                 inputs=float_inputs(variants=[{}, {"approximate": "tanh"}])),
           exercise(ref.softmax, points=2,
                    public=lambda g: [case("basic", g.normal(4, 5), dim=-1)],
                    hidden=lambda g: [case("extreme", g.normal(3, 6, scale=1e4), dim=1)]),
       ]

   ``public`` and ``hidden`` are case factories: ``Gen -> iterable of case(group, *args,
   **kwargs)``, seeded from the exercise id (hidden ones also from the grading secret
   ``AUTOGRADER_HIDDEN_SEED``). Points are split equally across case groups.
3. Every exercise must be a public function of ``solutions.<topic>`` that is NOT in that
   module's ``__worked_examples__`` (those are shown in the book). A malformed definition
   raises ``ExerciseDefinitionError`` on import, which fails ``autograder exercises`` and
   the tests: authoring mistakes never reach a student's grade.
4. Run ``autograder build-notebooks`` to (re)generate the chapter's notebooks and commit them.
5. A public name of ``solutions.<topic>`` that cannot be an exercise (it takes a Python
   callable, which cannot cross the sandbox; a base class; a special case of another
   exercise) goes in the chapter file's ``NOT_EXERCISES = {"topic.name": "reason"}``.
   ``tests/autograder/test_coverage.py`` fails on any public, non-worked name that is
   neither registered nor excused.

Kinds: ``function`` (outputs compared with the reference), ``backward`` (``forward=``
the reference forward; ``check()`` also compares the student's backward with central
differences of the student's own forward), ``initializer`` (in-place fill given a seeded
``numpy.random.Generator``: compared by distribution, not values), ``optimizer`` (class
``Opt(params, **options)`` with ``.step(grads)``; cases give initial params, a gradient per
step and ``steps``; the trajectory is compared), ``scheduler`` (class ``Sched(optimizer,
**options)`` with ``.step()`` / ``.get_last_lr()``; the learning rates are compared),
``inplace`` (a function that also updates positional arrays or lists of arrays in place,
e.g. BatchNorm's running statistics or clipped gradients: the output and those arguments
after the call are compared), ``averager`` (class ``Avg(params, **options)`` with
``.update_parameters(params)`` and ``.params``, e.g. SWA/EMA: the averaged parameters after
every update are compared).
"""
