"""The words “Ask a question” uses to meet a patient's question with the page (see ``search``).

Kept apart from the ranker so the tables can grow without the ranker's module growing: stop words,
patients' words for the page's words, phrases, phone-typed contractions, and question intents.
"""

from __future__ import annotations

import re

from toxinclinic.education.lay_vocabulary import LAY_VOCABULARY

STOPWORDS = frozenset(
    """a about actually all also am an and any anything are as at be been being but by can could did do
    does doing done for from get gets getting go going had has have having he her here hers him his how i
    if in into is it its just me might more most much my no of on once only or our out own please
    she should so some such than that the their them then there these they this those to too us very was
    we were what when where which while who whom why will with would you your yours during need needs
    know want tell really okay ok thing things stuff still able like lot lots kind sort bit am im ive ill
    id let way one someone something anyone whether sure not matter properly proper till until happen
    happens happened
    exactly exact between part parts affect affected affects decide decides decided usual usually possible
    possibly ever even mean means everything cause causes make makes basically literally honestly
    probably maybe supposed guys scared afraid nervous anxious frightened terrified
    anyway bits real proper gonna wanna gotta
    goes got gotten each per must shall ought
    ouch ow oh hi hello hey um erm uh yeah yes lol ugh wow thanks thank sorry dear""".split()
)

#: Patients' words → the page's words, applied to page and question alike (so either side may use either).
LAY_WORDS: dict[str, str] = {
    **LAY_VOCABULARY,  # the general consumer-health words; the entries below win
    "shot": "injection",
    "shots": "injections",
    "jab": "injection",
    "jabs": "injections",
    "needles": "injections",
    "needle": "injection",
    "injected": "injection",
    "inject": "injection",
    "hurt": "pain",
    "hurts": "pain",
    "painful": "pain",
    "sting": "pain",
    "pinch": "pain",
    "sore": "pain",
    "ache": "pain",
    "droop": "droopy",
    "drooping": "droopy",
    "droops": "droopy",
    "eyesight": "vision",
    "sight": "vision",
    "quit": "stop",
    "nursing": "breastfeeding",
    "expecting": "pregnant",
    "pregnancy": "pregnant",
    "wrinkles": "cosmetic",
    "wrinkle": "cosmetic",
    "cervical": "cervical neck",  # cervical means “of the neck”: “my neck” meets the dystonia parts
    "physio": "physical therapy",
    "physiotherapy": "physical therapy",
    "asleep": "awake",
    "dangers": "side effects serious",
    "danger": "side effects serious",
    "dangerous": "side effects serious",
    "risks": "side effects",
    "risk": "side effects",
    "safe": "side effects",
    "complications": "side effects",
    "massage": "rub",
    "appointment": "visit",
    "appointments": "visits",
    "beforehand": "before",
    "instead": "other",
    "eyelids": "eyelid",
    "avoid": "donot",
    "uncomfortable": "pain",
    "discomfort": "pain",
    "results": "effect",
    "result": "effect",
    "choke": "swallowing",
    "choking": "swallowing",
    "poison": "toxin",
    "poisonous": "toxin",
    "fail": "not work",
    "fails": "not work",
    "failed": "not work",
    "regularly": "often",
    "touch": "rub",
    "sag": "droopy",
    "sagging": "droopy",
    "saggy": "droopy",
    "heavy": "droopy",
    "beauty": "cosmetic",
    "aesthetic": "cosmetic",
    "expressionless": "frown eyebrows",
    "blurry": "blurred",
    "forever": "repeat every",
    "overuse": "too many days",
    "overusing": "too many days",
    "worst": "serious",
    "spasm": "tighten",
    "spasms": "tighten",
    "ae": "emergency",
    "er": "emergency",
    "medications": "medicines",
    "medication": "medicine",
    "meds": "medicines",
    "drugs": "medicines",
    "drug": "medicine",
    "option": "choice",
    "options": "choices",
    "oral": "by mouth",
    "loads": "too many",
    "illness": "disease",
    "illnesses": "disease",
    "disorder": "disease",
    "disorders": "disease",
    "pills": "tablets",
    "pill": "tablet",
    "anticoagulant": "blood thinner",
    "anticoagulants": "blood thinners",
    "warfarin": "blood thinner warfarin",
    "aspirin": "blood thinner",
    "sessions": "rounds",
    "session": "round",
    "treatments": "rounds",
    **{
        lay: page
        for page, lays in {
            # The page's own vocabulary (left) and the everyday words patients use for it (right).
            "injection": "prick pricks poke pokes injecting botoxed",
            "pain": "painfull tender agony stings stinging aching achy",
            "bruise": "bruising bruised bruises",
            "swelling": "swollen puffy puffiness lump lumps bump bumps",
            "swallowing": "swallow gulp gulping food",
            "breathing": "breathe breath breathless",
            "wheezing": "wheezy wheeze",
            "allergic": "allergy allergies",
            "medicines": "prescriptions prescription",
            "blood thinner": "eliquis xarelto plavix clopidogrel apixaban",
            "breastfeeding": "lactating",
            "cosmetic": "lines crows ageing aging antiaging",
            "home": "house",
            "same day home": "overnight",
            "awake": "anaesthetic anesthetic anaesthesia anesthesia unconscious",
            "surgery": "operation operations op",
            "diary": "log logs journal tracker",
            "wear": "clothes clothing outfit dress",
            "tell": "mention disclose inform",
            "dose": "amount dosage dosing",
            "strongest": "peak peaks best maximum max",
            "spread": "travel travels leak leaks",
            "cure": "permanent permanently fix",
            "frown": "frozen expression expressions",
            # Not Tylenol, ibuprofen …: a page that names no such drug has no answer about taking it.
            "painkillers": "analgesics",
            "machine": "device equipment emg",
            "pause": "break halfway",
            "chronic migraine means": "qualify qualifies eligible eligibility criteria",
            "relaxants": "relaxers",
            "fine": "thick thickness big size gauge",
            "doctor": "doc doctors dr physician neurologist",
            "eyebrows": "eyebrow brow brows",
            "flu like": "fever feverish shivery chills",
            "bladder": "pee wee incontinence peeing",
            "hoarse": "croaky raspy husky",
            "hives": "itchy itching itch welts",
            "shaking": "tremor tremors shaky shakes",
            "twist": "crooked twisted twisting",
            "trying for a baby": "conceive conceiving ttc",
            "other": "besides except alternatively",
            "health": "medical",
            "fewer": "occasional infrequent",
        }.items()
        for lay in lays.split()
    },
}
#: Phrases first (before splitting into words).
LAY_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\beye ?lids?\b", "eyelid"),
    (r"\bget(ting)? ready\b|\bprepar(e|ing|ation)\b", "before visit"),
    # The intent is read from the question as typed; the words "long", "soon" … only add noise.
    (r"\bhow (long|soon|often|many|frequently)\b", "how"),
    (r"\bblood[- ]thinning\b", "blood thinner"),
    (r"\bkicks? in\b", "start working"),
    (r"\btakes? effect\b", "start working"),
    (r"\bside[- ]affects?\b", "side effects"),
    (r"\bcounts? as\b", "is"),
    # Prohibitions are one word, so “avoid” can find the page's “Do not …” instructions.
    (r"\b(do|must|should) not\b", "donot"),
    (r"\bbad reactions?\b|\badverse (effects?|reactions?)\b", "side effects"),
    (r"\ba ?& ?e\b|\bemergency room\b", "emergency"),
    (r"\bput (me|you|them) to sleep\b|\bknock(ed)? out\b|\bsedat\w*\b", "awake"),
    (r"\b(not|donot) help(s|ing|ed)?\b", "not work help"),
    (r"\bcarry on( with)?\b", "keep"),
    (r"\bcome off\b|\bgive up\b", "stop"),
    (r"\bbreast[- ]feed", "breastfeed"),
    (r"\bsee(ing)? (double|blurr\w*)\b", r"\2 vision"),
    (r"\bhard to\b|\bdifficult(y)?( to)?\b|\bstruggl\w* (to|with)\b|\bproblems? with\b", "trouble"),
    (r"\bwhat('?s| is) the point\b|\bpurpose\b", "aim"),
    (r"\b(say|ask( you)? to|tell (you|them) to) stop\b|\bstop (halfway|in the middle)\b", "pause"),
    (r"\b(rules|restrictions|instructions)\b", "donot"),
    (r"\b(want|need|have) to know\b", "tell"),
    # Pills are what “by mouth” means to a patient.
    (r"\bby mouth\b", "by mouth tablets"),
    (r"\b(put|go|going) under\b|\bgeneral an(a)?esthetic\b", "awake"),
    (r"\b(put|putting|gain|gaining) on weight\b|\bweight gain\b|\bgain weight\b", "weightgain"),
    (r"\bhow (do|can|would) i (know|tell) if i (have|had|get)\b", "what is"),
    # “Wears off” is about time, “wear” about clothes: keep the stemmer from making them one word.
    (r"\bwear(s|ing)? off\b", "wearoff"),
    (r"\bkilling (me|my)\b", "pain"),
    # Staff names, ages and such are never on a treatment page: one word the page cannot contain.
    (r"\b(doctor|nurse|surgeon)'?s? (name|age|qualifications?)\b", "staffdetails"),
    # “Signs” of a reaction are symptoms; to “sign” is a form.
    (r"\bsigns\b", "symptoms"),
    (r"\bunits\b", "units dose"),
    (r"\bmade (of|from)\b|\bingredients?\b|\bwhat (exactly )?(is |goes )?in(to)?\b", "made from"),
    # “It didn't get better”, “no difference”: the treatment not working (“not” alone is a stop word).
    (
        r"\b(not|never|nt|donot) (get(ting)?|got|gotten|feel(ing)?) (any )?better\b"
        r"|\bno (better|change|difference|improvement)\b|\b(not|never) (respond(ing|ed)?|improv(e|ing|ed))\b",
        "not work help",
    ),
)
CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bcan't\b|\bcannot\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"n't\b", " not"),
    (r"'(m|re|ve|ll|d|s)\b", ""),
    # Typed without the apostrophe, as on a phone: “dont”, “whats”, “im”.
    (r"\b(do|does|did|is|are|was|were|have|has|had|should|would|could)nt\b", r"\1 not"),
    (r"\bcant\b", "can not"),
    (r"\bwont\b", "will not"),
    (r"\b(what|that|it|there|who|where|how)s\b", r"\1"),
    (r"\b(im|ive|youre|theyre)\b", "i"),
)

#: Question intent → the words the page's timeline and instructions use (added at INTENT_WEIGHT).
INTENTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\bhow (soon|quick(ly)?|fast)\b|\bhow long (until|till|before|does it take|to)\b"
            r"|\bstart working\b|\bwhen will (i|it)\b|(?<!not )(?<!nt )(?<!donot )\b(feel|get|gets) better\b"
            r"|\bsee (results|a difference|a change)\b"
        ),
        "change within days weeks full effect notice",
    ),
    (
        re.compile(
            r"\bhow long (does|will|do|did) .*\b(last|stay)\b|\bwears? off\b"
            r"|\bkeeps? working\b|\bhow many months\b"
        ),
        "lasts months wears off",
    ),
    (
        re.compile(
            r"\bhow (often|frequent|regular)|\bcome back\b|\brepeat|\bhow many weeks\b"
            r"|\bbetween (treatments|sessions|rounds|injections|shots|visits)\b"
        ),
        "every weeks repeat come back",
    ),
    (
        re.compile(
            r"\bwhat (should|do|can) i do\b|\bworried\b|\bwho (can|do|should) i (call|ring|phone|contact)\b"
        ),
        "call clinic help",
    ),
    # “What if …” asks for an instruction, but the rest of the question says which: a light nudge only.
    (re.compile(r"\bwhat if\b|\bwhat happens if\b"), "~help"),
    # “Should I stop my warfarin?”: the page's instruction about stopping medicines.
    (
        re.compile(
            r"\b(stop|quit|come off|give up|skip)\b.*\b(medicines?|medications?|meds|tablets|pills|thinners?"
            r"|warfarin|aspirin)\b|\b(medicines?|medications?|meds|tablets|pills|thinners?|warfarin|aspirin)\b"
            r".*\b(stop|quit|come off|give up|skip)\b"
        ),
        "!donot stop medicine own",
    ),
    # “Can I … after?”: the aftercare instructions, lightly (the rest of the question says which).
    (
        re.compile(r"\bafter(wards)?\b.*\b(can|may|should) i\b|\b(can|may|should) i\b.*\bafter(wards)?\b"),
        "~normal day",
    ),
    (re.compile(r"\bwhat (could|can|might) go wrong\b|\bis it safe\b"), "side effects"),
    # “How do they know which muscles …”, “how does the doctor decide …”: how the choice is made.
    (
        re.compile(
            r"\bhow (do|does|will|would|can) (they|you|we|the \w+) (know|decide|choose|pick|find|work out)\b"
        ),
        "picks chosen looks find",
    ),
    # “How would I know if …”, “how can I tell …”: the signs of it.
    (
        re.compile(r"\bhow (would|do|will|can|could) i (know|tell)\b|\bwhat (does|would) .* look like\b"),
        "signs",
    ),
    # “Will it be the same each time?”: what changes from one visit to the next.
    (
        re.compile(r"\b(same|change|different|vary)\b.*\b(each|every|next) (time|visit|session|round)s?\b"),
        "change visit next",
    ),
    # “I'm struggling to swallow since …”, “my eye is blurry after …”: a patient reporting a symptom
    # wants to know what to do, lightly (the symptom says which instruction).
    (
        re.compile(r"\b(i'?m|i am|i have|i've|ive|i got|my \w+ (is|are|feels?))\b.*\b(since|after)\b"),
        "~call get help",
    ),
    (
        re.compile(r"\b(how|why) (does|do|will|would) .*\b(work|stop|act|help|relax|block|calm)\b"),
        "works blocks release",
    ),
    # “How soon can I have the next round?”: the interval, not the onset.
    (
        re.compile(
            r"\b(next|another|second|again) (one|round|treatment|session|injections?|shots?|dose|lot)\b"
        ),
        "!every weeks repeat sooner",
    ),
    (re.compile(r"\bwhere (do|does|will|on|exactly)\b"), "go into spots places"),
    (
        re.compile(
            r"\b(other|alternative)s? (options?|treatments?|choices?|ways|medicines?|drugs?|tablets?"
            r"|injections?|shots?)\b|\belse\b|\binstead\b|\balternatives?\b|\boptions?\b"
        ),
        "other choices",
    ),
    (
        re.compile(
            r"\bhow long .*\b(appointment|visit|procedure|injections?|injecting|shots?|bit) (take|last)\b"
            r"|\bhow long (does|will|do) (it|the \w+|they) take\b"
        ),
        "few minutes seconds",
    ),
)


def _familiar() -> frozenset[str]:
    """Everyday English: the Dale–Chall list of about 3,000 words most fourth-graders know.

    It ships inside textstat (pinned; read from the installed package, never fetched). A question word
    on it that the page never uses (“put”, “under”, “better”, “rid”) is ordinary phrasing, not a topic the
    page lacks; a word off it that the page never uses (“insurance”, “sertraline”) usually is one."""
    from importlib.resources import files

    text = (files("textstat") / "resources" / "en" / "easy_words.txt").read_text(encoding="utf-8")
    return frozenset(w.strip().lower() for w in text.split() if w.strip())


FAMILIAR = _familiar()

#: Chat spellings too short for the fuzzy matcher (it needs five letters to be safe).
SHORT_SPELLINGS: dict[str, str] = {
    "wat": "what",
    "wot": "what",
    "wut": "what",
    "wots": "what",
    "wats": "what",
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "pls": "please",
    "plz": "please",
    "b4": "before",
    "coz": "because",
    "cos": "because",
    "cuz": "because",
    "abt": "about",
    "wen": "when",
    "hw": "how",
    "tho": "though",
    "thx": "thanks",
    "nd": "and",
    "n": "and",
    "w": "with",
}

#: Everyday words that shade a question without naming its topic: degree, manner and time adverbs,
#: evaluative adjectives, light verbs and particles. Written from general English (not from any question
#: set). A question word here that the page never uses weighs little in the coverage test: “will my neck
#: move *better*” is about the neck moving; “can I bring my *dog*” is about a dog, so “dog” is not here.
LIGHT_WORDS = frozenset(
    """actual actually again ago almost alone already alright altogether always anymore anyhow anyway
    anywhere around away awful awfully  bad badly barely best better big bigger bit bits bloody
    briefly broke broken certain certainly clear clearly close completely constant constantly current
    currently definite definitely different early earlier easy easily else elsewhere enough entire
    entirely especially eventually ever  exact extra extremely fair fairly far few  finally
    found  fully further generally gently good great greatly hardly heavily here highly hook hooked
    huge hugely just kinda kind largely  late lately later least less little   lot lots
    main mainly major massive maybe mere merely minor most mostly much near nearly neat never new next
    nice normal normally now nowadays obviously odd often ok okay once only  otherwise overall
    particular particularly perfectly perhaps plain plenty pretty previous previously proper properly
    quick quickly quite   rather ready real really recent recently regular regularly rid right
    rough roughly same seriously several   short shortly simple simply slight slightly
    slow slowly small so some somehow sometimes somewhat soon sort specific straight straightaway strange
      struggle struggled struggling such sudden suddenly super sure surely terrible
    terribly than then there though through thus tiny today together tomorrow tonight too total totally
    truly typical typically under unusual unusually up upon usual usually various very way weird well
    whatever whenever wherever whole wholly worse worst wrong yet yesterday since until till chance chances
    likely odds come coming came apart give gives giving gave given
    mum mom mother dad father husband wife partner boyfriend girlfriend friend sister brother daughter
    son grandma grandmother grandad grandpa grandfather aunt uncle family relative""".split()
)

#: What kind of answer a question asks for, and what such an answer says (“how long …” wants a time).
#: An answer that does not say that kind of thing does not answer, however many words it shares.
_TIME = (
    r"\b(\d+|a|an|one|two|three|four|five|six|few|several|some|many)\s+(seconds?|minutes?|hours?|days?|weeks?"
    r"|months?|years?|rounds?)\b|\bwithin\b|\bsame day\b|\bat once\b|\bwears? off\b|\brest of the day\b"
    r"|\bsooner\b|\bday or two\b|\bhours or weeks\b|\bevery \d+\b"
)
ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(
            r"\bhow (long|soon|quickly|fast)\b|\bhow many (seconds|minutes|hours|days|weeks|months)\b"
        ),
        re.compile(_TIME, re.I),
    ),
    # “How many …” wants a count: a number, not “a few” (pages write counts in digits).
    (
        re.compile(
            r"\bhow many\b(?! (seconds|minutes|hours|days|weeks|months)\b)"
            r"|\bhow much (botox|medicine|toxin|drug|of it|goes|is (given|used|injected|put))\b"
        ),
        re.compile(r"\d"),
    ),
    # “Who …” wants a person or the clinic (“who can have it” asks who qualifies, not who does it).
    (
        re.compile(r"\bwho\b(?! (can|could|should|may|might) (have|get|use|take|try)\b)"),
        re.compile(r"\b(nurse|doctor|clinic|prescriber|prescribes|staff)\b", re.I),
    ),
)
