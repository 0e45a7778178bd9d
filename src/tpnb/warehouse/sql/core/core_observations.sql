-- Observations (mystery contacts, test calls): one row per test contact, scores kept as a list.
create or replace table core_observations as
with observations as (
    select * from raw_observations
)
select
    observation_id, observed_at, channel, touchpoint_id, department, scenario_id, reached, attempts,
    wait_seconds, response_hours, answer_code, answer_correct, comment, observer, scores
from observations
