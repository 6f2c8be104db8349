import datetime as dt

from minsheng.stats import query, rollup
from minsheng.stats.periods import period_of
from tests.stats.helpers import Story, at, refresh_all


def test_smoke(people):
    s = Story(people)
    s.handled(at(2025, 3, 3, 9))
    assert refresh_all() >= 1
    f = query.Filters(period_of("month", dt.date(2025, 3, 1)))
    fig = query.totals(f)
    print(fig.counts)
    assert rollup.stored() == rollup.from_scratch()
    assert fig.response_rate == 100
