-- One row per response: outcomes, dimensions and service-log experience.
-- The frame for NPS by dimension and for the driver models.
create or replace table mart_responses as
with responses as (
    select * from core_survey_responses
),
experience as (
    select * from mart_response_experience
),
repurchase as (
    select * from mart_response_repurchase
)
select
    r.* exclude (attributes),
    (r.nps >= 9)::int as is_promoter,
    (r.nps <= 6)::int as is_detractor,
    p.has_repurchased::int as repurchased,
    e.* exclude (response_id)
from responses as r
left join experience as e using (response_id)
left join repurchase as p using (response_id)
