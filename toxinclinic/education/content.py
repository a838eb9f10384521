"""The default treatment page a clinic starts from, in plain language (reading grade 8 or below).

Facts follow ``/work/shared/clinical-reference.md``; the numbers that the clinical engine also knows
(155 U over 31 sites, the 12-week interval, the aftercare advice) are taken from the engine so the
page and the software never disagree. A test checks the reading grade and these facts.
"""

from __future__ import annotations

import inspect
from typing import Any

from toxinclinic.clinical import aftercare, eligibility, protocols
from toxinclinic.treatment.conf import recall_interval_days

DEFAULT_SLUG = "botox-migraine-dystonia"


def _preempt_numbers() -> tuple[int, int, int]:
    """(sites, units per site, total units) of the PREEMPT protocol, from the engine."""
    p = protocols.preempt()
    per_site = {s.units for s in p.sites}
    if len(per_site) != 1:
        raise ValueError("PREEMPT gives the same dose at every site")
    return p.site_count, round(per_site.pop()), round(p.total_units)


def chronic_migraine_days() -> tuple[int, int]:
    """(headache days, migraine days) a month that define chronic migraine: the engine's own defaults."""
    params = inspect.signature(eligibility.chronic_migraine).parameters
    return params["headache_days_min"].default, params["migraine_days_min"].default


#: Where each PREEMPT muscle is, in plain words (the muscle names come from the engine's protocol).
PLAIN_PLACES: dict[str, str] = {
    "corrugator": "the forehead",
    "procerus": "the forehead",
    "frontalis": "the forehead",
    "temporalis": "the temples, at the sides of the head",
    "occipitalis": "the back of the head",
    "cervical_paraspinal": "the back of the neck",
    "trapezius": "the tops of the shoulders",
}


def _preempt_places() -> str:
    """“- the forehead (corrugator, procerus and frontalis muscles)” lines, in the protocol's order."""
    grouped: dict[str, list[str]] = {}
    for muscle in protocols.PREEMPT_SITES:
        grouped.setdefault(PLAIN_PLACES[muscle], []).append(muscle.replace("_", " "))
    lines = []
    for place, muscles in grouped.items():
        names = ", ".join(muscles[:-1]) + (" and " if len(muscles) > 1 else "") + muscles[-1]
        lines.append(f"- {place} ({names} {'muscles' if len(muscles) > 1 else 'muscle'})")
    return "\n".join(lines)


def default_page(*, clinic_phone: str, emergency_number: str) -> dict[str, Any]:
    """Title, summary, sections and FAQ items (Markdown) for the Botox page of a clinic."""
    n_sites, per_site, total = _preempt_numbers()
    headache_days, migraine_days = chronic_migraine_days()
    places = _preempt_places()
    weeks = recall_interval_days() // 7  # the clinic's interval, read in the treatment room
    after = "\n".join(f"- {item.text}" for item in aftercare.AFTERCARE)
    sections = [
        (
            "what-it-is",
            "What is Botox treatment?",
            f"""Botox is a medicine made from a purified protein called botulinum toxin. Its full name
is onabotulinumtoxinA. A doctor puts tiny doses into chosen muscles with a very fine needle.

**How it works.** A nerve tells a muscle to tighten by releasing a chemical messenger called
acetylcholine. Botox blocks the release of acetylcholine where the nerve meets the muscle. So the muscle
gets a weaker signal and relaxes. Botox also seems to calm some pain signals. The nerve slowly grows new
endings, so the effect wears off, and the treatment is repeated about every {weeks} weeks.

We use it for two long-term conditions: chronic migraine and cervical dystonia. It is a treatment to
prevent symptoms. It aims to make them happen less often and be less bad. It is not a cure. It does not
stop a headache that has already started.""",
        ),
        (
            "chronic-migraine",
            "How it helps chronic migraine",
            f"""Chronic migraine means you have a headache on {headache_days} or more days a month, for more
than 3 months. On at least {migraine_days} of those days, the headache has migraine features. For
example, it throbs, you feel sick, or light and noise bother you.

For chronic migraine, the doctor gives {n_sites} small shots. Each one is {per_site} units, so the
total is {total} units. The shots go into set spots in these muscles of the head and neck:

{places}

In studies, many people had fewer headache days each month after treatment. Botox is approved for
chronic migraine. It is not used for people who have headaches on fewer than {headache_days} days a
month.""",
        ),
        (
            "cervical-dystonia",
            "How it helps cervical dystonia",
            """Cervical dystonia is a condition in which neck muscles tighten on their own. Your head
may twist, tilt, or pull forward or back. It can cause neck pain and shaking of the head.

Botox relaxes the muscles that pull too hard. Your doctor looks at how your head moves and picks the
muscles to treat. These are neck and shoulder muscles that turn and tilt the head. Examples are the
sternocleidomastoid at the front of the neck, the splenius capitis at the back, and the trapezius and
levator scapulae in the shoulder. The dose is chosen for you. It may change from one visit to the
next, based on how well the last dose worked. Most people find that their neck moves more freely and
hurts less.""",
        ),
        (
            "procedure",
            "What the procedure is like",
            """You stay awake, and you can go home the same day.

First, a nurse checks your health and your medicines. We explain the treatment and ask you to sign a
consent form. Then the doctor cleans your skin and gives each shot with a very fine needle. Each shot
feels like a quick pinch or sting and takes a few seconds. The shots themselves are over in a few
minutes. For migraine, they go into the muscles of the forehead, temples, back of the head, neck and
shoulders. For dystonia, they go into the neck and shoulder muscles that pull too hard.

For neck dystonia, the doctor may use a small machine to find the right spot. It picks up the signals
of the muscle through the needle.""",
        ),
        (
            "side-effects",
            "Side effects, and when to get help",
            f"""Most side effects are mild. They go away on their own as the medicine wears off.

**Common side effects**

- neck pain or a stiff neck
- pain, a bruise or swelling where a needle went in
- headache
- a droopy eyelid
- weak muscles near the shots, for example in the neck or forehead

**Rare but serious side effects**

The medicine can spread past the places where it was put. This can happen hours or weeks later. Signs
are trouble swallowing, breathing or speaking, blurred or double vision, a hoarse voice, weakness all
over, or losing control of your bladder. Trouble swallowing or breathing can be life threatening.

A serious allergic reaction is also rare. Signs are a rash, hives, swelling, or wheezing.

**When to get help**

- **Call {emergency_number} or go to an emergency department at once** if you have trouble swallowing,
  breathing or speaking, changes in your vision, weakness all over, or signs of an allergic reaction.
- **Call the clinic on {clinic_phone}** if you have a droopy eyelid, a weak neck, or flu-like symptoms
  that worry you.""",
        ),
        (
            "before-your-visit",
            "Before your visit",
            f"""Please tell us about:

- your health history, mainly any muscle or nerve disease, such as myasthenia gravis
- any trouble swallowing or breathing
- any allergies, and any bad reaction to a botulinum toxin in the past
- all the medicines you take, even ones you buy without a prescription
- blood thinners, such as warfarin, apixaban or clopidogrel
- any botulinum toxin shots you had in the last few months, even cosmetic ones
- a skin infection where the shots will go
- if you are pregnant, trying for a baby, or breastfeeding

Blood thinners can make a bruise or bleeding more likely. **Do not stop any medicine on your own.**
Talk about it with the doctor who prescribes your treatment. They will tell you what to do.

If you keep a headache diary, bring it or keep it up to date on the portal. Wear a top that lets us
reach your neck and shoulders. Our number is {clinic_phone}.""",
        ),
        (
            "aftercare",
            "After your treatment",
            f"""{after}

You can go back to your normal day.""",
        ),
        (
            "when-it-works",
            "When it starts working and how long it lasts",
            f"""**Chronic migraine.** You may notice a change within a few days. The full effect builds over
about 2 weeks. The relief lasts about 3 months, and for some people up to 4 months. So you come back
every {weeks} weeks. The first
treatment does not always help much. We judge how well it works after 2 rounds. Keep your headache
diary, so we can both see the change.

**Cervical dystonia.** Most people notice a change within 2 weeks. The effect is strongest at about 6
weeks. It wears off slowly over about 3 months. We repeat the treatment when it wears off, and no sooner
than every {weeks} weeks. Your doctor may change the dose based on how well the last one worked.""",
        ),
        (
            "alternatives",
            "Other treatment choices",
            """**For chronic migraine**, other ways to prevent headaches include:

- anticonvulsants, such as topiramate
- beta-blockers, such as propranolol
- other daily tablets, such as amitriptyline or candesartan
- CGRP medicines. Some are given as a shot or a drip. Others, called gepants, are tablets.
- lifestyle changes. Sleep and eat at set times. Move every day. Drink enough water. Cut down on
  coffee.

Taking painkillers on too many days can make headaches worse. We can help you cut down.

**For cervical dystonia**, other choices include:

- muscle relaxants taken by mouth, such as baclofen
- physical therapy, such as stretches and exercises
- rarely, surgery, such as deep brain stimulation, for severe cases when nothing else has helped

Your doctor can help you weigh up each choice. Some people use more than one.""",
        ),
    ]
    faqs = [
        (
            "What is Botox used for?",
            f"""Here, we use it to prevent chronic migraine in adults who have a headache on
{headache_days} or more days a month. We also use it to ease cervical dystonia, where neck muscles
tighten on their own.""",
        ),
        (
            "How does it work?",
            """Botox blocks the release of acetylcholine, the chemical a nerve uses to tell a muscle to
tighten. This happens where the nerve meets the muscle. The muscle relaxes, and some pain signals calm
down.""",
        ),
        (
            "What are the side effects?",
            """The common ones are mild: neck pain, a bruise or soreness where a needle went in, a
headache, a droopy eyelid, or weak muscles near the shots. Rare but serious ones are trouble breathing
or swallowing, vision problems, and a serious allergic reaction. Get help at once if you have any of
these.""",
        ),
        (
            "What happens during and after the procedure?",
            """During it, you sit up while the doctor gives the shots with a very fine needle. It takes
a few minutes. Afterwards, do not rub the places where the shots went in, and go back to your normal
day.""",
        ),
        (
            "What other treatments are there?",
            """For migraine, you could take a daily tablet, such as topiramate or propranolol. Or you
could try a CGRP medicine. Changes to your daily habits can help too. For dystonia, you could take
muscle relaxants or try physical therapy. In rare cases, surgery is an option.""",
        ),
        (
            "Does it hurt?",
            """Most people say each shot feels like a quick pinch or sting. The needle is very fine,
and each shot takes a few seconds. You may feel sore for a day or two where a needle went in. You can
ask us to pause at any time.""",
        ),
        (
            "How long does it last?",
            f"""One treatment lasts about 3 months. For chronic migraine, you come back every {weeks}
weeks. For cervical dystonia, we repeat it when the effect wears off, and no sooner than every
{weeks} weeks.""",
        ),
        (
            "When will I notice a difference?",
            """For chronic migraine, you may notice a change within days. The full effect comes after
about 2 weeks. For cervical dystonia, most people notice a change within 2 weeks. The effect is
strongest at about 6 weeks.""",
        ),
        (
            "What if it does not work for me?",
            """It does not help everyone. For chronic migraine, we judge it after 2 rounds of
treatment. If your headache days have not gone down enough, we will talk about other choices.""",
        ),
        (
            "Can I keep taking my usual medicines?",
            """Tell us about every medicine you take. If you take a blood thinner, the doctor who
prescribes your treatment will talk with you about it. Do not stop any medicine on your own.""",
        ),
        (
            "Is it the same as cosmetic Botox?",
            """It is the same kind of medicine, but the dose, the muscles and the aim are different.
Tell us about any cosmetic shots you have had, because the doses add up.""",
        ),
        (
            "Will my face look different?",
            """Some people find it harder to frown or lift their eyebrows for a while. A droopy
eyelid can also happen. These fade as the medicine wears off.""",
        ),
        (
            "Can I have it if I am pregnant or breastfeeding?",
            """There is not enough research to know if it is safe. Tell us if you are pregnant,
trying for a baby, or breastfeeding, and we will talk about your choices.""",
        ),
    ]
    return {
        "slug": DEFAULT_SLUG,
        "title": "Botox for chronic migraine and cervical dystonia",
        "summary": (
            "What Botox treatment is, how it helps chronic migraine and cervical dystonia, what to expect "
            "on the day, side effects, and how long it lasts."
        ),
        "therapy": "OnabotulinumtoxinA (Botox) injections",
        "conditions": ["chronic_migraine", "cervical_dystonia"],
        "sections": [{"anchor": a, "heading": h, "body": _unwrap(b)} for a, h, b in sections],
        "faqs": [{"question": q, "answer": _unwrap(a)} for q, a in faqs],
    }


def _unwrap(text: str) -> str:
    """Join the source's hard-wrapped lines: Markdown reads them the same, editors see whole lines."""
    paragraphs = text.strip().split("\n\n")
    out = []
    for p in paragraphs:
        lines = p.split("\n")
        if all(line.startswith(("- ", "  ")) for line in lines):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line)
                else:
                    items[-1] += " " + line.strip()
            out.append("\n".join(items))
        else:
            out.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(out)


DEMO_PROVIDER = {
    "name": "Dr Sam Okafor",
    "credentials": "MD",
    "role": "Consultant neurologist",
    "practice": "Harbour Neurology Clinic",
    "location": "12 Harbour Street, Boston, MA",
    "booking_label": "Book an evaluation",
    "headshot_alt": "Drawn portrait of Dr Sam Okafor, smiling, with glasses and a stethoscope",
}
