"""JSON Schema grammars enforced token by token on a transformers tokenizer.

    engine = grammar_engine(tokenizer)          # llguidance; built once per tokenizer
    state = engine.start(schema)                # a matcher for one generation
    allowed = state.allowed()                   # bool tensor over the vocabulary
    state.consume(token_id); state.forced()     # the tokens the grammar leaves no choice on

Two engines fit the same small interface, so the benchmark compares them in one loop
(`bench/bench_constrained.py`): llguidance (Rust, no Python dependencies; the one the
backends use) and xgrammar (optional: `pip install xgrammar`). Both build a
tokenizer-wide table once (seconds for Gemma 3's 262k tokens: kept per tokenizer for
the life of the process) and then compile each question's schema in about a
millisecond.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Protocol

from schemachat.agent.models.errors import ModelError

if TYPE_CHECKING:
    import torch

ENGINES = ("llguidance", "xgrammar")
DEFAULT_ENGINE = "llguidance"


class GrammarState(Protocol):
    """One generation's matcher: which tokens may come next, and what came."""

    def allowed(self) -> torch.Tensor:
        """A bool tensor, True for every token the grammar allows next."""

    def consume(self, token: int) -> bool:
        """Advance by `token`; False when the grammar refuses it."""

    def forced(self) -> list[int]:
        """Tokens the grammar forces from here (consumed already), possibly none."""

    def done(self) -> bool:
        """Whether the text is complete and nothing but end-of-text may follow."""

    def accepting(self) -> bool:
        """Whether the text so far is complete (end-of-text allowed)."""


class GrammarEngine(Protocol):
    """A tokenizer-wide grammar table that starts matchers for schemas."""

    name: str
    vocab_size: int
    setup_seconds: float  # building the tokenizer table, once

    def start(self, schema: dict[str, Any]) -> GrammarState:
        """A fresh matcher for `schema`; ModelError when the schema does not compile."""


# --- llguidance -------------------------------------------------------------------------

class _LLGuidanceState:
    def __init__(self, matcher: Any, vocab_size: int) -> None:
        import numpy as np

        self.matcher = matcher
        self.vocab_size = vocab_size
        self.bitmask = np.full(((vocab_size + 31) // 32,), -1, dtype=np.int32)

    def allowed(self) -> torch.Tensor:
        import numpy as np
        import torch

        self.matcher.unsafe_compute_mask_ptr(self.bitmask.ctypes.data, self.bitmask.nbytes)
        bits = np.unpackbits(self.bitmask.view(np.uint8), bitorder="little")
        return torch.from_numpy(bits[: self.vocab_size].astype(bool))

    def consume(self, token: int) -> bool:
        return bool(self.matcher.consume_token(token))

    def forced(self) -> list[int]:
        tokens = list(self.matcher.compute_ff_tokens())
        if tokens and not self.matcher.consume_tokens(tokens):
            return []
        return tokens

    def done(self) -> bool:
        return bool(self.matcher.is_stopped())

    def accepting(self) -> bool:
        return bool(self.matcher.is_accepting())


class LLGuidanceEngine:
    """llguidance on a fast Hugging Face tokenizer."""

    name = "llguidance"

    def __init__(self, tokenizer: Any) -> None:
        try:
            import llguidance
            import llguidance.hf
        except ImportError:
            raise ModelError("constrained decoding needs llguidance: pip install "
                             "llguidance") from None
        started = time.perf_counter()
        self._llg = llguidance
        self.table = llguidance.hf.from_tokenizer(tokenizer)
        self.vocab_size = int(self.table.vocab_size)
        self.setup_seconds = time.perf_counter() - started

    def start(self, schema: dict[str, Any]) -> _LLGuidanceState:
        grammar = self._llg.LLMatcher.grammar_from_json_schema(
            schema, defaults={"whitespace_flexible": False})
        matcher = self._llg.LLMatcher(self.table, grammar, log_level=0)
        if matcher.is_error():
            raise ModelError(f"the JSON schema does not compile: {matcher.get_error()}")
        return _LLGuidanceState(matcher, self.vocab_size)


# --- xgrammar (optional, benchmarked against llguidance) ---------------------------------

class _XGrammarState:
    def __init__(self, matcher: Any, vocab_size: int) -> None:
        import xgrammar

        self.matcher = matcher
        self.vocab_size = vocab_size
        self.bitmask = xgrammar.allocate_token_bitmask(1, vocab_size)

    def allowed(self) -> torch.Tensor:
        import numpy as np
        import torch

        self.matcher.fill_next_token_bitmask(self.bitmask)
        bits = np.unpackbits(self.bitmask.numpy().view(np.uint8), bitorder="little")
        return torch.from_numpy(bits[: self.vocab_size].astype(bool))

    def consume(self, token: int) -> bool:
        return bool(self.matcher.accept_token(token))

    def forced(self) -> list[int]:
        # xgrammar forces text, not tokens (find_jump_forward_string); turning that text
        # into tokens would need the tokenizer's merge rules: one token a step instead.
        return []

    def done(self) -> bool:
        return bool(self.matcher.is_terminated())

    def accepting(self) -> bool:
        return bool(self.matcher.is_completed()) if hasattr(self.matcher, "is_completed") \
            else bool(self.matcher.is_terminated())


class XGrammarEngine:
    """xgrammar on a Hugging Face tokenizer."""

    name = "xgrammar"

    def __init__(self, tokenizer: Any, vocab_size: int | None = None) -> None:
        try:
            import xgrammar
        except ImportError:
            raise ModelError("the xgrammar engine needs xgrammar: pip install xgrammar") from None
        started = time.perf_counter()
        self.vocab_size = int(vocab_size or len(tokenizer))
        info = xgrammar.TokenizerInfo.from_huggingface(tokenizer, vocab_size=self.vocab_size)
        # The cache would make every schema after the first a lookup: off, so the
        # benchmark times real compiles.
        self.compiler = xgrammar.GrammarCompiler(info, max_threads=2, cache_enabled=False)
        self._xgr = xgrammar
        self.setup_seconds = time.perf_counter() - started

    def start(self, schema: dict[str, Any]) -> _XGrammarState:
        try:
            compiled = self.compiler.compile_json_schema(json.dumps(schema),
                                                         any_whitespace=False)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"the JSON schema does not compile: {exc}") from exc
        return _XGrammarState(self._xgr.GrammarMatcher(compiled), self.vocab_size)


# tokenizer -> engine name -> engine; weak, so a tokenizer dropped (tests) takes its table along
_ENGINES: weakref.WeakKeyDictionary[Any, dict[str, GrammarEngine]] = weakref.WeakKeyDictionary()
_ENGINES_LOCK = threading.Lock()


def grammar_engine(tokenizer: Any, name: str = DEFAULT_ENGINE) -> GrammarEngine:
    """The `name` engine for `tokenizer`, built once per tokenizer and process (the
    tokenizer table takes seconds for a large vocabulary). ModelError when the engine's
    package is missing."""
    with _ENGINES_LOCK:
        built = _ENGINES.setdefault(tokenizer, {})
        if name not in built:
            if name == "llguidance":
                built[name] = LLGuidanceEngine(tokenizer)
            elif name == "xgrammar":
                built[name] = XGrammarEngine(tokenizer)
            else:
                raise ModelError(f"unknown grammar engine {name!r}: one of {', '.join(ENGINES)}")
        return built[name]
