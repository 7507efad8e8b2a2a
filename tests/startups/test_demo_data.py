"""The demo's history looks like a real network over time (issue 18): exits spread over
the years rather than falling on one day, and exporters to Africa, elsewhere or both, so
that the export share and the share to Africa differ."""

import collections
import datetime
import random

from startups import demo
from startups.countries import includes_africa


def test_past_admissions_end_on_days_spread_over_time():
    rng = random.Random(7)
    starts = [demo.TODAY - datetime.timedelta(days=rng.randint(400, 9000)) for _ in range(3000)]
    ends = [demo._exit_day(rng, start) for start in starts]
    last = demo.TODAY - datetime.timedelta(days=30)
    assert all(start + datetime.timedelta(days=30) <= end <= last for start, end in zip(starts, ends, strict=True))
    busiest_day, busiest = collections.Counter(ends).most_common(1)[0]
    assert busiest < 30, f"{busiest} admissions end on {busiest_day}"  # it was hundreds on one day
    assert len({end.year for end in ends}) >= 20


def test_exporters_sell_to_africa_elsewhere_or_both():
    rng = random.Random(7)
    markets = [demo._export_markets(rng) for _ in range(2000)]
    africa = sum(includes_africa(countries) for countries in markets)
    elsewhere = sum(any(code in demo.ELSEWHERE for code in countries) for countries in markets)
    assert all(markets)  # an exporter exports somewhere
    assert 0.55 < africa / len(markets) < 0.75  # the share to Africa is not the export share
    assert 0.5 < elsewhere / len(markets) < 0.7
