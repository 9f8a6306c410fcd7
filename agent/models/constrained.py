"""Generation under a JSON Schema, token by token, on a transformers model.

    result = generate_json(model, tokenizer, input_ids, schema, max_new_tokens=256)
    result.text      # '{"pick":2}': parses, and holds only what the schema allows

Every step masks the logits with the tokens the grammar allows (`grammar.py`), picks
one (greedy, or sampled with `temperature`), and feeds the grammar. Tokens the grammar
forces (`{"pick":` before the choice, the rest of an enum value once its first tokens
decided it) go into the model together in one forward pass, so a plan costs one pass
per real decision rather than one per token. Only the last position's logits are
computed (`logits_to_keep=1`): with Gemma 3's 262k-token vocabulary the output layer is
most of a step's work.

The generation ends when the grammar is complete (only end-of-text may follow), at the
model's end-of-text once the text is complete, or after `max_new_tokens` (then
`complete` is False and the text does not parse).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from schemachat.agent.models.grammar import DEFAULT_ENGINE, grammar_engine

if TYPE_CHECKING:
    import torch


@dataclass
class ConstrainedResult:
    """What a constrained generation produced and what it cost."""

    text: str
    tokens: list[int]
    complete: bool  # the grammar reached its end: the text is a whole JSON value
    decisions: int  # tokens the model chose (one forward pass each)
    forced: int  # tokens the grammar forced (no choice, fed with the next pass)
    compile_s: float  # the schema's grammar built for this generation
    mask_s: float  # computing the allowed tokens, all steps together
    seconds: float  # the whole generation, prompt included


def generate_json(model: Any, tokenizer: Any, input_ids: torch.Tensor, schema: dict[str, Any],
                  *, max_new_tokens: int = 256, temperature: float = 0.0,
                  engine: str = DEFAULT_ENGINE, seed: int | None = None) -> ConstrainedResult:
    """Generate after `input_ids` (1 × n, on the model's device) text that matches the
    JSON `schema` (see the module docstring). ModelError when the schema does not
    compile."""
    import torch

    started = time.perf_counter()
    grammar = grammar_engine(tokenizer, engine)
    state = grammar.start(schema)
    compile_s = time.perf_counter() - started
    eos = _eos_ids(model, tokenizer)
    generator = None
    if temperature > 0 and seed is not None:
        generator = torch.Generator(device=input_ids.device).manual_seed(seed)
    tokens: list[int] = []
    decisions = forced = 0
    mask_s = 0.0
    with torch.no_grad():
        logits, past = _forward(model, input_ids, None)
        while len(tokens) < max_new_tokens and not state.done():
            t0 = time.perf_counter()
            allowed = _fit(state.allowed(), logits.shape[-1])
            mask_s += time.perf_counter() - t0
            token = _choose(logits, allowed, temperature, generator)
            if token in eos:
                if state.accepting():
                    break
                allowed[list(eos)] = False  # end-of-text only once the text is whole
                if not bool(allowed.any()):
                    break
                token = _choose(logits, allowed, temperature, generator)
            if not state.consume(token):
                break  # cannot happen with a mask from the same state; stop rather than loop
            step = [token, *state.forced()]
            decisions += 1
            forced += len(step) - 1
            tokens += step
            if state.done() or len(tokens) >= max_new_tokens:
                break
            ids = torch.tensor([step], device=input_ids.device)
            logits, past = _forward(model, ids, past)
    text = tokenizer.decode(tokens, skip_special_tokens=True)
    return ConstrainedResult(text=text, tokens=tokens, complete=state.done() or state.accepting(),
                             decisions=decisions, forced=forced, compile_s=compile_s,
                             mask_s=mask_s, seconds=time.perf_counter() - started)


def _forward(model: Any, ids: torch.Tensor, past: Any) -> tuple[torch.Tensor, Any]:
    """The next token's logits (1-D) and the cache, computing only the last position."""
    out = model(input_ids=ids, use_cache=True, logits_to_keep=1,
                **{_cache_name(model): past})
    cache = getattr(out, "cache", None)
    return out.logits[0, -1].float(), cache if cache is not None else out.past_key_values


def _cache_name(model: Any) -> str:
    """`cache` (transformers 5.2x) or `past_key_values` (earlier), as the model's forward
    names it (a peft model wraps the base: its own signature says nothing)."""
    import inspect

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    params = inspect.signature(base.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def _fit(allowed: torch.Tensor, width: int) -> torch.Tensor:
    """The mask at the logits' width: a model may have more output rows than the
    tokenizer has tokens (padding rows, never allowed)."""
    import torch

    if allowed.shape[0] == width:
        return allowed.clone()
    out = torch.zeros(width, dtype=torch.bool)
    n = min(width, allowed.shape[0])
    out[:n] = allowed[:n]
    return out


def _choose(logits: torch.Tensor, allowed: torch.Tensor, temperature: float,
            generator: torch.Generator | None) -> int:
    import torch

    masked = logits.masked_fill(~allowed.to(logits.device), float("-inf"))
    if temperature <= 0:
        return int(torch.argmax(masked))
    probs = torch.softmax(masked / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))


def _eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """The end-of-text ids of the tokenizer and the model's generation config."""
    ids = set()
    for source in (tokenizer.eos_token_id,
                   getattr(getattr(model, "generation_config", None), "eos_token_id", None)):
        if isinstance(source, int):
            ids.add(source)
        elif source:
            ids.update(int(i) for i in source)
    return ids

