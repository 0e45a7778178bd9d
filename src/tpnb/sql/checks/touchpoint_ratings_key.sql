-- One rating row per response and touchpoint.
select 'mart_touchpoint_ratings: a response rates a touchpoint twice' as problem
from mart_touchpoint_ratings
group by response_id, touchpoint_id
having count(*) > 1
limit 1
