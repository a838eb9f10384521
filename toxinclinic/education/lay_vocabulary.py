"""A general consumer-health vocabulary for “Ask a question”: the words patients read on leaflets, drug
boxes and health sites, mapped to the plain words a treatment page uses.

Written from common consumer-health wording (clinical terms a patient meets in letters, brand names on
the box, everyday synonyms), not from any question set, so that it helps on pages and phrasings nobody
tuned for. Merged under ``lexicon.LAY_WORDS`` (an entry there wins) and applied to page and question
alike. Two rules keep it honest:

- a brand name maps to the generic name only (Topamax → topiramate): a page that names topiramate
  answers about Topamax; a page that does not still has no answer;
- a drug is never mapped to a class the page may mention (sertraline is not “medicines”), so a question
  about one specific other drug finds no answer unless the page names it.
"""

from __future__ import annotations

#: The page's word (left) and the words patients use for it (right).
_GROUPS: dict[str, str] = {
    # Clinical terms from clinic letters and leaflets.
    "droopy eyelid": "ptosis",
    "trouble swallowing": "dysphagia",
    "trouble breathing": "dyspnoea dyspnea breathlessness",
    "double vision": "diplopia",
    "hoarse voice": "dysphonia hoarseness",
    "serious allergic reaction": "anaphylaxis anaphylactic",
    "neck pain": "cervicalgia",
    "cervical dystonia": "torticollis wryneck",
    "injection": "injectable injectables jabbed",
    "places": "sites site areas area",
    "swelling": "swell swells oedema edema inflammation inflamed",
    "bruise": "bruisy",
    "pain": "painfulness soreness tenderness burning",
    "weak": "floppy feeble",
    "vision": "seeing",
    "blurred": "fuzzy hazy",
    "tighten": "contract contracts contracting clench clenching cramp cramps cramping",
    "relaxes": "loosen loosens loosening",
    "awake": "sedation sedated",
    "flu like": "fluey flulike fluish",
    "speaking": "speech talking talk",
    "trouble speaking": "slurred slurring slur",
    # Brand names on the box → the generic names a page prints.
    "topiramate": "topamax trokendi qudexy",
    "propranolol": "inderal",
    "amitriptyline": "elavil",
    "candesartan": "atacand",
    "baclofen": "lioresal",
    "warfarin": "coumadin jantoven",
    "apixaban": "eliquis",
    "clopidogrel": "plavix",
    "cgrp": "erenumab aimovig fremanezumab ajovy galcanezumab emgality eptinezumab vyepti",
    "gepants": "gepant rimegepant nurtec atogepant qulipta ubrogepant ubrelvy",
    "deep brain stimulation": "dbs",
    "physical therapy": "therapist pt",
    # Everyday words for the page's words.
    "prevent": "preventative",
    "work": "effective effectiveness",
    "help": "respond responds responded response",
    "side effects": "downsides drawbacks",
    "visit": "consultation consult",
    "head": "scalp skull",
    "fewer": "reduce reduces reduced reduction decrease decreases lessen",
    "approved": "fda licensed licence license",
    "coffee": "caffeine caffeinated",
    "wear": "undress undressing",
    "machine": "ultrasound",
    "consent form": "paperwork",
    "eyelid": "lid lids",
    "forehead": "brow",
}

LAY_VOCABULARY: dict[str, str] = {lay: page for page, lays in _GROUPS.items() for lay in lays.split()}
