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

import re
from dataclasses import dataclass, field

from sklearn.base import BaseEstimator, ClassifierMixin

from analysis.text import TextInputMixin, normalise

CATEGORIES = (
    "self_harm_suicide",
    "abuse_at_home",
    "sexual_exploitation",
    "criminal_exploitation",
    "weapons_threats",
    "missing_runaway_homeless",
    "trafficking_modern_slavery",
    "forced_marriage",
    "neglect",
    "bullying_threats",
)

# Someone the text is about: the writer, or a person close to them.
CLOSE = r"(?:friend|mate|bestie|bro|brother|sis|sister|cousin|girlfriend|boyfriend|gf|bf|little brother|little sister|mum|dad|mother|father|step ?dad|step ?mum|uncle|aunt|auntie|nan|neighbour)"
ANCHOR = re.compile(
    rf"\b(?:i|i'm|i've|i'll|i'd|me|my|myself|mine|we|us|our|im|ive)\b|\bmy {CLOSE}\b|\b(?:he|she|they|him|her|them)\b"
)
# Framing that makes a risk word a topic rather than a disclosure.
TOPIC = re.compile(
    r"\b(?:workshops?|lessons?|assembl(?:y|ies)|awareness|campaigns?|education|educate|teach(?:es|ing)?|"
    r"learn(?:t|ed|ing)? about|talks? about|talk to us about|information about|info about|in the news|"
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
    add("self_harm_suicide", [
        r"\b(?:kill|kil|end|hurt|harm|cut|starve|hang|off) (?:my ?self|myself|meself)\b",
        r"\bkms\b", r"\bunalive (?:my ?self|myself|me)\b", r"\b(?:want|wanna|going|gonna|planning|plan|tried|try|trying) to (?:die|end it|end it all|not be here|disappear forever)\b",
        r"\b(?:su[i]?c[i]?d(?:e|al)|sucidal|suiside|suicidle)\b", r"\bend(?:ing)? (?:it all|my life|things)\b",
        r"\b(?:want|wants|wanted|wanna|wanting) to die\b", r"\b(?:can't|don't|cant|dont) see (?:the|any) point (?:in|of) (?:living|life|being alive|going on|anything)\b",
        r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting)s? (?:her|him|them)sel(?:f|ves)\b",
        r"\b(?:don't|do not|dont) want to (?:be alive|live|be here)(?: anymore)?\b", r"\bno (?:point|reason) (?:in )?(?:living|being alive|to live)\b",
        r"\bbetter off (?:dead|without me)\b", r"\b(?:take|took|taking|swallow(?:ed)?) (?:all|loads|a load|a lot|too many|the whole|a bunch)(?: of)? (?:the |my |her |his )?(?:pills|tablets|paracetamol|box)\b",
        r"\boverdos(?:e|ed|ing)\b",
    ], urgent=True, personal=True)
    add("self_harm_suicide", [
        r"\bself ?harm(?:ing|ed)?\b", r"\bcut(?:ting)? (?:my|me) (?:arms?|wrists?|legs?|skin)\b", r"\bi cut\b(?! (?:my|the) (?:hair|grass|nails|finger))",
        r"\bburn(?:ing|t|ed)? myself\b", r"\bhurting myself\b", r"\bscratch(?:ing)? myself\b", r"\bwant to disappear\b",
    ], personal=True)
    # -- abuse or violence at home
    add("abuse_at_home", [
        rf"\bmy (?:{CLOSE}|mums? (?:boyfriend|partner)|carer|foster carer)(?: keeps| always| sometimes)? (?:hits?|hitting|beats?|beating|punch(?:es|ed|ing)?|kicks?|kicked|slaps?|slapped|chok(?:es|ed|ing)|strangl(?:es|ed)|hurts? me|hurt me|throws? things|threw)\b",
        r"\b(?:hits?|beats?|punch(?:es)?|kicks?|slaps?|chokes?) (?:me|her|him|us|my mum|my brother|my sister)\b", r"\b(?:hit|beat|punched|kicked|slapped|choked|strangled) me\b",
        r"\b(?:scared|afraid|frightened) of my (?:mum|dad|step ?dad|step ?mum|mums boyfriend|uncle|brother)\b",
        r"\bdomestic (?:abuse|violence)\b(?=.*\b(?:home|house|mum|dad|we|my)\b)", r"\b(?:fight|fighting|screaming|shouting)\b.*\b(?:mum|dad)\b.*\b(?:hurt|hit|police|blood|scared)\b",
        r"\bbruises?\b.*\b(?:dad|mum|step ?dad|uncle|home)\b", r"\btouch(?:es|ed|ing)? me\b",
    ], personal=True)
    add("abuse_at_home", [r"\b(?:scared|afraid|frightened|terrified) (?:to go|of going|of being) home\b", r"\bnot safe (?:at|to go) home\b", r"\bhome (?:is not|isn't|aint|ain't) safe\b", r"\bkick(?:ed)? me out\b"], urgent=True, personal=True)
    # -- sexual exploitation, grooming, sextortion
    add("sexual_exploitation", [
        r"\b(?:send|share|post|leak|expose)\w* (?:my |the |them |those )?(?:pics|pictures|nudes|photos|videos|vids)\b.*\b(?:unless|if i don't|if i dont|or else|everyone|pay|money)\b",
        r"\b(?:threaten|threatening|blackmail)\w* (?:me|her|him|my)\b.*\b(?:pics|pictures|nudes|photos|videos|money)\b",
        r"\bsextort\w*\b",
    ], urgent=True, personal=True)
    add("sexual_exploitation", [
        r"\b(?:older|grown|adult) (?:man|men|guy|guys|woman|boyfriend)\b.*\b(?:gifts?|money|lifts?|drinks|weed|alcohol|hotel|party|parties|sleep with|meet)\b",
        r"\b(?:asked|asks|asking|wants|want|made|make|makes|making|pressur\w+|forc\w+) (?:me|her|him|my \w+) (?:to )?(?:send|for) (?:nudes|pics|pictures|photos|videos)\b",
        r"\bnudes\b", r"\b(?:groom(?:ed|ing)|being groomed)\b", r"\bmade (?:me|her|him) (?:have sex|do sexual|do stuff|do things)\b",
        r"\b(?:raped|rape me|sexually (?:assaulted|abused))\b", r"\bsex for (?:money|drugs|somewhere to stay|a place)\b",
        r"\bmet (?:a|this) (?:man|guy|boy|girl) online\b.*\b(?:meet|older|secret|pics)\b",
    ])
    # -- criminal exploitation, county lines, debt bondage
    add("criminal_exploitation", [
        r"\bgo(?:ing|ne|es)? country\b", r"\bwent country\b", r"\b(?:run|running|ran|runs) (?:a |the )?lines?\b", r"\bcounty lines?\b",
        r"\btrap ?(?:house|line|phone)\b", r"\btrapping\b", r"\bplugg(?:ing|ed)\b", r"\bcuckoo(?:ing|ed)\b",
        r"\b(?:elders|olders|olders man)\b", r"\b(?:make|made|making|makes|tell|told|force|forced|forcing) (?:me|him|her|my \w+|us) (?:to )?(?:carry|hold|sell|deliver|drop|shot|bag up|move|stash|hide) (?:drugs|packs?|food|bits|it|stuff|parcels?|weed|things|a phone|the phone|money|a knife|a weapon)\b",
        r"\b(?:owe|owes|owing) (?:them|him|the elders|the olders|money|a debt|debt)\b", r"\b(?:in|got) debt (?:to|with) (?:them|him|some)\b",
        r"\b(?:sell|selling|sold|shotting|shot|deliver(?:ing)?) (?:drugs|weed|food|bits|packs)\b", r"\b(?:do|did|doing|does) (?:a|the) drops?\b", r"\bwork(?:ing)? for (?:some|the|these) (?:older|olders|elders|gang|guys|man|men)\b",
    ])
    # -- weapons and threats
    add("weapons_threats", [
        r"\b(?:gonna|going to|will|gon|wanna|want to|said they'll|said they will|threaten\w* to|they'll|he'll|she'll) (?:stab|shank|shoot|kill|merk|wet|bore|cut|jump|get) (?:me|him|her|my \w+|us)\b",
        r"\b(?:has|have|got|had|pulled|pull|brought|bring|showed|carrying|carries|carry) (?:a |an |his |her |their )?(?:knife|blade|gun|machete|ting|strap|bora|nank|shank|zombie knife|weapon)\b.*\b(?:me|my|at school|tomorrow|tonight|on me|on them)\b",
        r"\b(?:knife|blade|gun|machete|weapon) (?:to|at) (?:my|me|his|her)\b", r"\bthreat(?:s|ened|ening)? (?:to kill|to stab|to shoot|me|my)\b",
        r"\bput a price on\b", r"\bhit list\b", r"\b(?:they'll|they will|he'll|he will|gonna|going to) hurt my (?:mum|dad|family|sister|brother|nan)\b",
    ], urgent=True)
    add("weapons_threats", [
        r"\b(?:i|we|my \w+|he|she|they) (?:carry|carries|carrying|have|has|got|keep|keeps) (?:a |an )?(?:knife|blade|ting|strap|bora|nank|shank|gun|weapon)\b",
        r"\bshank(?:ed|ing)?\b", r"\bstabbed\b", r"\b(?:ops|opps)\b", r"\b(?:jumped|got jumped|robbed me|mugged)\b",
        r"\b(?:scared|afraid) (?:of|to) (?:get|getting|be|being) (?:stabbed|shot|jumped|robbed|killed)\b", r"\bfor protection\b",
    ])
    # -- missing, runaway or homeless
    add("missing_runaway_homeless", [
        r"\b(?:nowhere|no where|no place) to (?:sleep|stay|go|live)\b", r"\bsleep(?:ing)? (?:rough|on the streets?|outside|in a park|on a bus|on night buses)\b",
        r"\b(?:kicked|thrown|chucked) (?:me )?out\b", r"\bhomeless\b(?=.*\b(?:i|i'm|me|my|we)\b)",
    ], urgent=True)
    add("missing_runaway_homeless", [
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
    add("forced_marriage", [
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
    add("bullying_threats", [
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
    r"run (?:a|the|my) lines? (?:in|for) (?:the|a|our|my)(?: school)? (?:play|show|film|drama|performance|musical)|"
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


def screen(text: str) -> Screening:
    """Screen one text. Urgent beats concern; categories and triggering phrases are reported."""
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


class SafeguardingScreener(TextInputMixin, ClassifierMixin, BaseEstimator):
    """scikit-learn classifier over texts: predict() gives 'urgent', 'concern' or 'none'.

    Rules, not learned weights: fit() only records the classes, so the behaviour is the same
    however little labelled data a partnership has.
    """


    def fit(self, X, y=None):
        import numpy as np

        self.classes_ = np.array(["concern", "none", "urgent"])
        return self

    def predict(self, X):
        import numpy as np

        return np.array([screen(str(text)).level for text in X])
