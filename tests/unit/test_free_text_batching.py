"""Simultaneous sends are screened together (one pass through the models) and each send gets back
exactly its own texts' assessments; a failure in the models reaches every send waiting on it."""

import asyncio

import pytest

from app import free_text

ORDINARY = "the buses are always late after youth club"
DISCLOSURE = "my stepdad hits me when he is drunk and i am scared to go home tonight"


def test_each_send_gets_its_own_assessments_when_batched(monkeypatch):
    batch_sizes = []
    assess_many = free_text.assess_many

    def counting(texts):
        batch_sizes.append(len(texts))
        return assess_many(texts)

    monkeypatch.setattr(free_text, "assess_many", counting)
    sends = [[f"{ORDINARY} ({n})", ""] if n != 7 else [DISCLOSURE, ORDINARY] for n in range(20)]

    async def all_at_once():
        return await asyncio.gather(*(free_text.assess_all(texts) for texts in sends))

    results = asyncio.run(all_at_once())
    assert [len(r) for r in results] == [2] * 20
    assert results[7][0].flagged and not results[7][1].flagged
    assert [n for n, r in enumerate(results) if any(a.flagged for a in r)] == [7]
    assert all(r[1].level == "none" and r[1].sentiment == "neutral" for n, r in enumerate(results) if n != 7)  # blank text
    # All twenty arrived before the models were free: they went through in fewer passes than sends.
    assert sum(batch_sizes) == 40 and len(batch_sizes) < 20 and max(batch_sizes) > 2


def test_a_batch_is_bounded(monkeypatch):
    batch_sizes = []
    assess_many = free_text.assess_many
    monkeypatch.setattr(free_text, "assess_many", lambda texts: batch_sizes.append(len(texts)) or assess_many(texts))

    async def many():
        return await asyncio.gather(*(free_text.assess_all([f"{ORDINARY} {n}"] * 10) for n in range(20)))

    results = asyncio.run(many())
    assert all(len(r) == 10 for r in results)
    assert max(batch_sizes) <= free_text._Batcher.MAX_TEXTS and sum(batch_sizes) == 200


def test_a_failure_in_the_models_reaches_every_waiting_send(monkeypatch):
    def broken(texts):
        raise RuntimeError("model failed")

    monkeypatch.setattr(free_text, "assess_many", broken)

    async def two():
        return await asyncio.gather(free_text.assess_all([ORDINARY]), free_text.assess_all([DISCLOSURE]), return_exceptions=True)

    outcomes = asyncio.run(two())
    assert all(isinstance(o, RuntimeError) for o in outcomes)


def test_no_texts_need_no_models():
    assert asyncio.run(free_text.assess_all([])) == []


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_text_is_not_screened(text):
    assert free_text.assess(text).level == "none"
