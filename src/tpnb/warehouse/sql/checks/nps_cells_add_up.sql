-- The NPS cells hold exactly the scored responses and experienced ratings.
select 'mart_nps_cells: counts differ from the rows they summarise' as problem
from (select sum(n) filter (where not is_touchpoint_level) as responses,
             sum(n) filter (where is_touchpoint_level) as ratings from mart_nps_cells) c,
     (select count(nps) as responses from mart_responses) r,
     (select count(*) filter (where is_experienced and nps is not null) as ratings from mart_touchpoint_ratings) t
where coalesce(c.responses, 0) <> r.responses or coalesce(c.ratings, 0) <> t.ratings
