-- Touchpoint ratings wide, one column tp_<touchpoint_id> per touchpoint
-- (null = not experienced): joined to mart_responses for driver models.
create or replace table mart_driver_ratings as
with ratings as (
    select response_id, 'tp_' || touchpoint_id as driver, rating from core_survey_ratings
)
pivot ratings on driver using first(rating) group by response_id
