from pathlib import Path

import numpy as np

from matchmaker.matching.embedding import (
    CachedEmbedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    VectorCache,
    gt_minilm_model_path,
)


def test_second_embed_call_computes_nothing(tmp_path: Path) -> None:
    inner = HashingEmbedder()
    cached = CachedEmbedder(inner, VectorCache(tmp_path))
    first = cached.passage(["隔膜", "电解液", "隔膜"])
    assert cached.computed == 2
    second = cached.passage(["电解液", "隔膜"])
    assert cached.computed == 2
    assert np.array_equal(second, first[[1, 0]])


def test_cache_survives_a_restart_and_keeps_roles_apart(tmp_path: Path) -> None:
    CachedEmbedder(HashingEmbedder(), VectorCache(tmp_path)).passage(["隔膜"])
    inner = HashingEmbedder()
    again = CachedEmbedder(inner, VectorCache(tmp_path))
    again.passage(["隔膜"])
    assert inner.calls == 0
    again.query(["隔膜"])
    assert inner.calls == 1


def test_hashing_embedder_rows_are_unit_length_and_deterministic() -> None:
    vectors = HashingEmbedder().passage(["锂离子电池隔膜", "白茶萎凋"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors, HashingEmbedder().passage(["锂离子电池隔膜", "白茶萎凋"]))


def test_sentence_transformers_backend_loads_the_packaged_minilm_offline() -> None:
    embedder = SentenceTransformerEmbedder(gt_minilm_model_path())
    vectors = embedder.passage(["battery separator", "tea withering", "lithium battery separator film"])
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[2]) > float(vectors[0] @ vectors[1])
