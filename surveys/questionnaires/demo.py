"""The demo survey, "How safe do you feel?", at /s/demo, with a few hundred generated responses.

The answers are made up by a seeded random generator so that the results pages have something to
show; nothing here came from a real young person. The Bengali and Urdu texts are a developer's
draft for demonstrating translation, and need checking by a fluent speaker before real use.
"""

from __future__ import annotations

import random
import secrets
import sys
from dataclasses import replace
from datetime import timedelta

from tqdm import tqdm

from app import clock
from app.accounts import auth
from app.governance.services import load_structure
from surveys.questionnaires import building, definitions, submitting, translations
from surveys.questionnaires.building import QuestionFields
from surveys.questionnaires.definition import Condition, Given, Option
from surveys.questionnaires.tables import Audience, QuestionKind, ResponseMode, Section, Survey

DEMO_CODE = "demo"
DEMO_RESPONSES = 320
DEMO_SERIES = "How safe do you feel?"
FOLLOW_UP_CODE = "demo-wave-2"
FOLLOW_UP_RESPONSES = 260
AGE_BANDS = [("11_12", "11-12"), ("13_15", "13-15"), ("16_17", "16-17"), ("18_25", "18-25")]
AREAS = [("north", "North of the borough"), ("central", "Central"), ("south", "South of the borough"), ("outside", "I don't live in the borough")]
LEAST_SAFE = [("street", "On the street"), ("transport", "On buses and trains"), ("school", "At school or college"),
              ("parks", "In parks"), ("online", "Online"), ("home", "At home")]
WHO = [("parent", "Parent or carer"), ("friend", "A friend"), ("teacher", "A teacher"), ("youth_worker", "A youth worker"),
       ("police", "The police"), ("childline", "Childline")]
SAFER = [("youth_clubs", "More youth clubs"), ("lighting", "Better street lighting"), ("listening", "Adults who listen"),
         ("journeys", "Safer journeys to school"), ("online_help", "Help with things online")]
ONE_THING = [
    "more youth clubs that are open later and free",
    "Better lights in the park by the station, it's really dark after 5",
    "police who actually talk to us instead of stopping and searching",
    "adults that listen and don't judge",
    "somewhere to go after school that isn't the chicken shop lol",
    "more CCTV on the way home from school",
    "teach us about staying safe online, people send weird stuff",
    "nothing really, I feel ok where I live",
    "Safer buses. The 104 at night is scary",
    "youth workers in the parks in summer",
    "more sports and music things to do for free",
    "if teachers took bullying seriously",
    "stop closing the youth centres",
    "more mentors who have been through it",
    "Cleaner streets and fixing the broken lights",
    "I dont know",
    "people stop carrying knives, it makes everyone scared",
    "more female youth workers",
    "helplines that answer quickly",
    "safe spaces for LGBT young people",
]
STOPS_ASKING = [
    "I don't want to be a snitch",
    "worried my parents will find out",
    "don't trust that anything will change",
    "don't know who to ask",
    "embarrassed",
    "they just tell the school and it gets worse",
]
TRANSLATIONS = {
    "bn": {
        "survey:title": "আপনি কতটা নিরাপদ বোধ করেন?",
        "survey:purpose": "আমরা জানতে চাই কোথায় আপনি নিরাপদ বোধ করেন এবং কী পরিবর্তন হলে ভালো হবে। আপনার উত্তর যুব নিরাপত্তা পরিকল্পনায় সাহায্য করবে।",
        "survey:consent": "এই জরিপ বেনামী। আপনার নাম জানতে চাওয়া হবে না। আপনি যেকোনো প্রশ্ন বাদ দিতে পারেন এবং যেকোনো সময় থামতে পারেন।",
        "section:about:title": "আপনার সম্পর্কে",
        "section:safe:title": "নিরাপদ বোধ করা",
        "section:help:title": "সাহায্য চাওয়া",
        "age_band:text": "আপনার বয়স কত?",
        "area:text": "আপনি বরোর কোন অংশে থাকেন?",
        "area:opt:north": "বরোর উত্তরে", "area:opt:central": "মধ্যভাগে", "area:opt:south": "বরোর দক্ষিণে",
        "area:opt:outside": "আমি বরোতে থাকি না",
        "safe_area:text": "আমি আমার এলাকায় নিরাপদ বোধ করি।",
        "safe_online:text": "আমি অনলাইনে নিরাপদ বোধ করি।",
        "likert:1": "একদম একমত নই", "likert:2": "একমত নই", "likert:3": "একমতও নই, দ্বিমতও নই", "likert:4": "একমত", "likert:5": "পুরোপুরি একমত",
        "least_safe:text": "কোথায় আপনি সবচেয়ে কম নিরাপদ বোধ করেন?",
        "least_safe:hint": "যতগুলো প্রযোজ্য বেছে নিন।",
        "least_safe:opt:street": "রাস্তায়", "least_safe:opt:transport": "বাস ও ট্রেনে", "least_safe:opt:school": "স্কুল বা কলেজে",
        "least_safe:opt:parks": "পার্কে", "least_safe:opt:online": "অনলাইনে", "least_safe:opt:home": "বাড়িতে",
        "knows_who:text": "কোনো কিছু নিয়ে চিন্তা হলে, আপনি কি জানেন কার সাথে কথা বলবেন?",
        "yes_no:yes": "হ্যাঁ", "yes_no:no": "না", "yes_no:not_sure": "নিশ্চিত নই",
        "who_to:text": "আপনি কার কাছে যাবেন?",
        "who_to:opt:parent": "বাবা-মা বা অভিভাবক", "who_to:opt:friend": "একজন বন্ধু", "who_to:opt:teacher": "একজন শিক্ষক",
        "who_to:opt:youth_worker": "একজন যুব কর্মী", "who_to:opt:police": "পুলিশ", "who_to:opt:childline": "চাইল্ডলাইন",
        "trust:text": "পুলিশ, স্কুল ও যুব ক্লাবের মতো সেবাগুলো আপনাকে সাহায্য করবে বলে আপনি কতটা বিশ্বাস করেন?",
        "safer_ranking:text": "কী আপনাকে আরও নিরাপদ বোধ করাবে? ক্রম অনুযায়ী সাজান।",
        "safer_ranking:opt:youth_clubs": "আরও যুব ক্লাব", "safer_ranking:opt:lighting": "রাস্তায় ভালো আলো",
        "safer_ranking:opt:listening": "যে বড়রা কথা শোনেন", "safer_ranking:opt:journeys": "স্কুলে যাওয়ার নিরাপদ পথ",
        "safer_ranking:opt:online_help": "অনলাইনের বিষয়ে সাহায্য",
        "one_thing:text": "একটি জিনিস কী যা আপনার এলাকাকে আরও নিরাপদ করবে?",
        "stops_asking:text": "কী আপনাকে সাহায্য চাইতে বাধা দেয়?",
    },
    "ur": {
        "survey:title": "آپ خود کو کتنا محفوظ محسوس کرتے ہیں؟",
        "survey:purpose": "ہم جاننا چاہتے ہیں کہ آپ کہاں محفوظ محسوس کرتے ہیں اور کیا بدلنا چاہیے۔ آپ کے جوابات نوجوانوں کی حفاظت کے منصوبے میں مدد کریں گے۔",
        "survey:consent": "یہ سروے گمنام ہے۔ آپ کا نام نہیں پوچھا جائے گا۔ آپ کوئی بھی سوال چھوڑ سکتے ہیں اور کسی بھی وقت رک سکتے ہیں۔",
        "section:about:title": "آپ کے بارے میں",
        "section:safe:title": "محفوظ محسوس کرنا",
        "age_band:text": "آپ کی عمر کتنی ہے؟",
        "area:text": "آپ بورو کے کس حصے میں رہتے ہیں؟",
        "area:opt:north": "بورو کے شمال میں", "area:opt:central": "درمیان میں", "area:opt:south": "بورو کے جنوب میں",
        "area:opt:outside": "میں بورو میں نہیں رہتا",
        "safe_area:text": "میں اپنے علاقے میں محفوظ محسوس کرتا ہوں۔",
        "safe_online:text": "میں آن لائن محفوظ محسوس کرتا ہوں۔",
        "likert:1": "بالکل متفق نہیں", "likert:2": "متفق نہیں", "likert:3": "نہ متفق نہ غیر متفق", "likert:4": "متفق", "likert:5": "پوری طرح متفق",
        "least_safe:text": "آپ کہاں سب سے کم محفوظ محسوس کرتے ہیں؟",
        "least_safe:opt:street": "سڑک پر", "least_safe:opt:transport": "بسوں اور ٹرینوں میں", "least_safe:opt:school": "اسکول یا کالج میں",
        "least_safe:opt:parks": "پارکوں میں", "least_safe:opt:online": "آن لائن", "least_safe:opt:home": "گھر پر",
        "knows_who:text": "اگر کوئی بات آپ کو پریشان کرے تو کیا آپ جانتے ہیں کہ کس سے بات کریں؟",
        "yes_no:yes": "ہاں", "yes_no:no": "نہیں", "yes_no:not_sure": "یقین نہیں",
        "who_to:text": "آپ کس کے پاس جائیں گے؟",
        "trust:text": "آپ کو کتنا بھروسہ ہے کہ پولیس، اسکول اور یوتھ کلب جیسی خدمات آپ کی مدد کریں گی؟",
        "one_thing:text": "ایک چیز کیا ہے جو آپ کے علاقے کو زیادہ محفوظ بنائے گی؟",
        "stops_asking:text": "کون سی چیز آپ کو مدد مانگنے سے روکتی ہے؟",
    },
}


def _options(pairs) -> tuple[Option, ...]:
    return tuple(Option(v, label) for v, label in pairs)


async def load_demo_survey(responses: int = DEMO_RESPONSES, seed: int = 2026) -> tuple[int, int]:
    """Create the demo survey and its responses if it is not there yet; (survey id, responses added)."""
    existing = await Survey.select(Survey.id).where(Survey.public_code == DEMO_CODE).first()
    if existing:
        return existing["id"], 0
    await load_structure()  # its questions are tagged to the theory-of-change outcomes
    survey_id = await building.create_survey({
        "title": "How safe do you feel?",
        "purpose": "We want to know where you feel safe, and what would make things better. Your answers help the borough's youth safety plan.",
        "audience": Audience.young_people,
        "languages": ["en", "bn", "ur"],
        "consent_text": "This survey is anonymous. We will not ask your name. You can skip any question and stop at any time.",
        "local_contact": "Your youth worker, or the Youth Safety team: 020 8430 2000 (weekdays 9 to 5).",
        "series": DEMO_SERIES,
        "wave": 1,
    }, created_by=None, public_code=DEMO_CODE)
    definition = await definitions.load_definition(survey_id)
    about = definition.sections[0].id
    await Section.update({Section.title: "About you"}).where(Section.id == about)
    safe = await building.add_section(survey_id, title="Feeling safe")
    ids: dict[str, int] = {}

    async def ask(section: int, key: str, fields: QuestionFields) -> None:
        ids[key] = await building.add_question(survey_id, section, replace(fields, key=key))

    await ask(about, "age_band", QuestionFields(QuestionKind.single_choice, "How old are you?", required=True, options=_options(AGE_BANDS)))
    await ask(about, "area", QuestionFields(QuestionKind.single_choice, "Which part of the borough do you live in?", options=_options(AREAS)))
    await ask(safe, "safe_area", QuestionFields(QuestionKind.likert, "I feel safe in my local area.", faces=True, outcome=3))
    await ask(safe, "safe_online", QuestionFields(QuestionKind.likert, "I feel safe online.", faces=True, outcome=3))
    await ask(safe, "least_safe", QuestionFields(QuestionKind.multiple_choice, "Where do you feel least safe?", hint="Choose all that apply.",
                                                 options=_options(LEAST_SAFE), allow_other=True, outcome=3))
    await ask(safe, "knows_who", QuestionFields(QuestionKind.yes_no, "If something worried you, would you know who to talk to?", required=True, outcome=1))
    await ask(safe, "who_to", QuestionFields(QuestionKind.multiple_choice, "Who would you go to?", options=_options(WHO), outcome=1,
                                             show_if=Condition("knows_who", frozenset({"yes"}))))
    await ask(safe, "trust", QuestionFields(QuestionKind.rating, "How much do you trust services like the police, schools and youth clubs to help you?", outcome=2))
    await ask(safe, "safer_ranking", QuestionFields(QuestionKind.ranking, "What would make you feel safer? Put them in order.", options=_options(SAFER), outcome=4))
    await ask(safe, "one_thing", QuestionFields(QuestionKind.long_text, "What is one thing that would make your area safer?", outcome=4))
    help_section = await building.add_section(survey_id, title="Getting help", show_if=Condition("knows_who", frozenset({"no", "not_sure"})))
    await ask(help_section, "stops_asking", QuestionFields(QuestionKind.short_text, "What stops you from asking for help?", outcome=1))
    sections = {"about": about, "safe": safe, "help": help_section}

    definition = await definitions.load_definition(survey_id)
    for language, texts in TRANSLATIONS.items():
        await translations.save_translations(survey_id, language, _keyed(definition, texts, ids, sections))
    await building.change_status(survey_id, "publish")
    definition = await definitions.load_definition(survey_id)
    added = await _generate_responses(definition, responses, random.Random(seed))
    return survey_id, added


async def load_demo_follow_up(responses: int = FOLLOW_UP_RESPONSES, seed: int = 2027) -> tuple[int, int]:
    """The demo survey's second wave (the same questions, asked again), with answers that moved a
    little, so that the outcome pages have a baseline and a follow-up to compare; (survey id,
    responses added). Loads the baseline first if it is not there; safe to run again."""
    existing = await Survey.select(Survey.id).where(Survey.public_code == FOLLOW_UP_CODE).first()
    if existing:
        return existing["id"], 0
    baseline_id, _ = await load_demo_survey()
    # A baseline loaded before surveys had series gets its series now.
    await Survey.update({Survey.series: DEMO_SERIES, Survey.wave: 1}).where(Survey.id == baseline_id, Survey.series == "")
    survey_id = await building.duplicate_survey(baseline_id, created_by=None)
    await Survey.update({Survey.public_code: FOLLOW_UP_CODE, Survey.title: "How safe do you feel? (six months on)"}).where(Survey.id == survey_id)
    await building.change_status(survey_id, "publish")
    definition = await definitions.load_definition(survey_id)
    added = await _generate_responses(definition, responses, random.Random(seed), improvement=1.0, days=14)
    return survey_id, added


def _keyed(definition, texts: dict[str, str], ids: dict[str, int], sections: dict[str, int]) -> dict[str, str]:
    """The demo's readable keys ("area:opt:north") as the survey's translation keys ("q:12:opt:north")."""
    keyed = {}
    for name, text in texts.items():
        parts = name.split(":")
        if parts[0] == "survey":
            keyed[name] = text
        elif parts[0] == "section":
            keyed[f"section:{sections[parts[1]]}:{parts[2]}"] = text
        elif parts[0] in ("likert", "yes_no"):
            for q in definition.questions:
                if q.kind.value == parts[0]:
                    keyed[f"q:{q.id}:opt:{parts[1]}"] = text
        else:
            keyed[f"q:{ids[parts[0]]}:{':'.join(parts[1:])}"] = text
    return keyed


async def _generate_responses(definition, count: int, rng: random.Random, *, improvement: float = 0.0, days: float = 56) -> int:
    """`improvement` 1 is the follow-up wave: more know who to talk to, feeling safe locally and trust
    go up a little, feeling safe online does not move."""
    now = clock.now()
    area_weights = [38, 33, 27, 2]
    for n in tqdm(range(count), desc="demo survey responses", unit="response", disable=not sys.stderr.isatty()):
        area = rng.choices([a for a, _ in AREAS], area_weights)[0]
        age = rng.choices([a for a, _ in AGE_BANDS], [18, 36, 28, 18])[0]
        # A little signal for the charts: the south and younger children feel less safe.
        lean = {"north": 0.4, "central": 0.1, "south": -0.5, "outside": 0.0}[area] + (-0.3 if age == "11_12" else 0.1)
        answers: dict[str, Given] = {"age_band": Given(age)}
        if rng.random() > 0.06:
            answers["area"] = Given(area)
        elif rng.random() < 0.5:
            answers["area"] = Given(None, declined=True)
        for key in ("safe_area", "safe_online"):
            score = min(5, max(1, round(rng.gauss(3.3 + lean + (0.3 * improvement if key == "safe_area" else 0.0), 1.1))))
            answers[key] = Given(str(score)) if rng.random() > 0.04 else Given(None, declined=True)
        places = [p for p, _ in LEAST_SAFE if rng.random() < {"street": 0.45, "transport": 0.35, "school": 0.15, "parks": 0.3, "online": 0.25, "home": 0.04}[p]]
        if rng.random() < 0.05:
            answers["least_safe"] = Given(places + ["_other"], other_text=rng.choice(["the estate stairwells", "outside the station", "the high road at night"]))
        elif places:
            answers["least_safe"] = Given(places)
        knows = rng.choices(["yes", "no", "not_sure"], [64 + 12 * improvement, 14 - 4 * improvement, 22 - 8 * improvement])[0]
        answers["knows_who"] = Given(knows)
        if knows == "yes":
            who = [w for w, _ in WHO if rng.random() < {"parent": 0.6, "friend": 0.55, "teacher": 0.3, "youth_worker": 0.25, "police": 0.1, "childline": 0.08}[w]]
            if who:
                answers["who_to"] = Given(who)
        elif rng.random() < 0.55:
            answers["stops_asking"] = Given(rng.choice(STOPS_ASKING))
        answers["trust"] = Given(str(min(10, max(0, round(rng.gauss(5.2 + 0.5 * improvement + lean * 2, 2.2))))))
        if rng.random() < 0.8:
            ranked = [s for s, _ in SAFER]
            rng.shuffle(ranked)
            answers["safer_ranking"] = Given(ranked[: rng.randint(1, len(ranked))])
        if rng.random() < 0.45:
            answers["one_thing"] = Given(rng.choice(ONE_THING))
        submitted_at = now - timedelta(days=rng.uniform(0, days), minutes=rng.randint(0, 600))
        mode = rng.choices([ResponseMode.online, ResponseMode.kiosk, ResponseMode.paper], [80, 15, 5])[0]
        token = f"demo-{n}-{secrets.token_hex(4)}"
        await submitting.store_response(
            definition, definition.keep_visible(answers), submission_key=auth.token_hash(token), receipt=token,
            language=rng.choices(["en", "bn", "ur"], [88, 8, 4])[0], mode=mode,
            started_at=submitted_at - timedelta(minutes=rng.randint(2, 9)), submitted_at=submitted_at,
        )
    return count

