-- One row per response and rated touchpoint; "not experienced" is a state
-- (is_experienced = false, rating null), never a low rating.
create or replace table core_survey_ratings as
with ratings as (
    select response_id, unnest(ratings) as r from raw_surveys
)
select
    response_id,
    r.touchpoint_id,
    r.experienced as is_experienced,
    r.rating
from ratings
