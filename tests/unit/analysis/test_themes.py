"""Theme clustering on small, made-up survey answers: shape of the output, edge cases,
determinism, stable theme ids across runs, and prediction of new answers."""

import random
from collections import Counter

import pytest

from analysis.themes import MAX_THEMES, NOT_ENGLISH, ThemeModel, find_themes, is_english

TOPICS = {
    "lighting": ["more street lights in the park at night", "the park is too dark after school", "better lighting on the way home from the bus stop", "dark alleys near the station need lights", "lights in the underpass are broken again"],
    "youth clubs": ["open the youth club on weekends", "more youth clubs with football and music", "the youth centre should stay open later", "free youth club sessions in the holidays", "we need somewhere to go after school like a youth club"],
    "police": ["police stop and search us for nothing", "i do not trust the police round here", "police should talk to young people with respect", "the police never come when you call them", "more friendly police officers at school gates"],
    "mental health": ["counselling at school helped my anxiety", "waiting lists for camhs are too long", "more mental health support for teenagers", "someone to talk to when i feel stressed", "therapy helped me cope with exams"],
    "buses": ["the bus home is always late and crowded", "free bus travel for students after 16", "buses stop running too early at night", "the 104 bus is scary at night", "more buses to the college in the morning"],
}


def answers(repeat: int = 5, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts, topics = [], []
    for topic, lines in TOPICS.items():
        for line in lines * repeat:
            texts.append(line if rng.random() < 0.5 else line + rng.choice(["", " please", " tbh", " honestly", "!"]))
            topics.append(topic)
    return texts, topics


def test_themes_have_the_contracted_fields_and_every_text_an_assignment():
    texts, _ = answers()
    result = find_themes(texts, k=5)
    assert len(result.assignments) == len(texts)
    for theme in result.themes:
        assert {"id", "label", "keywords", "size", "quotes", "sentiment"} <= set(theme.__dict__)
        assert 1 <= len(theme.label.split()) <= 3 or theme.kind != "theme"
        assert 1 <= len(theme.quotes) <= 5
    assert sum(t.size for t in result.themes) == len(texts)


def test_the_themes_found_match_the_topics():
    from sklearn.metrics import normalized_mutual_info_score

    texts, topics = answers()
    model = ThemeModel(k=5).fit(texts)
    assert normalized_mutual_info_score(topics, model.cluster_labels_) > 0.8


def test_automatic_k_gives_a_readable_number_and_little_other():
    texts, _ = answers(repeat=4)
    result = find_themes(texts)
    themes = [t for t in result.themes if t.kind == "theme"]
    assert 3 <= len(themes) <= MAX_THEMES
    assert sum(a == "other" for a in result.assignments) <= 0.1 * len(texts)


def test_same_random_state_same_result():
    texts, _ = answers()
    assert find_themes(texts, random_state=3).to_dict() == find_themes(texts, random_state=3).to_dict()


def test_rerunning_with_more_answers_keeps_theme_ids():
    texts, _ = answers()
    first = ThemeModel(k=5, random_state=1).fit(texts)
    # New answers saying the same things, and a new run whose numbering would otherwise differ.
    second = ThemeModel(k=5, random_state=7, previous=first.anchors_).fit(texts[::-1] + texts[:20])
    first_ids = {t.keywords[0]: t.id for t in first.result_.themes if t.kind == "theme"}
    second_ids = {t.keywords[0]: t.id for t in second.result_.themes if t.kind == "theme"}
    shared = set(first_ids) & set(second_ids)
    assert len(shared) >= 4
    assert all(first_ids[word] == second_ids[word] for word in shared)


def test_a_theme_that_is_new_gets_a_new_id():
    texts, _ = answers()
    first = ThemeModel(k=4, random_state=1).fit([t for t in texts if "bus" not in t])
    second = ThemeModel(k=5, random_state=1, previous=first.anchors_).fit(texts)
    bus = next(t for t in second.result_.themes if t.kind == "theme" and any({"bus", "buses"} & set(k.split()) for k in t.keywords[:2]))
    assert bus.id not in first.anchors_


def test_predict_places_new_answers_in_existing_themes():
    texts, _ = answers()
    model = ThemeModel(k=5).fit(texts)
    light_theme = model.labels_[0]
    new = model.predict(["the park needs more lights at night", "", "Je voudrais plus de lumière dans le parc le soir"])
    assert new[0] == light_theme and new[1] is None and new[2] == NOT_ENGLISH


@pytest.mark.parametrize("texts", [[], ["just one answer"], ["a", "b", "c", "d", "e"], ["", "   ", "😀😀😀"], ["same answer"] * 60])
def test_tiny_blank_emoji_and_duplicate_inputs_work(texts):
    result = find_themes(texts)
    assert len(result.assignments) == len(texts)
    assert all(a is None for t, a in zip(texts, result.assignments, strict=True) if not t.strip())


def test_very_long_texts_are_fine():
    texts, _ = answers(repeat=2)
    result = find_themes(texts + ["lights " * 20_000])
    assert len(result.assignments) == len(texts) + 1
    assert all(len(q) <= 300 for t in result.themes for q in t.quotes)


def test_non_english_answers_are_set_aside_not_mixed_in():
    texts, _ = answers(repeat=2)
    foreign = ["আমি রাতে পার্কে নিরাপদ বোধ করি না", "Je ne me sens pas en sécurité dans le parc la nuit", "لا أشعر بالأمان في الحديقة ليلا"]
    result = find_themes(texts + foreign)
    assert result.assignments[-3:] == [NOT_ENGLISH] * 3
    assert NOT_ENGLISH not in result.assignments[: len(texts)]
    assert is_english("the bus is late") and not is_english("el autobús llega tarde por la noche otra vez")


def test_quotes_are_redacted():
    texts, _ = answers(repeat=2)
    result = find_themes(texts + ["my name is Jayden and the park lights are broken, call 07700 900123"] * 3)
    quotes = " ".join(q for t in result.themes for q in t.quotes)
    assert "Jayden" not in quotes and "07700" not in quotes


def test_predict_before_fit_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ThemeModel().predict(["x"])


def test_an_unknown_representation_is_refused():
    with pytest.raises(ValueError, match="representation must be one of"):
        find_themes(["a b c"] * 3, representation="bert-huge")


def test_minilm_representation():
    from sklearn.metrics import normalized_mutual_info_score

    texts, topics = answers()
    model = ThemeModel(k=5, representation="minilm").fit(texts)
    assert normalized_mutual_info_score(topics, model.cluster_labels_) > 0.8
    assert len(next(iter(model.anchors_.values()))) == 384


def test_praise_and_complaint_about_the_same_thing_share_a_theme():
    praise = ["the bus driver was lovely and friendly", "brilliant bus drivers, always kind", "the bus driver was so helpful"]
    complaints = ["the bus driver was rude and horrible", "awful bus drivers, always shouting", "the bus driver was unhelpful"]
    other = ["more street lights in the park", "the park is too dark at night", "lights in the park are broken"]
    model = ThemeModel(k=2).fit((praise + complaints + other) * 3)
    assert len({model.cluster_labels_[i] for i in range(6)}) == 1
    assert model.cluster_labels_[0] != model.cluster_labels_[6]


def test_labels_are_noun_phrases_distinct_across_themes():
    texts, _ = answers(repeat=4)
    themes = [t for t in find_themes(texts, k=5).themes if t.kind == "theme"]
    labels = [t.label for t in themes]
    assert len(set(labels)) == len(labels)
    judging = {"great", "better", "good", "excellent", "rude", "more"}
    assert not any(judging & set(label.split()) for label in labels)


def test_answers_naming_no_topic_are_grouped_by_what_they_say():
    texts, _ = answers(repeat=2)
    no_topic = ["excellent", "very good", "awful", "terrible", "nothing", "nothing really"]
    result = find_themes(texts + no_topic)
    assert result.assignments[-6:] == ["general-praise"] * 2 + ["general-criticism"] * 2 + ["general-nothing"] * 2


def test_no_theme_holds_more_than_a_third_when_k_is_automatic():
    texts, _ = answers(repeat=4)
    lopsided = texts + [f"the youth club on {day} needs {thing}" for day in ("monday", "friday", "sunday") for thing in ("pool tables", "a kitchen", "more staff", "music")] * 12
    result = find_themes(lopsided)
    assert max(t.share for t in result.themes if t.kind == "theme") <= 0.35


def test_case_and_encoding_quirks_are_mended_before_representing():
    from analysis.phrases import mend, parse

    assert mend("I DONâ€™T like the Bus") == "i don't like the bus"
    assert parse("I Waited For The Bus").content == parse("i waited for the bus").content
    assert parse("the staff were excellent and very professional").content == ["staff"]
    assert "waiting time" in parse("the waiting time was far too long").phrases


def test_progress_is_reported_in_order_and_every_topical_text_gets_a_place_on_the_map():
    from analysis.themes import ThemeModel

    texts = ["more street lights in the park", "the park is too dark at night", "open the youth club at weekends",
             "more youth clubs please", "the bus home is always late", "buses stop too early", "very good"] * 8
    reported: list[tuple[float, str]] = []
    model = ThemeModel(k=3, random_state=1, progress=lambda fraction, stage: reported.append((fraction, stage))).fit(texts)
    fractions = [f for f, _ in reported]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and reported[-1] == (1.0, "done")
    topical = [i for i, t in enumerate(texts) if t != "very good"]
    assert ((model.positions_[topical] >= 0) & (model.positions_[topical] <= 1)).all()
    assert all(x != x for x in model.positions_[6::7, 0])  # "very good" names no topic: not on the map (NaN)


# -- incremental re-runs: `update` extends an earlier partition instead of clustering again ------

NEW_ANSWERS = {
    "lighting": ["the street lights by the park are broken", "the park lights are too dark at night"],
    "buses": ["the night bus is always late", "buses are late and crowded in the morning"],
    "mental health": ["more counselling for young people with anxiety"],
}


def earlier_and_now(repeat: int = 5) -> tuple[ThemeModel, list[str], list[str | None], list[str]]:
    """A model fitted on the answers, then the answers again with ~4 % new ones appended:
    (model, texts now, each text's earlier theme or None, each new text's topic)."""
    texts, _ = answers(repeat=repeat)
    first = ThemeModel(k=5, random_state=1).fit(texts)
    new_texts = [t for lines in NEW_ANSWERS.values() for t in lines]
    new_topics = [topic for topic, lines in NEW_ANSWERS.items() for _ in lines]
    return first, texts + new_texts, list(first.labels_) + [None] * len(new_texts), new_topics


def test_update_keeps_every_earlier_answer_where_it_was_and_places_new_ones_in_their_topic():
    first, texts, earlier, new_topics = earlier_and_now()
    old, old_topics = answers()
    model = ThemeModel(k=5, random_state=1).update(texts, earlier)
    assert model.labels_[: len(old)] == first.labels_  # no earlier answer moves
    topic_theme = {topic: Counter(a for a, t in zip(first.labels_, old_topics, strict=True) if t == topic).most_common(1)[0][0]
                   for topic in TOPICS}
    placed = model.labels_[len(old):]
    assert placed == [topic_theme[topic] for topic in new_topics]
    assert model.placed_ == list(range(len(old), len(texts)))
    sizes = {t.id: t.size for t in model.result_.themes}
    assert sum(sizes.values()) == len(texts)
    assert all(sizes[theme] == model.labels_.count(theme) for theme in sizes)
    assert {t.id for t in model.result_.themes} == {t.id for t in first.result_.themes}  # ids kept, none made up
    assert model.predict(["more street lights in the park please"]) == [topic_theme["lighting"]]


def test_update_sends_a_new_answer_that_fits_no_theme_to_other():
    first, texts, earlier, _ = earlier_and_now()
    model = ThemeModel(k=5, random_state=1).update(
        [*texts, "the canteen chips are cold and soggy every lunchtime"], [*earlier, None])
    assert model.labels_[-1] == "other"
    other = next(t for t in model.result_.themes if t.id == "other")
    assert other.size == model.labels_.count("other") and other.kind == "other"


def test_update_describes_again_only_the_themes_that_changed():
    first, texts, earlier, new_topics = earlier_and_now()
    only_buses = [i for i, e in enumerate(earlier) if e is not None or new_topics[i - len(first.labels_)] == "buses"]
    model = ThemeModel(k=5, random_state=1).update([texts[i] for i in only_buses], [earlier[i] for i in only_buses],
                                                   themes=first.result_.themes)
    bus_theme = model.labels_[-1]
    assert model.changed_ == {bus_theme}
    before = {t.id: t for t in first.result_.themes}
    for theme in model.result_.themes:
        if theme.id != bus_theme:  # unchanged: the earlier description, with this run's share
            assert (theme.label, theme.keywords, theme.quotes, theme.size) == (
                before[theme.id].label, before[theme.id].keywords, before[theme.id].quotes, before[theme.id].size)
    assert next(t for t in model.result_.themes if t.id == bus_theme).size == before[bus_theme].size + 2
    assert len({t.label for t in model.result_.themes}) == len(model.result_.themes)  # labels still distinct


def test_an_earlier_theme_that_lost_answers_is_described_again():
    first, texts, earlier, _ = earlier_and_now()
    old, _ = answers()
    gone = first.labels_[0]
    keep = [i for i in range(len(old)) if not (earlier[i] == gone and i % 2)]  # half that theme's answers deleted
    model = ThemeModel(k=5, random_state=1).update([texts[i] for i in keep], [earlier[i] for i in keep],
                                                   themes=first.result_.themes)
    assert model.changed_ == {gone} and model.placed_ == []
    assert next(t for t in model.result_.themes if t.id == gone).size == model.labels_.count(gone)


def test_update_refuses_what_it_cannot_extend():
    texts, _ = answers()
    with pytest.raises(ValueError, match="one earlier theme or None per text"):
        ThemeModel(k=5).update(texts, [None])
    with pytest.raises(ValueError, match="no text has an earlier theme"):
        ThemeModel(k=5).update(texts, [None] * len(texts))


def test_given_parses_and_sentiment_labels_are_used_instead_of_working_them_out_again():
    texts, _ = answers()
    fresh = ThemeModel(k=5, random_state=1).fit(texts)
    assert len(fresh.parsed_) == len(texts) and fresh.parsed_[0].content  # what a caller keeps for next time
    reused = ThemeModel(k=5, random_state=1).fit(texts, parsed=fresh.parsed_)
    assert reused.result_.to_dict() == fresh.result_.to_dict()
    # Sentiment labels stored with the answers are taken as given: a theme's split counts them.
    labelled = ThemeModel(k=5, random_state=1).fit(texts, sentiments=["negative"] * len(texts))
    assert all(t.sentiment_split == {"positive": 0, "neutral": 0, "negative": t.size} and t.sentiment == -1.0
               for t in labelled.result_.themes if t.kind == "theme" and t.size <= 400)
    with pytest.raises(ValueError, match="one .* per text"):
        ThemeModel(k=5).fit(texts, sentiments=["negative"])
