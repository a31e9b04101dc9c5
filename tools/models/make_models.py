#!/usr/bin/env python3
"""Writes the model descriptions in traces/models/ (schema "sgprs.model/1").

Usage: python3 tools/models/make_models.py [--out traces/models] [--check]
  --check: write nothing; exit 1 if any file differs from what would be written.

Deterministic: the same script writes byte-identical files. Each model is a layer graph (the
profiler runs it, layer by layer, on a GPU) cut into stages (what the scheduler dispatches).

Layer attributes (also in traces/models/README.md and profiler/models/layer_graph.hpp). Shapes
are per sample, images channels-first [C, H, W]; the batch is chosen at run time (default 1).
  conv2d          out_channels, kernel (int or [kh, kw]), stride (1), padding (0), groups (1),
                  bias (false)
  batchnorm       eps (1e-5); inference form (running mean and variance)
  relu, relu6, gelu
  maxpool2d, avgpool2d   kernel, stride (= kernel), padding (0); floor rounding; the average
                  counts the padding
  global_avgpool  [C,H,W] -> [C,1,1]
  flatten         a view, no kernel: [...] -> [product]
  linear          out_features, bias (true); on the last dim
  add             two inputs of equal shape
  concat          two or more inputs, axis (0 = channels)
  upsample        scale (2), nearest neighbour
  softmax, layernorm (eps 1e-5)   over the last dim
  patch_tokens    [D,h,w] -> [h*w+1, D]: class token first, plus position embedding
  take_token      index (0): [T,D] -> [D]
  attention_scores   heads: [T,3D] packed q|k|v -> [heads,T,T] = Q K^T / sqrt(D/heads)
  attention_context  heads: inputs [probs, qkv] -> [T,D] = P V, heads concatenated
  attention       heads: [T,3D] packed q|k|v -> [T,D] = softmax(Q K^T / sqrt(D/heads)) V, one layer
Every "inputs" entry is "input" (the model input) or an earlier layer's name. A stage without
"after" follows the stage before it.
"""
import argparse
import json
import os
import sys


class Net:
    """A layer graph under construction, cut into stages as layers are added."""

    def __init__(self, name, input_shape, description):
        self.name = name
        self.input_shape = input_shape
        self.description = description
        self.layers = []
        self.stages = []
        self.names = set()

    def stage(self, name, after=None):
        entry = {"name": name}
        if after is not None:
            entry["after"] = after
        entry["layers"] = []
        self.stages.append(entry)

    def add(self, name, op, inputs, **attrs):
        assert name not in self.names, name
        assert self.stages, "open a stage first"
        self.names.add(name)
        layer = {"name": name, "op": op, "inputs": list(inputs)}
        layer.update(attrs)
        self.layers.append(layer)
        self.stages[-1]["layers"].append(name)
        return name

    # Conv (no bias) + batch norm + activation, the common unit of CNNs.
    def conv_bn(self, prefix, x, out, kernel, stride=1, padding=0, groups=1, act="relu", eps=None):
        attrs = {"out_channels": out, "kernel": kernel}
        if stride != 1:
            attrs["stride"] = stride
        if padding != 0:
            attrs["padding"] = padding
        if groups != 1:
            attrs["groups"] = groups
        y = self.add(prefix + ".conv", "conv2d", [x], **attrs)
        bn = {} if eps is None else {"eps": eps}
        y = self.add(prefix + ".bn", "batchnorm", [y], **bn)
        if act:
            y = self.add(prefix + "." + act, act, [y])
        return y

    def document(self):
        return {
            "schema": "sgprs.model/1",
            "name": self.name,
            "description": self.description,
            "input": {"shape": self.input_shape},
            "layers": self.layers,
            "stages": self.stages,
        }


def classifier_head(net, x, features=1000):
    x = net.add("avgpool", "global_avgpool", [x])
    x = net.add("flatten", "flatten", [x])
    return net.add("fc", "linear", [x], out_features=features)


# ---------------------------------------------------------------- ResNet (He et al. 2016)
def basic_block(net, prefix, x, out, stride):
    y = net.conv_bn(prefix + ".conv1", x, out, 3, stride, 1)
    y = net.conv_bn(prefix + ".conv2", y, out, 3, 1, 1, act=None)
    return y


def bottleneck_block(net, prefix, x, width, stride):
    y = net.conv_bn(prefix + ".conv1", x, width, 1)
    y = net.conv_bn(prefix + ".conv2", y, width, 3, stride, 1)
    y = net.conv_bn(prefix + ".conv3", y, width * 4, 1, act=None)
    return y


def resnet(name, bottleneck, blocks):
    expansion = 4 if bottleneck else 1
    net = Net(name, [3, 224, 224],
              f"{name} (torchvision layout, {'bottleneck' if bottleneck else 'basic'} blocks {blocks}), "
              "224x224 input. Stages are the SGPRS paper's six: stem (conv1, bn, relu, maxpool), "
              "layer1..layer4 (one residual layer each), head (global average pool, fc).")
    net.stage("stem")
    x = net.conv_bn("conv1", "input", 64, 7, 2, 3)
    x = net.add("maxpool", "maxpool2d", [x], kernel=3, stride=2, padding=1)
    channels = 64
    for li, (width, count) in enumerate(zip([64, 128, 256, 512], blocks), start=1):
        net.stage(f"layer{li}")
        for b in range(count):
            prefix = f"layer{li}.{b}"
            stride = 2 if (b == 0 and li > 1) else 1
            out = width * expansion
            if bottleneck:
                y = bottleneck_block(net, prefix, x, width, stride)
            else:
                y = basic_block(net, prefix, x, width, stride)
            shortcut = x
            if stride != 1 or channels != out:
                shortcut = net.conv_bn(prefix + ".downsample", x, out, 1, stride, act=None)
            x = net.add(prefix + ".add", "add", [y, shortcut])
            x = net.add(prefix + ".relu", "relu", [x])
            channels = out
    net.stage("head")
    classifier_head(net, x)
    return net


# ---------------------------------------------------------------- MobileNetV2 (Sandler et al. 2018)
def mobilenet_v2():
    net = Net("mobilenet_v2", [3, 224, 224],
              "MobileNetV2 (torchvision layout, width 1.0), 224x224 input; inverted residual blocks "
              "with depthwise 3x3 convolutions and ReLU6. Six stages by output resolution: stem "
              "(conv 32 s2 and the first t=1 block, 112x112), block24 (56x56), block32 (28x28), "
              "block64_96 (14x14), block160_320 (7x7), head (conv 1280, pool, fc).")
    # (expansion t, channels c, repeats n, first stride s) from the paper's Table 2.
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                (6, 320, 1, 1)]
    stage_of_group = ["stem", "block24", "block32", "block64_96", None, "block160_320", None]
    net.stage("stem")
    x = net.conv_bn("features.0", "input", 32, 3, 2, 1, act="relu6")
    channels = 32
    index = 1
    for group, (t, c, n, s) in enumerate(settings):
        if stage_of_group[group] and group > 0:
            net.stage(stage_of_group[group])
        for i in range(n):
            prefix = f"features.{index}"
            stride = s if i == 0 else 1
            hidden = channels * t
            y = x
            if t != 1:
                y = net.conv_bn(prefix + ".expand", y, hidden, 1, act="relu6")
            y = net.conv_bn(prefix + ".dw", y, hidden, 3, stride, 1, groups=hidden, act="relu6")
            y = net.conv_bn(prefix + ".project", y, c, 1, act=None)
            if stride == 1 and channels == c:
                y = net.add(prefix + ".add", "add", [x, y])
            x = y
            channels = c
            index += 1
    net.stage("head")
    x = net.conv_bn(f"features.{index}", x, 1280, 1, act="relu6")
    classifier_head(net, x)
    return net


# ---------------------------------------------------------------- U-Net (Ronneberger et al. 2015)
def double_conv(net, prefix, x, out, mid=None):
    x = net.conv_bn(prefix + ".conv1", x, mid or out, 3, 1, 1)
    return net.conv_bn(prefix + ".conv2", x, out, 3, 1, 1)


def unet():
    net = Net("unet", [3, 256, 256],
              "U-Net with same-padded 3x3 convolutions, batch norm, and nearest upsampling followed "
              "by concatenation with the skip connection (the common 'bilinear' variant, base 64 "
              "channels, 2 classes), 256x256 input. Six stages of similar work: enc1 (inc, down1), "
              "enc2 (down2, down3), bottleneck (down4, up1), dec1 (up2), dec2 (up3), dec3 (up4, "
              "1x1 output conv). Skip connections reach forward along the chain.")
    net.stage("enc1")
    x1 = double_conv(net, "inc", "input", 64)
    skips = [x1]
    x = x1
    plan = [("down1", 128, "enc1"), ("down2", 256, "enc2"), ("down3", 512, "enc2"), ("down4", 512, "bottleneck")]
    for name, out, stage in plan:
        if net.stages[-1]["name"] != stage:
            net.stage(stage)
        x = net.add(name + ".pool", "maxpool2d", [x], kernel=2)
        x = double_conv(net, name, x, out)
        skips.append(x)
    skips.pop()  # the bottleneck output is not a skip
    ups = [("up1", 256, 512, "bottleneck"), ("up2", 128, 256, "dec1"), ("up3", 64, 128, "dec2"),
           ("up4", 64, 64, "dec3")]
    for name, out, mid, stage in ups:
        if net.stages[-1]["name"] != stage:
            net.stage(stage)
        u = net.add(name + ".upsample", "upsample", [x], scale=2)
        c = net.add(name + ".concat", "concat", [skips.pop(), u])
        x = double_conv(net, name, c, out, mid)
    net.add("outc", "conv2d", [x], out_channels=2, kernel=1, bias=True)
    return net


# ---------------------------------------------------------------- Inception v3 (Szegedy et al. 2016)
def inception_v3():
    net = Net("inception_v3", [3, 299, 299],
              "Inception v3 (torchvision layout, no auxiliary classifier), 299x299 input. Seven "
              "stages: stem (Conv2d_1a..Conv2d_4a, two max pools), mixed5 (Mixed_5b-5d), mixed6 "
              "(Mixed_6a-6d), then Mixed_6e's four parallel branches split into two sibling stages "
              "that both follow mixed6 (mixed6e_a: 1x1 and 7x7 branches; mixed6e_b: double-7x7 and "
              "pool branches), mixed7 (Mixed_6e's concatenation, Mixed_7a-7c) after both, head "
              "(pool, fc). The stage graph is a DAG with a fork and a join.")
    eps = 0.001

    def bc(prefix, x, out, kernel, stride=1, padding=0):
        return net.conv_bn(prefix, x, out, kernel, stride, padding, eps=eps)

    def pool_branch(prefix, x, out):
        p = net.add(prefix + ".avgpool", "avgpool2d", [x], kernel=3, stride=1, padding=1)
        return bc(prefix + ".conv", p, out, 1)

    def block_a(p, x, pool_features):
        b1 = bc(p + ".branch1x1", x, 64, 1)
        b5 = bc(p + ".branch5x5_1", x, 48, 1)
        b5 = bc(p + ".branch5x5_2", b5, 64, 5, padding=2)
        b3 = bc(p + ".branch3x3dbl_1", x, 64, 1)
        b3 = bc(p + ".branch3x3dbl_2", b3, 96, 3, padding=1)
        b3 = bc(p + ".branch3x3dbl_3", b3, 96, 3, padding=1)
        bp = pool_branch(p + ".branch_pool", x, pool_features)
        return net.add(p + ".concat", "concat", [b1, b5, b3, bp])

    def block_b(p, x):
        b3 = bc(p + ".branch3x3", x, 384, 3, stride=2)
        bd = bc(p + ".branch3x3dbl_1", x, 64, 1)
        bd = bc(p + ".branch3x3dbl_2", bd, 96, 3, padding=1)
        bd = bc(p + ".branch3x3dbl_3", bd, 96, 3, stride=2)
        bp = net.add(p + ".branch_pool", "maxpool2d", [x], kernel=3, stride=2)
        return net.add(p + ".concat", "concat", [b3, bd, bp])

    def c_branches_a(p, x, c7):
        b1 = bc(p + ".branch1x1", x, 192, 1)
        b7 = bc(p + ".branch7x7_1", x, c7, 1)
        b7 = bc(p + ".branch7x7_2", b7, c7, [1, 7], padding=[0, 3])
        b7 = bc(p + ".branch7x7_3", b7, 192, [7, 1], padding=[3, 0])
        return b1, b7

    def c_branches_b(p, x, c7):
        bd = bc(p + ".branch7x7dbl_1", x, c7, 1)
        bd = bc(p + ".branch7x7dbl_2", bd, c7, [7, 1], padding=[3, 0])
        bd = bc(p + ".branch7x7dbl_3", bd, c7, [1, 7], padding=[0, 3])
        bd = bc(p + ".branch7x7dbl_4", bd, c7, [7, 1], padding=[3, 0])
        bd = bc(p + ".branch7x7dbl_5", bd, 192, [1, 7], padding=[0, 3])
        bp = pool_branch(p + ".branch_pool", x, 192)
        return bd, bp

    def block_c(p, x, c7):
        b1, b7 = c_branches_a(p, x, c7)
        bd, bp = c_branches_b(p, x, c7)
        return net.add(p + ".concat", "concat", [b1, b7, bd, bp])

    def block_d(p, x):
        b3 = bc(p + ".branch3x3_1", x, 192, 1)
        b3 = bc(p + ".branch3x3_2", b3, 320, 3, stride=2)
        b7 = bc(p + ".branch7x7x3_1", x, 192, 1)
        b7 = bc(p + ".branch7x7x3_2", b7, 192, [1, 7], padding=[0, 3])
        b7 = bc(p + ".branch7x7x3_3", b7, 192, [7, 1], padding=[3, 0])
        b7 = bc(p + ".branch7x7x3_4", b7, 192, 3, stride=2)
        bp = net.add(p + ".branch_pool", "maxpool2d", [x], kernel=3, stride=2)
        return net.add(p + ".concat", "concat", [b3, b7, bp])

    def block_e(p, x):
        b1 = bc(p + ".branch1x1", x, 320, 1)
        b3 = bc(p + ".branch3x3_1", x, 384, 1)
        b3a = bc(p + ".branch3x3_2a", b3, 384, [1, 3], padding=[0, 1])
        b3b = bc(p + ".branch3x3_2b", b3, 384, [3, 1], padding=[1, 0])
        b3 = net.add(p + ".branch3x3_concat", "concat", [b3a, b3b])
        bd = bc(p + ".branch3x3dbl_1", x, 448, 1)
        bd = bc(p + ".branch3x3dbl_2", bd, 384, 3, padding=1)
        bda = bc(p + ".branch3x3dbl_3a", bd, 384, [1, 3], padding=[0, 1])
        bdb = bc(p + ".branch3x3dbl_3b", bd, 384, [3, 1], padding=[1, 0])
        bd = net.add(p + ".branch3x3dbl_concat", "concat", [bda, bdb])
        bp = pool_branch(p + ".branch_pool", x, 192)
        return net.add(p + ".concat", "concat", [b1, b3, bd, bp])

    net.stage("stem")
    x = bc("Conv2d_1a_3x3", "input", 32, 3, stride=2)
    x = bc("Conv2d_2a_3x3", x, 32, 3)
    x = bc("Conv2d_2b_3x3", x, 64, 3, padding=1)
    x = net.add("maxpool1", "maxpool2d", [x], kernel=3, stride=2)
    x = bc("Conv2d_3b_1x1", x, 80, 1)
    x = bc("Conv2d_4a_3x3", x, 192, 3)
    x = net.add("maxpool2", "maxpool2d", [x], kernel=3, stride=2)
    net.stage("mixed5")
    x = block_a("Mixed_5b", x, 32)
    x = block_a("Mixed_5c", x, 64)
    x = block_a("Mixed_5d", x, 64)
    net.stage("mixed6")
    x = block_b("Mixed_6a", x)
    x = block_c("Mixed_6b", x, 128)
    x = block_c("Mixed_6c", x, 160)
    x = block_c("Mixed_6d", x, 160)
    net.stage("mixed6e_a", after=["mixed6"])
    b1, b7 = c_branches_a("Mixed_6e", x, 192)
    net.stage("mixed6e_b", after=["mixed6"])
    bd, bp = c_branches_b("Mixed_6e", x, 192)
    net.stage("mixed7", after=["mixed6e_a", "mixed6e_b"])
    x = net.add("Mixed_6e.concat", "concat", [b1, b7, bd, bp])
    x = block_d("Mixed_7a", x)
    x = block_e("Mixed_7b", x)
    x = block_e("Mixed_7c", x)
    net.stage("head")
    classifier_head(net, x)
    return net


# ---------------------------------------------------------------- ViT-B/16 (Dosovitskiy et al. 2021)
def vit_b16():
    dim, heads, mlp, depth = 768, 12, 3072, 12
    net = Net("vit_b16", [3, 224, 224],
              "ViT-B/16: 16x16 patch embedding (a strided convolution) of a 224x224 image into 196 "
              "tokens plus a class token (197 x 768), 12 pre-norm encoder blocks (layernorm; "
              "attention = one qkv linear, softmax(Q K^T / 8) V over 12 heads as one layer "
              "(PyTorch's scaled_dot_product_attention), an output linear; layernorm; GELU MLP 3072), final "
              "layernorm and a linear head on the class token. Six stages: embed, blocks0_2, "
              "blocks3_5, blocks6_8, blocks9_11, head.")
    net.stage("embed")
    x = net.add("patch_embed", "conv2d", ["input"], out_channels=dim, kernel=16, stride=16, bias=True)
    x = net.add("tokens", "patch_tokens", [x])
    for i in range(depth):
        if i % 3 == 0:
            net.stage(f"blocks{i}_{i + 2}")
        p = f"encoder.{i}"
        h = net.add(p + ".ln1", "layernorm", [x], eps=1e-6)
        qkv = net.add(p + ".qkv", "linear", [h], out_features=3 * dim)
        a = net.add(p + ".attention", "attention", [qkv], heads=heads)
        a = net.add(p + ".proj", "linear", [a], out_features=dim)
        x = net.add(p + ".add1", "add", [x, a])
        h = net.add(p + ".ln2", "layernorm", [x], eps=1e-6)
        h = net.add(p + ".fc1", "linear", [h], out_features=mlp)
        h = net.add(p + ".gelu", "gelu", [h])
        h = net.add(p + ".fc2", "linear", [h], out_features=dim)
        x = net.add(p + ".add2", "add", [x, h])
    net.stage("head")
    x = net.add("ln", "layernorm", [x], eps=1e-6)
    x = net.add("cls", "take_token", [x], index=0)
    net.add("fc", "linear", [x], out_features=1000)
    return net


MODELS = {
    "resnet18": lambda: resnet("resnet18", False, [2, 2, 2, 2]),
    "resnet50": lambda: resnet("resnet50", True, [3, 4, 6, 3]),
    "mobilenet_v2": mobilenet_v2,
    "unet": unet,
    "inception_v3": inception_v3,
    "vit_b16": vit_b16,
}


def render(doc):
    """Two-space JSON with one layer or stage per line, so diffs read layer by layer."""
    one = lambda value: json.dumps(value, separators=(", ", ": "))
    lines = ["{"]
    keys = list(doc)
    for k, key in enumerate(keys):
        comma = "," if k + 1 < len(keys) else ""
        value = doc[key]
        if isinstance(value, list):
            lines.append(f'  "{key}": [')
            for i, item in enumerate(value):
                lines.append("    " + one(item) + ("," if i + 1 < len(value) else ""))
            lines.append("  ]" + comma)
        else:
            lines.append(f'  "{key}": {one(value)}{comma}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--out", default=os.path.join(root, "traces", "models"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for name, build in MODELS.items():
        text = render(build().document())
        path = os.path.join(args.out, name + ".json")
        if args.check:
            current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if current != text:
                stale.append(path)
            continue
        os.makedirs(args.out, exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
        print(f"wrote {path}")
    if stale:
        print("out of date (run tools/models/make_models.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
