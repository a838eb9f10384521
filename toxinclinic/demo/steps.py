"""The demo generator's steps, in order. Each module has ``seed(ctx: DemoContext) -> None``.

Later workflows add their module here (diaries, visits, inventory …) and reuse the
same context, so the whole demo stays deterministic for a given ``--seed``.
"""

DEMO_STEPS: list[str] = [
    "toxinclinic.demo.core",
]
