# ruff: noqa  (a student submission: names come from the rest of the notebook)
# Multiplies the jump by the layer's stride BEFORE growing the field: a layer's taps are
# spaced by the previous layer's jump, not its own. Same answer without strides (basic,
# dilated, the empty stack); wrong for the VGG-like (public and hidden) and strided stacks:
# 3 of 7 groups lost.
# EXPECT: {"shapes.receptive_field": 1.7142857}


def receptive_field(layers):
    size, jump, centre = 1, 1, 0.0
    for layer in layers:
        k = layer["kernel_size"]
        s, p, d = layer.get("stride", 1), layer.get("padding", 0), layer.get("dilation", 1)
        span = d * (k - 1)
        jump = jump * s
        size = size + span * jump
        centre = centre + (span / 2 - p) * jump
    return size, jump, centre
