-- The touchpoint catalogue, one row per touchpoint, phases in journey order.
create or replace table core_touchpoints as
with catalogue as (
    select * from raw_touchpoints
)
select
    touchpoint_id,
    coalesce(name, touchpoint_id) as touchpoint_name,
    coalesce(phase, 'unknown') as phase,
    case coalesce(phase, 'unknown')
        when 'pre_purchase' then 1 when 'purchase' then 2 when 'post_purchase' then 3
        when 'ongoing' then 4 else 5
    end as phase_order,
    coalesce(kind, 'direct') as touchpoint_kind,
    channel,
    owner_department
from catalogue
