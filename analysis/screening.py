"""Safeguarding screening of free text: urgent / concern / none, with categories and reasons.

Built for how young people write — no punctuation, misspellings, slang ("going country", "run a
line", "trap house", "plugging", "elders", "shank", "ops") — and for disclosures about a friend
or sibling, while telling general opinions about safety ("more knife crime workshops") apart
from a personal risk. Missing a disclosure is far worse than a false alarm, so every rule leans
towards flagging; a rule fires only on a *personal* signal, because a flood of false alarms
buries the safeguarding lead. Figures on the labelled set are in docs/benchmarks.md.

How a text is read:
1. It is normalised (lower case, "sooo" -> "so", "u" -> "you", "dont" -> "don't").
2. Each sentence-like clause is matched against the rules of each category. A rule is either
   *self-evidently personal* ("kill myself", "my dad hits me") or a *risk phrase* that counts only
   when the clause is anchored to a person ("I", "me", "my friend", "my sister", "he/she/they
   made me") and is not framed as a topic ("workshops about", "in the news", "should teach").
3. Some rules mark the risk as urgent (intent to die, a weapon aimed at the writer, being held,
   nowhere to sleep tonight, a threat to share images).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from scipy.sparse.csgraph import connected_components
from scipy.special import expit, softmax
from sklearn import __version__ as sklearn_version
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted

from analysis.text import TextInputMixin, normalise

# The 20 kinds of harm of the training set (analysis/data/safeguarding-train.tsv), in its order.
CATEGORIES = (
    "suicidal_ideation",
    "self_harm",
    "physical_abuse_at_home",
    "domestic_abuse_witnessed",
    "sexual_abuse",
    "neglect",
    "child_sexual_exploitation",
    "online_grooming",
    "adult_in_position_of_trust",
    "child_criminal_exploitation",
    "money_mule",
    "weapons",
    "bullying_and_threats_serious",
    "peer_on_peer_abuse",
    "radicalisation",
    "forced_marriage_fgm_honour",
    "trafficking_modern_slavery",
    "missing_from_home",
    "homelessness_rough_sleeping",
    "substance_misuse_harm",
)
LEVELS = ("none", "concern", "urgent")
# The ten categories of the rules before the 20 kinds (tests/data/safeguarding_screening.csv uses them)
# -> the kinds of harm that now cover them.
OLD_CATEGORIES = {
    "self_harm_suicide": {"suicidal_ideation", "self_harm"},
    "abuse_at_home": {"physical_abuse_at_home", "domestic_abuse_witnessed", "sexual_abuse", "homelessness_rough_sleeping"},
    "sexual_exploitation": {"child_sexual_exploitation", "online_grooming", "sexual_abuse"},
    "criminal_exploitation": {"child_criminal_exploitation"},
    "weapons_threats": {"weapons", "bullying_and_threats_serious"},
    "missing_runaway_homeless": {"missing_from_home", "homelessness_rough_sleeping"},
    "trafficking_modern_slavery": {"trafficking_modern_slavery"},
    "forced_marriage": {"forced_marriage_fgm_honour"},
    "neglect": {"neglect"},
    "bullying_threats": {"bullying_and_threats_serious"},
}

# Someone the text is about: the writer, or a person close to them.
CLOSE = r"(?:friend|mate|bestie|bro|brother|sis|sister|cousin|girlfriend|boyfriend|gf|bf|little brother|little sister|mum|dad|mother|father|step ?dad|step ?mum|uncle|aunt|auntie|nan|neighbour)"
ANCHOR = re.compile(
    rf"\b(?:i|i'm|i've|i'll|i'd|me|my|myself|mine|we|us|our|im|ive)\b|\bmy {CLOSE}\b|\b(?:he|she|they|him|her|them)\b"
)
# Framing that makes a risk word a topic rather than a disclosure.
TOPIC = re.compile(
    r"\b(?:workshops?|lessons?|assembl(?:y|ies)|awareness|campaigns?|education|educate|teach(?:es|ing)?|"
    r"learn(?:t|ed|ing)? (?:about|how|what)|talks? about|sessions? (?:on|about)|pshe|rshe|warning signs|talk to us about|information about|info about|in the news|"
    r"on the news|documentar(?:y|ies)|films?|drama|podcast|statistics|stats|policy|polic(?:y|ies)|"
    r"should (?:be|have|do|stop|tackle)|more (?:support|help|youth|services|police|funding|programmes?)|"
    r"prevent(?:ing|ion)?|tackl(?:e|ing)|reduce|reducing|problem in|issue in|in general|in the area|"
    r"in (?:the )?(?:borough|community|london|uk|country)|people who|young people who|victims? of|survivors?)\b"
)
# Words that turn a figure of speech back into an ordinary sentence.
JOKE = re.compile(r"\b(?:lol|lmao|haha+|jk|joking|😂|🤣)\b|😂|🤣")


@dataclass(frozen=True)
class Rule:
    category: str
    pattern: re.Pattern[str]
    urgent: bool = False
    personal: bool = False  # the phrase itself says it is about the writer or someone close


def _rules() -> list[Rule]:
    r = []

    def add(category, patterns, *, urgent=False, personal=False):
        for p in patterns:
            r.append(Rule(category, re.compile(p), urgent, personal))

    # -- self-harm and suicide
    add("self_harm", [r"\b(?:hurt|harm|cut|starve) (?:my ?self|myself|meself)\b"], urgent=True, personal=True)
    add("suicidal_ideation", [
        r"\b(?:kill|kil|end|hang|off) (?:my ?self|myself|meself)\b",
        r"\bkms\b", r"\bunalive (?:my ?self|myself|me)\b", r"\b(?:want|wanna|going|gonna|planning|plan|tried|try|trying) to (?:die|end it|end it all|not be here|disappear forever)\b",
        r"\b(?:su[i]?c[i]?d(?:e|al)|sucidal|suiside|suicidle)\b", r"\bend(?:ing)? (?:it all|my life|things)\b",
        r"\b(?:want|wants|wanted|wanna|wanting) to die\b", r"\b(?:can't|don't|cant|dont) see (?:the|any) point (?:in|of) (?:living|life|being alive|going on|anything)\b",
        r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting)s? (?:her|him|them)sel(?:f|ves)\b",
        r"\b(?:don't|do not|dont) want to (?:be alive|live|be here)(?: anymore)?\b", r"\bno (?:point|reason) (?:in )?(?:living|being alive|to live)\b",
        r"\bbetter off (?:dead|without me)\b", r"\b(?:take|took|taking|swallow(?:ed)?) (?:all|loads|a load|a lot|too many|the whole|a bunch)(?: of)? (?:the |my |her |his )?(?:pills|tablets|paracetamol|box)\b",
        r"\boverdos(?:e|ed|ing)\b",
    ], urgent=True, personal=True)
    add("self_harm", [
        r"\bself ?harm(?:ing|ed)?\b", r"\bcut(?:ting)? (?:my|me) (?:arms?|wrists?|legs?|skin)\b", r"\bi cut\b(?! (?:my|the) (?:hair|grass|nails|finger))",
        r"\bburn(?:ing|t|ed)? myself\b", r"\bhurting myself\b", r"\bscratch(?:ing)? myself\b", r"\bwant to disappear\b",
    ], personal=True)
    # -- abuse or violence at home
    add("physical_abuse_at_home", [
        rf"\bmy (?:{CLOSE}|mums? (?:boyfriend|partner)|carer|foster carer)(?: keeps| always| sometimes)? (?:hits?|hitting|beats?|beating|punch(?:es|ed|ing)?|kicks?|kicked|slaps?|slapped|chok(?:es|ed|ing)|strangl(?:es|ed)|hurts? me|hurt me|throws? things|threw)\b",
        r"\b(?:hits?|beats?|punch(?:es)?|kicks?|slaps?|chokes?) (?:me|her|him|us|my mum|my brother|my sister)\b", r"\b(?:hit|beat|punched|kicked|slapped|choked|strangled) me\b",
        r"\b(?:scared|afraid|frightened) of my (?:mum|dad|step ?dad|step ?mum|mums boyfriend|uncle|brother)\b",
        r"\bbruises?\b.*\b(?:dad|mum|step ?dad|uncle|home)\b",
    ], personal=True)
    add("domestic_abuse_witnessed", [
        r"\bdomestic (?:abuse|violence)\b(?=.*\b(?:home|house|mum|dad|we|my)\b)", r"\b(?:fight|fighting|screaming|shouting)\b.*\b(?:mum|dad)\b.*\b(?:hurt|hit|police|blood|scared)\b",
    ], personal=True)
    add("sexual_abuse", [r"\btouch(?:es|ed|ing)? me\b"], personal=True)
    add("physical_abuse_at_home", [r"\b(?:scared|afraid|frightened|terrified) (?:to go|of going|of being) home\b", r"\bnot safe (?:at|to go) home\b", r"\bhome (?:is not|isn't|aint|ain't) safe\b"], urgent=True, personal=True)
    add("homelessness_rough_sleeping", [r"\bkick(?:ed)? me out\b"], urgent=True, personal=True)
    # -- sexual exploitation, grooming, sextortion
    add("child_sexual_exploitation", [
        r"\b(?:send|share|post|leak|expose)\w* (?:my |the |them |those )?(?:pics|pictures|nudes|photos|videos|vids)\b.*\b(?:unless|if i don't|if i dont|or else|everyone|pay|money)\b",
        r"\b(?:threaten|threatening|blackmail)\w* (?:me|her|him|my)\b.*\b(?:pics|pictures|nudes|photos|videos|money)\b",
        r"\bsextort\w*\b",
    ], urgent=True, personal=True)
    add("child_sexual_exploitation", [
        r"\b(?:older|grown|adult) (?:man|men|guy|guys|woman|boyfriend)\b.*\b(?:gifts?|money|lifts?|drinks|weed|alcohol|hotel|party|parties|sleep with|meet)\b",
        r"\bmade (?:me|her|him) (?:have sex|do sexual|do stuff|do things)\b", r"\bsex for (?:money|drugs|somewhere to stay|a place)\b",
    ])
    add("online_grooming", [
        r"\b(?:asked|asks|asking|wants|want|made|make|makes|making|pressur\w+|forc\w+) (?:me|her|him|my \w+) (?:to )?(?:send|for) (?:nudes|pics|pictures|photos|videos)\b",
        r"\bnudes\b", r"\b(?:groom(?:ed|ing)|being groomed)\b",
        r"\bmet (?:a|this) (?:man|guy|boy|girl) online\b.*\b(?:meet|older|secret|pics)\b",
    ])
    add("sexual_abuse", [r"\b(?:raped|rape me|sexually (?:assaulted|abused))\b"])
    # -- criminal exploitation, county lines, debt bondage
    add("child_criminal_exploitation", [
        r"\bgo(?:ing|ne|es)? country\b", r"\bwent country\b", r"\b(?:run|running|ran|runs) (?:a |the )?lines?\b", r"\bcounty lines?\b",
        r"\btrap ?(?:house|line|phone)\b", r"\btrapping\b", r"\bplugg(?:ing|ed)\b", r"\bcuckoo(?:ing|ed)\b",
        r"\b(?:elders|olders|olders man)\b", r"\b(?:make|made|making|makes|tell|told|force|forced|forcing) (?:me|him|her|my \w+|us) (?:to )?(?:carry|hold|sell|deliver|drop|shot|bag up|move|stash|hide) (?:drugs|packs?|food|bits|it|stuff|parcels?|weed|things|a phone|the phone|money|a knife|a weapon)\b",
        r"\b(?:owe|owes|owing) (?:them|him|the elders|the olders|money|a debt|debt)\b", r"\b(?:in|got) debt (?:to|with) (?:them|him|some)\b",
        r"\b(?:sell|selling|sold|shotting|shot|deliver(?:ing)?) (?:drugs|weed|food|bits|packs)\b", r"\b(?:do|did|doing|does) (?:a|the) drops?\b", r"\bwork(?:ing)? for (?:some|the|these) (?:older|olders|elders|gang|guys|man|men)\b",
    ])
    # -- weapons and threats
    add("weapons", [
        r"\b(?:gonna|going to|will|gon|wanna|want to|said they'll|said they will|threaten\w* to|they'll|he'll|she'll) (?:stab|shank|shoot|kill|merk|wet|bore|cut|jump|get) (?:me|him|her|my \w+|us)\b",
        r"\b(?:has|have|got|had|pulled|pull|brought|bring|showed|carrying|carries|carry) (?:a |an |his |her |their )?(?:knife|blade|gun|machete|ting|strap|bora|nank|shank|zombie knife|weapon)\b.*\b(?:me|my|at school|tomorrow|tonight|on me|on them)\b",
        r"\b(?:knife|blade|gun|machete|weapon) (?:to|at) (?:my|me|his|her)\b", r"\bthreat(?:s|ened|ening)? (?:to kill|to stab|to shoot|me|my)\b",
    ], urgent=True)
    add("bullying_and_threats_serious", [
        r"\bput a price on\b", r"\bhit list\b", r"\b(?:they'll|they will|he'll|he will|gonna|going to) hurt my (?:mum|dad|family|sister|brother|nan)\b",
    ], urgent=True)
    add("weapons", [
        r"\b(?:i|we|my \w+|he|she|they) (?:carry|carries|carrying|have|has|got|keep|keeps) (?:a |an )?(?:knife|blade|ting|strap|bora|nank|shank|gun|weapon)\b",
        r"\bshank(?:ed|ing)?\b", r"\bstabbed\b", r"\b(?:ops|opps)\b", r"\b(?:jumped|got jumped|robbed me|mugged)\b",
        r"\b(?:scared|afraid) (?:of|to) (?:get|getting|be|being) (?:stabbed|shot|jumped|robbed|killed)\b", r"\bfor protection\b",
    ])
    # -- missing, runaway or homeless
    add("homelessness_rough_sleeping", [
        r"\b(?:nowhere|no where|no place) to (?:sleep|stay|go|live)\b", r"\bsleep(?:ing)? (?:rough|on the streets?|outside|in a park|on a bus|on night buses)\b",
        r"\b(?:kicked|thrown|chucked) (?:me )?out\b", r"\bhomeless\b(?=.*\b(?:i|i'm|me|my|we)\b)",
    ], urgent=True)
    add("missing_from_home", [
        r"\bran away\b", r"\brun(?:ning)? away\b", r"\bgo(?:ing|ne|es)? missing\b", r"\bwent missing\b", r"\bmissing from (?:home|care)\b",
        r"\b(?:sofa|couch) ?surf(?:ing)?\b", r"\bstay(?:ing)? at (?:random|different|strangers|some) (?:people's|peoples|places|houses|guy's)\b", r"\bdon't (?:go|want to go) home\b",
    ])
    # -- trafficking and modern slavery
    add("trafficking_modern_slavery", [
        r"\b(?:took|take|taken|keep|kept|keeping) (?:my|our) (?:passport|documents|papers|id)\b", r"\b(?:locked|keep|kept|keeps) (?:me|us) (?:in|inside)\b",
        r"\b(?:can't|cannot|not allowed to) (?:leave|go out|go home)\b", r"\bwork(?:ing)? (?:for no|without) (?:money|pay)\b", r"\btraffick\w*\b",
        r"\b(?:brought|bought|sold) (?:me|us|her|him) (?:here|to|from)\b", r"\bmodern slavery\b",
        r"\b(?:was|were|been|got) (?:brought|trafficked|sold|smuggled) (?:here|to|over|into)\b", r"\b(?:isn't|aren't|not|never) allowed to (?:leave|go out|go outside|go home|have (?:a|my) phone)\b",
    ], urgent=True)
    # -- forced marriage
    add("forced_marriage_fgm_honour", [
        r"\b(?:make|made|making|force|forced|forcing|want|wants) (?:me|her|my sister|my cousin) (?:to )?(?:marry|get married)\b",
        r"\b(?:forced|arranged) marriage\b(?=.*\b(?:me|my|i|sister|cousin)\b)", r"\b(?:taking|take|sending|send) me (?:back )?(?:abroad|back home|to \w+) to (?:marry|get married|be married)\b",
        r"\bmarry (?:a man|an older|someone) i (?:don't|dont|do not) (?:know|want)\b", r"\bforced into (?:a )?marriage\b",
    ], urgent=True)
    # -- neglect
    add("neglect", [
        r"\b(?:no|not enough|never any|never have) food (?:at|in) (?:home|the house)\b", r"\b(?:haven't|have not|havent|didn't|not) eaten (?:for|since|in) \w+\b",
        r"\b(?:left|leave|leaves) (?:me|us) (?:alone|on my own|on our own) (?:for|all)\b", r"\bno one (?:looks after|feeds|cares for) (?:me|us)\b",
        r"\b(?:mum|dad|parents?) (?:is|are) (?:always )?(?:drunk|high|passed out|out of it|never home)\b", r"\b(?:no|never any) (?:heating|electric|electricity|clean clothes)\b",
        r"\bi look after my (?:little |younger )?(?:brothers?|sisters?|siblings?) (?:because|cos|coz|as|when) (?:my )?(?:mum|dad|parents?)\b",
        r"\bgo to bed hungry\b", r"\bhungry (?:all the time|every day|at home)\b",
    ])
    # -- bullying with threats
    add("bullying_and_threats_serious", [
        r"\b(?:bully|bullies|bullied|bullying)\b.*\b(?:me|my)\b", r"\b(?:they|he|she) (?:said|say|says) (?:they'll|they will|he'll|she'll|gonna|going to) (?:beat|batter|hurt|get|jump) (?:me|my)\b",
        r"\b(?:threatening|threatened|threaten) me\b", r"\b(?:waiting for me|wait for me) (?:after school|outside|at the gates)\b", r"\bmaking my life hell\b",
        r"\beveryone (?:hates|picks on) me\b", r"\b(?:pick|picks|picking) on me\b", r"\bfind (?:out )?where (?:i|we) live\b",
    ])
    return r


RULES = _rules()
FIGURES_OF_SPEECH = re.compile(
    r"\b(?:killing me|killed me|dying to|i'd kill for|kill for a|dead boring|dead funny|my (?:phone|battery|laptop) (?:died|is dead)|"
    r"cut (?:my|the|his|her) (?:hair|grass|nails|fringe)|run (?:a|the) (?:line) (?:of|in) (?:code|poetry|text|the play)|"
    r"the plug (?:for|of|on) (?:my|the) (?:phone|charger|laptop)|went to the country|go to the country|in the country|"
    r"ops team|operations|"
    r"(?:run|ran|running|runs) (?:a|the|my) lines? (?:in|for) (?:the|a|our|my)(?: school)? (?:play|show|film|drama|performance|musical)|"
    r"elders (?:at|in|from|of) (?:the |our |my )?(?:church|mosque|temple|gurdwara|synagogue|community)|"
    r"hits? the (?:gym|road|ball|books|shops|hay|sack|jackpot)|punched the air|"
    r"(?:no one|nobody|noone)(?: \w+){0,3} (?:bullies|hits|hurts|picks on|threatens) me)\b"
)


@dataclass(frozen=True)
class Screening:
    level: str
    categories: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def _clauses(text: str) -> list[str]:
    # Young people often write without punctuation: split on punctuation and on "but"/"and then".
    return [c for c in re.split(r"[.!?\n;]+|\bbut\b|\band then\b", text) if c.strip()]


def screen_by_rules(text: str) -> Screening:
    """The precise rules alone. Urgent beats concern; categories and triggering phrases are reported."""
    normalised = normalise(text)
    found: dict[str, bool] = {}
    reasons: list[str] = []
    for clause in _clauses(normalised):
        clause_text = FIGURES_OF_SPEECH.sub(" ", clause)
        anchored = bool(ANCHOR.search(clause_text))
        topical = bool(TOPIC.search(clause_text))
        joking = bool(JOKE.search(clause))
        for rule in RULES:
            match = rule.pattern.search(clause_text)
            if not match:
                continue
            if not rule.personal and (not anchored or topical):
                continue
            if rule.personal and topical and not re.search(r"\b(?:i|me|my|myself|i'm|im)\b", clause_text):
                continue
            if joking and not rule.urgent:
                continue
            found[rule.category] = found.get(rule.category, False) or rule.urgent
            phrase = match.group(0).strip()
            if phrase not in reasons:
                reasons.append(phrase)
    if not found:
        return Screening("none")
    level = "urgent" if any(found.values()) else "concern"
    return Screening(level, [c for c in CATEGORIES if c in found], reasons)


# -- the learned model -------------------------------------------------------------------------

TRAINING_DATA = Path(__file__).resolve().parent / "data" / "safeguarding-train.tsv"
# Ordinary answers as negatives: without them short, plain answers ("Nothing.", "None. Quite
# satisfied.") scored like short hedged disclosures (see analysis/data/README.md).
ORDINARY_ANSWERS_DATA = TRAINING_DATA.with_name("ordinary-answers.tsv")  # written for Chorus
SHORT_ANSWERS_DATA = TRAINING_DATA.with_name("short-answers.tsv")
# The three blind sets, written by people who never saw our rules or data: spent as test sets, now
# training evidence from other writers (analysis/data/README.md). Each is a source of its own, so that
# thresholds are chosen by how well the model does on a writer it has not seen.
BLIND_DATA = tuple(TRAINING_DATA.with_name(f"safeguarding-blind-{k}.tsv") for k in (1, 2, 3))
# Where each training text came from (LabelledSet.sources): the groups of leave-one-source-out.
SOURCES = ("dev", "blind-1", "blind-2", "blind-3", "ordinary")
# MiniLM's vectors of all three files' texts, so that a start-up need not embed them (checked when read).
TRAINING_VECTORS_DATA = TRAINING_DATA.with_name("training-minilm-vectors.npz")
# The thresholds a fit's leave-one-source-out chooses on exactly the shipped texts, vectors, settings and
# scikit-learn, so that a start-up fits the final models only (checked by digest; else chosen afresh).
TRAINING_THRESHOLDS_DATA = TRAINING_DATA.with_name("training-thresholds.json")
# Two texts this alike (word or character TF-IDF cosine) are one phrasing: they never straddle a
# train/test split, so cross-validation cannot score a text against its own near-copy.
NEAR_DUPLICATE_WORDS = 0.35
NEAR_DUPLICATE_CHARACTERS = 0.45


class MissingScreeningData(RuntimeError):
    """The labelled texts the screening model learns from are absent; the message says how to get them."""


@dataclass(frozen=True)
class LabelledSet:
    texts: list[str]
    levels: list[str]
    categories: list[str]
    ordinary: list[bool] | None = None  # True for the ordinary answers (ungrouped; see training_groups)
    sources: list[str] | None = None  # which file (writer) each text came from: SOURCES


def training_set() -> LabelledSet:
    """All the shipped training texts: the dev set, the three spent blind sets, then ordinary answers."""
    paths = (TRAINING_DATA, *BLIND_DATA, ORDINARY_ANSWERS_DATA, SHORT_ANSWERS_DATA)
    names = ("dev", "blind-1", "blind-2", "blind-3", "ordinary", "ordinary")
    parts = [load_labelled_set(p) for p in paths]
    sources = [name for name, part in zip(names, parts, strict=True) for _ in part.texts]
    ordinary = [source == "ordinary" for source in sources]
    return LabelledSet(*(sum((getattr(p, f) for p in parts), []) for f in ("texts", "levels", "categories")), ordinary, sources)


def training_groups(texts: list[str], ordinary=None) -> np.ndarray:
    """Cross-validation groups: near-duplicate phrasings among the labelled texts; each ordinary answer alone.

    Ordinary answers share so many common words that near-duplicate links chain most of them (and
    dev texts) into one group, which wrecks the folds. They are de-duplicated when written and their
    honest figure is the real NHS comments, never trained on (docs/benchmarks.md), so each is its own group.
    """
    ordinary = np.zeros(len(texts), bool) if ordinary is None else np.asarray(ordinary, bool)
    groups = np.arange(len(texts)) + len(texts)
    labelled = np.flatnonzero(~ordinary)
    if len(labelled):
        groups[labelled] = near_duplicate_groups([texts[i] for i in labelled])
    return groups


def load_labelled_set(path: Path | str | None = None) -> LabelledSet:
    """Read a TSV with columns label, level, category, text (the training set's layout; default: the shipped one)."""
    path = Path(path) if path is not None else TRAINING_DATA
    if not path.is_file():
        raise MissingScreeningData(
            f"safeguarding screening needs its training texts at {path}, which is missing. They ship inside "
            "the chorus package (analysis/data/); reinstall Chorus (pip install .) or restore the file from the repository"
        )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or not {"label", "level", "category", "text"} <= set(rows[0]):
        raise ValueError(f"{path}: expected a tab-separated file with the columns label, level, category, text")
    unknown = {r["level"] for r in rows} - set(LEVELS)
    if unknown:
        raise ValueError(f"{path}: unknown level(s) {sorted(unknown)}; levels are {', '.join(LEVELS)}")
    return LabelledSet([r["text"] for r in rows], [r["level"] for r in rows], [r["category"] for r in rows])


def near_duplicate_groups(texts: list[str]) -> np.ndarray:
    """A group id per text: connected components of pairs at least this alike (see NEAR_DUPLICATE_*)."""
    normalised = [normalise(t) for t in texts]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(normalised)
    characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(normalised)
    alike = ((words @ words.T) >= NEAR_DUPLICATE_WORDS) + ((characters @ characters.T) >= NEAR_DUPLICATE_CHARACTERS)
    return connected_components(csr_matrix(alike), directed=False)[1]


def _ngram_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Word 1-2-grams and character 2-5-grams (within words: catches misspellings and slang forms)."""
    return (
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    )


def _ngrams(vectorizers, normalised) -> tuple[csr_matrix, csr_matrix]:
    """(word n-grams, character n-grams): each has its own regression, averaged with the sentence vectors'."""
    return tuple(v.transform(normalised) for v in vectorizers)


def _probability(model: LogisticRegression, features) -> np.ndarray:
    # The fitted model's own formula (predict_proba's input checks cost more than this for one answer).
    return expit(np.asarray(features @ model.coef_.ravel()).ravel() + model.intercept_[0])


def _logistic(c: float) -> LogisticRegression:
    # liblinear: the same fit as lbfgs here, several times faster on sparse n-grams.
    return LogisticRegression(C=c, solver="liblinear", max_iter=3000)


def _balanced(target: np.ndarray) -> np.ndarray:
    """Sample weights as class_weight="balanced": each class weighs the same in total."""
    return np.where(target, len(target) / (2 * target.sum()), len(target) / (2 * (~target).sum()))


def _veto_threshold(ordinary_scores: np.ndarray, allowed: int) -> float:
    """The lowest ordinary-answer score above which at most `allowed` of these disclosures lie."""
    ranked = np.sort(ordinary_scores)[::-1]
    return float(ranked[allowed]) if allowed < len(ranked) else 0.0


# Sentence vectors of the shipped training texts, by representation and text: every fit in a process
# (cross-validation, leave-one-category-out) reuses them. Only fit fills it; screened answers are never kept.
_TRAINING_VECTORS: dict[tuple[str, str], np.ndarray] = {}


def _sentence_vectors(texts: list[str], representation: str = "minilm") -> np.ndarray:
    from analysis.themes import embed  # MiniLM or wordllama, weights from their own packages, downloads off

    if representation == "minilm":
        import torch

        # One answer is too small to share between threads: on a busy 2-core machine two threads cost
        # about 10 times the CPU of one (238 vs 21 ms per answer; docs/benchmarks.md). Process-wide.
        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)
    # A text with no known word (emoji only) has no direction: its vector is zeros, not NaN.
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(embed(list(texts), model=representation))


def _texts_digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


def save_training_vectors(path: Path = TRAINING_VECTORS_DATA) -> None:
    """Write the MiniLM vectors of the shipped training texts (scripts/make_screening_vectors.py)."""
    texts = list(dict.fromkeys(training_set().texts))
    np.savez(path, digest=np.array(_texts_digest(texts)), texts_embedded=np.array(texts[:3]),
             vectors=_sentence_vectors(texts, "minilm").astype(np.float32))


def _load_training_vectors() -> None:
    """Take the shipped MiniLM vectors of the training texts, if they are still what MiniLM gives for them.

    Embedding the 1,713 training texts is a third of a fit's time at start-up (docs/benchmarks.md).
    A file for other texts (the training set changed) or from another model (its first vectors differ
    from a fresh embedding) is ignored, and the texts are embedded as before.
    """
    if not TRAINING_VECTORS_DATA.is_file():
        return
    texts = list(dict.fromkeys(training_set().texts))
    with np.load(TRAINING_VECTORS_DATA, allow_pickle=False) as shipped:
        if str(shipped["digest"]) != _texts_digest(texts) or len(shipped["vectors"]) != len(texts):
            return
        fresh = _sentence_vectors([str(t) for t in shipped["texts_embedded"]], "minilm")
        if not np.allclose(fresh, shipped["vectors"][: len(fresh)], atol=1e-4):
            return
        for text, vector in zip(texts, shipped["vectors"], strict=True):
            _TRAINING_VECTORS.setdefault(("minilm", text), vector)


_SHIPPED_VECTORS_LOADED = False


def _training_vectors(texts: list[str], representation: str) -> np.ndarray:
    """Sentence vectors for fit, each training text embedded once per process (or shipped, for MiniLM)."""
    global _SHIPPED_VECTORS_LOADED
    if representation == "minilm" and not _SHIPPED_VECTORS_LOADED:
        _SHIPPED_VECTORS_LOADED = True
        _load_training_vectors()
    missing = list(dict.fromkeys(t for t in texts if (representation, t) not in _TRAINING_VECTORS))
    if missing:
        for text, vector in zip(missing, _sentence_vectors(missing, representation), strict=True):
            _TRAINING_VECTORS[(representation, text)] = vector
    return np.asarray([_TRAINING_VECTORS[(representation, t)] for t in texts])


def _fit_digest(params: dict, texts, levels, ordinary, sources, vectors) -> str:
    """What a fit's thresholds depend on: settings, texts, labels, sources, vectors and scikit-learn's version."""
    digest = hashlib.sha256(json.dumps([sorted((k, repr(v)) for k, v in params.items()), list(texts), [str(v) for v in levels],
                                        [bool(o) for o in ordinary], None if sources is None else [str(s) for s in sources],
                                        sklearn_version, np.__version__]).encode("utf-8"))
    digest.update(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
    return digest.hexdigest()


def _shipped_thresholds(digest: str) -> tuple[float, float, float] | None:
    """The thresholds shipped for a fit with this digest (save_training_thresholds), or None."""
    try:
        shipped = json.loads(TRAINING_THRESHOLDS_DATA.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if shipped.get("digest") != digest:
        return None
    return float(shipped["threshold"]), float(shipped["urgent_threshold"]), float(shipped["ordinary_veto_threshold"])


def save_training_thresholds(path: Path | None = None) -> dict:
    """Choose the default screener's thresholds afresh and write them with their fit's digest
    (scripts/make_screening_vectors.py, after the vectors)."""
    global TRAINING_THRESHOLDS_DATA
    path = path or TRAINING_THRESHOLDS_DATA
    shipped, TRAINING_THRESHOLDS_DATA = TRAINING_THRESHOLDS_DATA, path.with_name(path.name + ".absent")
    try:
        labelled = training_set()
        screener = SafeguardingScreener().fit(labelled.texts, labelled.levels, labelled.categories, labelled.ordinary,
                                              labelled.sources)
    finally:
        TRAINING_THRESHOLDS_DATA = shipped
    record = {"digest": screener.fit_digest_, "threshold": screener.threshold_, "urgent_threshold": screener.urgent_threshold_,
              "ordinary_veto_threshold": screener.ordinary_veto_threshold_}
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def _threshold_for_recall(scores: np.ndarray, caught_anyway: np.ndarray, target_recall: float) -> float:
    """The highest threshold at which (score >= threshold) or caught_anyway reaches target_recall."""
    needed = int(np.ceil(target_recall * len(scores))) - int(caught_anyway.sum())
    rest = np.sort(scores[~caught_anyway])[::-1]
    if needed <= 0 or len(rest) == 0:
        return float(rest[0]) if len(rest) else 0.5
    return float(rest[min(needed, len(rest)) - 1])


class SafeguardingScreener(TextInputMixin, ClassifierMixin, BaseEstimator):
    """Rules plus a learned model over texts: predict() gives 'urgent', 'concern' or 'none'.

    A text is flagged when a precise rule fires or when the model's score reaches `threshold_`: the
    mean of three balanced logistic regressions, over word 1-2-gram TF-IDF, character 2-5-gram TF-IDF
    and sentence vectors (`representation`: all-MiniLM-L6-v2 by default, or wordllama), weighted by
    `weights`. The threshold is chosen inside `fit` by leave-one-source-out over the labelled sources
    (`sources`; each writer's texts scored by models fitted without them), or without sources by
    grouped cross-validation, as the highest at which rules-or-model still catch
    `target_recall` of the out-of-fold disclosures: a missed disclosure costs far more than a false alarm.
    `urgent` comes from an urgent rule or from a second model (urgent vs the rest) whose threshold
    is chosen the same way for `urgent_target_recall`. Categories come from the rules and, when the
    model flags a text, from a multinomial logistic regression over the training disclosures' kinds.
    `ordinary` (in fit) marks ordinary answers ("Nothing.", "None. Quite satisfied.", complaints about
    waiting times). They do not train the disclosure model (as negatives they made it flag youthful
    figures of speech instead); a third model, ordinary answers vs disclosures, vetoes the disclosure
    model's vote (never a rule's) when it is surer than `ordinary_veto_threshold_`, chosen in the same
    grouped CV so that the veto costs at most `ordinary_veto_loss` of the disclosures' recall.
    """

    # C, vector_C and target_recall chosen by leave-one-source-out (docs/benchmarks.md): of the settings
    # whose mean recall over held-out writers reached 0.95, the one with the lowest false-positive rate.
    def __init__(self, target_recall: float = 0.95, urgent_target_recall: float = 0.9, C: float = 30.0,
                 vector_C: float = 30.0, weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
                 representation: str = "minilm", ordinary_veto_loss: float = 0.01,
                 n_splits: int = 5, random_state: int = 0, threshold_cv: str = "source"):
        self.threshold_cv = threshold_cv
        self.target_recall = target_recall
        self.urgent_target_recall = urgent_target_recall
        self.C = C
        self.vector_C = vector_C
        self.weights = weights
        self.representation = representation
        self.ordinary_veto_loss = ordinary_veto_loss
        self.n_splits = n_splits
        self.random_state = random_state

    def fit(self, X, y, categories=None, ordinary=None, sources=None):
        """X: texts; y: levels (none / concern / urgent); categories: the kind of harm of each disclosure;
        ordinary: True for ordinary answers (negatives kept out of near-duplicate grouping); sources: the
        file (writer) of each text, for choosing thresholds by leave-one-source-out (see _threshold_folds)."""
        texts = [str(t) for t in X]
        levels = np.asarray(y, dtype=object)
        if len(texts) != len(levels):
            raise ValueError(f"{len(texts)} texts but {len(levels)} levels")
        if set(levels) - set(LEVELS):
            raise ValueError(f"unknown level(s) {sorted(set(levels) - set(LEVELS))}; levels are {', '.join(LEVELS)}")
        flagged = levels != "none"
        urgent = levels == "urgent"
        for name, positives in (("disclosures", flagged), ("urgent disclosures", urgent), ("texts with level none", ~flagged)):
            if positives.sum() < self.n_splits:
                raise ValueError(f"at least {self.n_splits} {name} are needed to choose thresholds by cross-validation")
        categories = np.asarray(categories if categories is not None else ["none"] * len(texts), dtype=object)
        ordinary = np.zeros(len(texts), bool) if ordinary is None else np.asarray(ordinary, bool)
        normalised = np.asarray([normalise(t) for t in texts], dtype=object)
        vectors = _training_vectors(texts, self.representation)
        by_rules = [screen_by_rules(t) for t in texts]
        rule_flagged = np.array([s.level != "none" for s in by_rules])
        rule_urgent = np.array([s.level == "urgent" for s in by_rules])
        self.fit_digest_ = _fit_digest(self.get_params(), texts, levels, ordinary, sources, vectors)
        shipped = _shipped_thresholds(self.fit_digest_)
        if shipped is None:
            self._choose_thresholds(texts, normalised, vectors, levels, ordinary, sources, rule_flagged, rule_urgent)
        else:
            self.threshold_, self.urgent_threshold_, self.ordinary_veto_threshold_ = shipped

        self.models_ = self._fit_models(normalised, vectors, flagged, urgent, ordinary)
        # Which kind of harm: a multinomial logistic regression over the disclosures alone.
        kinds = categories[flagged]
        if len(set(kinds)) > 1:
            features = hstack([*_ngrams(self.models_["features"], normalised[flagged]), csr_matrix(vectors[flagged])]).tocsr()
            self.category_model_ = LogisticRegression(C=10.0, max_iter=3000).fit(features, kinds)
        else:
            self.category_model_ = None
        self.classes_ = np.array(sorted(LEVELS))
        return self

    def _choose_thresholds(self, texts, normalised, vectors, levels, ordinary, sources, rule_flagged, rule_urgent):
        """threshold_, urgent_threshold_ and ordinary_veto_threshold_ from out-of-fold scores (_threshold_folds)."""
        flagged, urgent = levels != "none", levels == "urgent"
        # Out-of-fold scores on the training texts: each labelled source scored by models fitted without
        # it (a writer they never saw), or folds grouped by near-duplicate phrasing.
        disclosure_oof, urgent_oof, ordinary_oof = np.zeros(len(texts)), np.zeros(len(texts)), np.zeros(len(texts))
        scored = np.zeros(len(texts), bool)
        for train, test in self._threshold_folds(texts, normalised, levels, ordinary, sources):
            models = self._fit_models(normalised[train], vectors[train], flagged[train], urgent[train], ordinary[train])
            disclosure_oof[test], urgent_oof[test], ordinary_oof[test] = self._scores(models, normalised[test], vectors[test])
            scored[test] = True
        flagged_scored, urgent_scored = flagged & scored, urgent & scored
        self.threshold_ = _threshold_for_recall(disclosure_oof[flagged_scored], rule_flagged[flagged_scored], self.target_recall)
        # The veto may cost at most ordinary_veto_loss of the disclosures: those only the model catches.
        by_model_alone = flagged_scored & ~rule_flagged & (disclosure_oof >= self.threshold_)
        allowed = int(self.ordinary_veto_loss * flagged_scored.sum())
        self.ordinary_veto_threshold_ = _veto_threshold(ordinary_oof[by_model_alone], allowed) if ordinary.any() else np.inf
        self.urgent_threshold_ = _threshold_for_recall(urgent_oof[urgent_scored], rule_urgent[urgent_scored], self.urgent_target_recall)

    def _threshold_folds(self, texts, normalised, levels, ordinary, sources):
        """(train, test) index pairs whose out-of-fold scores choose the thresholds.

        threshold_cv "source" with sources given: leave-one-source-out over the sources that hold
        disclosures (the ordinary answers always train: with no disclosures they cannot set a threshold for
        recall), so a threshold is one that held on a writer the models never saw. Otherwise, or with fewer
        than two such sources: `n_splits` stratified folds grouped by near-duplicate phrasing.
        """
        if self.threshold_cv not in ("source", "near-duplicate"):
            raise ValueError(f"threshold_cv must be 'source' or 'near-duplicate', not {self.threshold_cv!r}")
        if sources is not None and self.threshold_cv == "source":
            sources = np.asarray(sources, dtype=object)
            if len(sources) != len(texts):
                raise ValueError(f"{len(texts)} texts but {len(sources)} sources")
            with_disclosures = [s for s in dict.fromkeys(sources) if (levels[sources == s] != "none").any()]
            if len(with_disclosures) >= 2:
                return [(np.flatnonzero(sources != s), np.flatnonzero(sources == s)) for s in with_disclosures]
        groups = training_groups(texts, ordinary)
        folds = StratifiedGroupKFold(self.n_splits, shuffle=True, random_state=self.random_state)
        return list(folds.split(normalised, levels, groups))

    def _fit_models(self, normalised, vectors, flagged, urgent, ordinary) -> dict:
        # The vocabulary comes from the labelled texts alone: with the ordinary answers' words in it the
        # disclosure model's weights shift and it flagged more figures of speech.
        labelled = ~ordinary
        vectorizers = tuple(v.fit(normalised[labelled]) for v in _ngram_vectorizers())
        words, characters = _ngrams(vectorizers, normalised)
        models = {"features": vectorizers}
        for name, target in (("disclosure", flagged), ("urgent", urgent)):
            models[name] = self._trio((words[labelled], characters[labelled], vectors[labelled]), target[labelled])
        if ordinary.any():
            among = ordinary | flagged
            models["ordinary"] = self._trio((words[among], characters[among], vectors[among]), ordinary[among])
        return models

    def _trio(self, features, target):
        """One balanced regression per representation: word n-grams, character n-grams, sentence vectors."""
        weights = _balanced(target)
        return tuple(_logistic(c).fit(x, target, sample_weight=weights) for c, x in zip((self.C, self.C, self.vector_C), features, strict=True))

    def _scores(self, models, normalised, vectors, ngrams=None):
        """(disclosure, urgent, ordinary-answer) scores; the last is zeros without ordinary answers."""
        features = (*(_ngrams(models["features"], normalised) if ngrams is None else ngrams), vectors)
        weights = np.asarray(self.weights, dtype=float) / sum(self.weights)
        return tuple(
            sum(w * _probability(model, x) for w, model, x in zip(weights, trio, features, strict=True)) if trio else np.zeros(len(normalised))
            for trio in (models["disclosure"], models["urgent"], models.get("ordinary"))
        )

    def _kinds(self, ngrams, vectors) -> list[tuple[str, float]] | None:
        """The likeliest kind of harm per text and its probability (the model's own softmax, as in _probability)."""
        model = self.category_model_
        if model is None:
            return None
        words, characters = ngrams  # the coefficients: word n-grams, character n-grams, then sentence vectors
        split = words.shape[1] + characters.shape[1]
        logits = (np.asarray(words @ model.coef_[:, :words.shape[1]].T) + np.asarray(characters @ model.coef_[:, words.shape[1]:split].T)
                  + vectors @ model.coef_[:, split:].T + model.intercept_)
        probabilities = softmax(logits, axis=1)
        best = probabilities.argmax(axis=1)
        return [(str(model.classes_[b]), float(probabilities[i, b])) for i, b in enumerate(best)]

    def decision_scores(self, X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(disclosure, urgent, ordinary-answer score) per text, each in 0-1."""
        check_is_fitted(self)
        texts = [str(t) for t in X]
        return self._scores(self.models_, np.asarray([normalise(t) for t in texts], dtype=object), _sentence_vectors(texts, self.representation))

    def screen_all(self, X) -> list[Screening]:
        """Screen texts with rules and model together; reasons name rule phrases and similar examples."""
        check_is_fitted(self)
        texts = [str(t) for t in X]
        if not texts:
            return []
        with config_context(assume_finite=True, skip_parameter_validation=True):  # per-call checks cost more than the maths
            return self._screen_all(texts)

    def _screen_all(self, texts: list[str]) -> list[Screening]:
        normalised = np.asarray([normalise(t) for t in texts], dtype=object)
        vectors = _sentence_vectors(texts, self.representation)
        ngrams = _ngrams(self.models_["features"], normalised)
        disclosure, urgent, ordinary = self._scores(self.models_, normalised, vectors, ngrams)
        kinds = self._kinds(ngrams, vectors)
        results = []
        for i, text in enumerate(texts):
            by_rules = screen_by_rules(text) if text.strip() else Screening("none")
            model_flags = bool(text.strip()) and disclosure[i] >= self.threshold_ and ordinary[i] <= self.ordinary_veto_threshold_
            if by_rules.level == "none" and not model_flags:
                results.append(Screening("none"))
                continue
            categories, reasons = list(by_rules.categories), list(by_rules.reasons)
            if model_flags and kinds is not None:
                category, probability = kinds[i]
                if category in CATEGORIES and category not in categories:
                    categories.append(category)
                reasons.append(f"similar to examples of {category.replace('_', ' ')} ({probability:.2f})")
            elif model_flags:
                reasons.append(f"similar to examples of disclosures ({disclosure[i]:.2f})")
            level = "urgent" if by_rules.level == "urgent" or urgent[i] >= self.urgent_threshold_ else "concern"
            results.append(Screening(level, [c for c in CATEGORIES if c in categories], reasons))
        return results

    def predict(self, X):
        return np.array([s.level for s in self.screen_all(X)], dtype=object)


_DEFAULT: SafeguardingScreener | None = None
_DEFAULT_LOCK = threading.Lock()


def default_screener() -> SafeguardingScreener:
    """The screener fitted on the shipped training set, once per process (a few seconds; see docs/benchmarks.md)."""
    global _DEFAULT
    with _DEFAULT_LOCK:  # two first answers at once must not fit twice
        if _DEFAULT is None:
            labelled = training_set()
            _DEFAULT = SafeguardingScreener().fit(labelled.texts, labelled.levels, labelled.categories, labelled.ordinary,
                                                  labelled.sources)
        return _DEFAULT


def require_training_data() -> None:
    """Raise MissingScreeningData, saying how to get it, when the training texts are absent."""
    for path in (TRAINING_DATA, *BLIND_DATA, ORDINARY_ANSWERS_DATA, SHORT_ANSWERS_DATA):
        if not path.is_file():
            load_labelled_set(path)


def screen(text: str) -> Screening:
    """Screen one text with the precise rules and the learned model (fitted on first use)."""
    return default_screener().screen_all([text])[0]


def screen_many(texts: list[str]) -> list[Screening]:
    """screen() for many texts at once: the sentence model embeds them in batches, for about a
    fifth of the CPU per text that one at a time costs (docs/benchmarks.md)."""
    return default_screener().screen_all(texts)
