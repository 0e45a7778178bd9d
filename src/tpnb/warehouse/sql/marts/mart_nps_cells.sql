-- NPS counts per day and dimension value, for responses and for respondents of each
-- touchpoint: `tpnb nps` sums these cells instead of scanning every rating row.
create or replace table mart_nps_cells as
with ratings as (
    select * from mart_touchpoint_ratings where is_experienced and nps is not null
),
responses as (
    select * from mart_responses where nps is not null
),
by_touchpoint as (
    select
        true as is_touchpoint_level, touchpoint_name, phase, channel, segment, role, region,
        answered_at::date as answered_on, period_month, period_quarter,
        count(*) as n,
        count(*) filter (where nps >= 9) as promoters,
        count(*) filter (where nps between 7 and 8) as passives,
        count(*) filter (where nps <= 6) as detractors
    from ratings
    group by all
),
by_response as (
    select
        false as is_touchpoint_level, null::varchar as touchpoint_name, null::varchar as phase,
        null::varchar as channel, segment, role, region, answered_on, period_month, period_quarter,
        count(*) as n,
        count(*) filter (where nps >= 9) as promoters,
        count(*) filter (where nps between 7 and 8) as passives,
        count(*) filter (where nps <= 6) as detractors
    from responses
    group by all
)
select * from by_touchpoint
union all
select * from by_response
