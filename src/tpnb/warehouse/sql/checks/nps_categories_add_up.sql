-- Promoters + passives + detractors = responses with an NPS score.
select 'mart_responses: NPS categories do not add up to the scored responses' as problem
from (
    select count(nps) as scored,
           count(*) filter (where nps_category in ('promoter', 'passive', 'detractor')) as categorised
    from mart_responses
)
where scored <> categorised
