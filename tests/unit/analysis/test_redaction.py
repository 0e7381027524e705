"""Redaction on our own labelled examples (tests/data/redaction.txt): recall first."""

import re
from pathlib import Path

import pytest

from analysis.redact import Redactor, find, redact

DATA = Path(__file__).resolve().parents[2] / "data" / "redaction.txt"
MARK = re.compile(r"\{([A-Z]+):([^}]*)\}")


def labelled():
    """(plain text, [(kind, start, end)]) for each line, from its {KIND:value} marks."""
    for line in DATA.read_text(encoding="utf-8").splitlines():
        spans, plain, cursor = [], [], 0
        for match in MARK.finditer(line):
            plain.append(line[cursor:match.start()])
            start = sum(map(len, plain))
            plain.append(match.group(2))
            spans.append((match.group(1), start, start + len(match.group(2))))
            cursor = match.end()
        plain.append(line[cursor:])
        yield "".join(plain), spans


def scores():
    true_positive = expected = predicted = 0
    for text, spans in labelled():
        found = find(text)
        expected += len(spans)
        predicted += len(found)
        true_positive += sum(1 for _, s, e in spans if any(f.start < e and s < f.end for f in found))
    return true_positive / expected, true_positive / max(predicted, 1), expected


def test_recall_and_precision_on_the_labelled_examples():
    recall, precision, count = scores()
    assert count >= 35
    assert recall >= 0.95, recall
    assert precision >= 0.9, precision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is Jayden, call 07700 900123", "my name is [NAME], call [PHONE]"),
        ("email kid.one@gmail.com now", "email [EMAIL] now"),
        ("the youth club is great", "the youth club is great"),
        ("", ""),
    ],
)
def test_placeholders_are_typed(text, expected):
    assert redact(text) == expected


def test_the_transformer_works_on_a_list():
    assert Redactor().fit_transform(["call 07700 900123", "no details"]) == ["call [PHONE]", "no details"]


# Written here, not read from ../shared/data/pii-dev.tsv: that file is for tuning and measuring.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The outside probe's examples (issue 10).
        ("I'm Sarah and I go to St Mary's", "I'm [NAME] and I go to [SCHOOL]"),
        ("snap me sarahxx2010", "snap me [HANDLE]"),
        ("Kayden from year 9 keeps messaging me", "[NAME] from year 9 keeps messaging me"),
        ("I live on Hoe Street", "I live on [ADDRESS]"),
        ("discord sarah#1234", "discord [HANDLE]"),
        # First names: lower-case, hyphenated, in a list, before a possessive.
        ("me and jamal want a basketball court", "me and [NAME] want a basketball court"),
        ("me n liban n abdi went to the youth club", "me n [NAME] n [NAME] went to the youth club"),
        ("ellie-may's mum drove us", "[NAME]'s mum drove us"),
        ("Tyrese said the park is dead at night", "[NAME] said the park is dead at night"),
        ("Rose Kelly said the rose garden needs benches", "[NAME] said the rose garden needs benches"),
        ("Grace and I made the poster", "[NAME] and I made the poster"),
        ("my little brother jayden is scared of the dogs", "my little brother [NAME] is scared of the dogs"),
        # Officers' and teachers' surnames after a title: the title goes with the name (as most writers label it).
        ("Sgt Okonjo and PC Mahmoud came to the club", "[NAME] and [NAME] came to the club"),
        ("Detective Sergeant Ellis came to our school", "[NAME] came to our school"),
        ("I hope Mark and Dawn from the council read this", "I hope [NAME] and [NAME] from the council read this"),
        ("pls tell miss rahman i'm late", "pls tell [NAME] i'm late"),
        ("Mr Ó Súilleabháin runs the club", "[NAME] runs the club"),
        ("Mr. Green told us off for nothing", "[NAME] told us off for nothing"),
        ("Madame Dubois teaches French", "[NAME] teaches French"),
        ("Señora Lopez is kind", "[NAME] is kind"),
        ("Supt Clarke came to assembly", "[NAME] came to assembly"),
        # Homes and schools.
        ("we live at 42 Barking Road", "we live at [ADDRESS]"),
        ("I'm from the Ferndown estate", "I'm from the [ADDRESS]"),
        ("im in year 8 at st aidan's", "im in year 8 at [SCHOOL]"),
        ("I go to Thornfield Park Academy", "I go to [SCHOOL]"),
        ("i go to langdon academy", "i go to [SCHOOL]"),
        ("im at eastlea community school now", "im at [SCHOOL] now"),
        ("I go to Brampton Manor sixth form", "I go to [SCHOOL]"),
        ("I'm in year 10 at Kingsford and it's fine", "I'm in year 10 at [SCHOOL] and it's fine"),
        ("my nan lives on Gladstone Avenue", "my nan lives on [ADDRESS]"),
        ("I'm on Plashet Road if you need me", "I'm on [ADDRESS] if you need me"),
        # Handles with and without a platform word.
        ("my insta is ines.ferreira_", "my insta is [HANDLE]"),
        ("Xbox gamertag NightOwl4471 if anyone wants to play", "Xbox gamertag [HANDLE] if anyone wants to play"),
        ("follow @lilzz.x for updates", "follow [HANDLE] for updates"),
        ("add me sarahxx2010", "add me [HANDLE]"),
        ("my user is kiki_b", "my user is [HANDLE]"),
        ("add my snap sunshinegirl", "add my snap [HANDLE]"),
        ("xbox: shadowwolf", "xbox: [HANDLE]"),
        ("my snap's jaydenxo", "my snap's [HANDLE]"),
        ("add me on insta its kayla.m", "add me on insta its [HANDLE]"),
        ("i live on hoe street", "i live on [ADDRESS]"),
        ("I told kayden to stop", "I told [NAME] to stop"),
        # Numbers that identify a person.
        ("my nhs number is 401-023-2137", "my nhs number is [NUMBER]"),
        ("I paid with my card ending 4417", "I paid with my card ending [NUMBER]"),
        ("the moped was ld68 ypr", "the moped was [REG]"),
        ("born 22.05.2010", "born [DATE]"),
        # An age is identifying next to a name, not on its own.
        ("I'm Hodan, I'm 13, I like the girls group", "I'm [NAME], I'm [AGE], I like the girls group"),
        ("I'm 16 and I want to learn to drive", "I'm 16 and I want to learn to drive"),
    ],
)
def test_each_kind_of_detail_is_replaced(text, expected):
    assert redact(text) == expected


# Written here for issue 10's generalisation work: kinds that pii-extra.tsv's tuning folds showed missed.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Youth clubs, centres and hubs are named like schools; a college's name may have "and" in it.
        ("I go to Marshgate Youth Club on Fridays", "I go to [CLUB] on Fridays"),
        ("we meet at the Brookside Youth Centre after school", "we meet at the [CLUB] after school"),
        ("she's at Barking and Dagenham College now", "she's at [SCHOOL] now"),
        # A home named a few words after the cue, or a block with no number.
        ("I stay at my nan's on Oakfield Way most weekends", "I stay at my nan's on [ADDRESS] most weekends"),
        ("my flat is in Heron House near the park", "my flat is in [ADDRESS] near the park"),
        ("my foster placement is on Juniper Close", "my foster placement is on [ADDRESS]"),
        # "sc" is how many write Snapchat.
        ("sc - jaz.b", "sc - [HANDLE]"),
        # After "my name is", a word that is only loosely English is a name.
        ("my name is naveed and i like football", "my name is [NAME] and i like football"),
        # A first name that is also a word, before a surname.
        ("Treasure Oduya ran the stall", "[NAME] ran the stall"),
        ("Honestly Chukwuemeka is the best", "Honestly [NAME] is the best"),
        # An outward code anywhere in the UK after a cue; London's stand alone.
        ("I live in M14 and the buses are rubbish", "I live in [POSTCODE] and the buses are rubbish"),
        ("we moved from LS8 last year", "we moved from [POSTCODE] last year"),
        # A birthday without its year, an email written out to dodge filters, "my @".
        ("my birthday is the 14th of March", "my birthday is the [DATE]"),
        ("born on 3rd June and proud", "born on [DATE] and proud"),
        ("email me kezia.b at gmail dot com", "email me [EMAIL]"),
        ("my @ is jaylen.wav", "my @ is [HANDLE]"),
        ("I live in M14 5TP", "I live in [POSTCODE]"),
        # A mobile number written without its 0 or its +.
        ("my number 447700900222 ok", "my number [PHONE] ok"),
        ("ring 7700 900123 after school", "ring [PHONE] after school"),
        # A name beside a first name that merely ends like a place is still a name.
        ("Ashton and Kayden were fighting again", "[NAME] and [NAME] were fighting again"),
        ("rota: Tuesday - Idris, Wednesday - Chloe", "rota: Tuesday - [NAME], Wednesday - [NAME]"),
        # A hyphenated surname with one part that is not English.
        ("Summer Okoye-Bell is the best at netball", "[NAME] is the best at netball"),
    ],
)
def test_kinds_found_after_the_generalisation_work(text, expected):
    assert redact(text) == expected


# Written here for the fifth round (issue 10 item 2): kinds the leave-one-source-out misses showed, in new sentences.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Will" is a stopword and a name: capitalised mid-sentence, or opening a sentence before a verb of telling.
        ("can you remind Will that the bus goes at 4", "can you remind [NAME] that the bus goes at 4"),
        ("Will reckons the park needs lights", "[NAME] reckons the park needs lights"),
        ("Will, Jordan and me will sort the music", "[NAME], [NAME] and me will sort the music"),
        # Word-names opening a sentence: telling verbs, "is my cousin", a list of names.
        ("Treasure said the session was too short", "[NAME] said the session was too short"),
        ("Precious is my cousin and she is shy", "[NAME] is my cousin and she is shy"),
        ("Destiny and Favour won the quiz", "[NAME] and [NAME] won the quiz"),
        # Titles go with the name, with or without a full stop.
        ("Insp. Kowalski chaired it", "[NAME] chaired it"),
        # Handles: gamertags with spaces, handle-shaped words in a text about an app.
        ("psn id is Frost Byte 22 if u play", "psn id is [HANDLE] if u play"),
        ("tiktok is where i post, im lola.vibes on there", "tiktok is where i post, im [HANDLE] on there"),
        # Homes: a number before a lower-case street, a flat with a letter, a house number with a capital.
        ("we live at 9a cedar grove", "we live at [ADDRESS]"),
        ("ring the bell for flat C", "ring the bell for [ADDRESS]"),
        ("she stays at 14C Pelham Court", "she stays at [ADDRESS]"),
        # A school's area after its name, "School for Girls", a school after "attends".
        ("Tomasz goes to Oasis Academy Brixton", "[NAME] goes to [SCHOOL]"),
        ("my sister is at Haverstock School for Girls", "my sister is at [SCHOOL]"),
        ("Callum attends Rokeby and hates it", "[NAME] attends [SCHOOL] and hates it"),
        # Dates, phones and ages in more shapes.
        ("DOB 2011-07-03", "DOB [DATE]"),
        ("text 07700.900.431 after 6", "text [PHONE] after 6"),
        ("Idris and Musa are both 14", "[NAME] and [NAME] are both [AGE]"),
        ("kofi + adwoa came late", "[NAME] + [NAME] came late"),
        # Lower-case word-names with a cue only a person has; a first name before a station is a place.
        ("my big sister joy said no", "my big sister [NAME] said no"),
        ("faith and i walked home", "[NAME] and i walked home"),
    ],
)
def test_kinds_found_in_the_fifth_round(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # Brands, characters and public figures named like people; saints' places, charities and days.
        "my Dr Martens need new laces",
        "Mr Whippy was parked outside the gates",
        "we read about Rosa Parks and Martin Luther King",
        "I did the Duke of Edinburgh expedition",
        "St Thomas' Hospital was quick",
        "St George's Day parade was loud",
        "St John's Ambulance cadets meet on Mondays",
        "Thank God the bus came",
        "I support Arsenal",
        # "Will" as the modal, and word-names as words.
        "Will you open the hall on Sundays?",
        "Grace period for the fines would help",
        "Summer is the best time for the youth club",
        "Year 9, Year 10 and Year 11 all came",
        "meet me at Angel station after",
        "my nan rose early to get the bus",
        "my mum will pick us up",
    ],
)
def test_ordinary_words_named_like_people_are_kept(text):
    assert redact(text) == text


# Places as areas, organisations and teams are not people (also written here).
@pytest.mark.parametrize(
    "text",
    [
        "Kilburn and Southall both need more youth workers",
        "Deptford high street gets busy on Saturdays",
        "the Prince's Trust paid for my course",
        "I joined St John Ambulance last year",
        "King's Cross is rammed on Fridays",
        "the Red Cross ran a first aid session",
        "Chelsea fans were singing on the train",
        "vitamin B12 and the M25 are not postcodes",
        "the 14th of March is when exams start",
        "we meet at 7 at the station",
        # A place beside a place in a list is a place; a name before a plural noun is a place or a brand.
        "Hounslow and Feltham buses are always late",
        "Sidcup and Eltham are boring",
        "Kilburn and Harlesden get a bad name",
    ],
)
def test_places_and_organisations_are_kept(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "I will come on Thursday if the bus isn't late",
        "Will there be food at the next session?",
        "Honestly a rose garden in the park would be nice",
        "Snapchat is where most people in my year talk",
        "CapCut is good for edits and Lemon8 is new",
        "my old primary school had a better playground",
        "the secondary school near me is strict",
        "The school should open the library at lunch",
        "I'm in year 10 at school and it's fine",
        "I'm on the bus every day",
        "snap me later",
        # From our own ordinary answers (analysis/data/ordinary-answers.tsv): modern and British words, plural titles.
        "there should be a counsellor at school every day",
        "the wifi at school blocks everything",
        "booking online kept crashing",
        "bus app says its coming then it just disappears",
        "PCSOs moved us on from the park for no reason",
        "So-so",
        "Instagram and WhatsApp both went down yesterday lol",
        "We went to Westfield then got Nando's",
        "Jack up the prices again and nobody will come",
        "Holly and ivy decorations were nice",
        "Miss said we can use the PCs if we ask first",
        "If you need help call Childline on 0800 1111",
        "The Victoria line was closed on Saturday",
        "add me on snap, I'll send the pics",
        "we learnt about county lines in year 9",
        "Amber warning for wind on Friday so the trip got cancelled",
        "I live near the park and it is scary at night",
        "call NHS111 if it is not an emergency",
        "I waited hours48 for a call back",
    ],
)
def test_ordinary_phrases_are_kept(text):
    assert redact(text) == text


def test_without_the_lexicons_redaction_says_how_to_get_them(monkeypatch):
    import nltk

    from analysis import redact as redact_module
    from analysis.resources import MissingNLTKData

    redact_module.lexicon.cache_clear()
    monkeypatch.setattr(nltk.data, "path", [])
    try:
        with pytest.raises(MissingNLTKData, match=r"names.*chorus nltk download"):
            redact("Tyrese said hi")
    finally:
        redact_module.lexicon.cache_clear()
