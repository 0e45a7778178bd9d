-- One row per observation with when it was made (weekday, hour, inside the customers' business
-- hours from tpnb.yaml: $parameters), its outcome as flags and its mean virtue score.
create or replace table mart_observations as
with observations as (
    select * from core_observations
),
timed as (
    select
        o.* exclude (scores),
        isodow(o.observed_at) as weekday,
        hour(o.observed_at) as hour,
        hour(o.observed_at) * 60 + minute(o.observed_at) as observed_minute,
        date_trunc('month', o.observed_at)::date as period_month,
        (select avg(s.rating) from unnest(o.scores) as t(s) where s.experienced) as score_mean
    from observations o
)
select
    observation_id, observed_at, channel, touchpoint_id, coalesce(department, 'unknown') as department,
    scenario_id, reached, attempts, wait_seconds, response_hours, answer_code, answer_correct, comment,
    observer, weekday, hour, period_month, score_mean,
    list_contains($service_weekdays, weekday)
        and observed_minute >= $service_start_minute and observed_minute < $service_end_minute
        as is_in_business_hours,
    answer_correct = 'yes' as is_correct
from timed
