"""The memo of torch's meta kernels hands back exactly what torch computes, call after call."""

from __future__ import annotations

import torch
from torch import nn

from studycards.architectures import build_architecture
from studycards.meta_memo import MetaMemo


def _layer_shapes(module: nn.Module, shape: tuple[int, ...], memo: MetaMemo | None) -> list:
    seen: list = []
    hooks = [
        m.register_forward_hook(lambda _m, _i, out: seen.append((tuple(out.shape), out.stride(), out.dtype)))
        for m in module.modules()
        if not any(True for _ in m.children())
    ]
    try:
        with torch.no_grad():
            if memo is None:
                out = module(torch.empty(shape, device="meta"))
            else:
                with memo:
                    out = module(torch.empty(shape, device="meta"))
    finally:
        for hook in hooks:
            hook.remove()
    return [*seen, (tuple(out.shape), out.stride())]


def test_memoised_runs_equal_torch_layer_by_layer():
    memo = MetaMemo()
    for name in ("resnet18", "densenet121", "googlenet"):
        with torch.device("meta"):
            model = build_architecture(name).eval()
        plain = _layer_shapes(model, (2, 3, 96, 96), None)
        assert _layer_shapes(model, (2, 3, 96, 96), memo) == plain  # first pass: mostly torch
        assert _layer_shapes(model, (2, 3, 96, 96), memo) == plain  # second pass: all from the memo
        assert memo.results


def test_ops_that_change_their_input_shape_are_never_replayed():
    memo = MetaMemo()
    for _ in range(3):
        x = torch.empty(4, 5, device="meta")
        with memo:
            x.unsqueeze_(0)
            y = x.t_() if x.dim() == 2 else x
            z = torch.relu_(y)
        assert tuple(x.shape) == (1, 4, 5)
        assert z is y


def test_errors_come_from_torch_every_time():
    memo = MetaMemo()
    a, b = torch.empty(2, 3, device="meta"), torch.empty(4, 5, device="meta")
    messages = []
    for _ in range(2):
        try:
            with memo:
                torch.mm(a, b)
        except RuntimeError as error:
            messages.append(str(error))
    assert len(messages) == 2 and messages[0] == messages[1]


def test_a_full_memo_drops_its_oldest_half_and_stays_right(monkeypatch):
    import studycards.meta_memo as meta_memo_module

    monkeypatch.setattr(meta_memo_module, "MAX_ENTRIES", 8)
    memo = MetaMemo()
    for size in range(1, 40):
        x = torch.empty(size, 3, device="meta")
        with memo:
            y = torch.mm(x, torch.empty(3, size + 1, device="meta"))
        assert tuple(y.shape) == (size, size + 1)
        assert len(memo.results) <= 8


def test_threads_measuring_at_once_each_get_torchs_answer():
    from concurrent.futures import ThreadPoolExecutor

    from studycards.ground_truth import count

    specs = [(f"Conv2d(3, {c}, 3)", f"1,3,{s},{s}") for c in (4, 8, 16) for s in (9, 17, 33)]

    def shape(spec_input):
        return count(*spec_input).output_shape

    with ThreadPoolExecutor(max_workers=3) as pool:
        shapes = list(pool.map(shape, specs))
    assert shapes == [(1, c, s - 2, s - 2) for c in (4, 8, 16) for s in (9, 17, 33)]
