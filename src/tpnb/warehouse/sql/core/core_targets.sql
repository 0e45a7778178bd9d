-- Targets (the "Soll") per touchpoint and metric, valid from a date.
create or replace table core_targets as
with targets as (
    select * from raw_targets
)
select
    touchpoint_id,
    metric,
    valid_from,
    target,
    direction,
    lead(valid_from) over (partition by touchpoint_id, metric order by valid_from) as valid_until
from targets
