-- One row per observation and scored virtue (crit_<virtue> columns that were scored).
create or replace table mart_observation_scores as
with observations as (
    select * from core_observations
),
scores as (
    select o.observation_id, o.channel, coalesce(o.department, 'unknown') as department, o.touchpoint_id,
        unnest(o.scores) as s
    from observations o
)
select observation_id, s.criterion as criterion, channel, department, touchpoint_id, s.rating as rating
from scores
where s.experienced
