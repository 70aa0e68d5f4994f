"""Chapter 10: shapes and capacity. Output shapes of convolution, transposed convolution and
pooling layers, receptive fields, parameter/MAC/memory counts, a direct ``conv2d`` with its
backward, and the capacity of linear classifiers.

Shapes and counts are exact integers (compared exactly); a shape is returned as a tuple (a
list is accepted). Case groups follow the options each statement names: ``stride/padding``,
``dilation``, ``groups``, ``same/valid`` padding, ``ceil_mode``, 1-D and 3-D inputs, and
(hidden) the edge where the last window only just fits.
"""

import numpy as np

from autograder.authoring import with_grad_output
from autograder.registry import Gen, case, exercise
from solutions import shapes as ref


def _conv_shapes(hidden: bool):
    def make(g: Gen):
        n = int(g.integers(1, 9))
        yield case("basic", (n, 3, 32, 32), 16, 3)
        yield case("stride/padding", (n, 3, 28, 30), 8, 5, stride=2, padding=2)
        yield case("dilation", (n, 4, 17, 17), 4, 3, dilation=2)
        yield case("groups", (n, 6, 9, 11), 9, (3, 2), groups=3)
        yield case("same/valid", (n, 2, 10, 7), 4, (4, 3), padding="same")
        yield case("same/valid", (n, 2, 10, 7), 4, 3, padding="valid")
        if hidden:
            yield case("1-D and 3-D", (n, 5, 100), 7, 9, stride=4, padding=1)
            yield case("1-D and 3-D", (n, 2, 9, 10, 11), 4, (3, 1, 2), stride=(2, 1, 3))
            yield case("tight fit", (n, 3, 13, 12), 2, 5, stride=4, dilation=(2, 1))
            yield case("dilation", (n, 4, 15, 21), 8, 4, padding=(1, 3), dilation=(3, 2))
            yield case("same/valid", (n, 3, 12, 9), 6, 4, padding="same", dilation=(1, 3), groups=3)

    return make


def _conv_transpose_shapes(hidden: bool):
    def make(g: Gen):
        n = int(g.integers(1, 9))
        yield case("basic", (n, 16, 8, 8), 3, 4, stride=2, padding=1)
        yield case("output_padding", (n, 16, 16, 16), 3, 3, stride=2, padding=1, output_padding=1)
        yield case("dilation/groups", (n, 4, 5, 7), 6, 3, dilation=2, groups=2)
        if hidden:
            yield case("1-D and 3-D", (n, 2, 11), 5, 5, stride=3, output_padding=2)
            yield case(
                "1-D and 3-D", (n, 4, 3, 4, 5), 2, (2, 3, 1), stride=(1, 2, 3), padding=(0, 1, 0)
            )
            yield case(
                "output_padding",
                (n, 8, 6, 9),
                8,
                (3, 5),
                stride=(3, 1),
                output_padding=(2, 1),
                dilation=(1, 2),
            )
            yield case("dilation/groups", (n, 6, 7, 4), 9, 3, padding=2, dilation=3, groups=3)

    return make


def _pool_shapes(hidden: bool):
    def make(g: Gen):
        n = int(g.integers(1, 9))
        yield case("basic", (n, 8, 32, 32), 2)
        yield case("stride/padding", (n, 3, 15, 16), 3, stride=2, padding=1)
        yield case("ceil_mode", (n, 3, 7, 9), 2, ceil_mode=True)
        yield case("dilation", (n, 2, 12, 11), 3, stride=1, dilation=2)
        if hidden:
            # ceil_mode where the rounded-up window would start inside the right padding
            yield case("ceil_mode", (n, 1, 5, 6), 2, stride=2, padding=1, ceil_mode=True)
            yield case("ceil_mode", (n, 4, 10, 13), (3, 4), stride=(3, 4), ceil_mode=True)
            yield case("1-D and 3-D", (n, 2, 50), 4, stride=3, padding=2, ceil_mode=True)
            yield case("1-D and 3-D", (n, 2, 6, 7, 8), (2, 3, 2), stride=None, padding=(1, 1, 0))
            yield case("dilation", (n, 3, 20, 9), (2, 3), stride=(2, 1), padding=1, dilation=(3, 2))

    return make


def _stacks(hidden: bool):
    vgg = [{"kernel_size": 3, "padding": 1}] * 2 + [{"kernel_size": 2, "stride": 2}]

    def make(g: Gen):
        yield case("basic", [{"kernel_size": 3}])
        yield case("VGG-like", vgg * 2)
        yield case(
            "dilated", [{"kernel_size": 3, "dilation": 2**i, "padding": 2**i} for i in range(4)]
        )
        if hidden:
            yield case("VGG-like", vgg * 4 + [{"kernel_size": 7}])
            yield case("dilated", [{"kernel_size": 2, "dilation": 2**i} for i in range(6)])
            yield case(
                "strided",
                [
                    {"kernel_size": 7, "stride": 2, "padding": 3},
                    {"kernel_size": 3, "stride": 2, "padding": 1},
                    {"kernel_size": 1, "stride": 2},
                    {"kernel_size": 4},
                ],
            )
            yield case("basic", [])

    return make


def _counts(hidden: bool):
    def make(g: Gen):
        yield case("basic", 64, 128, 3)
        yield case("no bias", 3, 16, (5, 5), bias=False)
        yield case("groups", 32, 64, 3, groups=4)
        if hidden:
            yield case("groups", 48, 48, 3, groups=48)  # depthwise
            yield case("spatial_dims", 16, 8, 3, spatial_dims=3)
            yield case("spatial_dims", 10, 20, 1, spatial_dims=1, bias=False)
            yield case("no bias", 6, 12, (1, 7), groups=3, bias=False)

    return make


def _macs(hidden: bool):
    def make(g: Gen):
        yield case("basic", (1, 64, 56, 56), 64, 3, padding=1)
        yield case("stride/groups", (4, 32, 30, 31), 64, 3, stride=2, groups=8)
        if hidden:
            yield case("stride/groups", (2, 48, 14, 14), 48, 5, padding=2, groups=48)
            yield case("1-D and 3-D", (3, 4, 10, 9, 8), 6, (3, 3, 1), dilation=(2, 1, 1))
            yield case("1-D and 3-D", (8, 16, 100), 32, 9, stride=3, padding="valid")

    return make


def _stack_costs(hidden: bool):
    conv = {"type": "conv", "out_channels": 8, "kernel_size": 3, "padding": 1}

    def make(g: Gen):
        yield case(
            "basic",
            (2, 1, 28, 28),
            [dict(conv), {"type": "flatten"}, {"type": "linear", "out_features": 10}],
        )
        yield case(
            "pooling",
            (4, 3, 32, 32),
            [
                dict(conv),
                {"type": "maxpool", "kernel_size": 2},
                {"type": "avgpool", "kernel_size": 3, "stride": 2, "ceil_mode": True},
            ],
        )
        yield case("bytes", (8, 3, 16, 16), [dict(conv, groups=1, bias=False)], bytes_per_element=2)
        if hidden:
            separable = [
                {"type": "conv", "out_channels": 16, "kernel_size": 3, "groups": 16, "padding": 1},
                {"type": "conv", "out_channels": 32, "kernel_size": 1},
            ]
            yield case("depthwise-separable", (2, 16, 12, 12), separable, bytes_per_element=8)
            yield case(
                "basic",
                (5, 20),
                [
                    {"type": "linear", "out_features": 7, "bias": False},
                    {"type": "linear", "out_features": 3},
                ],
            )
            yield case(
                "pooling",
                (3, 2, 9, 10),
                [
                    {
                        "type": "maxpool",
                        "kernel_size": 3,
                        "stride": 2,
                        "padding": 1,
                        "dilation": 1,
                        "ceil_mode": True,
                    },
                    dict(conv, stride=2),
                    {"type": "flatten"},
                ],
            )

    return make


def _conv2d_inputs(hidden: bool):
    def make(g: Gen):
        yield case("basic", g.normal(2, 3, 6, 7), g.normal(4, 3, 3, 3))
        yield case("bias", g.normal(1, 2, 5, 5), g.normal(3, 2, 2, 2), g.normal(3))
        yield case(
            "stride/padding",
            g.normal(2, 2, 7, 8),
            g.normal(3, 2, 3, 2),
            g.normal(3),
            stride=2,
            padding=1,
        )
        yield case("dilation", g.normal(1, 2, 9, 9), g.normal(2, 2, 3, 3), dilation=2)
        yield case("groups", g.normal(2, 4, 6, 6), g.normal(6, 2, 3, 3), g.normal(6), groups=2)
        yield case("same/valid", g.normal(1, 3, 6, 5), g.normal(2, 3, 4, 3), padding="same")
        yield case(
            "float32",
            g.normal(2, 3, 5, 5, dtype=np.float32),
            g.normal(2, 3, 3, 3, dtype=np.float32),
            g.normal(2, dtype=np.float32),
        )
        if hidden:
            yield case("unbatched", g.normal(3, 8, 7), g.normal(2, 3, 1, 3), padding=(0, 1))
            yield case(
                "stride/padding",
                g.normal(3, 1, 11, 9),
                g.normal(4, 1, 5, 3),
                stride=(3, 2),
                padding=(2, 0),
            )
            yield case(
                "dilation",
                g.normal(2, 3, 10, 12),
                g.normal(3, 3, 2, 3),
                g.normal(3),
                stride=(1, 2),
                dilation=(3, 2),
                padding=1,
            )
            yield case("groups", g.normal(1, 6, 7, 7), g.normal(6, 1, 3, 3), groups=6)  # depthwise
            yield case(
                "same/valid",
                g.normal(2, 2, 8, 8),
                g.normal(4, 1, 4, 2),
                g.normal(4),
                padding="same",
                dilation=(1, 3),
                groups=2,
            )
            yield case("same/valid", g.normal(1, 2, 6, 6), g.normal(1, 2, 6, 6), padding="valid")
            yield case(
                "float32",
                g.normal(1, 4, 9, 8, dtype=np.float32),
                g.normal(4, 2, 3, 3, dtype=np.float32),
                stride=2,
                groups=2,
            )

    return make


def _cover(hidden: bool):
    def make(g: Gen):
        yield case("basic", 3, 2)
        yield case("basic", 4, 2)
        yield case("more points", 10, 3)
        if hidden:
            yield case("more points", 40, 5)
            yield case("dim 0 and 1", 7, 0)
            yield case("dim 0 and 1", 6, 1)
            yield case("few points", 2, 6)
            yield case("few points", 1, 1)

    return make


def _point_sets(hidden: bool):
    """Hidden cases move the public point sets by a random affine map (a quarter turn, an
    integer scale and shift, so collinear points stay exactly collinear): the separable
    labelings, hence the answer, are the same; the arrays are new."""

    def make(g: Gen):
        if hidden:
            turns, scale = int(g.integers(1, 4)), float(g.integers(2, 4))
            rotation = scale * np.linalg.matrix_power(np.array([[0.0, -1.0], [1.0, 0.0]]), turns)
            shift = g.integers(-3, 4, 2).astype(np.float64)
        else:
            rotation, shift = np.eye(2), np.zeros(2)

        def moved(points):
            return np.array(points, dtype=np.float64) @ rotation.T + shift

        yield case("plane", moved([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
        yield case("plane", moved([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
        yield case("random", g.normal(5, 2))
        yield case("degenerate", moved([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))
        if hidden:
            yield case("random", g.normal(6, 3))
            yield case("random", g.normal(4, 1))
            yield case("degenerate", moved([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.3, 0.3]]))
            yield case("degenerate", moved([[1.0, 2.0], [1.0, 2.0], [0.0, 0.0]]))

    return make


def _exact(fn, factory, points):
    return exercise(fn, points=points, public=factory(False), hidden=factory(True), compare="exact")


EXERCISES = [
    _exact(ref.conv_output_shape, _conv_shapes, 3),
    _exact(ref.conv_transpose_output_shape, _conv_transpose_shapes, 2),
    _exact(ref.pool_output_shape, _pool_shapes, 3),
    _exact(ref.receptive_field, _stacks, 3),
    _exact(ref.conv_params, _counts, 2),
    _exact(ref.conv_macs, _macs, 2),
    _exact(ref.stack_cost, _stack_costs, 3),
    exercise(ref.conv2d, points=4, public=_conv2d_inputs(False), hidden=_conv2d_inputs(True)),
    exercise(
        ref.conv2d_backward,
        points=4,
        public=with_grad_output(ref.conv2d, _conv2d_inputs(False)),
        hidden=with_grad_output(ref.conv2d, _conv2d_inputs(True)),
        kind="backward",
        forward=ref.conv2d,
        properties=("backward matches central differences of your own forward",),
    ),
    _exact(ref.cover_count, _cover, 2),
    _exact(ref.count_dichotomies, _point_sets, 3),
]
