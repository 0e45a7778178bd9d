-- One row per response and touchpoint, with the touchpoint's phase and the
-- response's dimensions and NPS: ratings and NPS by touchpoint, phase, ...
create or replace table mart_touchpoint_ratings as
with ratings as (
    select * from core_survey_ratings
),
responses as (
    select * from core_survey_responses
),
touchpoints as (
    select * from core_touchpoints
)
select
    g.response_id,
    g.touchpoint_id,
    coalesce(t.touchpoint_name, g.touchpoint_id) as touchpoint_name,
    coalesce(t.phase, 'unknown') as phase,
    coalesce(t.phase_order, 5) as phase_order,
    coalesce(t.touchpoint_kind, 'direct') as touchpoint_kind,
    coalesce(t.channel, 'unknown') as channel,
    g.is_experienced,
    g.rating,
    r.nps,
    r.answered_at,
    r.period_month,
    r.period_quarter,
    r.segment,
    r.role,
    r.account_id,
    r.region
from ratings as g
join responses as r using (response_id)
left join touchpoints as t using (touchpoint_id)
