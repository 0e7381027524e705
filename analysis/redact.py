"""Remove personal details before text is shared: typed placeholders, tuned for recall.

Two passes. Patterns find details with a shape (emails, links, phone, card, NHS and bank numbers,
postcodes, vehicle registrations, dates, handles, addresses, estates, schools, youth clubs). Names have no
shape, so a word is judged with NLTK's lexicons and its context: a word that is not English (the
`words` corpus, with its inflections) and is not a known place, app or brand is a name; a first
name that is also a word ("Will", "Rose", "Grace") is one only with a surname or a cue ("my
brother …", "Miss …", "… and I", the POS tagger saying proper noun before a verb); a lower-case
word needs a first name from the `names` corpus or such a cue ("me and jamal", "kemar's number").
An age counts as a detail only in a text that also names someone.

Over-redacting a phrase is a small loss; leaving a child's name or phone number in a board paper
is not. Measured by `scripts/evaluate_redaction.py` (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sklearn.base import BaseEstimator, TransformerMixin

from analysis.text import TextInputMixin

MONTHS = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
STREET_TYPES = (
    r"road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|grove|gardens|gdns|place|pl|crescent|court|ct|"
    r"terrace|hill|park|square|sq|walk|mews|row|green|parade|rise|vale|view|broadway|lanes"
)
# The UK's postcode areas (Royal Mail), for outward codes written alone ("M14", "LS8").
POSTCODE_AREAS = (
    "AB|AL|BA|BB|BD|BH|BL|BN|BR|BS|BT|B|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|DT|DY|EC|EH|EN|EX|E|FK|FY|GL|GU|"
    "GY|G|HA|HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|LA|LD|LE|LL|LN|LS|LU|L|ME|MK|ML|M|NE|NG|NN|NP|NR|NW|N|OL|OX|"
    "PA|PE|PH|PL|PO|PR|RG|RH|RM|SA|SE|SG|SK|SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|S|TA|TD|TF|TN|TQ|TR|TS|TW|UB|WA|WC|WD|WF|WN|WR|"
    "WS|WV|W|YO|ZE"
)
BUILDINGS = r"house|tower|towers|court|lodge|mansions|point|heights"
# What follows "St Thomas'"/"St John's" when it is no school: a hospital, a church, a charity, a saint's day, a place.
SAINTS_NOT_SCHOOLS = (r"ambulance|hospital|cathedral|church|chapel|day|park|station|square|gardens|wood|road|street|"
                      r"market|centre|center|hall|hospice|surgery|clinic|medical|estate")
PLATFORMS = (
    r"snap(?:chat)?|sc|insta(?:gram)?|ig|tiktok|tik tok|twitter|discord|xbox|psn|playstation|steam|twitch|"
    r"youtube|yt|roblox|fortnite|gamertag|gamer tag|telegram|kik|facebook|fb|whatsapp|bereal"
)
# What may stand between a platform and a handle: "snap me", "my discord is", "insta -", "gamertag".
HANDLE_GLUE = rf"(?:\s*(?:[:=\-(]|\b(?:{PLATFORMS})\b|\bme\b|\bis\b|['’]s\b|\bits\b|\bit['’]s\b|\bon\b|\bat\b|\bname\b|\bid\b|\buser(?:name)?\b|\bgamertag\b|\btag\b|\bhandle\b|\badd\b))*\s*"
HANDLE_SHAPE = r"@?[\w][\w.]*(?:#\d{3,5})?"
# Words that say a place is where someone lives, a few words before it ("I stay at my nan's on …", "my flat is in …").
HOME_WORDS = r"live|lives|living|lived|stay|stays|staying|stayed|placement|hostel|flat|house|home|address|moved|moving"
HOME = (
    r"(?:i|we)\s+(?:live|lived|stay|stayed)|(?:lives|stays)|(?:i'?m|we'?re)(?=\s+on\b)|i'?m\s+living|we'?re\s+living|(?:my|our)\s+(?:house|home|flat|address)\s+is|"
    r"(?:i'?m|we'?re)\s+moving|(?:i|we)\s+moved|(?:my|our)\s+(?:street|road)\s+is|(?:my|our)\s+(?:house|home|flat)"
)

# A gamertag may have spaces ("Silent Ninja 47", "xX DarkRyder Xx"): after the word, the run of words with a capital or a digit.
GAMERTAG = (r"(?i:\b(?:gamer\s?tag|psn(?:\s+(?:id|name))?|xbox\s+(?:name|tag))\b(?:\s+(?:is|=)\b|\s*[:=-])?\s*)"
            r"(?P<gt>(?:(?:[A-Za-z]*[A-Z][\w]*|[\w]*\d[\w]*)\s+){0,3}(?:[A-Za-z]*[A-Z][\w]*|[\w]*\d[\w]*))\b")
# Handle-shaped words ("mariaaa.x", "jess_x") count as handles only in a text that names a platform (not "service.thank").
PLATFORM_WORD = re.compile(rf"(?i:\b(?:{PLATFORMS}|snap|account|username|handle|add me|follow)\b)")
DOTTED_HANDLE = re.compile(r"(?<![\w@.])(?P<d>[a-z][a-z0-9]*(?:[._][a-z0-9]+)+_?|[a-z][a-z0-9]*_)(?![\w@])(?!\.\w)")

# A school named without "school" after a cue that says it is one ("attends Gladesmore", "head of year at Mossbourne").
SCHOOL_CUE = re.compile(
    r"(?i:\b(?:attends|attending|attended|pupil\s+at|student\s+at|students\s+at|teacher\s+at|teachers\s+at|"
    r"head\s+of\s+year\s+at|headteacher\s+at|(?:go|goes|went|going)\s+to\s+school\s+at|(?:excluded|expelled)\s+from)\s+)"
    r"(?P<y>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})")

# Order matters: a later rule never sees what an earlier one replaced.
RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(
        r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
        # Written out to get past filters: "kezia.b at gmail dot com".
        r"|[\w.+'-]+\s*(?:\(at\)|\[at\]|\s+at\s+)\s*[\w-]+(?:\s*(?:\.|\(dot\)|\s+dot\s+)\s*(?:com|co|uk|org|net|ac|sch))+\b", re.I)),
    ("URL", re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|co\.uk|org|net|uk|io|me|tv)(?:/\S*)?\b", re.I)),
    ("HANDLE", re.compile(GAMERTAG)),
    ("HANDLE", re.compile(
        rf"(?i:\b(?:{PLATFORMS}))\b{HANDLE_GLUE}(?P<h>{HANDLE_SHAPE})"
        r"|(?<![\w@.])@[\w.]{2,30}"
        r"|\b[^\W_]{2,30}#\d{4}\b"  # discord tags
        r"|(?i:\b(?!(?:covid|year|yr|fifa|top|under|over|ps|mp|gcse|level|grade|room|bus|route|page)\d)"
        r"(?P<g>(?-i:(?=[A-Za-z._]*[a-z]))(?=[a-z._]*[a-z]{3})[a-z][a-z._]*[a-z]_?\d{2,4})\b)"  # sarahxx2010, NightOwl4471
        r"|\b[a-z]+_[a-z0-9_.]+\b"  # kai_b2k
        r"|(?i:\bmy\s+@\s*(?:is\s+|[:=-]\s*)?)(?P<m>@?\w[\w.]*)"  # "my @ is jaylen.wav"
    )),
    ("PHONE", re.compile(
        r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|0044\s?|\(?0)(?:[\s\-()]{0,2}\d){9,10}(?!\d)"
        r"|(?<![\w.])0\d{4}\.\d{3}\.\d{3}(?![\d.])"
        # A mobile written without its 0 or +: "447700 900123", "7700 900123".
        r"|(?<![\w+])(?:44\s?)?7\d{3}(?:[\s-]?\d{6}|[\s-]\d{3}[\s-]\d{3})(?![\d-])")),
    ("NUMBER", re.compile(
        r"\b\d{4}(?:[ -]?(?:\d{4}|[*xX]{4})){3}\b"  # card numbers
        r"|(?i:\bcard\b|\bdigits\b)[^.\d\n]{0,40}?(?P<c>\b\d{4}(?:\s\d{4})*)\b"  # part of a card number
        r"|(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])"  # NHS numbers
        r"|\b\d{2}-\d{2}-\d{2}\b"  # sort codes
        r"|(?i:\baccount(?:\s+(?:number|no\.?))?(?:\s+is)?\s*:?\s*)(?P<a>\d{8})\b"
    )),
    ("POSTCODE", re.compile(
        r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b|\b(?:E|N|W|SE|SW|NW|EC|WC|IG|RM|DA|BR|CR|EN|HA|UB|TW|KT|SM)\d{1,2}\b"
        # Elsewhere an outward code alone needs a cue ("I live in M14"), or it may be a vitamin or a motorway.
        rf"|\b(?:in|from|postcode|near|round|around|live|living)\s+(?:is\s+|:\s*)?(?P<o>(?-i:(?:{POSTCODE_AREAS})\d{{1,2}}[A-Z]?))\b(?!\s*\d[A-Z]{{2}}\b)",
        re.I)),
    ("REG", re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b", re.I)),
    ("DATE", re.compile(
        # A birthday without its year is still one: "my birthday is the 14th of March".
        rf"(?:\b(?:birthday|born|dob|d\.o\.b\.?|date of birth)\b[^.!?\n\d]{{0,12}}?)"
        rf"(?P<d>\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b\.?(?:,?\s+\d{{4}}\b)?"
        rf"|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?)"
        rf"|\b\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\.?,?\s+\d{{4}}\b"
        rf"|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
        r"|\b(?:19|20)\d{2}-[01]\d-[0-3]\d\b", re.I)),
    ("SCHOOL", re.compile(
        r"\b(?:(?:St\.?|Saint)\s+)?(?!The\b)(?:[A-Z][\w'’&-]*\s+(?:(?:and|of|&)\s+(?=[A-Z]))?){1,4}"
        r"(?:Academy|School|College|Primary|Secondary|Sixth Form|PRU|High|Youth\s+(?:Club|Centre|Center|Project|Hub)|Hub)\b"
        r"(?!\s+(?i:street|st|road|rd)\b)(?:\s+(?:School|College|Academy))?(?:\s+for\s+(?:Girls|Boys))?"
        # A saint's name is a school only when nothing says it is a hospital, a church, a charity or a day.
        rf"|\b(?i:st\.?|saint)\s+[^\W\d_]+['’]s\b(?!\s+(?i:{SAINTS_NOT_SCHOOLS})\b)(?:\s+(?:[A-Z][\w'’-]*\s+){0,2}(?:School|College|Academy|Primary|High))?"
    )),
    # Lower case, checked against the lexicon in pattern_spans: "langdon academy", not "my old primary school".
    ("SCHOOL", re.compile(r"\b(?P<l>(?:[A-Za-z][\w'’-]*\s+){1,3}(?i:academy|school|college|primary|high|sixth form|youth club|youth centre))\b"
                          r"(?!\s+(?i:street|st|road|rd)\b)"
                          r"|(?i:\b(?:year|yr)\s*\d{1,2}\s+at\s+)(?P<y>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2})")),
    ("SCHOOL", SCHOOL_CUE),
    ("ADDRESS", re.compile(
        rf"(?i:\b(?:flat|apartment|apt)\s+\d+\w?(?:,\s*(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{BUILDINGS}))?(?:,\s*\d{{1,4}}[a-z]?\s+(?:[A-Za-z'’-]+\s+){{1,3}}(?:{STREET_TYPES})\b)?)"
        r"|\b(?i:flat|apartment|apt)\s+[A-HJ-Z]\b(?![\w'’])"
        rf"|\b\d{{1,4}}[a-zA-Z]?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{BUILDINGS})\b(?:,\s*(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{STREET_TYPES})\b)?"
        rf"|(?i:\bnumber\s+\d{{1,4}}[a-z]?\s+(?:on|in)\s+)?\b\d{{1,4}}[a-zA-Z]?\s+(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{STREET_TYPES})\b(?:\s+(?:North|South|East|West))?"
        rf"|(?i:\bnumber\s+\d{{1,4}}[a-z]?\s+(?:on|in)\s+)(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{STREET_TYPES})\b"
        rf"|(?i:\b(?:{HOME})\s+(?:(?:on|in|at|off|near|to|down|by|up)\s+)?(?:the\s+)?(?P<s>(?:\d{{1,4}}[a-z]?\s+)?(?:(?!(?:the|a|an|my|our|this|that|same|local|main|high|big|little|quiet|busy)\b)[a-z][\w'’-]*\s+){{1,3}}(?:{STREET_TYPES})))\b"
        r"|\b(?:[A-Z][\w'’-]*\s+){1,3}(?i:estate)\b"
        r"|\b[Bb]lock\s+[A-Z]\b"
    )),
    # A street or block a few words after a home word; after the rest, so that "our flat is 3B Heron House on …" keeps both.
    ("ADDRESS", re.compile(
        rf"(?i:\b(?:{HOME_WORDS})\b[^.!?;\n]{{0,40}}?\b(?:on|in|off|at)\s+)(?P<t>(?:[A-Z][\w'’-]*\s+){{1,3}}(?i:{STREET_TYPES}|{BUILDINGS}))\b")),
)

# A named youth club, centre or hub is typed as a club, not a school.
CLUB_ENDING = re.compile(r"(?i:\b(?:club|centre|center|hub|project))$")

# Words that take a name after them; the title goes with the name ("Sgt Okafor" -> "[NAME]").
TITLES = frozenset("""mr mrs ms miss mx dr sir pc dc sgt ds di dci insp inspector sergeant constable officer detective
coach prof professor rev reverend pastor imam pcso pcsos supt superintendent madame madam mme mlle monsieur herr
frau senor señor senora señora signor signora profe ustadh ustadha ustaz sheikh""".split())
# People a young person names ("my brother Marcus", "our youth worker, Dami").
RELATIONS = frozenset("""mum mam mom mother dad father stepdad stepmum brother bro sister sis cousin uncle aunt
auntie nan nana gran grandma grandad nanny friend mate bestie boyfriend girlfriend bf gf teacher tutor neighbour
son daughter partner carer worker keyworker caseworker coach tester participant siblings sibling twin mentor volunteer""".split())
RELATION_ADJECTIVES = frozenset("little big older younger baby twin best new old step half".split())
INTRODUCERS = (("big", "up"), ("shout", "out", "to"), ("shoutout", "to"), ("shout", "out"), ("thanks", "to"),
               ("my", "name", "is"), ("my", "name's"), ("my", "names"), ("name", "is"), ("name",), ("named",),
               ("called",), ("i'm", "called"), ("call", "me"), ("i'm",), ("im",), ("i", "am"), ("it's",), ("this", "is"))
# What a person has: "kemar's number", "Amira's mum".
POSSESSIONS = RELATIONS | frozenset("number phone house flat address snap snapchat insta instagram email car bike".split())
# Verbs whose object is usually a person: "I told kayden", "he messaged tobi".
PERSON_VERBS = frozenset("""told tell asked ask texted messaged dm'd met meet saw blocked hit punched followed ignored
bullied bullying threatened threatening grabbed touched""".split())
# Words that start a sentence before a name without being part of it ("Contact Kofi on …").
ADDRESSING = frozenset("call ring text message email contact ask tell thank thanks welcome hi hello hey dear meet invite add follow dm".split())
PLACE_PREPOSITIONS = frozenset("in at to near outside into around via towards past visit visited from".split())
DETERMINERS = frozenset("the a an this that these those every each our their his her your its".split())
PLACE_NOUNS = frozenset("""station park line road street lane avenue estate centre center library market mall common
green hospital church mosque gurdwara temple academy school college university gym pool stadium bridge square
broadway overground underground tube river canal shopping city town borough council leisure sports community
hall arena field fields way high grove close""".split())
# Words after a capitalised word that make it an organisation, team or event, not a person ("Prince's Trust", "Chelsea fans").
ORG_NOUNS = frozenset("""trust ambulance cross army society foundation charity fans fc united carnival festival appeal""".split())
# Words that open a sentence before a name without being part of it ("Yesterday Oduya …", "Poor Oduya …").
OPENERS = frozenset("""yesterday today tonight tomorrow please maybe sometimes also basically then now so oh poor lil
little big old young dear plus anyway""".split())
# Words before "to" that take a person after it ("listen to …", "next to …", "shout out to …").
TALKED_TO = frozenset("""talk talks talked talking listen listens listened listening speak speaks spoke speaking say said
says shout shoutout out next close nice kind rude mean write wrote message messaged reply replied send sent give gave
explain explained introduce introduced married engaged related similar closer""".split())
SPEECH_VERBS = frozenset("""said says say wants want wanted thinks think reckon reckons told tells asked asks
helped helps started ran runs organised organized did does went goes lives lived got gets wrote writes loves
likes hates made makes won plays played came comes gave gives is was has had keeps kept""".split())
COORDINATORS = frozenset({"and", "n", "&", "+", "or", "with", ","})
# Proper nouns young people write that are not people: apps, brands, shops, places, lines, events.
NOT_PEOPLE = frozenset("""snapchat snap instagram insta whatsapp tiktok youtube discord roblox fortnite xbox
playstation ps5 minecraft twitch facebook twitter telegram reddit netflix spotify google apple iphone android samsung
bereal pinterest threads kik zoom teams microsoft amazon uber deliveroo ebay vinted depop shein primark nike adidas
jd nandos nando's greggs tesco sainsbury's sainsburys asda lidl aldi morrisons iceland mcdonald's mcdonalds maccies
kfc subway costa starbucks pret boots superdrug argos westfield stratford london england britain scotland wales
uk ireland newham hackney tower hamlets waltham forest barking dagenham redbridge havering ilford leyton walthamstow
romford beckton canning plaistow forest gate upton east ham west ham poplar bow mile end whitechapel shoreditch
islington camden brixton peckham croydon lewisham greenwich woolwich tottenham enfield wembley harrow ealing
southend brighton margate essex kent birmingham manchester leeds liverpool bristol dlr tfl nhs camhs mash ucas gcse
gcses btec childline samaritans shout barnardo's nspcc eid ramadan diwali christmas easter halloween hanukkah
yubo wizz omegle monkey tinder hinge bumble grindr onlyfans life360 zenly tumblr quora replika gemini siri
french spanish german italian portuguese polish urdu bengali bangla punjabi gujarati tamil somali arabic turkish
romanian lithuanian mandarin cantonese hindi swahili yoruba igbo twi tigrinya amharic pashto farsi kurdish albanian
capcut lemon8 likee triller yikyak tellonym ngl sendit azar chatroulette houseparty clubhouse viber wechat
imessage facetime messenger hoop wink yolo zepeto habbo vsco weverse tinychat chatgpt snapmap
alexa citymapper duolingo kahoot seneca sparx quizlet gimkit blooket wattpad gta fifa valorant runescape
clash brawl among apex rocket league call duty warzone vaisakhi bonfire pride olympic jubilee elizabeth central northern piccadilly bakerloo district circle metropolitan
victoria overground lizzy chatgpt ai covid tik tok oyster astra corsa fiesta focus golf polo prius bmw audi mercedes
toyota ford vauxhall honda nissan kia tesla range rover arsenal spurs millwall fulham brentford everton qpr
god allah psn xbl gamertag kooth papyrus redthread youngminds stem4 mermaids""".split())
# Brands, characters, awards and public figures named like people ("Dr Martens", "Mr Whippy", "Duke of Edinburgh").
NAMED_LIKE_PEOPLE = tuple(tuple(name.split()) for name in """dr martens|doc martens|dr pepper|mr whippy|mr men|little miss|
ms marvel|pc world|mr kipling|mr bean|doctor who|dr who|mr beast|sgt pepper|duke of edinburgh|harry potter|jack wills|
ben & jerry|ben and jerry|ted baker|tommy hilfiger|ralph lauren|calvin klein|hugo boss|marks & spencer|marks and spencer|
peppa pig|captain america|martin luther king|nelson mandela|rosa parks|marcus rashford|bukayo saka|raheem sterling|
taylor swift|greta thunberg|king charles|prince william|prince harry|queen elizabeth|boris johnson|rishi sunak|
keir starmer|sadiq khan|andrew tate|billie eilish|ed sheeran|lewis hamilton|anthony joshua|mo farah|santa claus|
father christmas|jack daniels|ronald mcdonald|mr motivator|miss marple|dr seuss|dr dre""".replace("\n", " ").split("|"))
# First names that are ordinary English words and that NLTK's `names` does not list ("Blessing came", "Favour and Precious").
WORD_NAMES = frozenset("blessing destiny precious favour treasure summer miracle godswill goodness comfort princess".split())
# Verbs after a sentence-opening word that make it a person ("Blessing said …", "Will reckons …").
TELLING_VERBS = frozenset("""said says told tells asked asks reckons thinks texted messaged rang phoned lives wrote
replied shouted whispered knows""".split())
# What may follow a name given after a relation ("my step dad lee is …").
AFTER_A_NAME = frozenset("is was has had said says and from n & + who 's".split())
# Places that a first name before them makes no person ("Angel station", "Victoria line").
PLACE_ONLY_NOUNS = frozenset("""station line road street lane avenue estate centre center library market mall common hospital
mosque gurdwara temple academy school college university gym pool stadium bridge square broadway overground underground
tube river canal shopping leisure""".split())
# Never part of a name, whatever the case ("Zoë Nguyễn, Year 9").
NEVER_NAMES = frozenset("year yr room floor".split())
DAYS_AND_MONTHS = frozenset("""monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays
thursdays fridays saturdays sundays january february march april may june july august september october november
december""".split())
# Chat words that the `words` corpus does not know.
CHAT_WORDS = frozenset("""lol lmao omg tbh idk ngl rn fr pls plz thx ty bday gonna wanna gotta innit bruv fam
mandem gyaldem peng peak bare wagwan yeah yh ye yeh nah ok okay tho cos coz cuz bc im ive dont cant wont didnt
isnt doesnt wasnt thats theres whats u ur r n y b4 sum1 msg txt pic pics uni bestie bff fyi asap etc max min info
sesh ends roadman youths hmm hm uhh umm erm ahh aww yay wow sick dead mad long x xx xxx
online offline app apps wifi website websites internet email emails smartphone laptop selfie selfies vape vapes
vaping emoji emojis livestream podcast podcasts download downloads login username password hashtag meme memes
gaming gamer gamers esports uber vlog vlogs blog blogs nav satnav
fab appt appts hosp dept amb hr hrs gp gps xray chemo abit alot upto thankyou ihad""".split())
# Endings of ordinary words and of English place names: such a word is a name only with a cue.
WORD_ENDINGS = ("ly", "ing", "tion", "sion", "able", "ible", "ment", "ness", "ful", "ous", "ical", "ity", "ise", "ised",
                "ize", "ized", "ology", "ism")
PLACE_ENDINGS = ("ton", "ham", "ford", "field", "land", "side", "bury", "borough", "burgh", "wich", "stead", "minster",
                 "mouth", "chester", "caster", "cester", "worth", "dale", "gate", "wood", "combe", "pool", "port",
                 "bridge", "thorpe", "ley", "by", "shire", "burn", "hall", "stone", "stow", "wick", "hurst", "bourne",
                 "cliffe", "holme", "thwaite", "mead", "wark")
# British spellings of words the `words` corpus has in American spelling.
BRITISH = (("our", "or"), ("re", "er"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"), ("isation", "ization"),
           ("yse", "yze"), ("ogue", "og"), ("lled", "led"), ("lling", "ling"), ("ence", "ense"), ("llor", "lor"))
TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+|[^\w\s]")
AGE = re.compile(
    r"(?i:\b(?:(?:i'?m|i am|aged?|age:?|is|are|he'?s|she'?s|they'?re|we'?re|turned|turning)"
    r"(?:\s+(?:only|just|nearly|almost|both|now|still))?|both)\s+)(?P<a>\d{1,2})\b(?!\s*(?:pm|am|%|:|\.\d|mins?\b|minutes|hours|p\b|quid|pounds|£))"
    r"|\((?P<b>\d{1,2})\)"
    r"|(?<=[,(])\s*(?P<c>\d{1,2})\s*(?=[,)]|$|\s*-)"
)


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Lexicon:
    """NLTK's first names and English words, loaded once per process."""

    first_names: frozenset[str]
    english: frozenset[str]
    proper_nouns: frozenset[str]  # capitalised entries of `words` that are not first names: places, peoples
    tagger: object

    def is_word(self, low: str) -> bool:
        """An English word, allowing for plurals, verb endings, British spellings and compounds."""
        low = low.replace("’", "'")
        if low in self.english or low in CHAT_WORDS:
            return True
        for contraction in ("'re", "'ve", "'ll", "'d", "'m", "n't"):
            if low.endswith(contraction):
                return self.is_word(low[: -len(contraction)])
        for british, american in BRITISH:
            if low.endswith(british) and self._inflected(low[: -len(british)] + american):
                return True
        if self._inflected(low):
            return True
        if "-" in low and all(part in self.english or part in CHAT_WORDS for part in low.split("-")):
            return True  # "so-so", "well-known", "after-school"
        # Compounds written as one word ("wheelchair", "healthcare"), but never a first name ("Rosemary").
        return low not in self.first_names and any(
            self._inflected(low[:k]) and self._inflected(low[k:]) for k in range(4, len(low) - 3))

    def _inflected(self, low: str) -> bool:
        if low in self.english:
            return True
        for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)),
                                     ("ed", ("", "e")), ("ing", ("", "e")), ("ly", ("",)), ("'s", ("",)),
                                     ("er", ("", "e")), ("est", ("", "e")), ("n't", ("",))):
            if low.endswith(suffix) and len(low) > len(suffix) + 2:
                stem = low[: -len(suffix)]
                candidates = [stem + r for r in replacements]
                if len(stem) > 2 and stem[-1] == stem[-2]:
                    candidates.append(stem[:-1])  # "rammed" -> "ram"
                if any(c in self.english for c in candidates):
                    return True
        return False


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Load the lexicons and tagger, or raise MissingNLTKData saying how to get them."""
    from nltk.corpus import names, words
    from nltk.tag.perceptron import PerceptronTagger

    from analysis.resources import MissingNLTKData, missing

    absent = [p for p in missing() if p in ("names", "words", "averaged_perceptron_tagger_eng")]
    if absent:
        raise MissingNLTKData(
            f"NLTK data missing for redaction: {', '.join(absent)}. Run `chorus nltk download` while online, "
            "or set NLTK_DATA to a folder that has them"
        )
    first = frozenset(n.lower() for n in names.words())
    vocabulary = words.words()
    tagger = PerceptronTagger()
    # The tagger's own vocabulary (news text, lower-cased) adds modern words: "online", "healthcare".
    seen_by_tagger = {f[7:] for f in tagger.model.weights if f.startswith("i word ") and f[7:].isalpha()}
    english = frozenset({w for w in vocabulary if w.islower()} | (seen_by_tagger - first))
    proper = frozenset(w.lower() for w in vocabulary if w[:1].isupper() and w.lower() not in first)
    return Lexicon(first, english, proper, tagger)


@dataclass
class _Token:
    start: int
    end: int
    text: str
    low: str
    possessive: bool

    @property
    def is_word_like(self) -> bool:
        return self.text[:1].isalpha()

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() and not (len(self.text) > 1 and self.text.isupper())

    @property
    def all_caps(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()


def _tokens(text: str) -> list[_Token]:
    out = []
    for match in TOKEN.finditer(text):
        word = match.group()
        possessive = len(word) > 2 and word[-2:].lower() in ("'s", "’s")
        core = word[:-2] if possessive else word
        out.append(_Token(match.start(), match.start() + len(core), core, core.lower().replace("’", "'"), possessive))
    return out


class _NameFinder:
    """Judges each word of one text: is it (part of) a person's name? Cues first, then the word, then run-ons."""

    def __init__(self, text: str, taken: list[Span]) -> None:
        from analysis.text import stopwords

        self.text = text
        self.lex = lexicon()
        self.stop = stopwords()
        self.tokens = [t for t in _tokens(text) if not any(s.start < t.end and t.start < s.end for s in taken)]
        self.lows = [t.low for t in self.tokens]
        self.count = len(self.tokens)
        self.chosen: set[int] = set()
        self._tags: list[str] = []
        self.fixed = self._never_people()
        # "Will" is a stopword, and a name when used as one ("I will ask Will", "Will said …").
        self.stop_names = {k for k, t in enumerate(self.tokens) if t.text == "Will" and self._will_is_a_name(k)}

    def _never_people(self) -> set[int]:
        """Words that are no one here: a brand or public figure named like a person, a saint's place, "Year 9"."""
        lows, tokens, out = self.lows, self.tokens, set()
        for k, low in enumerate(lows):
            for name in _NAMED_BY_FIRST.get(low, ()):
                if tuple(lows[k:k + len(name)]) == name:
                    out.update(range(k, k + len(name)))
            if low in NEVER_NAMES:
                out.add(k)
            before = k - 2 if k >= 2 and lows[k - 1] == "." else k - 1
            if before >= 0 and lows[before] in ("st", "saint") and tokens[before].capitalised and tokens[k].capitalised:
                out.add(k)  # "St Pancras", "St. Thomas' Hospital"
        return out

    def _will_is_a_name(self, k: int) -> bool:
        at = self.at
        if self.sentence_start(k):
            return at(k + 1) in TELLING_VERBS or at(k + 1) in ("from", "and", "&", "n", ",") or self.tokens[k].possessive or (
                at(k + 1) in ("is", "was") and at(k + 2) in ("my", "our"))
        before = self.tokens[k - 1]
        return not before.capitalised and at(k - 1) not in DETERMINERS and at(k - 1) not in ("good", "free", "ill", "own")

    def spans(self, name_tagger=None) -> list[Span]:
        self._choose_after_cues()
        self._choose_by_the_word()
        if name_tagger is not None:
            self.chosen |= name_tagger.names(self)
        self._run_on()
        return self._merged()

    # What a word is.
    def at(self, i: int) -> str:
        return self.lows[i] if 0 <= i < self.count else ""

    def tag(self, i: int) -> str:
        if not self._tags:
            self._tags.extend(t for _, t in self.lex.tagger.tag([t.text for t in self.tokens]))
        return self._tags[i]

    def sentence_start(self, i: int) -> bool:
        return i == 0 or self.lows[i - 1] in (".", "!", "?", ":", ";", "-", "(", '"')

    def not_person(self, i: int) -> bool:
        t = self.tokens[i]
        return (not t.is_word_like or t.all_caps or (t.low in self.stop and i not in self.stop_names) or i in self.fixed
                or t.low in NOT_PEOPLE or f"{t.low}'s" in NOT_PEOPLE
                or t.low in DAYS_AND_MONTHS or t.low in TITLES or t.low in RELATIONS
                or (len(t.low) < 2 and not t.capitalised) or t.low in ("i", "i'm", "im", "i'll", "i've", "i'd"))

    def unknown(self, i: int) -> bool:
        """Not an English word, not a known non-person: most likely a name."""
        low, lex = self.tokens[i].low, self.lex
        # Hyphenated, it is unknown if any part is ("Kaur-Singh"), not if every part is a word ("after-school").
        parts = [part for part in low.split("-") if len(part) > 2]
        return not self.not_person(i) and not lex.is_word(low) and low not in lex.proper_nouns and not (
            "-" in low and parts and all(lex.is_word(part) for part in parts))

    def first_name(self, i: int) -> bool:
        t = self.tokens[i]
        return not self.not_person(i) and (t.low in self.lex.first_names or (t.capitalised and t.low in WORD_NAMES) or any(
            part in self.lex.first_names for part in t.low.split("-")))

    def first_name_anyhow(self, i: int) -> bool:
        """A first name even if it is also a place or a line ("Victoria Nowak")."""
        t = self.tokens[i]
        return t.capitalised and t.low in self.lex.first_names and t.low not in TITLES

    def place_like(self, i: int) -> bool:
        """A known place or app, or an unknown word with a place's ending, and not anybody's first name."""
        if not 0 <= i < self.count or not self.tokens[i].capitalised or self.first_name(i):
            return False
        low = self.lows[i]
        if low in self.stop or len(low) < 2 or low in DAYS_AND_MONTHS:
            return False  # "Grace and I", "Tuesday - Faisal, Wednesday - Chloe"
        return low in NOT_PEOPLE or low in self.lex.proper_nouns or (
            self.unknown(i) and low.endswith(PLACE_ENDINGS)) or self.placeish(i)

    def beside_a_place(self, i: int) -> bool:
        """Listed with a place ("Hounslow and Feltham", "Kilburn and Harlesden"): a place too."""
        at = self.at
        return (at(i + 1) in ("and", "&", ",", "or") and self.place_like(i + 2)) or (
            at(i - 1) in ("and", "&", ",", "or") and self.place_like(i - 2))

    def org_word(self, i: int) -> bool:
        """The last word of an organisation's or team's name ("Red Cross", "Prince's Trust")."""
        return self.at(i) in ORG_NOUNS and i > 0 and self.tokens[i - 1].capitalised and self.tokens[i].capitalised

    def nameable(self, i: int) -> bool:
        """May be a name when the context says so: capitalised, or lower-case and not English."""
        if i >= self.count or self.not_person(i):
            return False
        return self.tokens[i].capitalised or self.unknown(i) or self.first_name(i)

    def placeish(self, i: int) -> bool:
        """A place, shop or thing: after a determiner ("the blue Astra"), before "station", after "in"."""
        at, tokens = self.at, self.tokens
        if at(i - 1) in DETERMINERS or (at(i - 2) in DETERMINERS and not tokens[i - 1].capitalised) or at(i + 1) in PLACE_NOUNS \
                or (tokens[i].capitalised and at(i + 1) in ORG_NOUNS):
            return True
        full_name = i + 1 < self.count and tokens[i + 1].capitalised and (self.unknown(i + 1) or self.first_name(i + 1))
        to_someone = at(i - 1) == "to" and at(i - 2) in TALKED_TO  # "listens to yusuf", not "went to peckham"
        # NLTK's first names include places ("Bradford", "Sheffield"): after "from"/"in", a place's ending decides.
        person = self.first_name(i) and not tokens[i].low.endswith(PLACE_ENDINGS)
        return at(i - 1) in PLACE_PREPOSITIONS and not person and not full_name and not to_someone

    # Evidence.
    def _choose_after_cues(self) -> None:
        """A title ("Sgt …"), an introduction ("my name is …"), a relation ("my brother …", "our youth worker, …")."""
        at, lows, tokens, count = self.at, self.lows, self.tokens, self.count
        for i in range(count):
            low = lows[i]
            nxt = i + 1
            if nxt < count and lows[nxt] == ".":
                nxt += 1
            # "a dr. However …" ends a sentence; a capitalised title does not ("Mr. Green").
            sentence_end = i + 1 < nxt < count and not tokens[i].capitalised and self.lex.is_word(lows[nxt]) \
                and not self.first_name(nxt)
            if low in TITLES and nxt < count and not self.not_person(nxt) and not sentence_end and (
                    tokens[nxt].capitalised or self.unknown(nxt)
                    or (lows[nxt] not in SPEECH_VERBS and at(nxt + 1) in SPEECH_VERBS)):
                self.chosen.add(nxt)
                continue
            for words in INTRODUCERS:
                if tuple(lows[i:i + len(words)]) == words:
                    j = i + len(words)
                    if j < count and lows[j] == ":":
                        j += 1
                    if j < count and self._introduced(words, j):
                        self.chosen.add(j)
            if low in RELATIONS:
                j = i + 1
                while j < count and (lows[j] in RELATION_ADJECTIVES or lows[j] == ","):
                    j += 1
                if j < count and (tokens[j].capitalised or self.unknown(j)) and not self.not_person(j) and not (
                        lows[j] in SPEECH_VERBS or (not tokens[j].capitalised and self.lex.is_word(lows[j]))):
                    self.chosen.add(j)
                elif j < count and not tokens[j].capitalised and self.first_name(j) and lows[j] not in SPEECH_VERBS \
                        and (at(j + 1) in AFTER_A_NAME or not self.tokens[j + 1:j + 2] or not self.tokens[j + 1].is_word_like):
                    self.chosen.add(j)  # "my step dad lee is …", "my sister grace said …"

    def _introduced(self, words: tuple[str, ...], j: int) -> bool:
        """After "I'm" only a capitalised non-word counts ("I'm Mantas", not "I'm tired"); after "my name is", more does."""
        weak = words in (("i'm",), ("im",), ("i", "am"), ("it's",), ("this", "is"), ("name",))
        if not weak:
            # "my name is naveed": only loosely English (a compound, an inflection), so a name.
            strong = words in (("my", "name", "is"), ("my", "name's"), ("my", "names"), ("call", "me"), ("i'm", "called"))
            loose = strong and not self.not_person(j) and self.lows[j] not in self.lex.english and self.lows[j] not in CHAT_WORDS
            return self.unknown(j) or self.nameable(j) or loose
        t = self.tokens[j]
        return self.unknown(j) or (t.capitalised and not self.not_person(j) and (
            self.first_name(j) or (t.low not in self.lex.english and t.low not in self.lex.proper_nouns)))

    def _choose_by_the_word(self) -> None:
        """Not English and not a known place or app, or a first name that is not a word; lower case needs a cue."""
        at, tokens, lex = self.at, self.tokens, self.lex
        for i in range(self.count):
            if i in self.chosen or self.not_person(i):
                continue
            t = tokens[i]
            if t.capitalised and at(i + 1) in ORG_NOUNS or self.org_word(i) or (t.capitalised and self.beside_a_place(i)):
                continue  # "the Prince's Trust", "St John Ambulance", "Chelsea fans", "Sidcup and Eltham"
            if t.capitalised and t.possessive and at(i + 1) in POSSESSIONS and at(i - 1) not in DETERMINERS:
                self.chosen.add(i)
            elif t.capitalised and self.unknown(i) and not self.placeish(i) and not (
                    len(t.low) <= 3 or t.low.endswith(WORD_ENDINGS) or t.low.endswith(PLACE_ENDINGS)):
                self.chosen.add(i)
            elif t.capitalised and self.first_name(i) and not lex.is_word(t.low) and at(i - 1) not in DETERMINERS:
                self.chosen.add(i)
            elif t.capitalised and self.first_name(i):
                if at(i + 1) in PLACE_ONLY_NOUNS:
                    continue  # "Angel station"
                if self._word_used_as_name(i):
                    self.chosen.add(i)
            elif not t.capitalised and self.first_name(i) and not lex.is_word(t.low) and at(i + 1) != "" \
                    and not at(i + 1).isdigit():
                self.chosen.add(i)
            elif not t.capitalised and self.unknown(i) and self._lower_case_cue(i):
                self.chosen.add(i)
            elif not t.capitalised and self.first_name(i) and self._lower_word_name_cue(i):
                self.chosen.add(i)

    def _word_used_as_name(self, i: int) -> bool:
        """A first name that is also a word ("Will", "Rose"): with a surname, "and I", a verb after, or mid-sentence."""
        at, tokens = self.at, self.tokens
        surname = i + 1 < self.count and tokens[i + 1].capitalised and not self.not_person(i + 1) and at(i + 1) not in PLACE_NOUNS
        and_i = at(i + 1) in ("and", "&") and at(i + 2) in ("i", "me")
        me_and = at(i - 1) in ("and", "&", "n") and at(i - 2) in ("me", "i")
        proper_subject = (self.tag(i) == "NNP" and i + 1 < self.count and self.tag(i + 1) in ("VBD", "VBZ")
                          and at(i - 1) not in DETERMINERS and not (i > 0 and tokens[i - 1].capitalised))
        # Capitalised mid-sentence, a word like "Mark" or "Dawn" is somebody ("I hope Mark and Dawn read this").
        mid_sentence = not self.sentence_start(i) and at(i - 1) not in DETERMINERS and not tokens[i - 1].capitalised
        # Opening a sentence, a word is somebody when they say or tell something, or are somebody's ("Blessing said …",
        # "Will from my class …", "Destiny is my little sister").
        telling = self.sentence_start(i) and (at(i + 1) in TELLING_VERBS or at(i + 1) == "from")
        whose = at(i + 1) in ("is", "was", "'s") and at(i + 2) in ("my", "our") and any(
            at(k) in RELATIONS for k in range(i + 3, i + 6))
        return surname or and_i or me_and or proper_subject or mid_sentence or telling or whose or (
            tokens[i].possessive and at(i + 1) in RELATIONS)

    def _lower_word_name_cue(self, i: int) -> bool:
        """A lower-case first name that is also a word, with a cue only a person has: "grace and i", "rose n amira", "hope okafor said"."""
        at, tokens = self.at, self.tokens
        listed = at(i + 1) in ("and", "n", "&", "+") and (at(i + 2) in ("i", "me") or (
            i + 2 < self.count and not tokens[i + 2].capitalised and (self.unknown(i + 2) or self.first_name(i + 2))))
        surname = i + 1 < self.count and not tokens[i + 1].capitalised and self.unknown(i + 1) and at(i + 2) in SPEECH_VERBS
        return listed or surname

    def _lower_case_cue(self, i: int) -> bool:
        """ "kemar's", "krystian from", "aoife said", "me and jamal", "with tobi", "zuzanna and oliwia", "told kayden"."""
        at, tokens = self.at, self.tokens
        return (tokens[i].possessive or at(i + 1) == "from" or at(i + 1) in SPEECH_VERBS - {"is", "was", "has", "had"}
                or (at(i - 1) in COORDINATORS and at(i - 2) in ("me", "i")) or at(i - 1) == "with"
                or (at(i + 1) in ("and", "n", "&", "+") and i + 2 < self.count and not tokens[i + 2].capitalised and self.unknown(i + 2))
                or ((i == 0 or not tokens[i - 1].is_word_like) and at(i + 2) in SPEECH_VERBS and at(i + 1) not in self.stop)
                or at(i - 1) in PERSON_VERBS)

    def _run_on(self) -> None:
        """Names run on: surnames, initials, the next name in a list ("Emre and Elif", "liban n abdi"), a first name before."""
        changed = True
        while changed:
            changed = False
            for i in sorted(self.chosen):
                for j in (self._next_part(i), self._listed_after(i), self._listed_before(i), self._first_name_before(i)):
                    if j is not None and j not in self.chosen:
                        self.chosen.add(j)
                        changed = True

    def _next_part(self, i: int) -> int | None:
        """A surname or initial straight after ("Shanice B", "oliwia k.", "jaspreet singh said")."""
        j, tokens, at = i + 1, self.tokens, self.at
        if j >= self.count or tokens[j].start - tokens[i].end > 1 or tokens[i].possessive:
            return None
        t = tokens[j]
        initial = len(t.text) == 1 and t.text.isalpha() and (
            t.text.isupper() or at(j + 1) == "." or t.low not in ("i", "a", "n", "u", "r", "b", "c", "x"))
        surname = t.capitalised and t.is_word_like and not t.all_caps and t.low not in self.stop and t.low not in TITLES \
            and t.low not in DAYS_AND_MONTHS and t.low not in PLACE_NOUNS and t.low not in ORG_NOUNS
        lower_surname = not t.capitalised and not self.not_person(j) and (
            self.unknown(j) or t.possessive or (not tokens[i].capitalised and at(j + 1) in SPEECH_VERBS))
        return j if surname or initial or lower_surname else None

    def _listed_after(self, i: int) -> int | None:
        j, at = i + 2, self.at
        if at(i + 1) in COORDINATORS - {"with", "or"} and j < self.count and self.nameable(j) and not self.place_like(j) and (
                self.unknown(j) or self.first_name(j)
                or (self.tokens[j].capitalised and at(j) not in self.lex.proper_nouns and not self.placeish(j))):
            return j
        return None

    def _listed_before(self, i: int) -> int | None:
        j = i - 2
        if self.at(i - 1) in COORDINATORS - {"with", "or", ","} and j >= 0 and not self.tokens[j].capitalised and self.unknown(j):
            return j
        # A word-name opening a list of names ("Favour and Precious run …", "Jack, Mark and Will were there").
        if self.at(i - 1) in ("and", "&", "n", "+", ",") and j >= 0 and self.tokens[j].capitalised and self.sentence_start(j) \
                and (self.first_name(j) or self.unknown(j) or (self.lows[j] in self.lex.proper_nouns and self.lows[j] not in NOT_PEOPLE)) \
                and self.tokens[i].capitalised and not self.not_person(j):
            return j
        return None

    def _first_name_before(self, i: int) -> int | None:
        """ "Wei Zhang", "Blessing Okoro", "Victoria Nowak" — but not "Contact Kofi"."""
        j, tokens, at = i - 1, self.tokens, self.at
        if j < 0 or tokens[j].end < tokens[i].start - 1 or not tokens[j].capitalised or tokens[j].possessive \
                or not tokens[i].capitalised:
            return None
        if self.first_name_anyhow(j):
            return j
        if self.not_person(j) or at(j - 1) in DETERMINERS:
            return None
        rare = at(j) not in self.lex.english
        if rare or (self.sentence_start(j) and at(j) not in ADDRESSING and self.tag(j) == "NNP"):
            return j
        # A first name that is also a word, before a surname nobody's lexicon knows ("Treasure Oduya", "Precious Chukwu").
        opener = at(j) in ADDRESSING or at(j) in OPENERS or at(j).endswith("ly") or at(j) in PLACE_NOUNS
        return j if self.unknown(i) and not opener and not self.placeish(j) else None

    def _title_start(self, i: int) -> int:
        """Where the title before a name starts ("Sgt. Okafor", "Detective Sergeant Rahman"): it goes with the name."""
        tokens, start, j = self.tokens, i, i - 1
        while True:
            k = j - 1 if self.at(j) == "." else j
            if k < 0 or self.lows[k] not in TITLES or k in self.fixed \
                    or self.text[tokens[k].end:tokens[start].start] not in (" ", ". ", "."):
                return start
            start, j = k, k - 1

    def _merged(self) -> list[Span]:
        spans: list[Span] = []
        text, tokens = self.text, self.tokens
        for i in sorted(self.chosen):
            t = tokens[i]
            if spans and i - 1 in self.chosen and t.start - spans[-1].end <= 1 and not tokens[i - 1].possessive:
                spans[-1] = Span("NAME", spans[-1].start, t.end, text[spans[-1].start:t.end])
            else:
                start = tokens[self._title_start(i)].start
                spans.append(Span("NAME", start, t.end, text[start:t.end]))
        # An initial's full stop belongs to it ("Mohammed A.").
        return [Span(s.kind, s.start, s.end + 1, text[s.start:s.end + 1])
                if len(s.text.split()[-1]) == 1 and text[s.end:s.end + 1] == "." else s for s in spans]


_NAMED_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _name in NAMED_LIKE_PEOPLE:
    _NAMED_BY_FIRST.setdefault(_name[0], []).append(_name)


def pattern_spans(text: str) -> list[Span]:
    """Details with a shape (the ordered patterns), in the order found, without overlaps."""
    spans: list[Span] = []
    for rule_kind, pattern in RULES:
        for match in pattern.finditer(text):
            # A rule may name the part to remove (a group) after context it keeps ("snap me …").
            group = next((g for g, v in match.groupdict().items() if v), 0)
            kind = "CLUB" if rule_kind == "SCHOOL" and CLUB_ENDING.search(match.group(group)) else rule_kind
            if kind == "HANDLE" and group == "h" and not _handle_like(match.group("h")):
                continue
            if kind == "HANDLE" and group == "g" and lexicon()._inflected(match.group("g").rstrip("0123456789_").lower()):
                continue  # "hours48" is a typo, "sarahxx2010" a handle
            if rule_kind == "SCHOOL" and group == "y" and not _school_name_like(match.group("y")):
                continue
            if rule_kind == "SCHOOL" and group == "l":
                start = _named_school_start(match.group("l"))
                if start is None:
                    continue
                _add(spans, text, kind, match.start("l") + start, match.end("l"))
                continue
            _add(spans, text, kind, *match.span(group))
    if PLATFORM_WORD.search(text):
        for match in DOTTED_HANDLE.finditer(text):
            if not _plain_word(match.group("d").lower().strip("._")):
                _add(spans, text, "HANDLE", *match.span("d"))
    return [_with_area(text, s, spans) if s.kind in ("SCHOOL", "ADDRESS") else s for s in spans]


AREA_AFTER = re.compile(r"\s+([A-Z][a-z]+)\b")


def _with_area(text: str, span: Span, spans: list[Span]) -> Span:
    """A school's or street's area straight after it belongs to it ("Harris Academy Peckham", "221 High Road Leytonstone")."""
    match = AREA_AFTER.match(text, span.end)
    if not match or any(s.start < match.end() and match.start() < s.end for s in spans if s is not span):
        return span
    low = match.group(1).lower()
    place = low in NOT_PEOPLE or low in lexicon().proper_nouns or (low.endswith(PLACE_ENDINGS) and not _plain_word(low))
    if not place or low in DAYS_AND_MONTHS or low in lexicon().first_names:
        return span
    return Span(span.kind, span.start, match.end(), text[span.start:match.end()])


def _school_name_like(words: str) -> bool:
    """After "year 10 at": a school's name, not a place or an app ("at Kingsford", not "at Westfield")."""
    first = words.split()[0].lower()
    return first not in NOT_PEOPLE and first not in DAYS_AND_MONTHS and first not in lexicon().proper_nouns \
        and not _plain_word(first)


def _named_school_start(phrase: str) -> int | None:
    """Where a lower-case school's name starts ("langdon academy", "eastlea community school"), if it has one.

    The name is the run of words straight before "school" with no small word inside it ("a
    counsellor at school" is not one), and at least one of them is not English.
    """
    from analysis.text import stopwords

    places = [m.start() for m in re.finditer(r"\S+", phrase)]
    words = phrase.lower().split()[:-2 if re.search(r"sixth\s+form$", phrase, re.I) else -1]
    run = len(words)
    while run > 0 and words[run - 1] not in stopwords():
        run -= 1
    name = words[run:]
    if not any(not _plain_word(w) and w not in NOT_PEOPLE and w not in lexicon().proper_nouns
               and w not in DAYS_AND_MONTHS for w in name):  # "the Lithuanian Saturday school" is no school's name
        return None
    return places[run]


def _add(spans: list[Span], text: str, kind: str, start: int, end: int) -> None:
    if text[start:end].strip() and not any(s.start < end and start < s.end for s in spans):
        spans.append(Span(kind, start, end, text[start:end]))


_SHIPPED = object()


def find(text: str, name_tagger=_SHIPPED) -> list[Span]:
    """Every personal detail found, in order, without overlaps (earlier rules win).

    `name_tagger`: the learned second opinion on names (`analysis.name_model`); the shipped one by
    default, None for the rules alone (used to measure what it adds).
    """
    spans = pattern_spans(text)
    if name_tagger is _SHIPPED:
        from analysis.name_model import default_name_tagger

        name_tagger = default_name_tagger()
    for span in _NameFinder(text, spans).spans(name_tagger):
        _add(spans, text, span.kind, span.start, span.end)
    if any(s.kind == "NAME" for s in spans):
        for match in AGE.finditer(text):
            group = next(g for g, v in match.groupdict().items() if v)
            if 4 <= int(match.group(group)) <= 25:
                _add(spans, text, "AGE", *match.span(group))
    return sorted(spans, key=lambda s: s.start)


def _handle_like(word: str) -> bool:
    """After a platform word: a handle, not the next word of the sentence ("add me on snap, I'll …")."""
    if word.startswith("@") or any(c in word for c in "._#") or any(c.isdigit() for c in word):
        return True
    low = word.lower()
    from analysis.text import stopwords

    # A handle is often two words run together ("sunshinegirl"), which is_word accepts as a compound.
    return low not in stopwords() and low not in NOT_PEOPLE and not _plain_word(low)


def _plain_word(low: str) -> bool:
    """An English word as it stands, inflected or British, but not two run together ("kingsford")."""
    lex = lexicon()
    return low in lex.english or low in CHAT_WORDS or lex._inflected(low) or any(
        low.endswith(b) and lex._inflected(low[: -len(b)] + a) for b, a in BRITISH)


def redact(text: str) -> str:
    """The text with each personal detail replaced by its type, e.g. '[PHONE]'."""
    out, cursor = [], 0
    for span in find(text):
        out.append(text[cursor:span.start])
        out.append(f"[{span.kind}]")
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)


class Redactor(TextInputMixin, TransformerMixin, BaseEstimator):
    """scikit-learn transformer: a list of texts in, the same texts redacted out."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [redact(str(text)) for text in X]
