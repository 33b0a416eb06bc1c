"""How much cheaper personalise() is than a full render per subscriber (render_for).

Run: .venv/bin/python bench/bench_personalise.py [--subscribers N]
Prints the time per subscriber of both paths on the test fixture digest and their ratio, plus
the one-off cost of render_edition. The baseline (render_for) is measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from digest.models import PersonalLinks, Subscriber
from digest.render import RenderSettings, personalise, render_edition, render_for

# The fixture digest of the render tests, loaded the way they load it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.render.sample import load_sample


def subscribers(count: int) -> list[tuple[Subscriber, PersonalLinks]]:
    choices: tuple[tuple[str, ...], ...] = ((), ("World",), ("Business", "Sport"), ())
    people = []
    for n in range(count):
        subscriber = Subscriber(
            email=f"reader{n}@example.com", name=f"Reader {n} & co", sections=choices[n % 4]
        )
        links = PersonalLinks(
            unsubscribe_url=f"https://digest.example.org/u/{n}?t=abc&e=1",
            unsubscribe_mailto=f"mailto:unsubscribe@digest.example.org?subject={n}",
            preferences_url=f"https://digest.example.org/p/{n}",
            browser_url="https://digest.example.org/e/2025-11-27",
        )
        people.append((subscriber, links))
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=300)
    args = parser.parse_args()
    digest, newsletter = load_sample()
    settings = RenderSettings()
    people = subscribers(args.subscribers)
    render_for(digest, newsletter, settings, *people[0])  # warm the template cache

    start = time.perf_counter()
    for subscriber, links in people:
        render_for(digest, newsletter, settings, subscriber, links)
    full = (time.perf_counter() - start) / len(people)

    start = time.perf_counter()
    edition = render_edition(digest, newsletter, settings)
    once = time.perf_counter() - start
    start = time.perf_counter()
    for subscriber, links in people:
        personalise(edition, subscriber, links)
    fast = (time.perf_counter() - start) / len(people)

    print(f"subscribers           {len(people)}")
    print(f"render_edition (once) {once * 1000:8.3f} ms")
    print(f"render_for / person   {full * 1000:8.3f} ms  (baseline)")
    print(f"personalise / person  {fast * 1000:8.3f} ms")
    print(f"ratio personalise/full {fast / full:7.3f}  ({full / fast:.0f}x faster)")


if __name__ == "__main__":
    main()
