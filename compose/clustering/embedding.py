"""Embedding: each distinct bullet text -> a unit vector, for paraphrases that share no word.

The model is WordLlama's l2_supercat: static token embeddings (32,000 tokens x 256 dimensions)
and their tokenizer, both shipped inside the `wordllama` wheel. compose reads those two files
itself, from the installed package's folder, so nothing is ever downloaded (wordllama 0.4's own
loader looks for the tokenizer where the wheel does not put it, and then fetches it). A text's
vector is the mean of its tokens' vectors, normalised; cosines are rounded to COSINE_DIGITS so
that scores, and every tie they decide, are the same on every machine and in every file order.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from compose.errors import ConfigError

MODEL_PACKAGE = "wordllama"
TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
WEIGHTS_KEY = "embedding.weight"
COSINE_DIGITS = 4

Vectors = npt.NDArray[np.float32]


class _Model(NamedTuple):
    tokenizer: object  # tokenizers.Tokenizer
    table: npt.NDArray[np.float16]  # token id -> vector, as shipped


@cache
def _model() -> _Model:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec(MODEL_PACKAGE)  # finds the folder without importing it
    folders = list(spec.submodule_search_locations or ()) if spec else []
    root = Path(folders[0]) if folders else Path(MODEL_PACKAGE)
    tokenizer_path, weights_path = root / TOKENIZER_FILE, root / WEIGHTS_FILE
    for path in (tokenizer_path, weights_path):
        if not path.is_file():
            raise ConfigError(
                path, "embedding model file missing: reinstall wordllama, or use --lexical"
            )
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    # Kept in half precision: converting all 32,000 rows costs more than the few a run uses.
    table = load_file(str(weights_path))[WEIGHTS_KEY]
    return _Model(tokenizer, table)


# Texts embedded in this process, kept for the next clustering (a merge clusters its inputs,
# then reads its own output back); emptied when it grows past KNOWN_TEXTS.
_known: dict[str, Vectors] = {}
KNOWN_TEXTS = 200_000


def embed(texts: Sequence[str]) -> Vectors:
    """One unit row per text (a text with no token gets a zero row, alike to nothing)."""
    model = _model()
    new = [t for t in dict.fromkeys(texts) if t not in _known]
    if len(_known) + len(new) > KNOWN_TEXTS:
        _known.clear()
        new = list(dict.fromkeys(texts))
    if new:
        _known.update(zip(new, _embed_new(model, new), strict=True))
    rows = [_known[t] for t in texts]
    return np.stack(rows) if rows else np.zeros((0, model.table.shape[1]), dtype=np.float32)


def _embed_new(model: _Model, texts: list[str]) -> Vectors:
    rows = [_embed_batch(model, texts[k : k + BATCH]) for k in range(0, len(texts), BATCH)]
    return np.concatenate(rows)


# Texts embedded at once: bounds the memory of their tokens' vectors (a few MiB).
BATCH = 1024


def _embed_batch(model: _Model, texts: list[str]) -> Vectors:
    encodings = model.tokenizer.encode_batch(texts, add_special_tokens=False)  # type: ignore[attr-defined]
    ids = [np.asarray(e.ids, dtype=np.int64) for e in encodings]
    lengths = np.array([len(i) for i in ids], dtype=np.int64)
    unit = np.zeros((len(texts), model.table.shape[1]), dtype=np.float32)
    spoken = np.flatnonzero(lengths)  # a text with no token stays a zero row
    if not len(spoken):
        return unit
    flat = np.concatenate([ids[k] for k in spoken])
    starts = np.concatenate([[0], np.cumsum(lengths[spoken])[:-1]])
    # reduceat sums each text's rows in order, alone: a text's vector does not depend on the
    # texts embedded beside it.
    sums = np.add.reduceat(model.table[flat], starts, axis=0, dtype=np.float32)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    unit[spoken] = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    return unit


def cosine(a: Vectors, b: Vectors) -> float:
    """Cosine of two unit rows at fixed precision."""
    return round(float(a @ b), COSINE_DIGITS)
